"""The statistics engine: a partnership's figures for a period, exact or protected for publication.

Chat and support-centre figures are sums of the anonymous daily counts, so a year costs the same
whatever the number of records. Clinic figures count distinct clients with a session in the
period, which no daily sum can give; the clinic has tens of clients a year, so they are read from
the records, plus the anonymous counts that the disposal of records leaves behind
(`ClinicSeriesCount`; see docs/ARCHITECTURE.md).

`statistics_compute` is the entry point, above the exact figures (`exact.py`) and the public level
(`release.py`, which builds on the exact figures). The result is a nested dict whose shape is the
contract in `schema/stats.schema.json`.
"""

import datetime
from typing import Any

from django.conf import settings

from samverkan.core.errors import SamverkanError
from samverkan.partnership.models import Partnership
from samverkan.statistics import release
from samverkan.statistics.configuration import Configuration, configuration_for
from samverkan.statistics.disclosure import check_consistent
from samverkan.statistics.exact import (
    exact_figures,
    history_in,
    history_note,
    monthly_figures,
    structure_figures,
)
from samverkan.statistics.figures import (
    DISCLOSURE_LEVELS,
    INTERNAL,
    PUBLIC,
    SCHEMA_VERSION,
    Figures,
)
from samverkan.statistics.period import ONE_DAY, month_starts, next_month
from samverkan.statistics.sections.referrals import (
    ReferralRow,
    read_referral_rows,
    referral_code_figures,
)

__all__ = [
    "DISCLOSURE_LEVELS",
    "INTERNAL",
    "ONE_DAY",
    "PUBLIC",
    "SCHEMA_VERSION",
    "Configuration",
    "Figures",
    "ReferralRow",
    "configuration_for",
    "exact_figures",
    "history_in",
    "history_note",
    "month_starts",
    "monthly_figures",
    "next_month",
    "read_referral_rows",
    "referral_code_figures",
    "statistics_compute",
    "structure_figures",
]


def statistics_compute(
    *,
    partnership: Partnership,
    date_from: datetime.date,
    date_to: datetime.date,
    disclosure: str = PUBLIC,
    threshold: int | None = None,
    configuration: Configuration | None = None,
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """The partnership's figures for the period, bounds included.

    `internal` gives exact figures of any period to those who may read them. `public` (the
    default everywhere but the command line) is the published level (`statistics.release`):
    whole calendar months that have ended by `today` only, each count perturbed month by month;
    other periods raise `release.PublicPeriodError`, which says which periods are available.
    `configuration` is the partnership's (`configuration_for`), when the caller has read it
    already; otherwise it is read here.
    """
    if date_to < date_from:
        raise SamverkanError("The period ends before it starts.")
    if disclosure not in DISCLOSURE_LEVELS:
        raise SamverkanError(f"Unknown disclosure level {disclosure!r}.")
    if configuration is None:
        configuration = configuration_for(partnership)
    elif configuration.partnership_id != partnership.pk:
        raise ValueError("The configuration is another partnership's.")
    threshold = threshold if threshold is not None else settings.SAMVERKAN_DISCLOSURE_THRESHOLD
    if disclosure == PUBLIC:
        body = release.public_figures(
            configuration=configuration,
            date_from=date_from,
            date_to=date_to,
            threshold=threshold,
            today=today,
        )
    else:
        figures, history = exact_figures(configuration, date_from, date_to)
        check_consistent(figures.counts, figures.relations, figures.statistics, threshold)
        body = {
            "disclosure": {"level": INTERNAL, "threshold": None, "suppressed": []},
            **figures.tree(set()),
            **history_note(history),
        }
    return {
        "schema_version": SCHEMA_VERSION,
        "partnership": partnership.key,
        "period": {"from": date_from.isoformat(), "to": date_to.isoformat()},
        **body,
    }
