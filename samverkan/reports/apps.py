from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from samverkan.partnership.models import Partnership


class ReportsConfig(AppConfig):
    name = "samverkan.reports"
    verbose_name = _("Committee documents")

    def ready(self) -> None:
        # The overview (a layer below) lists the periods of the committee documents: it is
        # told where to read them, rather than reading this app's models.
        from samverkan.dashboard.periods import DOCUMENT_PERIODS  # noqa: PLC0415

        if committee_periods not in DOCUMENT_PERIODS:
            DOCUMENT_PERIODS.append(committee_periods)


def committee_periods(
    partnership: Partnership, last: datetime.date
) -> Iterator[tuple[str, datetime.date, datetime.date]]:
    """(label, first day, last day) of the partnership's committee documents ending by `last`."""
    from samverkan.reports.models import Report  # noqa: PLC0415

    reports = Report.objects.filter(partnership=partnership, date_to__lte=last).order_by()
    for kind, date_from, date_to in reports.values_list("kind", "date_from", "date_to"):
        label = str(Report.Kind(kind).label)
        yield label[:1].upper() + label[1:], date_from, date_to
