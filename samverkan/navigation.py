"""The main menu: which pages a signed-in user can reach, decided in one place; and the home
page, which is the menu's first page.

It links every feature, so it sits at the top beside the URL configuration (the site's layer,
docs/ARCHITECTURE.md "Layers"). Who may do what is `accounts.permissions`; the views enforce it
themselves, and the menu only leaves out links that would end in 404.

Every signed-in page shows the menu, and deciding it took three queries (the chat's unit, the
unit's services, the partnership's agreement) and a dozen `reverse` calls: about a tenth of a
list page (benchmarks/RESULTS.md, "List pages (perf-lists branch)"). What decides it is the
user's role, unit and staff flag, the language, the day (an agreement's period) and the
partnership's configuration, which changes a few times a year. So each process keeps a
user's menu by those for at most a minute (`MENU_SECONDS`), and forgets all of them when
a unit, a service, a partnership, an agreement or a user is saved or deleted in it; another
process's change reaches the menus of this one within the minute. A link the menu still shows
for that minute only leads to the view's own refusal (404), as any typed address would.
"""

from dataclasses import dataclass
from time import monotonic

from django.contrib.auth.decorators import login_required
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from samverkan.accounts import permissions
from samverkan.governance.selectors import menu_entry
from samverkan.records.kinds import kind_of_unit

MENU_SECONDS = 60
# What a menu is decided by besides the key: the partnership app's rows (organisations, units,
# services, partnerships and their members, agreements) and the users. Not the audit entries
# and records every page writes: those would empty the kept menus at every list.
_DECIDING_APPS = frozenset({"partnership"})
_DECIDING_MODELS = frozenset({"accounts.user"})
_MENUS: dict[tuple, tuple[float, list["MenuItem"]]] = {}
_MAX_MENUS = 1024


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str

    def is_current(self, path: str) -> bool:
        return path == self.url or (self.url != "/" and path.startswith(self.url))


def menu_for(user) -> list[MenuItem]:  # noqa: ANN001 - a User, or AnonymousUser
    if not user.is_authenticated or not user.is_verified():
        return []
    items = []
    aggregates = user.role in permissions.AGGREGATE_ROLES
    if aggregates:
        items.append(MenuItem(_("Overview"), reverse("dashboard:overview")))
    if user.role in permissions.RECORD_ROLES:
        # The list of the kind of record the user's unit keeps (records.kinds).
        kind = kind_of_unit(user.unit.kind if user.unit_id else None)
        if kind is not None:
            items.append(MenuItem(kind.label, reverse(f"records:{kind.name}_list")))
    if permissions.can_volunteer(user):
        items.append(MenuItem(_("Live chat"), reverse("chat:console")))
    if permissions.can_supervise(user):
        items.append(MenuItem(_("The chat right now"), reverse("chat:supervisor")))
    if permissions.can_keep_directory(user):
        items.append(MenuItem(_("Directory of services"), reverse("chat:directory")))
    if permissions.can_register_arrivals(user):
        items.append(MenuItem(_("Referral code arrivals"), reverse("referrals:arrive")))
    if aggregates:
        items.append(MenuItem(_("Committee documents"), reverse("reports:list")))
        items.append(MenuItem(_("Campaigns"), reverse("campaigns:list")))
        items.append(MenuItem(_("Activities"), reverse("activities:list")))
    governance = menu_entry(user)
    if governance is not None:
        kind, name = governance
        label = _("Governance") if kind == "governance" else _("Money")
        items.append(MenuItem(label, reverse(name)))
    if permissions.can_manage_tokens(user):
        items.append(MenuItem(_("API tokens"), reverse("api_tokens:list")))
    if permissions.can_keep_history(user):
        items.append(MenuItem(_("Figures of earlier years"), reverse("statistics:history")))
    if user.role in permissions.AUDIT_ROLES:
        items.append(MenuItem(_("Audit log"), reverse("accounts:audit_log")))
    if user.is_staff:
        items.append(MenuItem(_("Administration"), reverse("admin:index")))
    return items


def cached_menu_for(user) -> list[MenuItem]:  # noqa: ANN001 - a User, or AnonymousUser
    """menu_for, kept per process for at most MENU_SECONDS (see the module's docstring)."""
    if not user.is_authenticated or not user.is_verified():
        return []
    key = (
        user.role,
        user.unit_id,
        user.is_staff,
        user.is_active,
        translation.get_language(),
        timezone.localdate(),
    )
    now = monotonic()
    kept = _MENUS.get(key)
    if kept is not None and now - kept[0] < MENU_SECONDS:
        return kept[1]
    # Labels as text in the language of the key: the kept list is never translated again.
    items = [MenuItem(str(item.label), item.url) for item in menu_for(user)]
    if len(_MENUS) >= _MAX_MENUS:
        _MENUS.clear()
    _MENUS[key] = (now, items)
    return items


def forget_menus(sender, **kwargs) -> None:  # noqa: ANN001, ANN003 - a signal's receiver
    """Every kept menu of this process, when a row that decides menus changes in it."""
    meta = sender._meta
    if meta.app_label in _DECIDING_APPS or meta.label_lower in _DECIDING_MODELS:
        _MENUS.clear()


for _name, _signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
    _signal.connect(forget_menus, dispatch_uid=f"samverkan.navigation.forget.{_name}")


def navigation(request: HttpRequest) -> dict:
    """Context processor: the menu and the current page for base.html."""
    items = cached_menu_for(request.user) if hasattr(request, "user") else []
    return {"menu": [(item, item.is_current(request.path)) for item in items]}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Straight to the user's first page (the overview, or the unit's records); a user whose role
    has no page yet sees who they are signed in as and whom to ask."""
    menu = cached_menu_for(request.user)
    if menu:
        return redirect(menu[0].url)
    return render(request, "home.html")
