from django.core import checks
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from samverkan.operations.checks import connection_problems


class Command(BaseCommand):
    help = (
        "Is this server ready for production? Runs the deployment checks (`check --deploy`), "
        "then connects to the database and Redis; says what to fix. Exits non-zero on any "
        "warning or error."
    )
    requires_system_checks: list = []

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        found = checks.run_checks(include_deployment_checks=True) + connection_problems()
        found = [
            message
            for message in found
            if not message.is_silenced() and message.level >= checks.WARNING
        ]
        for message in found:
            level = "ERROR" if message.level >= checks.ERROR else "WARNING"
            self.stderr.write(f"{message.id} ({level}): {message.msg}")
            if message.hint:
                self.stderr.write(f"    → {message.hint}")
        if found:
            raise CommandError(
                _("%(count)d problem(s): fix them and run samverkan doctor again.")
                % {"count": len(found)}
            )
        self.stdout.write(
            _("Ready: the deployment checks pass, and the database and Redis answer.")
        )
