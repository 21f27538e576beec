"""What of a partnership's configuration its figures depend on, read once per request."""

import datetime
from dataclasses import dataclass

from django.db.models import Max, Min

from samverkan.partnership.models import Partnership
from samverkan.statistics.models import ClinicSeriesCount, HistoricalMonthlyCount


@dataclass(frozen=True)
class Configuration:
    """What of the partnership's configuration its figures depend on: the units whose counts
    are its own, the districts and the services (key and name, in name order); and where two
    kinds of stored counts lie, so that a period outside them needs no query for them."""

    partnership_id: int
    unit_ids: tuple[int, ...]
    district_keys: tuple[str, ...]
    services: tuple[tuple[str, str], ...]
    history: frozenset[tuple[datetime.date, str]]
    """(month, unit key) of the figures of earlier years entered by the coordinator."""
    clinic_disposed: tuple[datetime.date, datetime.date] | None
    """The first and last day of any ClinicSeriesCount row (None: nothing disposed of yet)."""

    @property
    def service_keys(self) -> list[str]:
        return [key for key, _name in self.services]


def configuration_for(partnership: Partnership) -> Configuration:
    """Read once by a caller that computes several periods (the dashboard: a period and the
    year before), so that each computation does not read it again."""
    # Without the units' ordering by organisation name, which only costs a join here.
    unit_ids = tuple(partnership.units.order_by().values_list("id", flat=True))
    disposed = ClinicSeriesCount.objects.filter(unit_id__in=unit_ids).aggregate(
        first=Min("first"), last=Max("last")
    )
    return Configuration(
        partnership_id=partnership.pk,
        unit_ids=unit_ids,
        district_keys=tuple(partnership.districts.values_list("key", flat=True)),
        services=tuple(partnership.services.values_list("key", "name")),
        history=frozenset(
            HistoricalMonthlyCount.objects.filter(unit_id__in=unit_ids)
            .values_list("month", "unit__key")
            .distinct()
        ),
        clinic_disposed=(
            (disposed["first"], disposed["last"]) if disposed["first"] is not None else None
        ),
    )
