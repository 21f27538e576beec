"""Committee documents: creating a report, drafting its prose with history, carrying it over."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.accounts.models import Role, User
from samverkan.core.errors import Forbidden, SamverkanError
from samverkan.partnership.models import Partnership
from samverkan.reports.content import PROSE_SECTIONS
from samverkan.reports.models import Report, ReportSection, ReportSectionVersion

REPORT_WRITERS = frozenset({Role.COORDINATOR})
REPORT_READERS = frozenset({Role.COORDINATOR, Role.STEERING_MEMBER, Role.UNIT_MANAGER})


def check_report_writer(user: User | None) -> None:
    if user is not None and not (user.is_active and user.role in REPORT_WRITERS):
        raise Forbidden(_("Only the partnership coordinator drafts committee documents."))


def previous_report(partnership: Partnership, before: datetime.date) -> Report | None:
    """The latest report that ended before `before`: its prose is the start of the next one."""
    return (
        Report.objects.filter(partnership=partnership, date_to__lt=before)
        .order_by("-date_to", "-pk")
        .first()
    )


@transaction.atomic
def report_create(
    *,
    partnership: Partnership,
    kind: str,
    date_from: datetime.date,
    date_to: datetime.date,
    reference: str = "",
    document_date: datetime.date | None = None,
    by: User | None,
    drafts: dict[str, str] | None = None,
) -> Report:
    """A new report whose prose starts as the previous report's (or the given drafts)."""
    check_report_writer(by)
    if kind not in Report.Kind.values:
        raise SamverkanError(_("Unknown kind of report %(kind)r.") % {"kind": kind})
    if date_to < date_from:
        raise SamverkanError(_("The period ends before it starts."))
    earlier = previous_report(partnership, date_from)
    report = Report.objects.create(
        partnership=partnership,
        kind=kind,
        date_from=date_from,
        date_to=date_to,
        reference=reference,
        document_date=document_date or timezone.localdate(),
    )
    start = (
        drafts
        if drafts is not None
        else (dict(earlier.sections.values_list("key", "text")) if earlier else {})
    )
    for key in PROSE_SECTIONS:
        section = ReportSection.objects.create(report=report, key=key, text=start.get(key, ""))
        ReportSectionVersion.objects.create(section=section, text=section.text, saved_by=by)
    return report


@transaction.atomic
def section_save(*, report: Report, key: str, text: str, by: User | None) -> ReportSection:
    """Save a section's new wording; the old one stays in its history."""
    check_report_writer(by)
    if key not in PROSE_SECTIONS:
        raise SamverkanError(_("Unknown section %(key)r.") % {"key": key})
    section, _created = ReportSection.objects.select_for_update().get_or_create(
        report=report, key=key
    )
    if section.text != text:
        section.text = text
        section.save(update_fields=["text"])
        ReportSectionVersion.objects.create(section=section, text=text, saved_by=by)
    return section
