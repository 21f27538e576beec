"""The chat's pages. The conversation itself runs over WebSockets (consumers.py); these pages
carry the scripts and everything that does not change during a conversation."""

import asyncio
import json
import time
from collections.abc import AsyncIterator

from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samverkan.chat import services, supervision
from samverkan.chat.canned import CANNED_REPLIES
from samverkan.chat.forms import DirectoryEntryForm, IntakeForm
from samverkan.chat.models import DirectoryEntry, FeedbackAnswer, OpeningHours
from samverkan.core.errors import SamverkanError
from samverkan.partnership.models import District
from samverkan.records.models import ChatConcern, Gender, Resident, ViolenceForm


def _private(response: HttpResponse) -> HttpResponse:
    """Nothing of the chat's pages is kept by the browser or told to the next site."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _young_strings() -> dict[str, str]:
    """What the young person's script says, translated here (the script has no catalogue)."""
    return {
        "you": _("You"),
        "volunteer": _("Volunteer"),
        "connecting": _("Connecting…"),
        "position": _("You are number %(n)s in the queue."),
        "joined": _("A volunteer has joined the chat. Write when you are ready."),
        "typing": _("The volunteer is writing…"),
        "volunteer_away": _("The volunteer's connection dropped. Please wait a moment."),
        "volunteer_back": _("The volunteer is back."),
        "transferred": _("Another volunteer continues the chat with you."),
        "reconnecting": _("The connection was lost. Trying to reconnect…"),
        "reconnected": _("You are connected again."),
        "lost": _("The connection could not be restored. You are welcome to start a new chat."),
        "referral": _("Your referral code for %(destination)s:"),
        "referral_note": _(
            "Show the code when you get there. It does not say who you are. Valid until %(date)s."
        ),
        "ended_young": _("You ended the chat."),
        "ended_volunteer": _("The volunteer ended the chat."),
        "ended_timeout": _("The chat ended because the connection was gone too long."),
        "ended_lost": _(
            "The chat was interrupted by a technical fault. You are welcome to start a new chat."
        ),
        "replaced": _("The chat continues in another tab or window."),
        "error_unavailable": _("That did not go through. Please try again."),
        "confirm_end": _("Do you want to end the chat?"),
        "error": _("Something went wrong. Please try again."),
        "error_closed": _("The chat is closed right now."),
        "error_rate_limited": _("Too many chats were started from here. Please try again later."),
        "error_blocked": _("You cannot start a new chat right now."),
        "error_too_long": _("The message is too long."),
        "error_slow_down": _("You are sending very fast. Wait a moment."),
        "error_not_active": _("The chat has not started yet."),
    }


def start(request: HttpRequest) -> HttpResponse:
    """The young person's page: open or closed, the optional question, the conversation."""
    unit = services.chat_unit()
    elsewhere = (
        services.directory_services_of_unit(unit).filter(directory_entry__isnull=False)
        if unit is not None
        else []
    )
    context = {
        "open": services.is_open(),
        "hours": OpeningHours.objects.all(),
        "elsewhere": elsewhere,
        "intake": IntakeForm(auto_id="intake-%s"),
        "feedback_answers": FeedbackAnswer.choices,
        "exit_url": settings.SAMVERKAN_CHAT_EXIT_URL,
        "strings": _young_strings(),
    }
    return _private(render(request, "chat/start.html", context))


def _console_strings() -> dict[str, object]:
    return {
        "connected": _("Connected. New conversations appear in the queue."),
        "disconnected": _("The connection was lost. Reconnecting…"),
        "refused": _("The console could not connect. Sign in again if this continues."),
        "waiting": _("Waiting %(minutes)s min"),
        "take": _("Take"),
        "age": _("%(age)s years"),
        "no_answers": _("no answers before the chat"),
        "answers": _("Before the chat:"),
        "conversation": _("Conversation %(n)s"),
        "states": {"waiting": _("waiting"), "active": _("under way"), "ended": _("ended")},
        "you": _("You"),
        "young": _("Young person"),
        "taken": _("You took the conversation. The young person has been told."),
        "typing": _("The young person is writing…"),
        "young_away": _("The young person's connection dropped. They have two minutes to return."),
        "young_back": _("The young person is back."),
        "noted": _("Notes saved for the record."),
        "codes": _("Codes given:"),
        "code_given": _("Referral code %(code)s for %(destination)s shown to the young person."),
        "ended_young": _("The young person ended the conversation."),
        "ended_volunteer": _("You ended the conversation."),
        "ended_timeout": _("The young person did not return; the conversation has ended."),
        "ended_lost": _(
            "The conversation was cut off by a technical fault. Your notes are kept for the record."
        ),
        "replaced": _("The console is open in another tab or window, so it is closed here."),
        "use_here": _("Use the console here"),
        "signed_out": _("You are signed out. Sign in again to use the console."),
        "recorded": _("The conversation is registered."),
        "record_opened": _("The form is open in another tab. Go to the form"),
        "error_unavailable": _("That did not go through. Please try again."),
        "blocked": _("The session is blocked: no new chat from it today."),
        "confirm_end": _("End this conversation?"),
        "confirm_block": _("End this conversation and block new chats from this session today?"),
        "error": _("That did not work. Please try again."),
        "error_not_waiting": _("Someone else has already taken that conversation."),
        "error_not_active": _("The conversation has ended."),
        "error_no_colleague": _("That colleague's console is not open any more."),
        "no_colleagues": _("No colleague has the console open just now."),
        "colleague_status": {
            "available": _("available"),
            "in_conversation": _("in a conversation"),
        },
        "transferred": _("The conversation was transferred to %(name)s."),
        "taken_from": _("%(name)s transferred the conversation to you."),
        "genders": dict(Gender.choices),
        "concerns": dict(ChatConcern.choices),
    }


@login_required
def console(request: HttpRequest) -> HttpResponse:
    if not services.can_volunteer(request.user):
        raise Http404
    user = request.user
    context = {
        "strings": _console_strings(),
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
    """The chat right now; the page follows `supervisor_events` by itself (supervision.py)."""
    if not services.can_supervise(request.user):
        raise Http404
    layer = get_channel_layer()
    reply_to = async_to_sync(layer.new_channel)()
    # The day's counts are read here, in the request's thread: Channels' database helper would
    # close this thread's connection (and, in a test, its transaction) after its read.
    state = async_to_sync(supervision.live_state)(layer, reply_to, supervision.today_counts())
    return _private(render(request, "chat/supervisor.html", state))


# A supervisor's stream lasts this long, then the browser's EventSource opens a new one (which
# checks the sign-in again); between, the page is brought up to date this often.
STREAM_SECONDS = 300
STREAM_EVERY_SECONDS = 3


@login_required
async def supervisor_events(request: HttpRequest) -> HttpResponse:
    """Server-sent events for the supervisor's page: `live` with the HTML of its live part and a
    short summary whenever they change (a comment line otherwise, to keep the connection)."""
    user = await request.auser()
    if not await sync_to_async(services.can_supervise)(user):
        raise Http404
    # The events are rendered after the view has returned: in the request's language.
    language = translation.get_language()
    response = StreamingHttpResponse(_live_events(language), content_type="text/event-stream")
    response["X-Accel-Buffering"] = "no"  # nginx passes each event on at once
    return _private(response)


async def _live_events(language: str) -> AsyncIterator[str]:
    layer = get_channel_layer()
    reply_to = await layer.new_channel()
    ends = time.monotonic() + STREAM_SECONDS
    last = None
    yield "retry: 3000\n\n"
    while time.monotonic() < ends:
        with translation.override(language):
            state = await supervision.live_state(layer, reply_to)
            live = await sync_to_async(supervision.render_live)(state)
        data = json.dumps(live, ensure_ascii=False)
        if data != last:
            last = data
            yield f"event: live\ndata: {data}\n\n"
        else:
            yield ": up to date\n\n"
        await asyncio.sleep(STREAM_EVERY_SECONDS)


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
