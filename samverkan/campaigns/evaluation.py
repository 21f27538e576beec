"""A campaign's evaluation: its own reach figures, and chat conversations in the months of the
campaign and the weeks after it against as many months just before it.

The comparison comes from the statistics engine at the public level, so it can be shown across
the partnership: public figures are given for whole calendar months that have ended
(statistics.release), so the campaign's period is widened to whole months, and the comparison
waits until the last of them has ended.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from samverkan.campaigns.models import Campaign
from samverkan.statistics.engine import ONE_DAY, PUBLIC, month_starts, statistics_compute
from samverkan.statistics.release import is_public_period

WEEKS_AFTER = 4


@dataclass(frozen=True)
class Comparison:
    label: str
    before: int | None
    during: int | None

    @property
    def change(self) -> int | None:
        if self.before is None or self.during is None:
            return None
        return self.during - self.before


def _shift_months(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def campaign_periods(
    campaign: Campaign, weeks_after: int = WEEKS_AFTER
) -> tuple[tuple[datetime.date, datetime.date], tuple[datetime.date, datetime.date]]:
    """(before, during): the whole months of the campaign and the weeks after it, and as many
    whole months just before."""
    last_day = campaign.ends_on + datetime.timedelta(weeks=weeks_after)
    months = month_starts(campaign.starts_on, last_day)
    during = (months[0], _shift_months(months[-1], 1) - ONE_DAY)
    before = (_shift_months(months[0], -len(months)), months[0] - ONE_DAY)
    return before, during


def campaign_evaluation(
    campaign: Campaign, weeks_after: int = WEEKS_AFTER, today: datetime.date | None = None
) -> dict[str, Any]:
    today = today or timezone.localdate()
    before_period, during_period = campaign_periods(campaign, weeks_after)
    if not is_public_period(*during_period, today):
        # The last month has not ended: its figures are not published while it fills up.
        return {
            "before": before_period,
            "during": during_period,
            "weeks_after": weeks_after,
            "available_from": during_period[1] + ONE_DAY,
            "comparisons": [],
            "reach": list(campaign.reach.all()),
        }

    def figures(period: tuple[datetime.date, datetime.date]) -> dict[str, Any]:
        return statistics_compute(
            partnership=campaign.partnership,
            date_from=period[0],
            date_to=period[1],
            disclosure=PUBLIC,
            today=today,
        )["chat"]

    before, during = figures(before_period), figures(during_period)
    rows = [("conversations", before["conversations"], during["conversations"])]
    rows += [
        (f"concern.{concern}", before["by_concern"][concern], during["by_concern"][concern])
        for concern in before["by_concern"]
    ]
    residents_before, residents_during = before["residents"], during["residents"]
    rows.append(("residents", residents_before["conversations"], residents_during["conversations"]))
    rows += [
        (
            f"residents.gender.{gender}",
            residents_before["by_gender"][gender],
            residents_during["by_gender"][gender],
        )
        for gender in residents_before["by_gender"]
    ]
    return {
        "before": before_period,
        "during": during_period,
        "weeks_after": weeks_after,
        "available_from": None,
        "comparisons": [Comparison(label, b, d) for label, b, d in rows],
        "reach": list(campaign.reach.all()),
    }
