from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from samverkan.accounts.models import User
from samverkan.governance.models import (
    COST_CATEGORIES,
    INCOME_CATEGORIES,
    FinancialReport,
    FinancialReportLine,
)
from samverkan.partnership.models import Agreement, Group, GroupMember, Organisation


def _date_field(label: str, **kwargs) -> forms.DateField:  # noqa: ANN003
    return forms.DateField(
        label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), **kwargs
    )


class NoticeForm(forms.Form):
    given_by = forms.ModelChoiceField(
        label=_("Party giving notice"),
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    given_on = _date_field(_("Notice given on"))

    def __init__(self, *args, agreement: Agreement, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.fields["given_by"].queryset = agreement.partnership.organisations.order_by("name")
        if not self.is_bound:
            self.initial.setdefault("given_on", timezone.localdate())


class SubmittedForm(forms.Form):
    submitted_on = _date_field(_("Submitted on"))

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submitted_on", timezone.localdate())


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: GroupMember) -> str:
        return f"{obj.group.name}: {obj}"


class MeetingForm(forms.Form):
    group = forms.ModelChoiceField(
        label=_("Group"),
        queryset=Group.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    held_on = _date_field(_("Date"))
    attendees = MemberChoiceField(
        label=_("Present"),
        queryset=GroupMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Members of the group chosen above."),
    )
    decisions = forms.CharField(
        label=_("Decisions"),
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=_("One decision per line; they are numbered in this order."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Never about a particular young person."),
    )

    def __init__(self, *args, agreement: Agreement, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        groups = agreement.partnership.groups.all()
        self.fields["group"].queryset = groups
        self.fields["attendees"].queryset = GroupMember.objects.filter(
            group__in=groups
        ).select_related("group", "organisation")

    def clean(self) -> dict:
        cleaned = super().clean()
        group, attendees = cleaned.get("group"), cleaned.get("attendees") or []
        if group and any(member.group_id != group.pk for member in attendees):
            self.add_error("attendees", _("Choose only members of the group that met."))
        cleaned["decisions"] = [
            line.strip() for line in cleaned.get("decisions", "").splitlines() if line.strip()
        ]
        return cleaned


class PaymentForm(forms.Form):
    year = forms.IntegerField(label=_("For the year"), min_value=2000, max_value=2100)
    paid_on = _date_field(_("Paid on"))
    amount = forms.DecimalField(
        label=_("Amount (SEK)"), min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


class DecisionSearchForm(forms.Form):
    q = forms.CharField(label=_("Words in the decision"), required=False, max_length=200)
    group = forms.ChoiceField(
        label=_("Group"), required=False, choices=[("", _("all groups")), *Group.Kind.choices]
    )
    date_from = _date_field(_("From"), required=False)
    date_to = _date_field(_("To"), required=False)


def line_field_name(kind: str, category: str, column: str) -> str:
    return f"{kind}-{category}-{column}"


class FinancialReportForm(forms.Form):
    """Budget and outcome for each category of income and cost, and a comment."""

    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args, report: FinancialReport | None, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        existing = {}
        if report is not None:
            existing = {(line.kind, line.category): line for line in report.lines.all()}
            self.initial.setdefault("comment", report.comment)
        self.lines = []
        for kind, categories in (
            (FinancialReportLine.Kind.INCOME, INCOME_CATEGORIES),
            (FinancialReportLine.Kind.COST, COST_CATEGORIES),
        ):
            for category in categories:
                line = existing.get((kind, category))
                names = []
                for column, label in (("budget", _("budget")), ("outcome", _("outcome"))):
                    name = line_field_name(kind, category, column)
                    self.fields[name] = forms.DecimalField(
                        label=_("%(kind)s: %(category)s, %(column)s (SEK)")
                        % {
                            "kind": capfirst(kind.label),
                            "category": category.label,
                            "column": label,
                        },
                        min_value=Decimal(0),
                        max_digits=12,
                        decimal_places=2,
                        required=False,
                    )
                    if line is not None:
                        self.initial.setdefault(name, getattr(line, column))
                    names.append(name)
                self.lines.append((kind, category, names))
        # The comment last, after the amounts.
        self.order_fields([name for _kind, _category, names in self.lines for name in names])

    def line_values(self) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
        zero = Decimal(0)
        return {
            (str(kind), str(category)): (
                self.cleaned_data.get(names[0]) or zero,
                self.cleaned_data.get(names[1]) or zero,
            )
            for kind, category, names in self.lines
        }


class GroupMemberForm(forms.Form):
    group = forms.ModelChoiceField(
        label=_("Group"), queryset=Group.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    function = forms.CharField(label=_("Function"), max_length=200)
    name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("Of the staff member holding the function; may be left empty."),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
    )
    role = forms.ChoiceField(
        label=_("Role in the group"), choices=GroupMember.Role.choices, widget=forms.RadioSelect
    )
    member_from = _date_field(_("Member from"), required=False)
    member_until = _date_field(_("Member until"), required=False)
    user = forms.ModelChoiceField(
        label=_("User account"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Steering-group members with an account are reminded of notice deadlines."),
    )

    def __init__(self, *args, agreement: Agreement, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        partnership = agreement.partnership
        self.fields["group"].queryset = partnership.groups.all()
        self.fields["organisation"].queryset = partnership.organisations.order_by("name")
        self.fields["user"].queryset = User.objects.filter(
            is_active=True, unit__organisation__partnerships=partnership
        ).order_by("username")
        if not self.is_bound:
            self.initial.setdefault("role", GroupMember.Role.MEMBER)

    def clean(self) -> dict:
        cleaned = super().clean()
        start, end = cleaned.get("member_from"), cleaned.get("member_until")
        if start and end and end < start:
            self.add_error("member_until", _("A membership cannot end before it starts."))
        return cleaned
