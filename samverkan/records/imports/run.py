"""The import's orchestration: the unit and partnership, one transaction, batches read, checked
and written, the counts flushed, every error reported together."""

from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from samverkan.accounts.audit import log_action
from samverkan.accounts.models import User
from samverkan.core.errors import SamverkanError
from samverkan.partnership.models import Partnership, Unit
from samverkan.records.imports.errors import ImportFailed, RowError
from samverkan.records.imports.kinds import KINDS
from samverkan.records.imports.sources import Source, read_rows, source_digest
from samverkan.records.imports.writer import ImportContext
from samverkan.records.models import (
    ClinicClient,
    ImportBatch,
)
from samverkan.statistics.counters import (
    CountBuffer,
    FactGroupCounter,
)

BATCH_SIZE = 5000
COUNT_BUFFER_LIMIT = 200_000


@dataclass
class ImportResult:
    unit: Unit
    rows_read: int = 0
    rows_added: int = 0
    # The batch the added rows carry: whoever asks "which of these did this import add?"
    # (the API's idempotent batch, while another request may add the same refs) reads it.
    batch: ImportBatch | None = None

    @property
    def rows_skipped(self) -> int:
        return self.rows_read - self.rows_added


def _check_unit_kind(unit: Unit, kind: str) -> None:
    expected = KINDS[kind].unit_kind
    if unit.kind != expected:
        raise SamverkanError(
            _("Unit %(key)r is a %(kind)s; %(import)s records belong to a %(expected)s.")
            % {
                "key": unit.key,
                "kind": unit.get_kind_display(),
                "import": kind,
                "expected": Unit.Kind(expected).label,
            }
        )


def resolve_unit(kind: str, unit_key: str | None) -> Unit:
    spec = KINDS[kind]
    if unit_key:
        try:
            unit = Unit.objects.get(key=unit_key)
        except Unit.DoesNotExist:
            raise SamverkanError(_("There is no unit %(key)r.") % {"key": unit_key}) from None
        _check_unit_kind(unit, kind)
        return unit
    units = list(Unit.objects.filter(kind=spec.unit_kind, partnerships__isnull=False).distinct())
    if len(units) == 1:
        return units[0]
    if not units:
        raise SamverkanError(
            _("No unit of kind %(kind)s takes part in a partnership.")
            % {"kind": Unit.Kind(spec.unit_kind).label}
        )
    raise SamverkanError(
        _("Several units could take this file; choose one with --unit: %(keys)s")
        % {"keys": ", ".join(sorted(unit.key for unit in units))}
    )


def _partnership_of(unit: Unit, partnership_key: str | None) -> Partnership:
    partnerships = list(unit.partnerships.all())
    if partnership_key:
        for partnership in partnerships:
            if partnership.key == partnership_key:
                return partnership
        raise SamverkanError(
            _("Unit %(unit)s does not take part in partnership %(key)r.")
            % {"unit": unit.key, "key": partnership_key}
        )
    if len(partnerships) == 1:
        return partnerships[0]
    if not partnerships:
        raise SamverkanError(_("Unit %(unit)s takes part in no partnership.") % {"unit": unit.key})
    raise SamverkanError(
        _("Unit %(unit)s takes part in several partnerships; choose one with --partnership.")
        % {"unit": unit.key}
    )


def records_import(
    *,
    kind: str,
    path: Source,
    unit_key: str | None = None,
    partnership_key: str | None = None,
    unit: Unit | None = None,
    by: User | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import a file; raises ImportFailed listing every bad row, having kept nothing.

    `path` is a file on disk or an Upload held in memory. The web application passes the
    user's own `unit` and the user as `by` (audited); `dry_run` checks everything an import
    would, duplicates in the database included, and keeps nothing (the preview)."""
    if kind not in KINDS:
        raise SamverkanError(
            _("Unknown kind %(kind)r: use one of %(kinds)s")
            % {"kind": kind, "kinds": ", ".join(KINDS)}
        )
    if isinstance(path, Path) and not path.is_file():
        raise SamverkanError(_("No such file: %(path)s") % {"path": path})
    spec = KINDS[kind]
    if unit is None:
        unit = resolve_unit(kind, unit_key)
    else:
        _check_unit_kind(unit, kind)
    partnership = _partnership_of(unit, partnership_key)
    result = ImportResult(unit=unit)
    errors: list[RowError] = []
    with transaction.atomic():
        batch = ImportBatch.objects.create(unit=unit, kind=kind, sha256=source_digest(path))
        result.batch = batch
        context = ImportContext(
            unit=unit,
            partnership=partnership,
            batch=batch,
            districts=dict(partnership.districts.values_list("key", "id")),
            services=dict(partnership.services.values_list("key", "id")),
        )
        context.caches = spec.new_caches()
        context.readers = spec.readers_for(context)
        if kind == "clinic-sessions":
            context.clients = {
                ref: (client_id, first_visit, closed_on)
                for ref, client_id, first_visit, closed_on in ClinicClient.objects.filter(
                    unit=unit
                ).values_list("ref", "id", "first_visit", "closed_on")
            }
        counts = CountBuffer()
        group_counts = FactGroupCounter(unit.id, spec.fact_groups)

        def write(raw_rows: list[tuple[int, list[Any]]]) -> None:
            batch, row_errors = spec.parse_batch(raw_rows, context)
            errors.extend(row_errors)
            try:
                result.rows_added += spec.insert(batch, context, group_counts)
            except ImportFailed as failed:
                errors.extend(failed.errors)
            # The counts are keyed by day and a few values, so they stay few whatever the
            # number of rows: write them at the end unless an unusual file makes many.
            if len(group_counts) >= COUNT_BUFFER_LIMIT:
                group_counts.spread_into(counts)
                counts.flush()

        rows = read_rows(path, spec.columns, spec.file.required)
        while raw_rows := list(islice(rows, BATCH_SIZE)):
            result.rows_read += len(raw_rows)
            write(raw_rows)
        group_counts.spread_into(counts)
        counts.flush()
        if errors:
            transaction.set_rollback(True)
            errors.sort(key=lambda error: error.line)
            raise ImportFailed(errors)
        if dry_run:
            transaction.set_rollback(True)
            return result
        batch.rows_read, batch.rows_added = result.rows_read, result.rows_added
        batch.save(update_fields=["rows_read", "rows_added"])
        log_action("records.imported", user=by, target=batch, count=result.rows_added)
    return result
