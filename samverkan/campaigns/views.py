"""Campaign pages for those who see the partnership's aggregates."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samverkan.accounts.models import User
from samverkan.accounts.permissions import AGGREGATE_ROLES, can_register_campaigns
from samverkan.campaigns.evaluation import campaign_evaluation
from samverkan.campaigns.forms import CampaignForm, ReachFormSet
from samverkan.campaigns.models import Campaign
from samverkan.campaigns.services import campaign_save
from samverkan.partnership.models import Partnership
from samverkan.records.models import ChatConcern, Gender
from samverkan.statistics.release import public_note


def campaigns_for_user(user: User) -> QuerySet[Campaign]:
    """Campaigns of the partnerships the user's unit or organisation takes part in."""
    if not (user.is_active and user.role in AGGREGATE_ROLES and user.unit_id):
        return Campaign.objects.none()
    unit = user.unit
    return (
        Campaign.objects.filter(
            Q(partnership__units=unit) | Q(partnership__organisations=unit.organisation)
        )
        .distinct()
        .select_related("partnership")
    )


def _label(code: str) -> str:
    if code == "conversations":
        return _("All chat conversations")
    if code == "residents":
        return _("Conversations with residents")
    if code.startswith("concern."):
        return _("About: %(concern)s") % {"concern": ChatConcern(code.split(".")[1]).label}
    if code.startswith("residents.gender."):
        return _("Residents: %(gender)s") % {"gender": Gender(code.split(".")[2]).label}
    return code


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    if request.user.role not in AGGREGATE_ROLES:
        raise Http404
    return render(
        request,
        "campaigns/list.html",
        {
            "campaigns": campaigns_for_user(request.user),
            "can_register": can_register_campaigns(request.user),
        },
    )


@login_required
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaigns_for_user(request.user).filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    evaluation = campaign_evaluation(campaign)
    rows = [
        {
            "label": _label(row.label),
            "before": row.before,
            "during": row.during,
            "change": row.change,
        }
        for row in evaluation["comparisons"]
    ]
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "evaluation": evaluation,
            "rows": rows,
            "public_note": public_note(settings.SAMVERKAN_DISCLOSURE_THRESHOLD),
            "can_register": can_register_campaigns(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    return _campaign_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def campaign_edit(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = campaigns_for_user(request.user).filter(pk=campaign_id).first()
    if campaign is None:
        raise Http404
    return _campaign_form(request, campaign)


def _campaign_form(request: HttpRequest, campaign: Campaign | None) -> HttpResponse:
    if not can_register_campaigns(request.user):
        raise Http404
    partnership = _partnership_of(request.user)
    data = request.POST if request.method == "POST" else None
    form = CampaignForm(data, instance=campaign)
    reach = ReachFormSet(data, instance=campaign or Campaign(), prefix="reach")
    if request.method == "POST" and form.is_valid() and reach.is_valid():
        saved = campaign_save(partnership=partnership, form=form, reach=reach, by=request.user)
        messages.success(request, _("The campaign is saved."))
        return redirect("campaigns:detail", saved.pk)
    return render(
        request,
        "campaigns/form.html",
        {"form": form, "reach": reach, "campaign": campaign},
        status=400 if request.method == "POST" else 200,
    )


def _partnership_of(user: User) -> Partnership:
    partnership = Partnership.objects.first_for_user(user)
    if partnership is None:
        raise Http404
    return partnership
