from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from samverkan.demo.services import demo_code


class Command(BaseCommand):
    help = (
        "Print the current two-step code of a demo user, so the demo can be tried without a "
        "phone. Works for the demo's own accounts only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args, username: str, **options) -> None:  # noqa: ANN003
        code = demo_code(username)
        if code is None:
            raise CommandError(_("%(user)s is not a demo user.") % {"user": username})
        self.stdout.write(code)
