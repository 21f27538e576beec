"""The support centre's figures: cases by gender and category, ages, the screening question and
partner violence by gender."""

from samverkan.statistics.disclosure import Relation
from samverkan.statistics.facts import (
    SUPPORT_CENTRE_AGE,
    SUPPORT_CENTRE_CASES,
    SUPPORT_CENTRE_PERPETRATORS,
    SUPPORT_CENTRE_SCREENING,
    SUPPORT_CENTRE_VICTIMS,
    SUPPORT_CENTRE_VICTIMS_BY_AGE,
)
from samverkan.statistics.figures import MEAN_GENDERS, Figures, mean_of


def support_centre_figures(figures: Figures, counts: dict[str, tuple[int, int]]) -> None:
    """The support centre's counts, read by the fact groups that declare them
    (statistics/facts.py)."""
    s = "support_centre"

    def n(metric: str) -> int:
        return counts.get(metric, (0, 0))[0]

    figures.count(f"{s}.cases", n(f"{s}.cases"))
    figures.parts(f"{s}.cases", SUPPORT_CENTRE_CASES.breakdown(counts, f"{s}.by_gender"))
    figures.parts(f"{s}.cases", SUPPORT_CENTRE_CASES.breakdown(counts, f"{s}.by_category"))
    ages, age_sum = counts.get(SUPPORT_CENTRE_AGE.path, (0, 0))
    figures.statistic(f"{s}.mean_age", mean_of(age_sum, ages), ages)
    for gender in MEAN_GENDERS:
        ages, age_sum = counts.get(SUPPORT_CENTRE_AGE.metric(gender), (0, 0))
        figures.statistic(f"{s}.mean_age_by_gender.{gender}", mean_of(age_sum, ages), ages)
    figures.count(f"{s}.screened", n(f"{s}.screened"))
    figures.parts(f"{s}.screened", SUPPORT_CENTRE_SCREENING.breakdown(counts))

    pv = f"{s}.partner_violence"
    victims = SUPPORT_CENTRE_VICTIMS.breakdown(counts)
    figures.count(f"{pv}.victims.count", sum(victims.values()))
    figures.parts(f"{pv}.victims.count", victims)
    figures.relations.append(
        Relation(
            total=f"{pv}.victims.count", parts=(f"{s}.screening.victim", f"{s}.screening.both")
        )
    )
    by_age = f"{SUPPORT_CENTRE_VICTIMS_BY_AGE.path}."
    victim_ages = {
        int(metric.rsplit(".", 1)[1]): value[0]
        for metric, value in counts.items()
        if metric.startswith(by_age) and metric.rsplit(".", 1)[1].isdigit() and value[0] > 0
    }
    figures.statistic(
        f"{pv}.victims.youngest_age",
        min(victim_ages) if victim_ages else None,
        sum(victim_ages.values()),
        kind="extreme",
    )
    perpetrators = SUPPORT_CENTRE_PERPETRATORS.breakdown(counts)
    figures.count(f"{pv}.perpetrators.count", sum(perpetrators.values()))
    figures.parts(f"{pv}.perpetrators.count", perpetrators)
    figures.relations.append(
        Relation(
            total=f"{pv}.perpetrators.count",
            parts=(f"{s}.screening.perpetrator", f"{s}.screening.both"),
        )
    )
