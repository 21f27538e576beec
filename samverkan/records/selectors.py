"""Reads of records, scoped to the user's own unit in one place.

Each organisation's records are confidential to it: a user reads records of their own unit
only, and only in a role that works with records. A record that does not exist and one the
user may not read give the same NotFound, so an id reveals nothing. Every read of a single
record is audited here; lists and exports are audited where they are shown.
"""

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from samverkan.accounts.audit import log_action
from samverkan.accounts.models import Role, User
from samverkan.core.errors import NotFound
from samverkan.records.models import (
    ChatConversation,
    ClinicClient,
    ClinicSession,
    SupportCentreCase,
)

RECORD_ROLES = frozenset(
    {Role.VOLUNTEER, Role.COUNSELLOR, Role.SUPPORT_CENTRE_OFFICER, Role.UNIT_MANAGER}
)


def can_work_with_records(user: User) -> bool:
    return bool(
        user.is_authenticated and user.is_active and user.role in RECORD_ROLES and user.unit_id
    )


def _scoped(model: type[Model], user: User) -> QuerySet:
    if not can_work_with_records(user):
        return model.objects.none()
    return model.objects.filter(unit_id=user.unit_id)


def chat_conversations_for_user(user: User) -> QuerySet[ChatConversation]:
    return _scoped(ChatConversation, user).select_related("district", "referred_to")


def clinic_clients_for_user(user: User) -> QuerySet[ClinicClient]:
    return _scoped(ClinicClient, user).prefetch_related("sessions")


def clinic_sessions_for_user(user: User) -> QuerySet[ClinicSession]:
    """The sessions of the user's unit's clinic clients (for their export)."""
    return ClinicSession.objects.filter(client__in=_scoped(ClinicClient, user)).select_related(
        "client"
    )


def support_centre_cases_for_user(user: User) -> QuerySet[SupportCentreCase]:
    return _scoped(SupportCentreCase, user).select_related("referred_to")


def _get(queryset: QuerySet, record_id: object, user: User, action: str) -> Model:
    try:
        record = queryset.get(pk=int(str(record_id)))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("There is no such record.")) from None
    log_action(action, user=user, target=record)
    return record


def get_chat_conversation_for_user(user: User, conversation_id: object) -> ChatConversation:
    return _get(
        chat_conversations_for_user(user),
        conversation_id,
        user,
        "records.chat_conversation.viewed",
    )


def get_clinic_client_for_user(user: User, client_id: object) -> ClinicClient:
    return _get(clinic_clients_for_user(user), client_id, user, "records.clinic_client.viewed")


def get_support_centre_case_for_user(user: User, case_id: object) -> SupportCentreCase:
    return _get(
        support_centre_cases_for_user(user), case_id, user, "records.support_centre_case.viewed"
    )
