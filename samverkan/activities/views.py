"""The partnership's activities: those who follow the partnership see them; the coordinator and
unit managers register them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samverkan.accounts.models import User
from samverkan.accounts.permissions import AGGREGATE_ROLES, REGISTERING_ROLES
from samverkan.activities.forms import ActivityForm
from samverkan.activities.services import activity_create
from samverkan.core.errors import SamverkanError
from samverkan.partnership.models import Partnership


def _partnership(user: User, roles: frozenset[str]) -> Partnership:
    """The partnership the user's unit or organisation takes part in, or 404."""
    if not (user.is_active and user.role in roles and user.unit_id):
        raise Http404
    partnership = Partnership.objects.first_for_user(user)
    if partnership is None:
        raise Http404
    return partnership


@login_required
def activity_list(request: HttpRequest) -> HttpResponse:
    partnership = _partnership(request.user, AGGREGATE_ROLES)
    activities = partnership.activities.prefetch_related("organisations", "units")
    page = Paginator(activities, 50).get_page(request.GET.get("sida"))
    context = {
        "page": page,
        "partnership": partnership,
        "can_register": request.user.role in REGISTERING_ROLES,
    }
    return render(request, "activities/list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def activity_register(request: HttpRequest) -> HttpResponse:
    partnership = _partnership(request.user, REGISTERING_ROLES)
    form = ActivityForm(request.POST or None, partnership=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            activity_create(partnership=partnership, by=request.user, **form.cleaned_data)
        except SamverkanError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The activity is registered."))
            return redirect("activities:list")
    return render(request, "activities/form.html", {"form": form})
