"""The chat's figures: conversations by concern and by month, residents by gender, concern,
district and forms of violence, and their mean ages."""

import datetime

from samverkan.statistics.disclosure import Relation
from samverkan.statistics.figures import (
    CHAT_CONCERNS,
    GENDERS,
    MEAN_GENDERS,
    VIOLENCE_FORMS,
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
    def n(metric: str) -> int:
        return counts.get(metric, (0, 0))[0]

    figures.count("chat.conversations", n("chat.conversations"))
    figures.parts(
        "chat.conversations",
        {f"chat.by_concern.{c}": n(f"chat.by_concern.{c}") for c in CHAT_CONCERNS},
    )
    r = "chat.residents"
    figures.count(f"{r}.conversations", n(f"{r}.conversations"))
    figures.parts(
        f"{r}.conversations",
        {f"{r}.by_gender.{g}": n(f"{r}.by_gender.{g}") for g in GENDERS},
    )
    figures.parts(
        f"{r}.conversations",
        {f"{r}.by_concern.{c}": n(f"{r}.by_concern.{c}") for c in CHAT_CONCERNS},
    )
    for gender in GENDERS:
        figures.parts(
            f"{r}.by_gender.{gender}",
            {
                f"{r}.by_gender_and_concern.{gender}.{c}": n(
                    f"{r}.by_gender_and_concern.{gender}.{c}"
                )
                for c in CHAT_CONCERNS
            },
        )
    for concern in CHAT_CONCERNS:
        figures.relations.append(
            Relation(
                total=f"{r}.by_concern.{concern}",
                parts=tuple(f"{r}.by_gender_and_concern.{g}.{concern}" for g in GENDERS),
            )
        )
    # Districts no longer configured that still have counts come after the configured ones.
    districts = [
        *district_keys,
        *sorted(
            metric.rsplit(".", 1)[1]
            for metric in counts
            if metric.startswith(f"{r}.by_district.")
            and metric.rsplit(".", 1)[1] not in district_keys
            and metric.rsplit(".", 1)[1] != "unknown"
        ),
    ]
    figures.parts(
        f"{r}.conversations",
        {f"{r}.by_district.{d}": n(f"{r}.by_district.{d}") for d in [*districts, "unknown"]},
    )
    for form in VIOLENCE_FORMS:
        figures.count(f"{r}.by_violence.{form}", n(f"{r}.by_violence.{form}"))
    ages, age_sum = counts.get(f"{r}.age", (0, 0))
    figures.statistic(f"{r}.mean_age", mean_of(age_sum, ages), ages)
    for gender in MEAN_GENDERS:
        ages, age_sum = counts.get(f"{r}.age.{gender}", (0, 0))
        figures.statistic(f"{r}.mean_age_by_gender.{gender}", mean_of(age_sum, ages), ages)
