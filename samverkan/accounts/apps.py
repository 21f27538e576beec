from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "samverkan.accounts"
    label = "accounts"
    verbose_name = _("accounts")

    def ready(self) -> None:
        from samverkan.accounts import selfservice  # noqa: F401 - its signal receivers

        _name_the_sign_in_apps()


def _name_the_sign_in_apps() -> None:
    """The admin in the reader's language: the libraries behind the sign-in (django-otp's
    authenticator apps, django-axes' lock-out) name themselves in English only ("Axes",
    "Access attempts", "TOTP devices"). Only the names shown are set here; the names the
    migrations read (`_meta.original_attrs`) stay the libraries' own."""
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django.apps import apps
    from django_otp.plugins.otp_totp.models import TOTPDevice

    apps.get_app_config("axes").verbose_name = _("sign-in lock-out")
    apps.get_app_config("otp_totp").verbose_name = _("two-step verification")
    apps.get_app_config("django_otp").verbose_name = _("two-step verification")
    names = {
        TOTPDevice: (_("authenticator app"), _("authenticator apps")),
        AccessAttempt: (_("failed sign-ins of an account"), _("failed sign-ins by account")),
        AccessLog: (_("sign-in"), _("sign-ins")),
        AccessFailureLog: (_("failed sign-in"), _("failed sign-ins")),
    }
    for model, (singular, plural) in names.items():
        model._meta.verbose_name = singular  # noqa: SLF001
        model._meta.verbose_name_plural = plural  # noqa: SLF001
