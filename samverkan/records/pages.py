"""What the staff pages of records share: whose pages they are, a form's write through its
service, a record's history, a clinic client's page, and where a new record may start from."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.functional import Promise

from samverkan.accounts.audit import action_label, record_history
from samverkan.core.errors import SamverkanError
from samverkan.partnership.models import Unit
from samverkan.records import selectors
from samverkan.records.forms import ClinicCloseForm, ClinicSessionForm
from samverkan.records.kinds import RecordKind


def own_unit(request: HttpRequest, kind: RecordKind) -> Unit:
    """The user's own unit when it keeps this kind of record, or 404: others have no such
    pages to find."""
    user = request.user
    if not selectors.can_work_with_records(user) or user.unit.kind != kind.unit_kind:
        raise Http404
    return user.unit


def saved(
    request: HttpRequest, form: forms.Form, write: Callable[[], object], done: Promise
) -> bool:
    """Run a valid form's write through its service: a domain error goes back onto the form,
    success into a message for the next page."""
    if not form.is_valid():
        return False
    try:
        # One transaction, so what a write does besides its service (the live chat links its
        # referral codes to the new record) stands or falls with it.
        with transaction.atomic():
            write()
    except SamverkanError as error:
        field = getattr(error, "field", None)
        form.add_error(field if field in form.fields else None, str(error))
        return False
    messages.success(request, str(done))
    return True


def history(record: Any) -> list[dict[str, Any]]:
    """The record's registration and changes, with the changed fields by their names."""
    fields = {field.name: field.verbose_name for field in record._meta.fields}
    return [
        {
            "entry": entry,
            "action": action_label(entry.action),
            "fields": [str(fields.get(name, name)) for name in entry.fields.split(",") if name],
        }
        for entry in record_history(record)
    ]


def clinic_context(
    client: Any, session_form: forms.Form | None = None, close_form: forms.Form | None = None
) -> dict[str, Any]:
    """A client's page: its sessions numbered from 1 (the first visit is session 1), the form
    of the next session and the form that closes the series (or corrects its closing)."""
    today = timezone.localdate()
    sessions = list(client.sessions.all())
    return {
        "sessions": sessions,
        "session_form": session_form or ClinicSessionForm(initial={"date": today}),
        "close_form": close_form
        or ClinicCloseForm(
            initial={
                "closed_on": client.closed_on or (sessions[-1].date if sessions else today),
                "closure": client.closure,
            }
        ),
    }


# --- Where a new record starts from ------------------------------------------------------------
# A post-chat record straight from the live chat's console starts from what was noted there, and
# saving it links the chat's referral codes and forgets the chat. The chat sits above the records,
# so the site (samverkan/urls.py) registers it here: the records' pages know only this shape.


class Prefill(Protocol):
    """A record's starting values from elsewhere, and what saving the record does besides."""

    initial: dict[str, Any]

    def saved(self, record: Any, *, by: Any) -> None: ...


@dataclass(frozen=True)
class Start:
    parameter: str
    """The query parameter naming where the record starts from (e.g. `samtal`)."""
    find: Callable[[Any, object], Prefill | None]
    """The user's own starting point by the parameter's value, or None."""
    gone: Promise
    """Said when it is no longer there (registered in another tab, or put aside)."""
    back_to: str
    """The URL name to go back to, after saving or when it is gone."""


STARTS: dict[str, Start] = {}


def register_start(kind: str, start: Start) -> None:
    STARTS[kind] = start
