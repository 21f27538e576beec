"""The support centre's figures: cases by gender and category, ages, the screening question and
partner violence by gender."""

from samverkan.statistics.disclosure import Relation
from samverkan.statistics.figures import (
    GENDERS,
    MEAN_GENDERS,
    SCREENING_ANSWERS,
    SUPPORT_CATEGORIES,
    Figures,
    mean_of,
)


def support_centre_figures(figures: Figures, counts: dict[str, tuple[int, int]]) -> None:
    s = "support_centre"

    def n(metric: str) -> int:
        return counts.get(metric, (0, 0))[0]

    figures.count(f"{s}.cases", n(f"{s}.cases"))
    figures.parts(f"{s}.cases", {f"{s}.by_gender.{g}": n(f"{s}.by_gender.{g}") for g in GENDERS})
    figures.parts(
        f"{s}.cases",
        {f"{s}.by_category.{c}": n(f"{s}.by_category.{c}") for c in SUPPORT_CATEGORIES},
    )
    ages, age_sum = counts.get(f"{s}.age", (0, 0))
    figures.statistic(f"{s}.mean_age", mean_of(age_sum, ages), ages)
    for gender in MEAN_GENDERS:
        ages, age_sum = counts.get(f"{s}.age.{gender}", (0, 0))
        figures.statistic(f"{s}.mean_age_by_gender.{gender}", mean_of(age_sum, ages), ages)
    figures.count(f"{s}.screened", n(f"{s}.screened"))
    answers = [*SCREENING_ANSWERS, "unknown"]
    figures.parts(f"{s}.screened", {f"{s}.screening.{a}": n(f"{s}.screening.{a}") for a in answers})

    pv = f"{s}.partner_violence"
    victims = {g: n(f"{pv}.victims.by_gender.{g}") for g in GENDERS}
    figures.count(f"{pv}.victims.count", sum(victims.values()))
    figures.parts(
        f"{pv}.victims.count", {f"{pv}.victims.by_gender.{g}": v for g, v in victims.items()}
    )
    figures.relations.append(
        Relation(
            total=f"{pv}.victims.count", parts=(f"{s}.screening.victim", f"{s}.screening.both")
        )
    )
    victim_ages = {
        int(metric.rsplit(".", 1)[1]): value[0]
        for metric, value in counts.items()
        if metric.startswith(f"{pv}.victims.by_age.")
        and metric.rsplit(".", 1)[1].isdigit()
        and value[0] > 0
    }
    figures.statistic(
        f"{pv}.victims.youngest_age",
        min(victim_ages) if victim_ages else None,
        sum(victim_ages.values()),
        kind="extreme",
    )
    perpetrators = {g: n(f"{pv}.perpetrators.by_gender.{g}") for g in GENDERS}
    figures.count(f"{pv}.perpetrators.count", sum(perpetrators.values()))
    figures.parts(
        f"{pv}.perpetrators.count",
        {f"{pv}.perpetrators.by_gender.{g}": v for g, v in perpetrators.items()},
    )
    figures.relations.append(
        Relation(
            total=f"{pv}.perpetrators.count",
            parts=(f"{s}.screening.perpetrator", f"{s}.screening.both"),
        )
    )
