"""Reads of referral codes for a person's request, scoped to their own unit and audited."""

from django.db.models import QuerySet

from samverkan.accounts.audit import log_action
from samverkan.accounts.models import User
from samverkan.accounts.permissions import can_register_arrivals
from samverkan.referrals.models import Referral

RECENT_ARRIVALS = 20


def recent_arrivals_for_user(user: User, limit: int = RECENT_ARRIVALS) -> list[Referral]:
    """The latest codes registered as arrived at the user's unit, newest first."""
    if not can_register_arrivals(user):
        return []
    arrivals: QuerySet[Referral] = (
        Referral.objects.filter(arrival_unit_id=user.unit_id)
        .select_related("destination")
        .order_by("-arrived_at", "-pk")
    )
    listed = list(arrivals[:limit])
    log_action("referrals.arrivals.listed", user=user, count=len(listed))
    return listed
