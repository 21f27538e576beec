"""The cells of a record list's rows, from the values of a page of records.

A list page shows 50 records of a unit that may keep a million. Its rows are read as values (no
model instances, no related rows; the values each kind lists are `RecordKind.list_values`) and
turned into the cells the template shows here, in one pass: the template then only places
strings. Django's per-record way (get_FOO_display, the `date` filter and `{% url %}` in each
row) cost about a third of a list's server time (benchmarks/RESULTS.md, "Staff pages at a third
of their cost").
"""

import datetime
import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.db import models
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext

from samverkan.records import rules
from samverkan.records.models import ClinicSession


class Labels:
    """The labels of a model's choices in the active language, read once per language: a value
    without a label shows as itself, as get_FOO_display shows it."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model

    def __call__(self, field: str) -> dict[Any, str]:
        return _choice_labels(self.model, field, translation.get_language())


@functools.lru_cache(maxsize=256)
def _choice_labels(model: type[models.Model], field: str, language: str | None) -> dict[Any, str]:
    with translation.override(language):
        # Capitalised as every answer on the page (issue 16: "Inte ställd" beside "inget våld").
        return {
            value: capfirst(str(label)) for value, label in model._meta.get_field(field).flatchoices
        }


@functools.lru_cache(maxsize=16)
def _screening_labels(language: str | None) -> dict[str, str]:
    """The one answer of the routine question, by its value (records.rules)."""
    with translation.override(language):
        return {value: capfirst(str(label)) for value, label in rules.SCREENING_CHOICES}


def detail_url(kind: str) -> Callable[[int], str]:
    """The page of a record by its id, reversed once for the whole list."""
    sentinel = 918273645
    pattern = reverse(f"records:{kind}_detail", kwargs={"record_id": sentinel})
    before, after = pattern.split(str(sentinel))
    return lambda pk: f"{before}{pk}{after}"


def _minutes(zone: datetime.tzinfo) -> Callable[[datetime.datetime], str]:
    """As the template's `date:"Y-m-d H:i"` in the time zone given (the current one, Stockholm,
    looked up once for the page rather than once a row)."""

    def minute(moment: datetime.datetime) -> str:
        at = moment.astimezone(zone)  # strftime("%Y-%m-%d %H:%M"), at a third of its cost
        return f"{at.year}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}"

    return minute


def _age(age: int | None) -> int | str:
    return "–" if age is None else age


def chat_rows(records: Iterable[tuple], labels: Labels, url: Callable[[int], str]) -> list[tuple]:
    concern, gender, resident = labels("concern"), labels("gender"), labels("resident")
    minute = _minutes(timezone.get_current_timezone())
    return [
        (url(pk), minute(at), concern.get(c, c), gender.get(g, g), _age(age), resident.get(r, r))
        for pk, at, c, g, age, r in records
    ]


def support_rows(
    records: Iterable[tuple], labels: Labels, url: Callable[[int], str]
) -> list[tuple]:
    category, gender = labels("category"), labels("gender")
    screening = _screening_labels(translation.get_language())
    return [
        (
            url(pk),
            received_on.isoformat(),
            category.get(c, c),
            gender.get(g, g),
            _age(age),
            screening.get(rules.screening_value(screened, a)),
        )
        for pk, received_on, c, g, age, screened, a in records
    ]


def clinic_rows(records: Iterable[tuple], labels: Labels, url: Callable[[int], str]) -> list[tuple]:
    records = list(records)
    # The number of sessions of the page's clients in one query.
    sessions = dict(
        ClinicSession.objects.filter(client_id__in=[record[0] for record in records])
        .order_by()
        .values("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
    )
    concern = labels("concern")
    ongoing = gettext("ongoing")
    return [
        (
            url(pk),
            ref,
            first_visit.isoformat(),
            concern.get(c, c),
            sessions.get(pk, 0),
            gettext("closed %(date)s") % {"date": closed_on.isoformat()} if closed_on else ongoing,
        )
        for pk, ref, first_visit, c, closed_on in records
    ]


ROWS: dict[str, Callable[[Iterable[tuple], Labels, Callable[[int], str]], list[tuple]]] = {
    "chat": chat_rows,
    "support": support_rows,
    "clinic": clinic_rows,
}
