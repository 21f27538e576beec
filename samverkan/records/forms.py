"""Forms for registering records: fast on a phone, every choice a radio button or checkbox."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.partnership.models import District, Service, Unit
from samverkan.records import glossary, rules
from samverkan.records.cells import CellError, read_ref
from samverkan.records.models import (
    MAX_AGE,
    CameVia,
    ChatConcern,
    ClinicConcern,
    Closure,
    Gender,
    Resident,
    SupportCategory,
    ViolenceForm,
)


def _gender_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=glossary.label("gender"),
        choices=Gender.choices,
        initial=Gender.UNKNOWN,
        widget=forms.RadioSelect,
    )


def _age_field(label: str = glossary.label("age")) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=MAX_AGE,
        required=False,
        help_text=_("Whole years; leave empty if not known."),
    )


def _referral_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=glossary.label("referred_to"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("No referral"),
    )


def _date_field(concept: str) -> forms.DateField:
    return forms.DateField(
        label=glossary.label(concept),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _resident_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=glossary.label("resident"),
        choices=Resident.choices,
        initial=Resident.UNKNOWN,
        widget=forms.RadioSelect,
    )


class RecordForm(forms.Form):
    """A record's form for one unit: services and districts are those of the unit's
    partnerships, the record's date starts as today and cannot be later, and an age outside
    the service's target group is confirmed (records.rules.TARGET_AGES)."""

    date_field = ""
    future_message = _("The date cannot be in the future.")

    def __init__(self, *args, unit: Unit, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.unit = unit
        partnerships = unit.partnerships.all()
        if "referred_to" in self.fields:
            self.fields["referred_to"].queryset = Service.objects.filter(
                partnership__in=partnerships
            )
        if "district" in self.fields:
            self.fields["district"].queryset = District.objects.filter(partnership__in=partnerships)
        if not self.is_bound and self.date_field:
            self.initial.setdefault(self.date_field, self.today())
        # The confirmation of an age outside the target group is asked only when it is needed:
        # after such an age was sent, or on the form of a record that has one.
        age = self.data.get(self.add_prefix("age")) if self.is_bound else self.initial.get("age")
        try:
            age = int(age) if age not in (None, "") else None
        except (TypeError, ValueError):
            age = None
        if "age" in self.fields and rules.outside_target(unit.kind, age):
            low, high = rules.TARGET_AGES[unit.kind]
            self.fields["age_confirmed"] = forms.BooleanField(
                label=_("The age is right although outside the target group (%(low)s–%(high)s)")
                % {"low": low, "high": high},
                required=False,
            )
            names = list(self.fields)
            names.insert(names.index("age") + 1, names.pop(names.index("age_confirmed")))
            self.order_fields(names)

    def today(self) -> datetime.date | datetime.datetime:
        return timezone.localdate()

    def clean(self) -> dict:
        cleaned = super().clean()
        day = cleaned.get(self.date_field) if self.date_field else None
        if isinstance(day, datetime.datetime):
            late = day > timezone.now() + datetime.timedelta(minutes=5)
        else:
            late = day is not None and day > timezone.localdate()
        if late:
            self.add_error(self.date_field, self.future_message)
        if "age" in self.fields:
            bounds = rules.outside_target(self.unit.kind, cleaned.get("age"))
            if bounds and not cleaned.get("age_confirmed"):
                self.add_error(
                    "age",
                    _(
                        "%(age)s is outside the target group (%(low)s–%(high)s years). Check the "
                        "age, or confirm it below."
                    )
                    % {"age": cleaned["age"], "low": bounds[0], "high": bounds[1]},
                )
        # Only the record's own values go on to the service.
        cleaned.pop("age_confirmed", None)
        return cleaned


class ChatConversationForm(RecordForm):
    """The post-chat record: what the volunteer knows once the conversation has ended."""

    started_at = forms.DateTimeField(
        label=glossary.label("started_at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    concern = forms.ChoiceField(
        label=glossary.label("concern"), choices=ChatConcern.choices, widget=forms.RadioSelect
    )
    resident = _resident_field()
    district = forms.ModelChoiceField(
        label=glossary.label("district"),
        queryset=District.objects.none(),
        required=False,
        empty_label=_("Not known"),
    )
    gender = _gender_field()
    age = _age_field()
    violence = forms.MultipleChoiceField(
        label=glossary.label("violence"),
        choices=ViolenceForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    referred_to = _referral_field()

    date_field = "started_at"
    future_message = _("The conversation cannot start in the future.")

    def today(self) -> datetime.datetime:
        return timezone.localtime().replace(second=0, microsecond=0)


class SupportCentreCaseForm(RecordForm):
    """A case received at the support centre, with the routine question on violence in young
    people's close relationships: one question, whose answers include "not asked"."""

    received_on = _date_field("received_on")
    category = forms.ChoiceField(
        label=glossary.label("category"), choices=SupportCategory.choices, widget=forms.RadioSelect
    )
    gender = _gender_field()
    age = _age_field()
    screening = forms.ChoiceField(
        label=glossary.label("screening"),
        choices=rules.SCREENING_CHOICES,
        initial=rules.NOT_ASKED,
        widget=forms.RadioSelect,
    )
    referred_to = _referral_field()
    told_of_support_to_stop = forms.NullBooleanField(
        label=glossary.label("told_of_support_to_stop"),
        required=False,
        widget=forms.RadioSelect(
            choices=[("", _("Not noted")), ("True", _("Yes")), ("False", _("No"))]
        ),
    )

    date_field = "received_on"
    future_message = _("A case cannot be received in the future.")

    def clean(self) -> dict:
        cleaned = super().clean()
        if "screening" in cleaned:
            cleaned["screened"], cleaned["screening_answer"] = rules.screening_fields(
                cleaned.pop("screening")
            )
        return cleaned


class ClinicClientForm(RecordForm):
    ref = forms.CharField(
        label=glossary.label("ref"),
        max_length=64,
        help_text=_("Your own pseudonymous reference, e.g. SM-2022-014: never a name."),
    )
    first_visit = forms.DateField(
        label=glossary.label("first_visit"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The first visit is the series' session 1."),
    )
    concern = forms.ChoiceField(
        label=glossary.label("clinic_concern"),
        choices=ClinicConcern.choices,
        widget=forms.RadioSelect,
    )
    gender = _gender_field()
    age = _age_field(glossary.label("age_at_first_visit"))
    resident = _resident_field()
    came_via = forms.ChoiceField(
        label=glossary.label("came_via"),
        choices=[("", _("Not known"))] + list(CameVia.choices),
        required=False,
        widget=forms.RadioSelect,
    )

    date_field = "first_visit"
    future_message = _("The first visit cannot be in the future.")

    def clean_ref(self) -> str:
        try:
            return read_ref(self.cleaned_data["ref"]) or ""
        except CellError as error:
            raise forms.ValidationError(str(error)) from None


class ClinicSessionForm(forms.Form):
    date = forms.DateField(
        label=_("Date of the session"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean_date(self) -> datetime.date:
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("A session cannot be in the future."))
        return date


class ClinicCloseForm(forms.Form):
    closed_on = _date_field("closed_on")
    closure = forms.ChoiceField(
        label=glossary.label("closure"), choices=Closure.choices, widget=forms.RadioSelect
    )

    def clean_closed_on(self) -> datetime.date:
        closed_on = self.cleaned_data["closed_on"]
        if closed_on > timezone.localdate():
            raise forms.ValidationError(_("A series cannot be closed in the future."))
        return closed_on


EXPORT_PASSWORD_MIN_LENGTH = 12


class ExportForm(forms.Form):
    """An export of the unit's records; with a password, an encrypted workbook.

    Sent by POST so that the password never appears in a URL, a server log or the browser's
    history; it is used to encrypt the file and then forgotten (never stored, never logged).
    """

    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("csv", "CSV"), ("xlsx", "XLSX")],
        initial="csv",
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=_("Password (optional)"),
        required=False,
        strip=False,
        min_length=EXPORT_PASSWORD_MIN_LENGTH,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_(
            "With a password the file is an XLSX workbook encrypted with it (AES-256), which "
            "Excel and LibreOffice open after asking for it. At least 12 characters; give it to "
            "the recipient another way than the file."
        ),
    )

    def __init__(self, *args, exports: list[tuple[str, str]] | None = None, **kwargs) -> None:  # noqa: ANN002, ANN003
        """`exports`: the page's files as (export name, label) (records.kinds); where there is
        more than one (the clinic: clients, sessions), the form asks which."""
        super().__init__(*args, **kwargs)
        exports = exports or []
        if len(exports) > 1:
            self.fields["what"] = forms.ChoiceField(
                label=_("What to export"),
                choices=exports,
                initial=exports[0][0],
                widget=forms.RadioSelect,
            )
            self.order_fields(["what", "format", "password"])
