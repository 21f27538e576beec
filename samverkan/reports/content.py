"""What a committee document says, as a structure the renderers (HTML, PDF, DOCX) share.

The structure follows the administration's report (the source document): proposed decision,
summary, background, preparation, the matter, purpose and goals, target group, commitments, the
report with its figures, gender-equality analysis, the administration's views and proposal.
Prose sections come from the report's drafts; everything with a number is written from the
statistics engine at the report's disclosure level (public unless asked otherwise).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samverkan.dashboard.overview import KEY_FIGURES, Period
from samverkan.partnership.models import Partnership
from samverkan.reports import sentences
from samverkan.reports.analysis import gender_analysis, year_end_follow_ups
from samverkan.reports.blocks import (
    Block,
    Bullets,
    ChartBlock,
    Document,
    Paragraph,
    Section,
    Table,
    prose_blocks,
)
from samverkan.reports.chat_service import chat_service_paragraphs
from samverkan.reports.models import Report
from samverkan.statistics import charts
from samverkan.statistics.engine import PUBLIC, statistics_compute

# The document's parts (blocks.py) and analyses (analysis.py) have homes of their own; the
# renderers and the pages import the parts from here with the document.
__all__ = [
    "PROSE_SECTIONS",
    "Block",
    "Bullets",
    "ChartBlock",
    "Document",
    "Paragraph",
    "Section",
    "Table",
    "build_document",
    "generated_text",
    "prose_blocks",
    "report_document",
]

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
    gender_section = gender_analysis(writer, prose("gender_analysis"), stats)
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
        blocks += year_end_follow_ups(w, before)
    for chart in (
        charts.conversations_by_month(stats),
        charts.referral_funnel(stats, destinations),
    ):
        if not chart.is_empty:
            blocks.append(ChartBlock(chart))
    return Section(capfirst_text(kind_label) + " " + phrase, blocks, key="report_intro")


def capfirst_text(text: str) -> str:
    return text[:1].upper() + text[1:]
