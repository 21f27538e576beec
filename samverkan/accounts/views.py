"""Sign-in, the second factor and sign-out: thin views over accounts.security."""

import logging

import segno
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from samverkan.accounts import oidc, selfservice
from samverkan.accounts.audit import TARGET_TYPES, action_label, audit_search, log_action
from samverkan.accounts.forms import AuditSearchForm, CodeForm, NewAuthenticatorForm
from samverkan.accounts.models import Role, UserSession
from samverkan.accounts.permissions import AUDIT_ROLES
from samverkan.accounts.security import (
    AlreadyUsed,
    Throttled,
    confirmed_device,
    device_for_setup,
    verify_code,
)

logger = logging.getLogger(__name__)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs) -> dict:  # noqa: ANN003
        context = super().get_context_data(**kwargs)
        # A button per identity provider; the local form stays for those without one.
        context["providers"] = [
            (name, config["label"]) for name, config in oidc.providers().items()
        ]
        return context


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
        return redirect(requested_page(request) or "home")
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
        return redirect(requested_page(request) or "home")
    return render(request, "accounts/verify.html", {"form": form})


def requested_page(request: HttpRequest) -> str:
    """The page the person asked for before signing in (`next`, carried through the password
    and the second factor), if it is a path on this site; otherwise nothing."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return ""
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return ""
    return target


def _code_accepted(form: CodeForm, device) -> bool:  # noqa: ANN001 - a TOTPDevice
    try:
        if verify_code(device, form.cleaned_data["code"]):
            return True
        form.add_error(
            "code", _("The code is not right. Check the time on your phone and try again.")
        )
    except AlreadyUsed:
        form.add_error(
            "code",
            _(
                "This code has just been used to sign in, and a code is good once. Wait until "
                "your authenticator app shows the next code (a new one every 30 seconds) and "
                "enter that."
            ),
        )
    except Throttled:
        form.add_error("code", _("Too many wrong codes: wait a few seconds and try again."))
    return False


def _grouped(key: bytes) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    import base64

    text = base64.b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


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


# --- Sign-in through an identity provider (accounts.oidc) ---------------------------------


def oidc_login(request: HttpRequest, provider: str) -> HttpResponse:
    """To the provider's sign-in: the authorisation code flow with PKCE, state and nonce."""
    try:
        app = oidc.client(provider)
    except KeyError:
        raise Http404 from None  # no such provider, whatever the method
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    next_url = request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        request.session["oidc_next"] = next_url
    callback = request.build_absolute_uri(reverse("accounts:oidc_callback", args=[provider]))
    return app.authorize_redirect(request, callback)


def oidc_callback(request: HttpRequest, provider: str) -> HttpResponse:
    """Back from the provider: the code exchanged, the ID token checked (signature, issuer,
    audience, expiry, nonce), the state checked; then the person signed in here."""
    from authlib.common.errors import AuthlibBaseError
    from joserfc.errors import JoseError

    try:
        app = oidc.client(provider)
    except KeyError:
        raise Http404 from None
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    try:
        token = app.authorize_access_token(request)
        claims = dict(token.get("userinfo") or {})
        if not claims.get("sub"):
            raise AuthlibBaseError(description="no ID token")
    except (AuthlibBaseError, JoseError, ValueError) as error:
        logger.warning("Sign-in through %s refused: %s", provider, type(error).__name__)
        return render(
            request,
            "accounts/oidc_refused.html",
            {
                "reason": _(
                    "The sign-in could not be confirmed (it may have expired, or been started "
                    "in another window). Nothing was signed in: try again."
                ),
                "provider": provider,
            },
            status=400,
        )
    try:
        done = oidc.sign_in(provider, claims)
    except oidc.Refused as refused:
        return render(
            request,
            "accounts/oidc_refused.html",
            {"reason": str(refused), "provider": provider},
            status=403,
        )
    next_url = request.session.pop("oidc_next", "")
    auth_login(request, done.user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[oidc.SESSION_PROVIDER] = provider
    request.session[oidc.SESSION_UNTIL] = done.until.timestamp()
    request.session[oidc.SESSION_ID_TOKEN] = token.get("id_token", "")
    request.session[oidc.SESSION_MFA] = done.second_factor_done
    UserSession.objects.filter(session_key=request.session.session_key).update(how=provider)
    return redirect(next_url or "home")


@require_http_methods(["POST"])
def logout(request: HttpRequest) -> HttpResponse:
    """Sign out here, and at the provider too when signed in through one (RP-initiated
    logout: the provider ends its own session, then sends the person back to our sign-in)."""
    provider = request.session.get(oidc.SESSION_PROVIDER)
    id_token = request.session.get(oidc.SESSION_ID_TOKEN, "")
    auth_logout(request)
    if provider in oidc.providers():
        app = oidc.client(provider)
        metadata = app.load_server_metadata()
        if metadata.get("end_session_endpoint"):
            return app.logout_redirect(
                request,
                post_logout_redirect_uri=request.build_absolute_uri(reverse("accounts:login")),
                id_token_hint=id_token or None,
                client_id=oidc.providers()[provider]["client_id"],
            )
    return redirect("accounts:login")


# --- Self-service for local accounts (accounts.selfservice) -------------------------------


@login_required
def account(request: HttpRequest) -> HttpResponse:
    """My account: how I sign in, my sessions (this one and others, which I can end)."""
    sessions = selfservice.live_sessions(request.user)
    return render(
        request,
        "accounts/account.html",
        {
            "local": selfservice.is_local(request.user),
            "sessions": sessions,
            "current": request.session.session_key,
            "can_recover": request.user.role == Role.UNIT_MANAGER,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    if not selfservice.is_local(request.user):
        raise Http404  # signed in through a provider: the password is the provider's
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)  # this session stays; the others end
        selfservice.password_changed(form.user, request)
        messages.success(request, _("Your password is changed. Your other sessions are ended."))
        return redirect("accounts:account")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def authenticator_replace(request: HttpRequest) -> HttpResponse:
    """A new authenticator app (a new phone): the current password and a code from the new
    app; the old app's codes stop working."""
    if not selfservice.is_local(request.user):
        raise Http404
    device = device_for_setup(request.user)
    form = NewAuthenticatorForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid() and _code_accepted(form, device):
        selfservice.authenticator_replaced(request.user, device)
        otp_login(request, device)
        messages.success(request, _("Your new authenticator app is set up."))
        return redirect("accounts:account")
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "accounts/authenticator_replace.html",
        {
            "form": form,
            "qr_svg": qr.svg_inline(scale=5, title=_("QR code for your authenticator app")),
            "secret": _grouped(device.bin_key),
        },
    )


@login_required
@require_http_methods(["POST"])
def session_end(request: HttpRequest, session_id: int) -> HttpResponse:
    record = UserSession.objects.filter(pk=session_id, user=request.user).first()
    if record is None or record.session_key == request.session.session_key:
        raise Http404  # another's session, or this one (sign out instead)
    selfservice.end_session(record)
    log_action("accounts.session.ended", user=request.user)
    messages.success(request, _("The session is ended."))
    return redirect("accounts:account")


@login_required
@require_http_methods(["GET", "POST"])
def recovery(request: HttpRequest) -> HttpResponse:
    """Account recovery through the unit manager: a new start for one of the unit's staff."""
    if request.user.role != Role.UNIT_MANAGER:
        raise Http404
    people = selfservice.recoverable_by(request.user)
    temporary = None
    recovered = None
    if request.method == "POST":
        chosen = request.POST.get("user", "")
        recovered = people.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        if recovered is None:
            raise Http404
        temporary = selfservice.recover(request.user, recovered)
    return render(
        request,
        "accounts/recovery.html",
        {"people": people, "temporary": temporary, "recovered": recovered},
    )
