"""Referrals: those registered with chat conversations and support-centre cases by destination,
and the referral codes issued in the period (a cohort) and what became of them."""

import datetime
from collections import defaultdict
from statistics import median

from django.db.models.functions import Coalesce

from samverkan.core.time import STOCKHOLM, local_day
from samverkan.referrals.models import Referral
from samverkan.statistics.configuration import Configuration
from samverkan.statistics.disclosure import Relation
from samverkan.statistics.facts import CHAT_REFERRALS, SUPPORT_CENTRE_REFERRALS, cells_of
from samverkan.statistics.figures import CHAT_CONCERNS, Figures
from samverkan.statistics.period import ONE_DAY

REFERRAL_SOURCES = {"chat": CHAT_REFERRALS, "support_centre": SUPPORT_CENTRE_REFERRALS}
"""Where referrals registered with a record come from: the fact groups that count them."""


def referral_figures(
    figures: Figures, counts: dict[str, tuple[int, int]], service_keys: list[str]
) -> None:
    keys = [*service_keys]
    for metric in counts:
        found = cells_of(metric)
        if found is not None and found[0] in REFERRAL_SOURCES.values():
            key = found[1][0]
            if key not in keys:
                keys.append(key)
    for key in keys:
        by_source = {
            f"referrals.by_source.{source}.{key}": counts.get(cells.metric(key), (0, 0))[0]
            for source, cells in REFERRAL_SOURCES.items()
        }
        figures.parts(f"referrals.by_destination.{key}", by_source)
        figures.count(f"referrals.by_destination.{key}", sum(by_source.values()))


REFERRAL_CODE_STAGES = ("issued", "arrived", "not_arrived")


ReferralRow = tuple[str, str | None, datetime.datetime, datetime.datetime | None]
"""(destination key, concern, issued at, arrived at) of one referral code."""


def read_referral_rows(
    configuration: Configuration, date_from: datetime.date, date_to: datetime.date
) -> list[ReferralRow]:
    """The referral codes issued in the period (a cohort), whenever they arrived.

    Codes are few (a fraction of the chat's conversations, tens to hundreds a year), so they
    are read as rows in one query that gives both the counts by destination and concern and the
    days to arrival: cheaper than building a grouped query and a second one for the days.
    """
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=STOCKHOLM)
    end = datetime.datetime.combine(date_to + ONE_DAY, datetime.time.min, tzinfo=STOCKHOLM)
    return list(
        Referral.objects.filter(
            destination__partnership_id=configuration.partnership_id,
            issuing_unit_id__in=configuration.unit_ids,
            issued_at__gte=start,
            issued_at__lt=end,
        )
        .order_by()
        .values_list(
            "destination__key",
            # A code keeps its conversation's concern when the conversation is disposed of.
            Coalesce("conversation__concern", "concern_kept"),
            "issued_at",
            "arrived_at",
        )
    )


def referral_code_figures(
    figures: Figures, configuration: Configuration, rows: list[ReferralRow]
) -> None:
    """Referral codes issued in the period (a cohort) and what became of them so far.

    Arrivals are those of the codes issued in the period, whenever they arrived, so arrived and
    not arrived add up to issued and the funnel reads as a share (see docs/ARCHITECTURE.md,
    "Referral codes").
    """
    cells: dict[tuple[str, str, str], int] = defaultdict(int)
    days = []
    for destination, concern, issued_at, arrived_at in rows:
        stage = "not_arrived" if arrived_at is None else "arrived"
        cells[(stage, destination, concern or "unknown")] += 1
        if arrived_at is not None:
            days.append((local_day(arrived_at) - local_day(issued_at)).days)
    destinations = configuration.service_keys
    concerns = [*CHAT_CONCERNS, "unknown"]
    r = "referrals"
    for stage in REFERRAL_CODE_STAGES:
        stages = ("arrived", "not_arrived") if stage == "issued" else (stage,)
        by_destination = {
            f"{r}.{stage}.by_destination.{d}": sum(
                n for (s, dest, _c), n in cells.items() if s in stages and dest == d
            )
            for d in destinations
        }
        by_concern = {
            f"{r}.{stage}.by_concern.{c}": sum(
                n for (s, _d, con), n in cells.items() if s in stages and con == c
            )
            for c in concerns
        }
        figures.count(f"{r}.{stage}.count", sum(by_concern.values()))
        figures.parts(f"{r}.{stage}.count", by_destination)
        figures.parts(f"{r}.{stage}.count", by_concern)
    # Each code issued either arrived or did not (yet): a relation for every breakdown.
    for suffix in [
        "count",
        *(f"by_destination.{d}" for d in destinations),
        *(f"by_concern.{c}" for c in concerns),
    ]:
        figures.relations.append(
            Relation(
                total=f"{r}.issued.{suffix}",
                parts=(f"{r}.arrived.{suffix}", f"{r}.not_arrived.{suffix}"),
            )
        )
    figures.statistic(
        f"{r}.median_days_to_arrival",
        round(float(median(days)), 1) if days else None,
        len(days),
        kind="median",
    )
