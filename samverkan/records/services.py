"""Writes of records. Every write keeps the anonymous daily counts true in the same transaction."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samverkan.accounts.audit import log_action
from samverkan.accounts.models import User
from samverkan.core.errors import Forbidden, SamverkanError
from samverkan.partnership.models import District, Service, Unit
from samverkan.records import rules
from samverkan.records.models import (
    ChatConversation,
    ClinicClient,
    ClinicSession,
    SupportCentreCase,
    ViolenceForm,
)
from samverkan.records.selectors import can_work_with_records
from samverkan.statistics.counters import (
    CountBuffer,
    chat_conversation_facts,
    local_day,
    support_centre_case_facts,
)


class FieldError(SamverkanError):
    """A domain error about one field: a form shows it at that field."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


def _count(unit_id: int, day: datetime.date, facts: tuple, records: int = 1) -> None:
    """Add (or with records=-1 take away) one record's facts, inside the write's transaction."""
    counts = CountBuffer()
    counts.add(unit_id, day, facts, records=records)
    counts.flush()


def _chat_day(conversation: ChatConversation) -> datetime.date:
    return local_day(conversation.started_at)


def _check_writer(by: User | None, unit: Unit) -> None:
    """A person writes records of their own unit only, in a role that works with records.

    `by` is None for system writes: the command line's import and the demo, whose user can
    reach the database anyway."""
    if by is not None and not (can_work_with_records(by) and by.unit_id == unit.id):
        raise Forbidden(_("You can only register records of your own unit."))


def _audit(action: str, by: User | None, record, fields: Iterable[str] = ()) -> None:  # noqa: ANN001
    if by is not None:
        log_action(action, user=by, target=record, fields=fields)


def _values(record) -> dict[str, object]:  # noqa: ANN001 - any record
    """The record's own values, to tell which fields a change touched."""
    return {
        field.attname: getattr(record, field.attname)
        for field in record._meta.concrete_fields
        if field.attname not in ("updated_at", "created_at")
    }


def _changed(before: dict[str, object], record) -> list[str]:  # noqa: ANN001 - any record
    after = _values(record)
    return [name.removesuffix("_id") for name, value in after.items() if before[name] != value]


def _check_same_partnership(
    unit: Unit, *, district: District | None, service: Service | None
) -> None:
    partnership_ids = set(unit.partnerships.values_list("id", flat=True))
    if district is not None and district.partnership_id not in partnership_ids:
        raise SamverkanError(_("The district does not belong to a partnership of this unit."))
    if service is not None and service.partnership_id not in partnership_ids:
        raise SamverkanError(_("The service does not belong to a partnership of this unit."))


def _check_rules(of_kind: Iterable[rules.Rule], values: dict[str, object]) -> None:
    """The rules across fields (records.rules) that these values can break."""
    for rule in rules.broken(of_kind, values):
        raise SamverkanError(str(rule.message))


def _full_clean(record) -> None:  # noqa: ANN001 - any record
    try:
        record.full_clean(exclude=["unit", "import_batch"])
    except ValidationError as error:
        messages = "; ".join(
            f"{field}: {' '.join(errors)}" for field, errors in error.message_dict.items()
        )
        raise SamverkanError(messages) from None


def _apply_chat_violence(conversation: ChatConversation, violence: Iterable[str]) -> None:
    chosen = set(violence)
    unknown = chosen - set(ViolenceForm.values)
    if unknown:
        raise SamverkanError(
            _("Unknown form of violence: %(forms)s") % {"forms": ", ".join(sorted(unknown))}
        )
    for form in ViolenceForm.values:
        setattr(conversation, f"violence_{form}", form in chosen)


@transaction.atomic
def chat_conversation_create(
    *,
    unit: Unit,
    started_at: datetime.datetime,
    concern: str,
    resident: str = "unknown",
    gender: str = "unknown",
    age: int | None = None,
    violence: Iterable[str] = (),
    district: District | None = None,
    referred_to: Service | None = None,
    ref: str | None = None,
    by: User | None = None,
) -> ChatConversation:
    _check_writer(by, unit)
    _check_same_partnership(unit, district=district, service=referred_to)
    conversation = ChatConversation(
        unit=unit,
        ref=ref or None,
        started_at=started_at,
        resident=resident,
        gender=gender,
        age=age,
        concern=concern,
        district=district,
        referred_to=referred_to,
    )
    _apply_chat_violence(conversation, violence)
    _full_clean(conversation)
    conversation.save()
    _count(unit.id, _chat_day(conversation), chat_conversation_facts(conversation))
    _audit("records.chat_conversation.created", by, conversation)
    return conversation


CHAT_CONVERSATION_FIELDS = frozenset(
    {"ref", "started_at", "resident", "district", "gender", "age", "concern", "referred_to"}
    | {"violence", *(f"violence_{form}" for form in ViolenceForm.values)}
)
"""What a chat record's change may set: its own values (not its unit, batch or times)."""


def _only_own_values(changes: dict, allowed: frozenset[str], what: str) -> None:
    """A change names only the record's own values: an unknown or protected name (a typo, the
    import batch, the times) is a programming error, not something to set silently."""
    if "unit" in changes or "unit_id" in changes:
        raise SamverkanError(_("A record stays in the unit that registered it."))
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"Not a {what}'s own value: {sorted(unknown)}")


@transaction.atomic
def chat_conversation_update(
    *, conversation: ChatConversation, by: User | None = None, **changes
) -> ChatConversation:
    """Change a post-chat record; its old facts leave the counts and its new ones enter them."""
    conversation = ChatConversation.objects.select_for_update().get(pk=conversation.pk)
    _check_writer(by, conversation.unit)
    _only_own_values(changes, CHAT_CONVERSATION_FIELDS, "chat record")
    old = (conversation.unit_id, _chat_day(conversation), chat_conversation_facts(conversation))
    before = _values(conversation)
    violence = changes.pop("violence", None)
    for field, value in changes.items():
        setattr(conversation, field, value)
    if violence is not None:
        _apply_chat_violence(conversation, violence)
    _check_same_partnership(
        conversation.unit, district=conversation.district, service=conversation.referred_to
    )
    _full_clean(conversation)
    conversation.save()
    _count(*old, records=-1)
    _count(conversation.unit_id, _chat_day(conversation), chat_conversation_facts(conversation))
    _audit("records.chat_conversation.changed", by, conversation, _changed(before, conversation))
    return conversation


@transaction.atomic
def chat_conversation_delete(*, conversation: ChatConversation, by: User | None = None) -> None:
    """Delete a record entered by mistake: unlike disposal, it also leaves the counts."""
    conversation = ChatConversation.objects.select_for_update().get(pk=conversation.pk)
    _check_writer(by, conversation.unit)
    _audit("records.chat_conversation.deleted", by, conversation)
    facts = chat_conversation_facts(conversation)
    _count(conversation.unit_id, _chat_day(conversation), facts, records=-1)
    conversation.delete()


@transaction.atomic
def support_centre_case_create(
    *,
    unit: Unit,
    received_on: datetime.date,
    category: str,
    gender: str = "unknown",
    age: int | None = None,
    screened: bool = False,
    screening_answer: str | None = None,
    referred_to: Service | None = None,
    told_of_support_to_stop: bool | None = None,
    ref: str | None = None,
    by: User | None = None,
) -> SupportCentreCase:
    _check_writer(by, unit)
    _check_same_partnership(unit, district=None, service=referred_to)
    _check_rules(
        rules.SCREENING_RULES, {"screened": screened, "screening_answer": screening_answer}
    )
    case = SupportCentreCase(
        unit=unit,
        ref=ref or None,
        received_on=received_on,
        gender=gender,
        age=age,
        category=category,
        screened=screened,
        screening_answer=screening_answer or None,
        referred_to=referred_to,
        told_of_support_to_stop=told_of_support_to_stop,
    )
    _full_clean(case)
    case.save()
    _count(unit.id, case.received_on, support_centre_case_facts(case))
    _audit("records.support_centre_case.created", by, case)
    return case


SUPPORT_CENTRE_CASE_FIELDS = frozenset(
    {"ref", "received_on", "gender", "age", "category", "screened", "screening_answer"}
    | {"referred_to", "told_of_support_to_stop"}
)
"""What a support-centre case's change may set: its own values."""


@transaction.atomic
def support_centre_case_update(
    *, case: SupportCentreCase, by: User | None = None, **changes
) -> SupportCentreCase:
    case = SupportCentreCase.objects.select_for_update().get(pk=case.pk)
    _check_writer(by, case.unit)
    _only_own_values(changes, SUPPORT_CENTRE_CASE_FIELDS, "support-centre case")
    old = (case.unit_id, case.received_on, support_centre_case_facts(case))
    before = _values(case)
    for field, value in changes.items():
        setattr(case, field, value)
    _check_rules(
        rules.SCREENING_RULES,
        {"screened": case.screened, "screening_answer": case.screening_answer},
    )
    _check_same_partnership(case.unit, district=None, service=case.referred_to)
    _full_clean(case)
    case.save()
    _count(*old, records=-1)
    _count(case.unit_id, case.received_on, support_centre_case_facts(case))
    _audit("records.support_centre_case.changed", by, case, _changed(before, case))
    return case


@transaction.atomic
def support_centre_case_delete(*, case: SupportCentreCase, by: User | None = None) -> None:
    case = SupportCentreCase.objects.select_for_update().get(pk=case.pk)
    _check_writer(by, case.unit)
    _audit("records.support_centre_case.deleted", by, case)
    _count(case.unit_id, case.received_on, support_centre_case_facts(case), records=-1)
    case.delete()


def _not_in_future(day: datetime.date, message: str, field: str) -> None:
    """A date of something that has happened: today at the latest (Stockholm time)."""
    if day > timezone.localdate():
        raise FieldError(message, field)


@transaction.atomic
def clinic_client_create(
    *,
    unit: Unit,
    ref: str,
    first_visit: datetime.date,
    concern: str,
    gender: str = "unknown",
    age: int | None = None,
    resident: str = "unknown",
    came_via: str | None = None,
    first_session: bool = False,
    by: User | None = None,
) -> ClinicClient:
    """Register a client; with first_session, the first visit as its session 1 (the web form:
    the first visit is a session, as in the clinic's own files and the statistics)."""
    _check_writer(by, unit)
    _check_rules(rules.CLINIC_RULES, {"ref": ref})
    client = ClinicClient(
        unit=unit,
        ref=ref,
        first_visit=first_visit,
        concern=concern,
        gender=gender,
        age=age,
        resident=resident,
        came_via=came_via or None,
    )
    _full_clean(client)
    if ClinicClient.objects.filter(unit=unit, ref=ref).exists():
        raise FieldError(_("The reference %(ref)s is already in use.") % {"ref": ref}, "ref")
    client.save()
    _audit("records.clinic_client.created", by, client)
    if first_session:
        clinic_session_add(client=client, date=first_visit, by=by)
    return client


CLINIC_CLIENT_FIELDS = frozenset(
    {"ref", "first_visit", "concern", "gender", "age", "resident", "came_via"}
)


@transaction.atomic
def clinic_client_update(
    *, client: ClinicClient, by: User | None = None, **changes
) -> ClinicClient:
    """Correct a client's own values. The clinic's figures are read from the records
    themselves (statistics.engine), so a correction is in them at once."""
    client = ClinicClient.objects.select_for_update().get(pk=client.pk)
    _check_writer(by, client.unit)
    _only_own_values(changes, CLINIC_CLIENT_FIELDS, "client")
    before = _values(client)
    for field, value in changes.items():
        setattr(client, field, value)
    client.came_via = client.came_via or None
    _check_rules(rules.CLINIC_RULES, {"ref": client.ref})
    _not_in_future(client.first_visit, _("The first visit cannot be in the future."), "first_visit")
    first_session = client.sessions.order_by("date").values_list("date", flat=True).first()
    if first_session is not None and client.first_visit > first_session:
        raise FieldError(_("The first visit cannot come after the first session."), "first_visit")
    _full_clean(client)
    if ClinicClient.objects.filter(unit=client.unit, ref=client.ref).exclude(pk=client.pk).exists():
        raise FieldError(_("The reference %(ref)s is already in use.") % {"ref": client.ref}, "ref")
    client.save()
    _audit("records.clinic_client.changed", by, client, _changed(before, client))
    return client


@transaction.atomic
def clinic_client_delete(*, client: ClinicClient, by: User | None = None) -> None:
    """Delete a client registered by mistake, with its sessions."""
    client = ClinicClient.objects.select_for_update().get(pk=client.pk)
    _check_writer(by, client.unit)
    _audit("records.clinic_client.deleted", by, client)
    client.delete()


class SessionAlreadyRegistered(FieldError):
    """A client has one session a day at most."""


@transaction.atomic
def clinic_session_add(
    *, client: ClinicClient, date: datetime.date, by: User | None = None
) -> ClinicSession:
    _check_writer(by, client.unit)
    _not_in_future(date, _("A session cannot be in the future."), "date")
    if date < client.first_visit:
        raise FieldError(_("A session cannot come before the first visit."), "date")
    if client.closed_on is not None and date > client.closed_on:
        raise FieldError(_("The session series is closed; reopen it first."), "date")
    session, created = ClinicSession.objects.get_or_create(client=client, date=date)
    if not created:
        raise SessionAlreadyRegistered(
            _("A session on %(date)s is already registered for this client.")
            % {"date": date.isoformat()},
            "date",
        )
    _audit("records.clinic_session.created", by, client)
    return session


@transaction.atomic
def clinic_session_delete(*, session: ClinicSession, by: User | None = None) -> None:
    """Delete a session registered by mistake (a wrong date: delete it and register the right
    one). The audit entry points at the client, whose page shows its history."""
    session = ClinicSession.objects.select_for_update().select_related("client").get(pk=session.pk)
    client = session.client
    _check_writer(by, client.unit)
    if client.closed_on is not None and client.sessions.count() == 1:
        raise SamverkanError(_("A closed series keeps at least one session; reopen it first."))
    _audit("records.clinic_session.deleted", by, client)
    session.delete()


@transaction.atomic
def clinic_client_close(
    *, client: ClinicClient, closed_on: datetime.date, closure: str, by: User | None = None
) -> ClinicClient:
    """Close the series, or correct the date or reason of a closed one."""
    _check_writer(by, client.unit)
    _not_in_future(closed_on, _("A series cannot be closed in the future."), "closed_on")
    last_session = client.sessions.order_by("-date").values_list("date", flat=True).first()
    if last_session is not None and closed_on < last_session:
        raise FieldError(_("A series cannot close before its last session."), "closed_on")
    client.closed_on = closed_on
    client.closure = closure
    _full_clean(client)
    client.save(update_fields=["closed_on", "closure", "updated_at"])
    _audit("records.clinic_client.closed", by, client)
    return client


@transaction.atomic
def clinic_client_reopen(*, client: ClinicClient, by: User | None = None) -> ClinicClient:
    """Open a closed series again (closed by mistake, or the client came back)."""
    _check_writer(by, client.unit)
    client.closed_on = None
    client.closure = None
    client.save(update_fields=["closed_on", "closure", "updated_at"])
    _audit("records.clinic_client.reopened", by, client)
    return client


@transaction.atomic
def chat_conversations_bulk_create(conversations: list[ChatConversation]) -> None:
    """Save many unsaved, already valid conversations with their counts (demo, generators).

    The district and referred_to of each conversation must be set as objects (not ids) so their
    keys are at hand without a query per row.
    """
    ChatConversation.objects.bulk_create(conversations, batch_size=2000)
    counts = CountBuffer()
    for conversation in conversations:
        counts.add(
            conversation.unit_id,
            local_day(conversation.started_at),
            chat_conversation_facts(conversation),
        )
    counts.flush()


@transaction.atomic
def support_centre_cases_bulk_create(cases: list[SupportCentreCase]) -> None:
    """Save many unsaved, already valid support-centre cases with their counts."""
    SupportCentreCase.objects.bulk_create(cases, batch_size=2000)
    counts = CountBuffer()
    for case in cases:
        counts.add(case.unit_id, case.received_on, support_centre_case_facts(case))
    counts.flush()
