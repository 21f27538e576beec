"""Filters of the record lists: a GET form per kind of record, applied to the user's own
records (the scoping stays in records.selectors)."""

import datetime
import re

from django import forms
from django.db import connection
from django.db.models import QuerySet
from django.forms.boundfield import BoundField
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from samverkan.partnership.models import Unit
from samverkan.records import selectors
from samverkan.records.models import (
    ChatConcern,
    ClinicConcern,
    Gender,
    Resident,
    SupportCategory,
)


def _choices(choices: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", _("All")), *choices]


def _starting_with(field: str, start: str) -> dict[str, str]:
    """Records whose reference starts with what was typed (case as typed), as a range on the
    unit's reference index. A search *within* references cannot use an index: over a million
    records it read every row, seconds a page (see benchmarks/RESULTS.md). `startswith` on top
    keeps the result right under a collation that does not sort by code point; SQLite compares
    text by code point, where the range alone is exact and the index alone counts it (with
    `startswith`, SQLite's LIKE read each of up to 10,000 rows: 7 ms for "c12")."""
    bounds = {f"{field}__gte": start, f"{field}__lt": start + "\U0010ffff"}
    if connection.vendor != "sqlite":
        bounds[f"{field}__startswith"] = start
    return bounds


# The rendering of a filter field for each value it was given, once per process and language.
# Django renders a field group through a template for the group, its label and its widget, and
# one for each option of a select: 4-5 ms a filtered list, a third of its server time. What a
# field shows is decided by its form, name, language and value; only values that cannot carry
# anything else are remembered (a choice of the field's own, a date written as one, nothing),
# and never a field with an error. Bounded, as dates are many: past the bound, rendered anew.
_FIELD_HTML: dict[tuple, SafeString] = {}
_FIELD_HTML_MAX = 4096
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class RememberedBoundField(BoundField):
    def as_field_group(self) -> SafeString:
        key = self._key()
        if key is None:
            return super().as_field_group()
        html = _FIELD_HTML.get(key)
        if html is None:
            html = super().as_field_group()
            if len(_FIELD_HTML) < _FIELD_HTML_MAX:
                _FIELD_HTML[key] = html
        return html

    def _key(self) -> tuple | None:
        form, field = self.form, self.field
        value = self.data if form.is_bound else None
        if form.is_bound and self.errors:
            return None
        if value in (None, ""):
            pass
        elif isinstance(field, forms.ChoiceField):
            if value not in {str(choice) for choice, _label in field.choices}:
                return None
        elif not (isinstance(field, forms.DateField) and _ISO_DAY.fullmatch(str(value))):
            return None  # free text (a reference): rendered each time
        return (
            type(form),
            form.prefix,
            form.auto_id,
            self.name,
            translation.get_language(),
            form.is_bound,
            value,
        )


class RecordFilterForm(forms.Form):
    """From and to (inclusive days), the start of a reference (the list is then in reference
    order), and the kind's own choices."""

    bound_field_class = RememberedBoundField
    date_field = ""
    # The kind whose anonymous counts can tell how many records a list holds (selectors.counted).
    counted_kind = ""
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    ref = forms.CharField(label=_("Reference"), required=False, max_length=64)
    gender = forms.ChoiceField(label=_("Gender"), choices=_choices(Gender.choices), required=False)

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The period ends before it starts."))
        return cleaned

    def apply(self, records: QuerySet) -> QuerySet:
        if not self.is_valid():
            return records
        values = {name: value for name, value in self.cleaned_data.items() if value}
        if "date_from" in values:
            records = records.filter(
                **{f"{self.date_field}__gte": self._bound(values["date_from"])}
            )
        if "date_to" in values:
            end = values["date_to"] + datetime.timedelta(days=1)
            records = records.filter(**{f"{self.date_field}__lt": self._bound(end)})
        if "ref" in values:
            # Found on the reference index, and listed in its order: newest first would sort
            # every match, and a short start ("c") matches nearly every record.
            records = records.filter(**_starting_with("ref", values["ref"].strip())).order_by(
                "ref", "pk"
            )
        for name in self.choice_fields():
            if name in values:
                records = records.filter(**{name: values[name]})
        return records

    def count(self, records: QuerySet, unit: Unit) -> int | None:
        """How many of the unit's `records` `apply` leaves, from the anonymous counts, or None when
        they cannot tell (a reference search, a combination of choices they do not hold, a
        period wholly within disposed days): then the records are counted themselves."""
        values = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if values.get("ref"):
            return None
        choices = {name: values.get(name) or "" for name in self.choice_fields()}
        metrics = selectors.count_metrics(self.counted_kind, choices)
        if metrics is None:
            return None
        start, end = values.get("date_from"), values.get("date_to")
        kind = self.counted_kind
        total, disposed = selectors.counted(unit, kind, metrics, start, end)
        if disposed is None or (start is not None and start > disposed):
            return total
        if end is not None and end <= disposed:
            return None
        # The days a disposal reached: what is left of their records, counted as they are.
        after = disposed + datetime.timedelta(days=1)
        kept = self.apply(records).filter(**{f"{self.date_field}__lt": self._bound(after)})
        return kept.count() + selectors.counted(unit, kind, metrics, after, end)[0]

    def choice_fields(self) -> list[str]:
        return [name for name, field in self.fields.items() if isinstance(field, forms.ChoiceField)]

    def _bound(self, day: datetime.date) -> datetime.date | datetime.datetime:
        return day


class ChatFilterForm(RecordFilterForm):
    date_field = "started_at"
    counted_kind = "chat"
    concern = forms.ChoiceField(
        label=_("What was it about?"), choices=_choices(ChatConcern.choices), required=False
    )
    resident = forms.ChoiceField(
        label=_("Lives in the municipality"), choices=_choices(Resident.choices), required=False
    )

    def _bound(self, day: datetime.date) -> datetime.datetime:
        # Days are Stockholm days: midnight local time, whatever the server's zone.
        from samverkan.statistics.counters import STOCKHOLM

        return datetime.datetime.combine(day, datetime.time(), tzinfo=STOCKHOLM)


class SupportFilterForm(RecordFilterForm):
    date_field = "received_on"
    counted_kind = "support"
    category = forms.ChoiceField(
        label=_("Category"), choices=_choices(SupportCategory.choices), required=False
    )


class ClinicFilterForm(RecordFilterForm):
    date_field = "first_visit"
    concern = forms.ChoiceField(
        label=_("Seeks support as"), choices=_choices(ClinicConcern.choices), required=False
    )
