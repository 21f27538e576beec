"""Writing campaigns: who may, and the campaign with its reach figures saved as one."""

from django.db import transaction
from django.forms import BaseInlineFormSet, ModelForm
from django.utils.translation import gettext as _

from samverkan.accounts.models import User
from samverkan.accounts.permissions import can_register_campaigns
from samverkan.campaigns.models import Campaign
from samverkan.core.errors import Forbidden
from samverkan.partnership.models import Partnership


def check_campaign_writer(user: User) -> None:
    if not can_register_campaigns(user):
        raise Forbidden(_("Only the partnership coordinator and unit managers register campaigns."))


@transaction.atomic
def campaign_save(
    *, partnership: Partnership, form: ModelForm, reach: BaseInlineFormSet, by: User
) -> Campaign:
    """Save a valid campaign form and its valid reach rows together, or nothing."""
    check_campaign_writer(by)
    campaign = form.save(commit=False)
    campaign.partnership = partnership
    campaign.save()
    reach.instance = campaign
    reach.save()
    return campaign
