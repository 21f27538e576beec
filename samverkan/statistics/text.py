"""The figures as text for a reader: indented, labelled in the reader's language."""

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Labels for the keys of the figures; keys without a label (months, districts, services) are
# shown as they are.
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
    "girl": gettext_lazy("girls"),
    "boy": gettext_lazy("boys"),
    "other": gettext_lazy("other"),
    "unknown": gettext_lazy("unknown"),
    "victim": gettext_lazy("subjected to violence"),
    "perpetrator": gettext_lazy("uses violence"),
    "friend": gettext_lazy("friend"),
    "none": gettext_lazy("no experience"),
    "both": gettext_lazy("both"),
    "declined": gettext_lazy("declined to answer"),
    "witness": gettext_lazy("witness"),
    "relative": gettext_lazy("relative"),
    "suspect-mediation": gettext_lazy("suspect, mediation"),
    "suspect-interrogation": gettext_lazy("suspect, interrogation"),
    "physical": gettext_lazy("physical"),
    "psychological": gettext_lazy("psychological"),
    "sexual": gettext_lazy("sexual"),
    "digital": gettext_lazy("digital"),
    "economic": gettext_lazy("economic"),
    "self": gettext_lazy("on their own"),
    "youth-service": gettext_lazy("youth community service"),
    "support-centre": gettext_lazy("support centre"),
}
SUPPRESSED = ".."


def _format(value: Any) -> str:
    if value is None:
        return SUPPRESSED
    if isinstance(value, float):
        return number_format(value, decimal_pos=1)  # 17,2 in Swedish, 17.2 in English
    return str(value)


def figures_as_text(figures: dict[str, Any]) -> str:
    period = figures["period"]
    lines = [
        _("Figures for %(from)s to %(to)s (partnership %(key)s)")
        % {"from": period["from"], "to": period["to"], "key": figures["partnership"]}
    ]
    disclosure = figures["disclosure"]
    if disclosure["level"] == "public":
        lines.append(
            _(
                "Protected for publication: counts below %(threshold)d, and counts that would "
                "reveal them, are shown as %(mark)s."
            )
            % {"threshold": disclosure["threshold"], "mark": SUPPRESSED}
        )
    else:
        lines.append(_("Exact figures for internal use: do not publish."))

    def walk(node: dict[str, Any], depth: int) -> None:
        for key, value in node.items():
            label = str(LABELS.get(key, key))
            if isinstance(value, dict):
                lines.append(f"{'  ' * depth}{label}")
                walk(value, depth + 1)
            else:
                lines.append(f"{'  ' * depth}{label}: {_format(value)}")

    for section in ("chat", "clinic", "support_centre", "referrals"):
        lines.append("")
        lines.append(str(LABELS[section]))
        walk(figures[section], 1)
    return "\n".join(lines)
