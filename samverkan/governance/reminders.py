"""Reminders by e-mail: before each report's due date (and once when it is late) to the people
responsible for it, and before each notice deadline to the coordinator and the steering group.

`run_due` is what `samverkan run-due` calls every few minutes. Each (reminder, recipient) is sent
in its own transaction that first inserts a `SentReminder` row, unique on (key, recipient), then
sends. A second run at the same time blocks on that insert until the first commits and then gets
an integrity error, so it skips; if sending fails the row is rolled back and a later run retries.
The one window for a duplicate is a crash between the mail server accepting the message and the
commit.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samverkan.accounts.models import Role, User
from samverkan.governance.agreement_calendar import agreement_on
from samverkan.governance.models import ObligationItem, SentReminder
from samverkan.governance.services import obligation_items_sync
from samverkan.partnership.models import Agreement, Group

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reminder:
    key: str
    recipients: tuple[User, ...]
    subject: str
    body: str


@dataclass
class RunResult:
    sent: list[tuple[str, str]] = field(default_factory=list)  # (key, recipient's user name)
    already_sent: int = 0
    failed: int = 0


def threshold_passed(days: list[int], due_on: datetime.date, today: datetime.date) -> int | None:
    """The smallest number of days before `due_on` that `today` has reached, if any.

    Only the closest counts, so a run after a pause sends one reminder, not one per threshold.
    """
    if today > due_on:
        return None
    passed = [d for d in days if today >= due_on - datetime.timedelta(days=d)]
    return min(passed) if passed else None


def _reachable(users) -> tuple[User, ...]:  # noqa: ANN001 - a queryset of users
    # Staff only: reminders go to active staff accounts with an address, never anyone else.
    return tuple(users.filter(is_active=True).exclude(email="").order_by("pk").distinct())


def coordinators(agreement: Agreement):  # noqa: ANN201
    partnership = agreement.partnership
    return User.objects.filter(role=Role.COORDINATOR).filter(
        Q(unit__partnerships=partnership) | Q(unit__organisation__partnerships=partnership)
    )


def notice_recipients(agreement: Agreement, today: datetime.date) -> tuple[User, ...]:
    steering_users = set()
    for group in agreement.partnership.groups.filter(kind=Group.Kind.STEERING):
        for member in group.members.exclude(user=None):
            if member.is_member_on(today):
                steering_users.add(member.user_id)
    return _reachable(coordinators(agreement) | User.objects.filter(pk__in=steering_users))


def reminders_due(today: datetime.date) -> list[Reminder]:
    """Every reminder that should have gone out by `today`, sent or not."""
    due = []
    for agreement in Agreement.objects.select_related("partnership"):
        obligation_items_sync(agreement=agreement, today=today)
        due += _notice_reminders(agreement, today)
    items = (
        ObligationItem.objects.filter(submitted_on__isnull=True)
        .select_related("obligation__agreement__partnership")
        .order_by("due_on", "pk")
    )
    for item in items:
        if item.due_on < today:
            key = f"report:{item.pk}:late"
            subject = _("Late: %(title)s was due on %(due)s") % {
                "title": item.obligation.title,
                "due": item.due_on,
            }
        else:
            days = threshold_passed(settings.SAMVERKAN_REMINDER_DAYS, item.due_on, today)
            if days is None:
                continue
            key = f"report:{item.pk}:before:{days}"
            subject = _("Reminder: %(title)s is due on %(due)s") % {
                "title": item.obligation.title,
                "due": item.due_on,
            }
        obligation = item.obligation
        recipients = _reachable(obligation.responsible.all()) or _reachable(
            coordinators(obligation.agreement)
        )
        if item.due_on < today:
            text = _(
                "%(title)s for %(start)s to %(end)s, from %(by)s to %(to)s, was due on "
                "%(due)s and is not marked as submitted.\n\n"
                "Partnership: %(partnership)s.\n"
                "When it has been submitted, the coordinator marks it so on the governance page."
            )
        else:
            text = _(
                "%(title)s for %(start)s to %(end)s, from %(by)s to %(to)s, is due on %(due)s.\n\n"
                "Partnership: %(partnership)s.\n"
                "When it has been submitted, the coordinator marks it so on the governance page."
            )
        body = text % {
            "title": obligation.title,
            "start": item.period_start,
            "end": item.period_end,
            "by": obligation.reported_by,
            "to": obligation.reported_to,
            "due": item.due_on,
            "partnership": obligation.agreement.partnership,
        }
        due.append(Reminder(key, recipients, subject, body))
    return due


def _notice_reminders(agreement: Agreement, today: datetime.date) -> list[Reminder]:
    state = agreement_on(agreement, today)
    if state.notice_deadline is None:
        return []
    days = threshold_passed(settings.SAMVERKAN_NOTICE_REMINDER_DAYS, state.notice_deadline, today)
    if days is None:
        return []
    extended_until = next(
        (
            p.ends_on
            for p in agreement.periods(list_until=state.notice_deadline)
            if p.starts_on > state.notice_deadline
        ),
        None,
    )
    body = _(
        "The last day to give notice on the agreement of %(partnership)s is %(deadline)s.\n\n"
        "Without notice by then it is extended by one more period, until %(until)s."
    ) % {
        "partnership": agreement.partnership,
        "deadline": state.notice_deadline,
        "until": extended_until,
    }
    return [
        Reminder(
            key=f"notice:{agreement.pk}:{state.notice_deadline.isoformat()}:before:{days}",
            recipients=notice_recipients(agreement, today),
            subject=_("Notice deadline of the agreement: %(deadline)s")
            % {"deadline": state.notice_deadline},
            body=body,
        )
    ]


def run_due(*, today: datetime.date | None = None) -> RunResult:
    """Send every reminder that is due and was not sent before; see the module's docstring."""
    today = today or timezone.localdate()
    result = RunResult()
    with translation.override(settings.LANGUAGE_CODE):
        reminders = reminders_due(today)
    connection = get_connection()
    for reminder in reminders:
        for recipient in reminder.recipients:
            try:
                with transaction.atomic():
                    # Insert first: the unique row is the claim. Its transaction holds until
                    # the message is handed over, so an overlapping run waits, then skips.
                    SentReminder.objects.create(key=reminder.key, recipient=recipient)
                    EmailMessage(
                        reminder.subject,
                        reminder.body,
                        settings.DEFAULT_FROM_EMAIL,
                        [recipient.email],
                        connection=connection,
                    ).send()
            except IntegrityError:
                result.already_sent += 1
            except OSError:
                # SMTP errors are OSErrors; the row was rolled back, so a later run retries.
                logger.exception("Reminder %s to user %s not sent", reminder.key, recipient.pk)
                result.failed += 1
            else:
                result.sent.append((reminder.key, recipient.get_username()))
    return result
