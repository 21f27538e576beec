from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from samverkan.core.errors import SamverkanError
from samverkan.partnership.models import Unit
from samverkan.referrals.services import register_arrival


class Command(BaseCommand):
    help = "Referral codes from the chat: register that a code has arrived at its destination."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, title="actions")
        arrive = actions.add_parser(
            "arrive", help="Register the arrival of a code at the unit that receives it."
        )
        arrive.add_argument("code", help="The code as given, e.g. K7QP-4XMC.")
        arrive.add_argument("--unit", required=True, help="Key of the receiving unit.")

    def handle(self, *args, action: str, **options) -> None:  # noqa: ANN003
        if action == "arrive":
            self._arrive(options["code"], options["unit"])

    def _arrive(self, code: str, unit_key: str) -> None:
        try:
            unit = Unit.objects.get(key=unit_key)
        except Unit.DoesNotExist:
            raise CommandError(_("There is no unit %(key)r.") % {"key": unit_key}) from None
        try:
            # The command line's user can reach the database anyway: no person to audit.
            referral = register_arrival(code, by=None, unit=unit)
        except SamverkanError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("%(code)s arrived at %(unit)s (%(service)s); issued %(issued)s.")
            % {
                "code": referral.display_code,
                "unit": unit.name,
                "service": referral.destination.name,
                "issued": date_format(timezone.localtime(referral.issued_at), "DATE_FORMAT"),
            }
        )
