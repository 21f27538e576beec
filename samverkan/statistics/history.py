"""Figures of the years before the application was used, so that the first year-over-year
comparison is not empty.

The coordinator enters a month's figures of a unit, or imports many months from a file with the
columns `unit,month,metric,n,total`. A metric is one of the finest cells the records count for
(`metrics_for`: the fact groups declared in facts.py with every value they can take), so the engine
adds history exactly as it adds the counts of records, totals and breakdowns included, and
disclosure control protects both alike. A month of a unit that already has counts of records is
refused: history is for months before the application, and adding both would count twice.
Clinic figures come from the clinic's records (and their anonymous series counts), so they have
no history here.
"""

import datetime
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from samverkan.accounts.audit import log_action
from samverkan.accounts.models import User
from samverkan.accounts.permissions import can_keep_history, partnerships_for_user
from samverkan.core.errors import Forbidden, SamverkanError
from samverkan.partnership.models import Unit
from samverkan.records.imports import ImportFailed, RowError, Source, read_rows
from samverkan.statistics.facts import CHAT, SUPPORT_CENTRE, cell_names
from samverkan.statistics.models import HistoricalMonthlyCount, MonthlyCount

COLUMNS = ["unit", "month", "metric", "n", "total"]
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@dataclass(frozen=True)
class Metric:
    name: str
    measured: bool  # whether `total` (a sum of ages) means anything for it


def units_for_history(user: User):  # noqa: ANN201 - QuerySet[Unit]
    """The units whose history the coordinator keeps: the chat and support-centre units of
    the partnerships of the coordinator's organisation or unit."""
    if not can_keep_history(user) or user.unit_id is None:
        return Unit.objects.none()
    return (
        Unit.objects.filter(
            partnerships__in=_partnerships(user),
            kind__in=[Unit.Kind.CHAT, Unit.Kind.SUPPORT_CENTRE],
        )
        .distinct()
        .order_by("name")
    )


def _partnerships(user: User):  # noqa: ANN202
    return partnerships_for_user(user)


def metrics_for(unit: Unit) -> list[Metric]:
    """Every finest cell a unit's records count for (the fact groups declared in
    statistics/facts.py, with the partnership's districts and services), in a stable order."""
    record = {Unit.Kind.CHAT: CHAT, Unit.Kind.SUPPORT_CENTRE: SUPPORT_CENTRE}.get(unit.kind)
    if record is None:
        return []
    services = unit.partnerships.values_list("services__key", flat=True).distinct()
    districts = unit.partnerships.values_list("districts__key", flat=True)
    configured = {
        "services": sorted({key for key in services if key}),
        "districts": sorted({key for key in districts if key}) if record == CHAT else [],
    }
    return [Metric(name, measured) for name, measured in cell_names(record, configured)]


def _check_month(unit: Unit, month: datetime.date) -> None:
    if MonthlyCount.objects.filter(unit=unit, month=month).exclude(n=0, total=0).exists():
        raise SamverkanError(
            _("%(unit)s already has records in %(month)s: history is for months before them.")
            % {"unit": unit.name, "month": f"{month:%Y-%m}"}
        )


def _check_writer(by: User, unit: Unit) -> None:
    if not units_for_history(by).filter(pk=unit.pk).exists():
        raise Forbidden(_("Only the partnership's coordinator enters figures of earlier years."))


@transaction.atomic
def history_month_set(
    *, by: User, unit: Unit, month: datetime.date, figures: dict[str, tuple[int, int]]
) -> int:
    """Replace the unit's history of one month with `figures` ({metric: (n, total)})."""
    _check_writer(by, unit)
    month = month.replace(day=1)
    _check_month(unit, month)
    known = {metric.name for metric in metrics_for(unit)}
    unknown = sorted(set(figures) - known)
    if unknown:
        raise SamverkanError(_("Unknown figure: %(metrics)s") % {"metrics": ", ".join(unknown)})
    HistoricalMonthlyCount.objects.filter(unit=unit, month=month).delete()
    rows = [
        HistoricalMonthlyCount(unit=unit, month=month, metric=metric, n=n, total=total)
        for metric, (n, total) in figures.items()
        if n or total
    ]
    HistoricalMonthlyCount.objects.bulk_create(rows)
    _check_adds_up(unit, month)
    log_action("statistics.history.changed", user=by, count=len(rows))
    return len(rows)


def _check_adds_up(unit: Unit, month: datetime.date) -> None:
    """The month's figures must add up as the records' always do (a total is the sum of its
    parts, e.g. residents by gender and concern and residents by district): the engine and
    disclosure control rely on it. Checked by computing the month's public figures; raises
    SamverkanError, rolling back the caller's transaction, when they do not add up."""
    from samverkan.statistics.disclosure import DisclosureError
    from samverkan.statistics.engine import PUBLIC, statistics_compute

    last_day = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    for partnership in unit.partnerships.all():
        try:
            statistics_compute(
                partnership=partnership,
                date_from=month,
                date_to=last_day - datetime.timedelta(days=1),
                disclosure=PUBLIC,
            )
        except DisclosureError as error:
            raise SamverkanError(
                _(
                    "The figures of %(unit)s for %(month)s do not add up: the parts of a figure "
                    "must sum to its total, as they do for registered records (%(detail)s)."
                )
                % {"unit": unit, "month": month.strftime("%Y-%m"), "detail": error}
            ) from error


def history_month(unit: Unit, month: datetime.date) -> dict[str, tuple[int, int]]:
    rows = HistoricalMonthlyCount.objects.filter(unit=unit, month=month.replace(day=1))
    return {metric: (n, total) for metric, n, total in rows.values_list("metric", "n", "total")}


def history_months(units: Iterable[Unit]) -> list[tuple[Unit, datetime.date, int]]:
    """(unit, month, figures entered) of every month with history, newest first."""
    by_id = {unit.pk: unit for unit in units}
    rows = (
        HistoricalMonthlyCount.objects.filter(unit_id__in=by_id)
        .values_list("unit_id", "month")
        .order_by("-month", "unit_id")
    )
    counted: dict[tuple[int, datetime.date], int] = defaultdict(int)
    for unit_id, month in rows:
        counted[(unit_id, month)] += 1
    return [(by_id[unit_id], month, n) for (unit_id, month), n in counted.items()]


def _whole(raw: object, column: str, line: int, errors: list[RowError]) -> int:
    text = str(raw if raw is not None else "").strip()
    if text.endswith(".0"):
        text = text[:-2]
    if not text:
        return 0
    if not text.isdigit():
        errors.append(
            RowError(line, column, _("%(value)r is not a whole number") % {"value": text})
        )
        return 0
    return int(text)


@transaction.atomic
def history_import(*, by: User, path: Source) -> int:
    """Import months of history from a CSV or XLSX file, all or nothing; each (unit, month) in
    the file replaces what was entered for it before. Returns the number of figures kept."""
    units = {unit.key: unit for unit in units_for_history(by)}
    if not units:
        raise Forbidden(_("Only the partnership's coordinator enters figures of earlier years."))
    metrics = {key: {m.name: m for m in metrics_for(unit)} for key, unit in units.items()}
    errors: list[RowError] = []
    months: dict[tuple[str, datetime.date], dict[str, tuple[int, int]]] = defaultdict(dict)
    for line, cells in read_rows(path, COLUMNS):
        if len(cells) != len(COLUMNS):
            errors.append(
                RowError(
                    line,
                    "-",
                    _("expected %(expected)d values, found %(found)d")
                    % {"expected": len(COLUMNS), "found": len(cells)},
                )
            )
            continue
        unit_key, month_text, metric, raw_n, raw_total = (
            str(cell if cell is not None else "").strip() for cell in cells
        )
        if unit_key not in units:
            errors.append(
                RowError(
                    line,
                    "unit",
                    _("%(key)r is not a unit of your partnerships (known: %(known)s)")
                    % {"key": unit_key, "known": ", ".join(sorted(units))},
                )
            )
            continue
        if isinstance(cells[1], datetime.date):
            month = (
                cells[1].replace(day=1)
                if not isinstance(cells[1], datetime.datetime)
                else cells[1].date().replace(day=1)
            )
        else:
            found = _MONTH.match(month_text)
            if not found or not 1 <= int(found[2]) <= 12:
                errors.append(
                    RowError(
                        line,
                        "month",
                        _("%(value)r is not a month (YYYY-MM)") % {"value": month_text},
                    )
                )
                continue
            month = datetime.date(int(found[1]), int(found[2]), 1)
        if metric not in metrics[unit_key]:
            errors.append(
                RowError(
                    line, "metric", _("%(value)r is not a figure of this unit") % {"value": metric}
                )
            )
            continue
        n = _whole(raw_n, "n", line, errors)
        total = _whole(raw_total, "total", line, errors)
        if total and not metrics[unit_key][metric].measured:
            errors.append(RowError(line, "total", _("only ages have a sum; leave it empty")))
        if metric in months[(unit_key, month)]:
            errors.append(RowError(line, "metric", _("the figure appears earlier in the file")))
        months[(unit_key, month)][metric] = (n, total)
    for (unit_key, month), _figures in months.items():
        try:
            _check_month(units[unit_key], month)
        except SamverkanError as error:
            errors.append(RowError(1, "month", str(error)))
    if errors:
        raise ImportFailed(sorted(errors, key=lambda error: error.line))
    kept = 0
    with transaction.atomic():  # all or nothing, the check of every month included
        for (unit_key, month), figures in months.items():
            HistoricalMonthlyCount.objects.filter(unit=units[unit_key], month=month).delete()
            rows = [
                HistoricalMonthlyCount(unit=units[unit_key], month=month, metric=m, n=n, total=t)
                for m, (n, t) in figures.items()
                if n or t
            ]
            HistoricalMonthlyCount.objects.bulk_create(rows)
            kept += len(rows)
        for unit_key, month in months:
            _check_adds_up(units[unit_key], month)
    log_action("statistics.history.imported", user=by, count=kept)
    return kept


def history_template_rows(unit: Unit, month: datetime.date) -> list[list[object]]:
    """Every figure of a unit for one month, to fill in: the import's rows with zeros."""
    return [
        [unit.key, f"{month:%Y-%m}", metric.name, 0, 0 if metric.measured else ""]
        for metric in metrics_for(unit)
    ]
