from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    name = "samverkan.operations"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from django.core import checks

        from samverkan.operations.checks import configuration_problems

        checks.register(configuration_problems, "samverkan", deploy=True)
