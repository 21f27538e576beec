from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse
from django.utils.translation import gettext as _

from samverkan.accounts.models import Role
from samverkan.chat.services import is_open
from samverkan.demo.chat import ALWAYS, CHAT_HOURS, EVENINGS
from samverkan.demo.services import DEMO_USERS, demo_build


class Command(BaseCommand):
    help = (
        "Create or refresh the demo: the partnership of the 2022 interim report, a user per role "
        "and synthetic anonymous records for 2021-2022; then serve the application."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="Only build the demo.")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="Where to serve.")
        parser.add_argument("--seed", type=int, default=2022, help="Seed of the synthetic data.")
        parser.add_argument(
            "--chat-hours",
            choices=CHAT_HOURS,
            default=ALWAYS,
            help=(
                "When the live chat is open: always (so the demo can be tried at any time) or "
                "evenings (Monday to Thursday 18-22 and Sunday 18-21, as a real chat)."
            ),
        )

    def handle(  # noqa: ANN003
        self, *args, no_serve: bool, addr: str, seed: int, chat_hours: str, **options
    ) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        demo, created = demo_build(seed=seed, chat_hours=chat_hours)
        self.stdout.write(
            _(
                "Demo built: %(chat)d chat conversations, %(clinic)d clinic clients, "
                "%(support)d support-centre cases (synthetic, 2021-2022)."
            )
            % {
                "chat": created["chat_conversations"],
                "clinic": created["clinic_clients"],
                "support": created["support_centre_cases"],
            }
        )
        self.stdout.write(_("Demo users (user name / password / role):"))
        for user in DEMO_USERS:
            self.stdout.write(f"  {user.username:<15} {user.password:<29} {Role(user.role).label}")
        self.stdout.write(
            _(
                "The two-step code a demo user is asked for after the password: "
                "samverkan democode USERNAME (in another terminal: .venv/bin/samverkan democode "
                "samordnare). Demo accounts only; every other account needs its authenticator."
            )
        )
        self.stdout.write(_("Try: samverkan stats --from 2022-01-01 --to 2022-05-31 --format text"))
        self.stdout.write(
            _(
                "The live chat: a young person at http://%(addr)s/chatt/ (a private window), "
                "the volunteer volontar at http://%(addr)s/chatt/konsol/ (another window)."
            )
            % {"addr": addr}
        )
        if chat_hours == EVENINGS:
            self.stdout.write(_("The chat is open Monday to Thursday 18-22 and Sunday 18-21."))
            if not is_open():
                self.stdout.write(
                    _(
                        "It is closed now. To try it at any time: samverkan demo --chat-hours "
                        "always, or remove the opening hours in the admin."
                    )
                )
        else:
            self.stdout.write(
                _(
                    "The chat is open around the clock in the demo; for a real chat's evening "
                    "hours: samverkan demo --chat-hours evenings."
                )
            )
        if no_serve:
            return
        self.stdout.write(
            _(
                "Serving on http://%(addr)s/ (stop with Ctrl-C). The overview: http://%(addr)s%(path)s"
            )
            % {"addr": addr, "path": reverse("dashboard:overview")}
        )
        call_command("runserver", addr, use_reloader=False, insecure_serving=True)
