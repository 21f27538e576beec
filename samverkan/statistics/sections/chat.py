"""The chat's figures: conversations by concern and by month, residents by gender, concern,
district and forms of violence, and their mean ages."""

import datetime

from samverkan.statistics.disclosure import Relation
from samverkan.statistics.facts import (
    CHAT_BY_CONCERN,
    CHAT_RESIDENTS,
    CHAT_RESIDENTS_AGE,
    CHAT_RESIDENTS_BY_DISTRICT,
    CHAT_RESIDENTS_BY_VIOLENCE,
    UNKNOWN,
)
from samverkan.statistics.figures import (
    CHAT_CONCERNS,
    GENDERS,
    MEAN_GENDERS,
    Figures,
    mean_of,
)
from samverkan.statistics.period import month_labels


def chat_by_month_figures(
    figures: Figures,
    by_month: dict[str, dict[str, int]],
    date_from: datetime.date,
    date_to: datetime.date,
) -> None:
    month_totals = {}
    for month in month_labels(date_from, date_to):
        base = f"chat.by_month.{month}"
        concerns = by_month.get(month, {})
        figures.parts(f"{base}.total", {f"{base}.{c}": concerns.get(c, 0) for c in CHAT_CONCERNS})
        month_totals[f"{base}.total"] = sum(concerns.get(c, 0) for c in CHAT_CONCERNS)
    for path, value in month_totals.items():
        figures.count(path, value)
    figures.relations.append(Relation(total="chat.conversations", parts=tuple(month_totals)))
    for concern in CHAT_CONCERNS:
        figures.relations.append(
            Relation(
                total=f"chat.by_concern.{concern}",
                parts=tuple(
                    f"chat.by_month.{month}.{concern}" for month in month_labels(date_from, date_to)
                ),
            )
        )


def chat_figures(
    figures: Figures, counts: dict[str, tuple[int, int]], district_keys: tuple[str, ...]
) -> None:
    """The chat's counts, read by the fact groups that declare them (statistics/facts.py)."""

    def n(metric: str) -> int:
        return counts.get(metric, (0, 0))[0]

    figures.count("chat.conversations", n("chat.conversations"))
    figures.parts("chat.conversations", CHAT_BY_CONCERN.breakdown(counts))
    r = "chat.residents"
    figures.count(f"{r}.conversations", n(f"{r}.conversations"))
    figures.parts(f"{r}.conversations", CHAT_RESIDENTS.breakdown(counts, f"{r}.by_gender"))
    figures.parts(f"{r}.conversations", CHAT_RESIDENTS.breakdown(counts, f"{r}.by_concern"))
    for gender in GENDERS:
        figures.parts(f"{r}.by_gender.{gender}", CHAT_RESIDENTS.breakdown(counts, gender=gender))
    for concern in CHAT_CONCERNS:
        figures.relations.append(
            Relation(
                total=f"{r}.by_concern.{concern}",
                parts=tuple(CHAT_RESIDENTS.breakdown({}, concern=concern)),
            )
        )
    # Districts no longer configured that still have counts come after the configured ones.
    by_district = CHAT_RESIDENTS_BY_DISTRICT.path
    districts = [
        *district_keys,
        *sorted(
            metric.rsplit(".", 1)[1]
            for metric in counts
            if metric.startswith(f"{by_district}.")
            and metric.rsplit(".", 1)[1] not in district_keys
            and metric.rsplit(".", 1)[1] != UNKNOWN
        ),
    ]
    figures.parts(
        f"{r}.conversations",
        CHAT_RESIDENTS_BY_DISTRICT.breakdown(counts, configured={"districts": districts}),
    )
    for path, value in CHAT_RESIDENTS_BY_VIOLENCE.breakdown(counts).items():
        figures.count(path, value)
    ages, age_sum = counts.get(CHAT_RESIDENTS_AGE.path, (0, 0))
    figures.statistic(f"{r}.mean_age", mean_of(age_sum, ages), ages)
    for gender in MEAN_GENDERS:
        ages, age_sum = counts.get(CHAT_RESIDENTS_AGE.metric(gender), (0, 0))
        figures.statistic(f"{r}.mean_age_by_gender.{gender}", mean_of(age_sum, ages), ages)
