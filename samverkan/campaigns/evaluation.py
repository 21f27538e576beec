"""A campaign's evaluation: its own reach figures, and chat conversations during the campaign
and the weeks after it against the same number of days before it.

The comparison comes from the statistics engine, protected for publication (every way out but
the command line defaults to public figures), so it can be shown across the partnership.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from samverkan.campaigns.models import Campaign
from samverkan.statistics.engine import PUBLIC, statistics_compute

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


def campaign_periods(
    campaign: Campaign, weeks_after: int = WEEKS_AFTER
) -> tuple[tuple[datetime.date, datetime.date], tuple[datetime.date, datetime.date]]:
    """(before, during): the campaign and the weeks after it, and as many days just before."""
    during = (campaign.starts_on, campaign.ends_on + datetime.timedelta(weeks=weeks_after))
    length = during[1] - during[0]
    before_end = campaign.starts_on - datetime.timedelta(days=1)
    return (before_end - length, before_end), during


def campaign_evaluation(campaign: Campaign, weeks_after: int = WEEKS_AFTER) -> dict[str, Any]:
    before_period, during_period = campaign_periods(campaign, weeks_after)

    def figures(period: tuple[datetime.date, datetime.date]) -> dict[str, Any]:
        return statistics_compute(
            partnership=campaign.partnership,
            date_from=period[0],
            date_to=period[1],
            disclosure=PUBLIC,
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
        "comparisons": [Comparison(label, b, d) for label, b, d in rows],
        "reach": list(campaign.reach.all()),
    }
