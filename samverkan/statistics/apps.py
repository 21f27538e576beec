from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_revision_triggers(sender, using, **kwargs) -> None:  # noqa: ANN001
    """After every migration (and every flush of a test's database): the data revision's row
    and any trigger a migration has dropped by rebuilding a table (statistics.revision)."""
    from django.db import connections  # noqa: PLC0415

    from samverkan.statistics.revision import install_triggers  # noqa: PLC0415

    install_triggers(connections[using])


class StatisticsConfig(AppConfig):
    name = "samverkan.statistics"
    label = "statistics"
    verbose_name = _("statistics")

    def ready(self) -> None:
        post_migrate.connect(
            _install_revision_triggers, sender=self, dispatch_uid="statistics.revision"
        )
