from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "samverkan.accounts"
    label = "accounts"
    verbose_name = _("accounts")

    def ready(self) -> None:
        from samverkan.accounts import selfservice  # noqa: F401 - its signal receivers
