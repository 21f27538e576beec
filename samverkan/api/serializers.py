"""What the API reads and writes for each kind of record: the fields of the staff forms and of
the import, with keys for districts and services (as in the import files)."""

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from samverkan.core.names import NameIndex
from samverkan.partnership.models import District, Service
from samverkan.records.imports import EARLIEST_DATE, CellError, read_ref
from samverkan.records.models import (
    MAX_AGE,
    CameVia,
    ChatConcern,
    ClinicConcern,
    Closure,
    Gender,
    Resident,
    ScreeningAnswer,
    SupportCategory,
    ViolenceForm,
)


def _check_day(day: datetime.date) -> None:
    if day < EARLIEST_DATE:
        raise serializers.ValidationError(_("%(date)s is before 2000") % {"date": day})
    if day > timezone.localdate():
        raise serializers.ValidationError(_("%(date)s lies in the future") % {"date": day})


class PastDateField(serializers.DateField):
    def to_internal_value(self, value: Any) -> datetime.date:
        day = super().to_internal_value(value)
        _check_day(day)
        return day


class PastDateTimeField(serializers.DateTimeField):
    def to_internal_value(self, value: Any) -> datetime.datetime:
        try:
            moment = super().to_internal_value(value)
            day = timezone.localtime(moment).date()
        except OverflowError:
            # A moment at the edge of the calendar (0001-01-01 in local time) has no UTC or
            # local equivalent: invalid input, not a server error (found by the tour).
            self.fail("invalid", format="YYYY-MM-DDThh:mm[:ss][+HH:MM|-HH:MM|Z]")
        _check_day(day)
        return moment


class RefField(serializers.CharField):
    """The unit's own reference, in the import's form (never a name or identity number)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", _("The unit's own reference: letters, digits and . _ : / -"))
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str | None:
        text = super().to_internal_value(data)
        try:
            return read_ref(text)
        except CellError as error:
            raise serializers.ValidationError(str(error)) from None


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "description": "A key or a name, e.g. sodermalm or Södermalm (any case).",
    }
)
class KeyField(serializers.Field):
    """A district or service by its key, among those of the unit's partnerships."""

    def __init__(self, model: type, **kwargs: Any) -> None:
        self.model = model
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("default", None)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str | None:
        return value.key if value is not None else None

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str):
            raise serializers.ValidationError(_("Give the key as text."))
        # The unit's partnerships' districts or services by key and by name (with or without
        # diacritics, any case), read once a request (a batch names them often).
        known = self.context.setdefault("keys", {})
        if self.model not in known:
            unit = self.context["unit"]
            rows = {
                row.key: row
                for row in self.model.objects.filter(partnership__in=unit.partnerships.all())
            }
            known[self.model] = (rows, NameIndex((key, row.name) for key, row in rows.items()))
        rows, index = known[self.model]
        key = index.key_of(data)
        if key is None:
            raise serializers.ValidationError(
                _("%(key)r is not known (known: %(known)s)")
                % {"key": data[:64], "known": index.known or "-"}
            )
        return rows[key]


def _age() -> serializers.IntegerField:
    return serializers.IntegerField(
        min_value=1, max_value=MAX_AGE, required=False, allow_null=True, default=None
    )


class RecordSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def input_of(self, record: Any) -> dict[str, Any]:
        """A stored record as the validated input that would have made it, to compare a
        repeated creation with."""
        return {
            field.source: getattr(record, field.source)
            for field in self.fields.values()
            if not field.read_only
        }


class ChatConversationSerializer(RecordSerializer):
    ref = RefField(required=False, allow_null=True, default=None)
    started_at = PastDateTimeField()
    concern = serializers.ChoiceField(ChatConcern.choices)
    resident = serializers.ChoiceField(Resident.choices, default=Resident.UNKNOWN)
    gender = serializers.ChoiceField(Gender.choices, default=Gender.UNKNOWN)
    age = _age()
    violence = serializers.ListField(
        child=serializers.ChoiceField(ViolenceForm.choices),
        source="violence_forms",
        default=list,
        max_length=len(ViolenceForm.values),
    )
    district = KeyField(District)
    referred_to = KeyField(Service)

    def input_of(self, record: Any) -> dict[str, Any]:
        return {**super().input_of(record), "violence_forms": sorted(record.violence_forms)}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "violence_forms" in attrs:
            attrs["violence_forms"] = sorted(set(attrs["violence_forms"]))
        return attrs


class SupportCentreCaseSerializer(RecordSerializer):
    ref = RefField(required=False, allow_null=True, default=None)
    received_on = PastDateField()
    category = serializers.ChoiceField(SupportCategory.choices)
    gender = serializers.ChoiceField(Gender.choices, default=Gender.UNKNOWN)
    age = _age()
    screened = serializers.BooleanField(default=False)
    screening_answer = serializers.ChoiceField(
        ScreeningAnswer.choices, required=False, allow_null=True, default=None
    )
    referred_to = KeyField(Service)
    told_of_support_to_stop = serializers.BooleanField(
        required=False, allow_null=True, default=None
    )


class ClinicClientSerializer(RecordSerializer):
    ref = RefField()
    first_visit = PastDateField()
    concern = serializers.ChoiceField(ClinicConcern.choices)
    gender = serializers.ChoiceField(Gender.choices, default=Gender.UNKNOWN)
    age = _age()
    resident = serializers.ChoiceField(Resident.choices, default=Resident.UNKNOWN)
    came_via = serializers.ChoiceField(
        CameVia.choices, required=False, allow_null=True, default=None
    )
    closed_on = PastDateField(read_only=True)
    closure = serializers.ChoiceField(Closure.choices, read_only=True)
    sessions = serializers.SerializerMethodField()

    def get_sessions(self, record: Any) -> list[str]:
        return [session.date.isoformat() for session in record.sessions.all()]


# Help the schema: a list of ISO dates.
ClinicClientSerializer.get_sessions.__annotations__["return"] = list[datetime.date]


class ClinicCloseSerializer(serializers.Serializer):
    closed_on = PastDateField()
    closure = serializers.ChoiceField(Closure.choices)


class ClinicSessionSerializer(serializers.Serializer):
    date = PastDateField()


class ArrivalSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20, help_text=_("The referral code, e.g. K7QP-4XMC."))


class ArrivalResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    destination = serializers.CharField()
    arrived_at = serializers.DateTimeField()


# `from` is a Python keyword, so the class is made with type().
StatisticsQuerySerializer = type(
    "StatisticsQuerySerializer",
    (serializers.Serializer,),
    {
        "from": serializers.DateField(help_text="First day, YYYY-MM-DD."),
        "to": serializers.DateField(help_text="Last day, YYYY-MM-DD (inclusive)."),
        "partnership": serializers.CharField(
            required=False, max_length=50, help_text="Key of the partnership, if several."
        ),
    },
)


class BatchResultItem(serializers.Serializer):
    id = serializers.IntegerField()
    ref = serializers.CharField(allow_null=True)
    created = serializers.BooleanField()


class BatchResult(serializers.Serializer):
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    records = BatchResultItem(many=True)
