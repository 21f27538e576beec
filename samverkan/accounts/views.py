"""Sign-in, the second factor and sign-out: thin views over accounts.security."""

import segno
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from samverkan.accounts.audit import TARGET_TYPES, action_label, audit_search
from samverkan.accounts.forms import AuditSearchForm, CodeForm
from samverkan.accounts.models import Role
from samverkan.accounts.security import (
    Throttled,
    confirmed_device,
    device_for_setup,
    verify_code,
)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


@login_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest) -> HttpResponse:
    if confirmed_device(request.user):
        return redirect("accounts:verify")
    device = device_for_setup(request.user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _code_accepted(form, device):
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        otp_login(request, device)
        return redirect("home")
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/setup.html",
        {
            "form": form,
            "qr_svg": qr.svg_inline(scale=5, title=_("QR code for your authenticator app")),
            "secret": _grouped(device.bin_key),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    device = confirmed_device(request.user)
    if device is None:
        return redirect("accounts:setup")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _code_accepted(form, device):
        otp_login(request, device)
        return redirect("home")
    return render(request, "accounts/verify.html", {"form": form})


def _code_accepted(form: CodeForm, device) -> bool:  # noqa: ANN001 - a TOTPDevice
    try:
        if verify_code(device, form.cleaned_data["code"]):
            return True
        form.add_error(
            "code", _("The code is not right. Check the time on your phone and try again.")
        )
    except Throttled:
        form.add_error("code", _("Too many wrong codes: wait a few seconds and try again."))
    return False


def _grouped(key: bytes) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    import base64

    text = base64.b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Straight to the user's first page (the overview, or the unit's records); a user whose role
    has no page yet sees who they are signed in as and whom to ask."""
    from samverkan.core.navigation import menu_for

    menu = menu_for(request.user)
    if menu:
        return redirect(menu[0].url)
    return render(request, "home.html")


AUDIT_ROLES = frozenset({Role.COORDINATOR, Role.ADMINISTRATOR})
AUDIT_PAGE_SIZE = 50


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """Search the audit log: who read or changed which records, when, from which unit."""
    if request.user.role not in AUDIT_ROLES:
        raise Http404
    query = request.GET.copy()
    page_number = query.pop("sida", ["1"])[-1]
    form = AuditSearchForm(query or None)
    entries = audit_search(**form.criteria()) if form.is_valid() else audit_search()
    if form.is_bound and not form.is_valid():
        entries = entries.none()
    page = Paginator(entries, AUDIT_PAGE_SIZE).get_page(page_number)
    rows = [
        (entry, action_label(entry.action), TARGET_TYPES.get(entry.target_type, entry.target_type))
        for entry in page
    ]
    return render(
        request,
        "accounts/audit_log.html",
        {"form": form, "page": page, "rows": rows, "query": query},
    )
