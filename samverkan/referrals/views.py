"""The arrival page: staff of a receiving unit enter the code a young person brings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samverkan.core.errors import SamverkanError
from samverkan.referrals import selectors, services
from samverkan.referrals.forms import ArrivalForm


@login_required
@require_http_methods(["GET", "POST"])
def arrive(request: HttpRequest) -> HttpResponse:
    if not selectors.can_register_arrivals(request.user):
        raise Http404
    form = ArrivalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.register_arrival(form.cleaned_data["code"], by=request.user)
        except SamverkanError as error:
            form.add_error("code", str(error))
        else:
            messages.success(
                request,
                _("Arrival registered: %(code)s, to %(service)s, issued on %(issued)s.")
                % {
                    "code": referral.display_code,
                    "service": referral.destination.name,
                    "issued": date_format(timezone.localtime(referral.issued_at), "DATE_FORMAT"),
                },
            )
            return redirect("referrals:arrive")
    arrivals = selectors.recent_arrivals_for_user(request.user)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "referrals/arrive.html", {"form": form, "arrivals": arrivals}, status=status
    )
