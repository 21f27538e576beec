"""The chat's pages. The conversation itself runs over WebSockets (consumers.py); these pages
carry the scripts and everything that does not change during a conversation."""

from asgiref.sync import async_to_sync
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samverkan.chat import services
from samverkan.chat.canned import CANNED_REPLIES
from samverkan.chat.forms import DirectoryEntryForm, IntakeForm
from samverkan.chat.models import DirectoryEntry, FeedbackAnswer, OpeningHours
from samverkan.chat.store import get_store
from samverkan.core.errors import SamverkanError
from samverkan.partnership.models import District
from samverkan.records.models import ChatConcern, Gender, Resident, ViolenceForm


def _private(response: HttpResponse) -> HttpResponse:
    """Nothing of the chat's pages is kept by the browser or told to the next site."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def start(request: HttpRequest) -> HttpResponse:
    """The young person's page: open or closed, the optional question, the conversation."""
    context = {
        "open": services.is_open(),
        "hours": OpeningHours.objects.all(),
        "intake": IntakeForm(auto_id="intake-%s"),
        "feedback_answers": FeedbackAnswer.choices,
    }
    return _private(render(request, "chat/start.html", context))


@login_required
def console(request: HttpRequest) -> HttpResponse:
    if not services.can_volunteer(request.user):
        raise Http404
    user = request.user
    context = {
        "canned": [str(reply) for reply in CANNED_REPLIES],
        "directory": services.directory_services(user),
        "concerns": ChatConcern.choices,
        "genders": Gender.choices,
        "residents": Resident.choices,
        "violence_forms": ViolenceForm.choices,
        "districts": District.objects.filter(partnership__in=user.unit.partnerships.all()),
    }
    return _private(render(request, "chat/console.html", context))


@login_required
def supervisor(request: HttpRequest) -> HttpResponse:
    if not services.can_supervise(request.user):
        raise Http404
    overview = async_to_sync(get_store().overview)(timezone.now())
    return _private(render(request, "chat/supervisor.html", {"overview": overview}))


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    if not services.can_keep_directory(request.user):
        raise Http404
    return render(
        request, "chat/directory.html", {"services": services.services_for_user(request.user)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def directory_edit(request: HttpRequest, service_id: int) -> HttpResponse:
    if not services.can_keep_directory(request.user):
        raise Http404
    service = services.services_for_user(request.user).filter(pk=service_id).first()
    if service is None:
        raise Http404
    entry = DirectoryEntry.objects.filter(service=service).first() or DirectoryEntry(
        service=service
    )
    form = DirectoryEntryForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        try:
            services.directory_entry_update(service=service, by=request.user, **form.cleaned_data)
        except SamverkanError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The directory is updated."))
            return redirect("chat:directory")
    return render(request, "chat/directory_form.html", {"form": form, "service": service})
