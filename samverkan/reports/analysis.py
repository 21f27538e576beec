"""The report's analyses beside its figures: the year-end comparisons with the year before and
the gender-equality analysis (every figure by gender, with shares, and which groups reach one
gender less)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samverkan.reports import sentences
from samverkan.reports.blocks import Block, ChartBlock, Paragraph, Section, Table
from samverkan.statistics import charts

GENDERS = ["girl", "boy", "other", "unknown"]


def year_end_follow_ups(w: sentences.Writer, before: sentences.Writer) -> list[Block]:
    """The year-end comparisons the source document announces: people seeking support for using
    violence against the year before, and people the city's services caught and referred on."""
    seeking = [
        (_("Chat conversations about using violence"), "chat.by_concern.perpetrator"),
        (
            _("Clinic clients (residents) who use violence, boys"),
            "clinic.residents.by_gender_and_concern.boy.perpetrator",
        ),
        (
            _("Clinic clients (residents) who use violence, girls"),
            "clinic.residents.by_gender_and_concern.girl.perpetrator",
        ),
    ]
    caught = [
        (
            _("Support-centre cases: subjected to violence in a relationship (screening)"),
            "support_centre.partner_violence.victims.count",
        ),
        (
            _("Support-centre cases: using violence in a relationship (screening)"),
            "support_centre.partner_violence.perpetrators.count",
        ),
        (
            _("Referred on by the support centre to the clinic"),
            "referrals.by_source.support_centre.clinic",
        ),
        (_("Referred on by the support centre to RVC"), "referrals.by_source.support_centre.rvc"),
    ]
    header = [_("Figure"), _("This year"), _("The year before")]
    return [
        Table(
            _("People seeking support for using violence, against the year before"),
            header,
            [[str(label), w.number(path), before.number(path)] for label, path in seeking],
        ),
        Table(
            _("People the city's services caught and referred on, against the year before"),
            header,
            [[str(label), w.number(path), before.number(path)] for label, path in caught],
        ),
    ]


GENDER_GROUPS = [
    (gettext_lazy("Chat, residents"), "chat.residents.by_gender", "chat.residents.conversations"),
    (gettext_lazy("Clinic, residents"), "clinic.residents.by_gender", "clinic.residents.clients"),
    (gettext_lazy("Support-centre cases"), "support_centre.by_gender", "support_centre.cases"),
    (
        gettext_lazy("Subjected to violence in a relationship (support centre)"),
        "support_centre.partner_violence.victims.by_gender",
        "support_centre.partner_violence.victims.count",
    ),
    (
        gettext_lazy("Using violence in a relationship (support centre)"),
        "support_centre.partner_violence.perpetrators.by_gender",
        "support_centre.partner_violence.perpetrators.count",
    ),
]
# The same groups as a sentence names them ("... of the residents who used the chat").
GENDER_GROUP_PHRASES = {
    "chat.residents.by_gender": gettext_lazy("the residents who used the chat"),
    "clinic.residents.by_gender": gettext_lazy("the clinic's clients who are residents"),
    "support_centre.by_gender": gettext_lazy("the support centre's cases"),
    "support_centre.partner_violence.victims.by_gender": gettext_lazy(
        "those the support centre found subjected to violence in a relationship"
    ),
    "support_centre.partner_violence.perpetrators.by_gender": gettext_lazy(
        "those the support centre found using violence in a relationship"
    ),
}


def joined(items: list[str]) -> str:
    """'a', 'a och b', 'a, b och c' (an English reader gets 'and')."""
    items = [str(item) for item in items]
    if len(items) <= 1:
        return "".join(items)
    return _("%(first)s and %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


# Below this share of those who gave their gender as girl or boy, a group is "reached less".
REACHED_LESS_BELOW = 0.4


def gender_analysis(
    w: sentences.Writer, reflections: list[Block], stats: dict[str, Any]
) -> Section:
    gender_labels = [
        _("Girls"),
        _("Boys"),
        _("Another gender"),
        _("Gender not known"),
    ]
    header = [_("Group"), _("Total")]
    for label in gender_labels:
        header += [label, _("Share")]
    rows = []
    fewer_boys: list[str] = []
    fewer_girls: list[str] = []
    for label, base, total in GENDER_GROUPS:
        row = [str(label), w.number(total)]
        parts = tuple(f"{base}.{gender}" for gender in GENDERS)
        for gender in GENDERS:
            row += [w.number(f"{base}.{gender}"), w.share(f"{base}.{gender}", total, parts)]
        rows.append(row)
        girls, boys = w.value(f"{base}.girl"), w.value(f"{base}.boy")
        if girls is not None and boys is not None and girls + boys > 0:
            if boys / (girls + boys) < REACHED_LESS_BELOW:
                fewer_boys.append(str(GENDER_GROUP_PHRASES[base]))
            elif girls / (girls + boys) < REACHED_LESS_BELOW:
                fewer_girls.append(str(GENDER_GROUP_PHRASES[base]))
    blocks: list[Block] = [
        Paragraph(
            _(
                "Every figure of the report by gender, with each gender's share of the group. "
                "Hidden figures (..) are protected by disclosure control."
            )
        ),
        Table(_("Figures by gender"), header, rows),
        ChartBlock(charts.gender_breakdown(stats)),
    ]
    share = round(100 * REACHED_LESS_BELOW)
    reached_less = []
    if fewer_boys:
        reached_less.append(
            _(
                "Counting those who said they are a girl or a boy, boys are fewer than "
                "%(share)d percent of %(groups)s."
            )
            % {"share": share, "groups": joined(fewer_boys)}
        )
    if fewer_girls:
        reached_less.append(
            _(
                "Counting those who said they are a girl or a boy, girls are fewer than "
                "%(share)d percent of %(groups)s."
            )
            % {"share": share, "groups": joined(fewer_girls)}
        )
    if reached_less:
        blocks.append(Paragraph(" ".join(reached_less)))
    blocks += reflections
    return Section(_("Gender-equality analysis"), blocks, key="gender_analysis")
