"""What a committee document says, as a structure the renderers (HTML, PDF, DOCX) share.

The structure follows the administration's report (the source document): proposed decision,
summary, background, preparation, the matter, purpose and goals, target group, commitments, the
report with its figures, gender-equality analysis, the administration's views and proposal.
Prose sections come from the report's drafts; everything with a number is written from the
statistics engine at the report's disclosure level (public unless asked otherwise).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samverkan.dashboard.overview import KEY_FIGURES, Period
from samverkan.partnership.models import Partnership
from samverkan.reports import sentences
from samverkan.reports.chat_service import chat_service_paragraphs
from samverkan.reports.models import Report
from samverkan.statistics import charts
from samverkan.statistics.engine import PUBLIC, statistics_compute

# The prose sections a report drafts, in document order, with their headings.
PROSE_SECTIONS = {
    "proposed_decision": gettext_lazy("The administration's proposed decision"),
    "summary": gettext_lazy("Summary"),
    "background": gettext_lazy("Background"),
    "preparation": gettext_lazy("Preparation of the matter"),
    "matter": gettext_lazy("The matter"),
    "report_intro": gettext_lazy("The report: introduction"),
    "gender_analysis": gettext_lazy("Gender-equality analysis: the partnership's reflections"),
    "views_and_proposal": gettext_lazy("The administration's views and proposal"),
}

GENDERS = ["girl", "boy", "other", "unknown"]


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class ChartBlock:
    chart: charts.Chart


Block = Paragraph | Bullets | Table | ChartBlock


@dataclass
class Section:
    heading: str
    blocks: list[Block] = field(default_factory=list)
    level: int = 2
    key: str = ""  # the drafted text it holds, if any: the editor's preview scrolls to it


@dataclass
class Document:
    title: str
    kind_label: str
    reference: str
    date: datetime.date
    partnership: str
    disclosure: str
    threshold: int | None
    sections: list[Section]
    writer: sentences.Writer
    language: str
    # The sentences written from the figures, by the drafted text they follow (the editor
    # shows them beside that text).
    generated: dict[str, list[str]] = field(default_factory=dict)

    def text(self) -> str:
        """All the document's text, tables and chart data as plain text (for checks)."""
        parts = [self.title, self.reference]
        for section in self.sections:
            parts.append(section.heading)
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    parts.append(block.text)
                elif isinstance(block, Bullets):
                    parts.extend(block.items)
                elif isinstance(block, Table):
                    parts.append(block.caption)
                    parts.extend(" | ".join(row) for row in [block.header, *block.rows])
                elif isinstance(block, ChartBlock):
                    parts.append(block.chart.title)
                    for category, values in block.chart.rows():
                        parts.append(
                            " | ".join([category, *("" if v is None else str(v) for v in values)])
                        )
        return "\n".join(parts)


def prose_blocks(text: str) -> list[Block]:
    """A drafted section: paragraphs split by blank lines; lines starting '- ' or '• ' a list."""
    blocks: list[Block] = []
    for chunk in text.replace("\r\n", "\n").split("\n\n"):
        lines = [line.strip() for line in chunk.strip().split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith(("- ", "• ")) for line in lines):
            blocks.append(Bullets([line[2:].strip() for line in lines]))
        else:
            blocks.append(Paragraph(" ".join(lines)))
    return blocks


def report_document(
    report: Report,
    *,
    disclosure: str = PUBLIC,
    language: str = "sv",
    drafts: dict[str, str] | None = None,
) -> Document:
    """The document of a stored report: its drafts (or unsaved ones, for a preview) and the
    figures computed now."""
    if drafts is None:
        drafts = dict(report.sections.values_list("key", "text"))
    return build_document(
        partnership=report.partnership,
        kind=report.kind,
        period=Period(report.date_from, report.date_to),
        reference=report.reference,
        document_date=report.document_date,
        drafts=drafts,
        disclosure=disclosure,
        language=language,
    )


def build_document(
    *,
    partnership: Partnership,
    kind: str,
    period: Period,
    reference: str,
    document_date: datetime.date,
    drafts: dict[str, str],
    disclosure: str = PUBLIC,
    language: str = "sv",
) -> Document:
    stats = statistics_compute(
        partnership=partnership,
        date_from=period.date_from,
        date_to=period.date_to,
        disclosure=disclosure,
    )
    writer = sentences.Writer(stats)
    previous_writer = None
    if kind == Report.Kind.ANNUAL:
        before = period.year_before()
        previous_writer = sentences.Writer(
            statistics_compute(
                partnership=partnership,
                date_from=before.date_from,
                date_to=before.date_to,
                disclosure=disclosure,
            )
        )
    kind_label = str(Report.Kind(kind).label)
    phrase = sentences.period_phrase(period.date_from, period.date_to)

    def prose(key: str) -> list[Block]:
        return prose_blocks(drafts.get(key, ""))

    def drafted(key: str) -> Section:
        return Section(str(PROSE_SECTIONS[key]), prose(key), key=key)

    report_section = _the_report(
        kind_label,
        phrase,
        prose("report_intro"),
        writer,
        previous_writer,
        stats,
        dict(partnership.services.order_by("name").values_list("key", "name")),
        partnership.municipality,
    )
    gender_section = _gender_analysis(writer, prose("gender_analysis"), stats)
    sections = [
        drafted("proposed_decision"),
        drafted("summary"),
        drafted("background"),
        drafted("preparation"),
        drafted("matter"),
        _follow_up(partnership, period),
        _purpose_and_goals(partnership),
        _target_group(partnership),
        _commitments(partnership),
        report_section,
        gender_section,
        drafted("views_and_proposal"),
    ]
    title = _("Idea-based public partnership (IOP) – %(name)s – %(kind)s") % {
        "name": partnership.name,
        "kind": kind_label,
    }
    return Document(
        title=title,
        kind_label=kind_label,
        reference=reference,
        date=document_date,
        partnership=partnership.name,
        disclosure=disclosure,
        threshold=stats["disclosure"]["threshold"],
        sections=[section for section in sections if section.blocks],
        writer=writer,
        language=language,
        generated={
            "report_intro": generated_text(report_section.blocks[len(prose("report_intro")) :]),
            "gender_analysis": generated_text(
                gender_section.blocks[: len(gender_section.blocks) - len(prose("gender_analysis"))]
            ),
        },
    )


def generated_text(blocks: list[Block]) -> list[str]:
    """The sentences and list items among blocks (tables and charts are in the preview)."""
    texts: list[str] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            texts.append(block.text)
        elif isinstance(block, Bullets):
            texts.extend(block.items)
    return texts


def _follow_up(partnership: Partnership, period: Period) -> Section:
    """The agreement as it stands at the period's end, the reports due in the period and the
    meetings held, from the governance records (no figures about young people here)."""
    from django.utils.formats import date_format

    from samverkan.governance.selectors import agreement_summary, meetings_in, obligations_in

    def day(value: datetime.date | None) -> str:
        return date_format(value, "j F Y") if value else "–"

    blocks: list[Block] = []
    state = agreement_summary(partnership, period.date_to)
    if state is not None and state.period_end:
        text = _("On %(day)s the agreement's current period runs until %(end)s.") % {
            "day": day(period.date_to),
            "end": day(state.period_end),
        }
        if state.notice_given:
            text += " " + _("Notice has been given; the agreement ends on %(end)s.") % {
                "end": day(state.ends_on)
            }
        elif state.notice_deadline:
            text += " " + _(
                "It is extended by itself unless a party gives notice by %(deadline)s."
            ) % {"deadline": day(state.notice_deadline)}
        blocks.append(Paragraph(text))
    due = obligations_in(partnership, period.date_from, period.date_to)
    if due:
        status_labels = {"due": _("due"), "submitted": _("submitted"), "late": _("late")}
        blocks.append(
            Table(
                _("Reports due in the period"),
                [_("Report"), _("By"), _("To"), _("Due"), _("Status")],
                [
                    [
                        str(item["title"]),
                        str(item["reported_by"]),
                        str(item["reported_to"]),
                        day(item["due_on"]),
                        str(status_labels.get(item["status"], item["status"])),
                    ]
                    for item in due
                ],
            )
        )
    meetings = list(meetings_in(partnership, period.date_from, period.date_to))
    if meetings:
        blocks.append(Paragraph(_("Meetings held in the period and their decisions:")))
        blocks.append(
            Bullets(
                [
                    _("%(group)s, %(day)s: %(decisions)s")
                    % {
                        "group": meeting.group,
                        "day": day(meeting.held_on),
                        "decisions": as_sentences(
                            [decision.text for decision in meeting.decisions.all()]
                        )
                        or _("No decisions."),
                    }
                    for meeting in meetings
                ]
            )
        )
    return Section(_("The partnership's follow-up in the period"), blocks)


def as_sentences(texts: list[str]) -> str:
    """Decisions written one after the other as sentences: each starts with a capital and ends
    with a full stop (never "...överenskommelsen.; Samverkansgruppen ...")."""
    out = []
    for text in texts:
        text = text.strip().rstrip(";,").strip()
        if not text:
            continue
        text = text[:1].upper() + text[1:]
        if text[-1] not in ".!?":
            text += "."
        out.append(text)
    return " ".join(out)


def _purpose_and_goals(partnership: Partnership) -> Section:
    blocks: list[Block] = prose_blocks(partnership.purpose)
    goals = list(partnership.goals.order_by("position").values_list("text", flat=True))
    if goals:
        blocks.append(Paragraph(_("The overall goals of the partnership are to:")))
        blocks.append(Bullets(goals))
    return Section(_("Purpose and goals of the partnership"), blocks)


def _target_group(partnership: Partnership) -> Section:
    return Section(_("Target group"), prose_blocks(partnership.target_group))


def _commitments(partnership: Partnership) -> Section:
    blocks: list[Block] = []
    for party in partnership.parties.select_related("organisation").order_by("pk"):
        blocks += prose_blocks(party.commitments)
    return Section(_("Commitments"), blocks)


def _the_report(
    kind_label: str,
    phrase: str,
    intro: list[Block],
    w: sentences.Writer,
    before: sentences.Writer | None,
    stats: dict[str, Any],
    destinations: dict[str, str],
    municipality: str = "",
) -> Section:
    blocks: list[Block] = list(intro)
    for paragraph in [
        *sentences.chat_paragraphs(w, phrase, municipality),
        *chat_service_paragraphs(w, phrase),
        *sentences.clinic_paragraphs(w, phrase, municipality),
        *sentences.support_centre_paragraphs(w, phrase),
        *sentences.referral_paragraphs(w, phrase),
    ]:
        blocks.append(Paragraph(paragraph))
    header = [_("Figure"), _("This period")]
    if before is not None:
        header += [_("A year earlier")]
    rows = []
    for path, label, indented in KEY_FIGURES:
        # An em space indents a part under its whole; ordinary spaces would collapse in HTML.
        row = [("\u2003" if indented else "") + str(label), w.number(path)]
        if before is not None:
            row.append(before.number(path))
        rows.append(row)
    blocks.append(Table(_("Key figures"), header, rows))
    if before is not None:
        blocks += _year_end_follow_ups(w, before)
    for chart in (
        charts.conversations_by_month(stats),
        charts.referral_funnel(stats, destinations),
    ):
        if not chart.is_empty:
            blocks.append(ChartBlock(chart))
    return Section(capfirst_text(kind_label) + " " + phrase, blocks, key="report_intro")


def capfirst_text(text: str) -> str:
    return text[:1].upper() + text[1:]


def _year_end_follow_ups(w: sentences.Writer, before: sentences.Writer) -> list[Block]:
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


def _gender_analysis(
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
