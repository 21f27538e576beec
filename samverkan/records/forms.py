"""Forms for registering records: fast on a phone, every choice a radio button or checkbox."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samverkan.partnership.models import District, Service, Unit
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


def _gender_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Gender"), choices=Gender.choices, initial=Gender.UNKNOWN, widget=forms.RadioSelect
    )


def _age_field(label: str = _("Age")) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=MAX_AGE,
        required=False,
        help_text=_("Whole years; leave empty if not known."),
    )


def _referral_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=_("Referred to"),
        queryset=Service.objects.none(),
        required=False,
        empty_label=_("No referral"),
    )


class RecordForm(forms.Form):
    """A record's form for one unit: services and districts are those of the unit's
    partnerships, and the record's date starts as today."""

    date_field = ""

    def __init__(self, *args, unit: Unit, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        partnerships = unit.partnerships.all()
        if "referred_to" in self.fields:
            self.fields["referred_to"].queryset = Service.objects.filter(
                partnership__in=partnerships
            )
        if "district" in self.fields:
            self.fields["district"].queryset = District.objects.filter(partnership__in=partnerships)
        if not self.is_bound and self.date_field:
            self.initial.setdefault(self.date_field, self.today())

    def today(self) -> datetime.date | datetime.datetime:
        return timezone.localdate()


class ChatConversationForm(RecordForm):
    """The post-chat record: what the volunteer knows once the conversation has ended."""

    started_at = forms.DateTimeField(
        label=_("Started at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    concern = forms.ChoiceField(
        label=_("What was it about?"), choices=ChatConcern.choices, widget=forms.RadioSelect
    )
    resident = forms.ChoiceField(
        label=_("Lives in the municipality"),
        choices=Resident.choices,
        initial=Resident.UNKNOWN,
        widget=forms.RadioSelect,
    )
    district = forms.ModelChoiceField(
        label=_("District"),
        queryset=District.objects.none(),
        required=False,
        empty_label=_("Not known"),
    )
    gender = _gender_field()
    age = _age_field()
    violence = forms.MultipleChoiceField(
        label=_("Forms of violence talked about"),
        choices=ViolenceForm.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    referred_to = _referral_field()

    date_field = "started_at"

    def today(self) -> datetime.datetime:
        return timezone.localtime().replace(second=0, microsecond=0)

    def clean_started_at(self) -> datetime.datetime:
        started_at = self.cleaned_data["started_at"]
        if started_at > timezone.now() + datetime.timedelta(minutes=5):
            raise forms.ValidationError(_("The conversation cannot start in the future."))
        return started_at


class SupportCentreCaseForm(RecordForm):
    """A case received at the support centre, with the routine question on violence in young
    people's close relationships."""

    received_on = forms.DateField(
        label=_("Received on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    category = forms.ChoiceField(
        label=_("Category"), choices=SupportCategory.choices, widget=forms.RadioSelect
    )
    gender = _gender_field()
    age = _age_field()
    screened = forms.BooleanField(
        label=_("The routine question on violence in close relationships was asked"),
        required=False,
    )
    screening_answer = forms.ChoiceField(
        label=_("Answer to the routine question"),
        choices=[("", _("Not asked"))] + list(ScreeningAnswer.choices),
        required=False,
        widget=forms.RadioSelect,
    )
    referred_to = _referral_field()

    date_field = "received_on"

    def clean_received_on(self) -> datetime.date:
        received_on = self.cleaned_data["received_on"]
        if received_on > timezone.localdate():
            raise forms.ValidationError(_("A case cannot be received in the future."))
        return received_on

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("screening_answer") and not cleaned.get("screened"):
            self.add_error(
                "screening_answer", _("An answer is recorded only when the question was asked.")
            )
        cleaned["screening_answer"] = cleaned.get("screening_answer") or None
        return cleaned


class ClinicClientForm(RecordForm):
    ref = forms.CharField(
        label=_("The clinic's reference"),
        max_length=64,
        help_text=_("Your own pseudonymous reference, e.g. SM-2022-014: never a name."),
    )
    first_visit = forms.DateField(
        label=_("First visit"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    concern = forms.ChoiceField(
        label=_("Seeks support as"), choices=ClinicConcern.choices, widget=forms.RadioSelect
    )
    gender = _gender_field()
    age = _age_field(_("Age at first visit"))
    resident = forms.ChoiceField(
        label=_("Lives in the municipality"),
        choices=Resident.choices,
        initial=Resident.UNKNOWN,
        widget=forms.RadioSelect,
    )
    came_via = forms.ChoiceField(
        label=_("Came via"),
        choices=[("", _("Not known"))] + list(CameVia.choices),
        required=False,
        widget=forms.RadioSelect,
    )

    date_field = "first_visit"

    def clean_ref(self) -> str:
        from samverkan.records.imports import CellError, read_ref

        try:
            return read_ref(self.cleaned_data["ref"]) or ""
        except CellError as error:
            raise forms.ValidationError(str(error)) from None


class ClinicSessionForm(forms.Form):
    date = forms.DateField(
        label=_("Date of the session"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ClinicCloseForm(forms.Form):
    closed_on = forms.DateField(
        label=_("Closed on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    closure = forms.ChoiceField(
        label=_("How the series ended"), choices=Closure.choices, widget=forms.RadioSelect
    )


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

    # The choice of file, where a page has more than one (the clinic: clients, sessions).
    WHAT_LABELS = {
        "clinic": _("Clients (one row each)"),
        "clinic_sessions": _("Sessions (one row each, after the clients when imported)"),
    }

    def __init__(self, *args, exports: list[str] | None = None, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        exports = exports or []
        if len(exports) > 1:
            self.fields["what"] = forms.ChoiceField(
                label=_("What to export"),
                choices=[(name, self.WHAT_LABELS[name]) for name in exports],
                initial=exports[0],
                widget=forms.RadioSelect,
            )
            self.order_fields(["what", "format", "password"])
