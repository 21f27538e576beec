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


def previous_report(partnership: Partnership, until: datetime.date) -> Report | None:
    """The report whose texts a new report for a period ending on `until` starts from: the latest
    report whose period ends by then (the same period included: a second draft of a period starts
    from the first), else the latest report of all (a report written for an earlier period)."""
    reports = Report.objects.filter(partnership=partnership).order_by("-date_to", "-pk")
    return reports.filter(date_to__lte=until).first() or reports.first()


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
    based_on: Report | None | bool = True,
) -> Report:
    """A new report whose prose starts as the given drafts, else as `based_on`'s texts: by
    default the latest earlier report (`previous_report`), None for empty texts."""
    check_report_writer(by)
    if kind not in Report.Kind.values:
        raise SamverkanError(_("Unknown kind of report %(kind)r.") % {"kind": kind})
    if date_to < date_from:
        raise SamverkanError(_("The period ends before it starts."))
    if based_on is True:
        based_on = previous_report(partnership, date_to)
    if based_on is not None and based_on.partnership_id != partnership.pk:
        raise SamverkanError(_("A report starts from a report of the same partnership."))
    earlier = based_on if drafts is None else None
    report = Report.objects.create(
        partnership=partnership,
        kind=kind,
        date_from=date_from,
        date_to=date_to,
        reference=reference,
        document_date=document_date or timezone.localdate(),
        based_on=earlier,
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
def report_save(*, report: Report, texts: dict[str, str], by: User | None) -> list[str]:
    """Save the whole document's texts at once (the editor's one form): every section whose
    wording changed gets a new version. Returns the keys of the changed sections."""
    check_report_writer(by)
    unknown = set(texts) - set(PROSE_SECTIONS)
    if unknown:
        raise SamverkanError(_("Unknown section %(key)r.") % {"key": sorted(unknown)[0]})
    changed = []
    for key in PROSE_SECTIONS:
        if key not in texts:
            continue
        section, _created = ReportSection.objects.select_for_update().get_or_create(
            report=report, key=key
        )
        text = texts[key].replace("\r\n", "\n")
        if section.text != text:
            section.text = text
            section.save(update_fields=["text"])
            ReportSectionVersion.objects.create(section=section, text=text, saved_by=by)
            changed.append(key)
    return changed
