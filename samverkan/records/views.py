"""Staff pages for records: thin views over records.services and records.selectors."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from samverkan.accounts.audit import log_action
from samverkan.core.errors import NotFound, SamverkanError
from samverkan.partnership.models import Unit
from samverkan.records import selectors, services
from samverkan.records.forms import ChatConversationForm

PAGE_SIZE = 50


def _chat_unit(request: HttpRequest) -> Unit:
    """The user's own chat unit, or 404: other users have no chat pages to find."""
    user = request.user
    if not selectors.can_work_with_records(user) or user.unit.kind != Unit.Kind.CHAT:
        raise Http404
    return user.unit


@login_required
def chat_list(request: HttpRequest) -> HttpResponse:
    unit = _chat_unit(request)
    conversations = selectors.chat_conversations_for_user(request.user).order_by("-started_at")
    page = Paginator(conversations, PAGE_SIZE).get_page(request.GET.get("sida"))
    log_action("records.listed", user=request.user, count=len(page.object_list))
    return render(request, "records/chat_list.html", {"page": page, "unit": unit})


@login_required
@require_http_methods(["GET", "POST"])
def chat_create(request: HttpRequest) -> HttpResponse:
    unit = _chat_unit(request)
    form = ChatConversationForm(request.POST or None, unit=unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.chat_conversation_create(unit=unit, by=request.user, **form.cleaned_data)
        except SamverkanError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The conversation is registered."))
            return redirect("records:chat_list")
    return render(request, "records/chat_form.html", {"form": form, "unit": unit})


@login_required
def chat_detail(request: HttpRequest, conversation_id: int) -> HttpResponse:
    _chat_unit(request)
    try:
        conversation = selectors.get_chat_conversation_for_user(request.user, conversation_id)
    except NotFound:
        raise Http404 from None
    return render(request, "records/chat_detail.html", {"conversation": conversation})
