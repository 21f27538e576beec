"""The main menu: which pages a signed-in user can reach, decided in one place.

The views enforce access themselves; the menu only leaves out links that would end in 404.
"""

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuItem:
    label: str
    url: str

    def is_current(self, path: str) -> bool:
        return path == self.url or (self.url != "/" and path.startswith(self.url))


def menu_for(user) -> list[MenuItem]:  # noqa: ANN001 - a User, or AnonymousUser
    from samverkan.accounts.models import Role
    from samverkan.campaigns.views import AGGREGATE_ROLES
    from samverkan.dashboard.overview import DASHBOARD_ROLES
    from samverkan.records.selectors import RECORD_ROLES
    from samverkan.referrals.selectors import can_register_arrivals

    if not user.is_authenticated or not user.is_verified():
        return []
    items = []
    if user.role in DASHBOARD_ROLES:
        items.append(MenuItem(_("Overview"), reverse("dashboard:overview")))
    kind = user.unit.kind if user.unit_id else None
    if user.role in RECORD_ROLES:
        record_lists = {
            "chat": (_("Chat conversations"), "records:chat_list"),
            "clinic": (_("Clients"), "records:clinic_list"),
            "support-centre": (_("Support-centre cases"), "records:support_list"),
        }
        if kind in record_lists:
            label, name = record_lists[kind]
            items.append(MenuItem(label, reverse(name)))
    from samverkan.chat import services as chat

    if chat.can_volunteer(user):
        items.append(MenuItem(_("Live chat"), reverse("chat:console")))
    if chat.can_supervise(user):
        items.append(MenuItem(_("The chat right now"), reverse("chat:supervisor")))
    if chat.can_keep_directory(user):
        items.append(MenuItem(_("Directory of services"), reverse("chat:directory")))
    if can_register_arrivals(user):
        items.append(MenuItem(_("Referral code arrivals"), reverse("referrals:arrive")))
    if user.role in DASHBOARD_ROLES:
        items.append(MenuItem(_("Committee documents"), reverse("reports:list")))
    if user.role in AGGREGATE_ROLES:
        items.append(MenuItem(_("Campaigns"), reverse("campaigns:list")))
        items.append(MenuItem(_("Activities"), reverse("activities:list")))
    from samverkan.governance.selectors import menu_entry

    governance = menu_entry(user)
    if governance is not None:
        kind, name = governance
        label = _("Governance") if kind == "governance" else _("Money")
        items.append(MenuItem(label, reverse(name)))
    from samverkan.api.tokens import can_manage_tokens
    from samverkan.statistics.history import can_keep_history

    if can_manage_tokens(user):
        items.append(MenuItem(_("API tokens"), reverse("api_tokens:list")))
    if can_keep_history(user):
        items.append(MenuItem(_("Figures of earlier years"), reverse("statistics:history")))
    if user.role in (Role.COORDINATOR, Role.ADMINISTRATOR):
        items.append(MenuItem(_("Audit log"), reverse("accounts:audit_log")))
    if user.is_staff:
        items.append(MenuItem(_("Administration"), reverse("admin:index")))
    return items


def navigation(request: HttpRequest) -> dict:
    """Context processor: the menu and the current page for base.html."""
    items = menu_for(request.user) if hasattr(request, "user") else []
    return {"menu": [(item, item.is_current(request.path)) for item in items]}
