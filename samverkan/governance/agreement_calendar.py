"""The agreement's calendar: for any day, its status, current period, next notice deadline and end.

Built on `partnership.models.agreement_periods` (the periods if nobody gives notice). A notice
counts from the day it was given: on an earlier day the calendar is as it was then. The earliest
notice decides: the agreement then ends with the first period whose notice deadline is on or after
the day notice was given (a notice on the deadline day stops the next extension; a day later it
stops the one after). A notice during the last period changes nothing.
"""

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from samverkan.partnership.models import Agreement, AgreementPeriod, Partnership

NOT_STARTED, ACTIVE, ENDED = "not-started", "active", "ended"


@dataclass(frozen=True)
class GivenNotice:
    given_on: datetime.date
    given_by: str


@dataclass(frozen=True)
class AgreementDay:
    """The agreement as it stands on one day."""

    on: datetime.date
    status: str
    period_number: int | None
    period_start: datetime.date | None
    period_end: datetime.date | None
    notice_deadline: datetime.date | None
    """The next deadline whose notice still stops an extension; None when none can."""
    final_end: datetime.date | None
    """The last day the terms allow (None: open-ended)."""
    ends_on: datetime.date | None
    """The last day as things stand on this day: the final end, or earlier after a notice."""
    notice_given: GivenNotice | None

    def as_dict(self) -> dict:
        def iso(day: datetime.date | None) -> str | None:
            return day.isoformat() if day else None

        return {
            "on": self.on.isoformat(),
            "status": self.status,
            "period": self.period_number,
            "period_start": iso(self.period_start),
            "period_end": iso(self.period_end),
            "notice_deadline": iso(self.notice_deadline),
            "final_end": iso(self.final_end),
            "ends_on": iso(self.ends_on),
            "notice_given": (
                {"on": self.notice_given.given_on.isoformat(), "by": self.notice_given.given_by}
                if self.notice_given
                else None
            ),
        }


def calendar_on(
    periods: list[AgreementPeriod],
    notices: list[GivenNotice],
    on: datetime.date,
    *,
    final_end: datetime.date | None,
    open_ended: bool = False,
) -> AgreementDay:
    """The pure rule: periods if nobody gives notice, the notices, a day."""
    given = sorted((n for n in notices if n.given_on <= on), key=lambda n: n.given_on)
    notice = given[0] if given else None
    last = len(periods) - 1
    if notice is not None:
        last = next(
            index
            for index, period in enumerate(periods)
            if period.notice_deadline is None or notice.given_on <= period.notice_deadline
        )
    running = periods[: last + 1]
    ends_on = None if (open_ended and notice is None) else running[-1].ends_on
    current = next((p for p in running if p.starts_on <= on <= p.ends_on), None)
    if on < periods[0].starts_on:
        status = NOT_STARTED
    elif current is not None:
        status = ACTIVE
    else:
        status = ENDED
    deadline = None
    if notice is None and status != ENDED:
        deadline = next(
            (p.notice_deadline for p in running if p.notice_deadline and p.notice_deadline >= on),
            None,
        )
    return AgreementDay(
        on=on,
        status=status,
        period_number=current.number if current else None,
        period_start=current.starts_on if current else None,
        period_end=current.ends_on if current else None,
        notice_deadline=deadline,
        final_end=final_end,
        ends_on=ends_on,
        notice_given=notice,
    )


def agreement_on(agreement: Agreement, on: datetime.date) -> AgreementDay:
    """The agreement's calendar on a day, with the notices registered for it."""
    notices = [
        GivenNotice(notice.given_on, notice.given_by.name)
        for notice in agreement.notices.select_related("given_by")
    ]
    open_ended = agreement.final_end_on is None and agreement.extension_months > 0
    # An open-ended agreement is listed far enough past the day for its next deadline to show.
    horizon = datetime.timedelta(days=3 * 31 * max(agreement.extension_months, 1))
    periods = agreement.periods(list_until=on + horizon)
    return calendar_on(
        periods, notices, on, final_end=agreement.final_end_on, open_ended=open_ended
    )


def agreement_for(partnership: Partnership, on: datetime.date) -> Agreement | None:
    """The partnership's agreement on a day: the latest one started by then, else the first."""
    agreements = list(partnership.agreements.order_by("starts_on", "pk"))
    if not agreements:
        return None
    started = [a for a in agreements if a.starts_on <= on]
    return started[-1] if started else agreements[0]


def agreement_day_as_text(day: AgreementDay) -> str:
    """The calendar in sentences (in the active language)."""
    status = {
        NOT_STARTED: pgettext("agreement", "not started"),
        ACTIVE: pgettext("agreement", "active"),
        ENDED: pgettext("agreement", "ended"),
    }[day.status]
    lines = [_("The agreement on %(day)s: %(status)s.") % {"day": day.on, "status": status}]
    if day.period_start:
        lines.append(
            _("Current period: %(number)d, %(start)s to %(end)s.")
            % {"number": day.period_number, "start": day.period_start, "end": day.period_end}
        )
    if day.notice_deadline:
        lines.append(
            _("Last day to give notice so that it is not extended: %(day)s.")
            % {"day": day.notice_deadline}
        )
    else:
        lines.append(_("No notice deadline ahead."))
    if day.notice_given:
        lines.append(
            _("Notice given on %(day)s by %(party)s.")
            % {"day": day.notice_given.given_on, "party": day.notice_given.given_by}
        )
    if day.final_end:
        lines.append(_("Final end date: %(day)s.") % {"day": day.final_end})
    if day.ends_on:
        lines.append(_("Runs until: %(day)s.") % {"day": day.ends_on})
    else:
        lines.append(_("Runs until further notice."))
    return "\n".join(lines)
