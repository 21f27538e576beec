"""The figures as text for a reader: indented, labelled in the reader's language."""

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samverkan.statistics.figures import HIDDEN_MARK

# Labels for the keys of the figures. Values under a breakdown (genders, categories, services,
# districts) take their labels from the models instead: see _value_labels and _names.
LABELS = {
    "chat": gettext_lazy("Chat"),
    "conversations": gettext_lazy("conversations"),
    "residents": gettext_lazy("residents of the municipality"),
    "by_gender": gettext_lazy("by gender"),
    "by_concern": gettext_lazy("by concern"),
    "by_gender_and_concern": gettext_lazy("by gender and concern"),
    "by_district": gettext_lazy("by district"),
    "by_violence": gettext_lazy("by form of violence"),
    "by_month": gettext_lazy("by month"),
    "by_category": gettext_lazy("by category"),
    "by_came_via": gettext_lazy("by how they came"),
    "by_destination": gettext_lazy("by destination"),
    "by_source": gettext_lazy("by source"),
    "mean_age": gettext_lazy("mean age"),
    "mean_age_by_gender": gettext_lazy("mean age by gender"),
    "clinic": gettext_lazy("Counselling clinic"),
    "clients": gettext_lazy("clients"),
    "sessions": gettext_lazy("sessions"),
    "ongoing": gettext_lazy("ongoing series"),
    "support_centre": gettext_lazy("Support centre"),
    "cases": gettext_lazy("cases received"),
    "screened": gettext_lazy("asked the routine question"),
    "screening": gettext_lazy("answers to the routine question"),
    "partner_violence": gettext_lazy("violence in a close relationship"),
    "victims": gettext_lazy("subjected to violence"),
    "perpetrators": gettext_lazy("uses violence"),
    "youngest_age": gettext_lazy("youngest"),
    "count": gettext_lazy("number"),
    "total": gettext_lazy("total"),
    "referrals": gettext_lazy("Referrals"),
    "issued": gettext_lazy("referral codes issued"),
    "arrived": gettext_lazy("of which arrived"),
    "not_arrived": gettext_lazy("of which not (yet) arrived"),
    "median_days_to_arrival": gettext_lazy("median days from code to arrival"),
}
SUPPRESSED = HIDDEN_MARK


def _format(value: Any, key: str = "") -> str:
    if value is None:
        return SUPPRESSED
    if isinstance(value, float):
        if key == "median_days_to_arrival" and value.is_integer():
            return number_format(int(value))  # whole days: "6", not "6,0"
        return number_format(value, decimal_pos=1)  # 17,2 in Swedish, 17.2 in English
    return number_format(value, force_grouping=True)  # 1 234: thousands as the reader writes


def _month(key: str) -> str | None:
    """'2022-01' as 'januari 2022' (a month of the by_month breakdown), or None."""
    import datetime

    from django.utils.formats import date_format

    try:
        day = datetime.date.fromisoformat(f"{key}-01")
    except ValueError:
        return None
    return date_format(day, "F Y")


def _value_labels() -> dict[str, dict[str, str]]:
    """Labels of the values under a breakdown, from the declared dimensions (statistics/facts.py,
    their record models' choices), so that e.g. `victim` reads as a crime victim under the
    support centre's categories. The clinic's values, which no fact group counts, from its
    model's choices."""
    from samverkan.records import models as records
    from samverkan.statistics import facts

    gender = {**facts.GENDER.labels(), "girl": _("girls"), "boy": _("boys")}
    return {
        "by_gender": gender,
        "mean_age_by_gender": gender,
        "by_concern": {
            **facts.CHAT_BY_CONCERN.dimension("concern").labels(),
            "unknown": _("unknown"),
        },
        "by_category": facts.SUPPORT_CENTRE_CASES.dimension("category").labels(),
        "screening": {
            **facts.SUPPORT_CENTRE_SCREENING.dimension("screening_answer").labels(),
            "unknown": _("answer not recorded"),
        },
        "by_came_via": {**dict(records.CameVia.choices), "unknown": _("unknown")},
        "by_violence": facts.CHAT_RESIDENTS_BY_VIOLENCE.dimension("violence").labels(),
    }


def _names(partnership_key: str) -> dict[str, dict[str, str]]:
    """Names of the partnership's services and districts, shown instead of their keys."""
    from samverkan.partnership.models import Partnership

    partnership = Partnership.objects.filter(key=partnership_key).first()
    if partnership is None:
        return {}
    services = dict(partnership.services.values_list("key", "name"))
    districts = {**dict(partnership.districts.values_list("key", "name")), "unknown": _("unknown")}
    return {
        "by_destination": services,
        "chat": services,
        "support_centre": services,
        "by_district": districts,
    }


def figures_as_text(figures: dict[str, Any]) -> str:
    from samverkan.partnership.models import Partnership

    period = figures["period"]
    partnership = Partnership.objects.filter(key=figures["partnership"]).first()
    lines = [
        _("Figures for %(from)s to %(to)s: %(name)s")
        % {
            "from": period["from"],
            "to": period["to"],
            "name": partnership.name if partnership else figures["partnership"],
        }
    ]
    disclosure = figures["disclosure"]
    if disclosure["level"] == "public":
        from samverkan.statistics.release import public_note  # noqa: PLC0415

        lines.append(public_note(disclosure["threshold"]))
    else:
        lines.append(_("Exact figures for internal use: do not publish."))

    value_labels = {**_value_labels(), **_names(figures["partnership"])}
    gender_labels = value_labels["by_gender"]
    concern_labels = value_labels["by_concern"]

    def walk(node: dict[str, Any], depth: int, parent: str | None, grandparent: str | None) -> None:
        for key, value in node.items():
            if parent in value_labels and key in value_labels[parent]:
                label = value_labels[parent][key]
            elif parent == "by_gender_and_concern":
                label = gender_labels.get(key, key)
            elif grandparent == "by_gender_and_concern" or grandparent == "by_month":
                label = concern_labels.get(key, str(LABELS.get(key, key)))
            elif parent == "by_month":
                label = _month(key) or key
            else:
                label = LABELS.get(key, key)
            if isinstance(value, dict):
                lines.append(f"{'  ' * depth}{label}")
                walk(value, depth + 1, key, parent)
            else:
                lines.append(f"{'  ' * depth}{label}: {_format(value, key)}")

    for section in ("chat", "clinic", "support_centre", "referrals"):
        lines.append("")
        lines.append(str(LABELS[section]))
        walk(figures[section], 1, None, None)
    return "\n".join(lines)
