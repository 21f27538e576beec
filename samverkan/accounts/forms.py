from django import forms
from django.utils.translation import gettext_lazy as _

from samverkan.core.periods import PeriodFormMixin


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=10,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class AuditSearchForm(PeriodFormMixin, forms.Form):
    """Criteria for searching the audit log; every field is optional."""

    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    username = forms.CharField(label=_("User name"), required=False, max_length=150)
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None, required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    target_type = forms.ChoiceField(label=_("Kind of record"), required=False)
    target_id = forms.IntegerField(label=_("Record id"), required=False, min_value=1)

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        from samverkan.accounts.audit import ACTIONS, TARGET_TYPES
        from samverkan.partnership.models import Unit

        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.order_by("name")
        self.fields["action"].choices = [("", _("All"))] + sorted(
            ((code, str(label)) for code, label in ACTIONS.items()), key=lambda c: c[1]
        )
        self.fields["target_type"].choices = [("", _("All"))] + [
            (code, str(label)) for code, label in TARGET_TYPES.items()
        ]

    def criteria(self) -> dict:
        data = self.cleaned_data
        return {
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to"),
            "username": data.get("username") or "",
            "unit_id": data["unit"].pk if data.get("unit") else None,
            "action": data.get("action") or "",
            "target_type": data.get("target_type") or "",
            "target_id": data.get("target_id"),
        }


class NewAuthenticatorForm(CodeForm):
    """A new authenticator app: the current password (someone at an unlocked screen must not
    swap it) and a code from the new app."""

    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    field_order = ["password", "code"]

    def __init__(self, user, *args, **kwargs) -> None:  # noqa: ANN001, ANN002, ANN003
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not right."))
        return password
