"""The kinds of record the API serves: per kind its model, serializer, selectors and services, and
how validated input becomes a row of the import's columns (batches go through the import)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from samverkan.api import serializers as api
from samverkan.partnership.models import Unit
from samverkan.records import selectors, services
from samverkan.records.models import ChatConversation, ClinicClient, SupportCentreCase


@dataclass(frozen=True)
class Kind:
    """One kind of record as the API serves it."""

    unit_kind: str
    label: str
    model: type[Model]
    serializer: type[api.RecordSerializer]
    records_for_user: Callable[..., Any]
    get_for_user: Callable[..., Model]
    create: Callable[..., Model]
    order_by: str
    import_kind: str
    row: Callable[[dict[str, Any]], list[Any]]
    """Validated input as a row of the import's columns (batches go through the import)."""
    update: Callable[..., Model] | None = None

    def arguments(self, data: dict[str, Any]) -> dict[str, Any]:
        """Validated input as the service's keyword arguments."""
        values = dict(data)
        if "violence_forms" in values:
            values["violence"] = values.pop("violence_forms")
        return values


def _key(value: Any) -> str:
    return value.key if value is not None else ""


def _blank(value: Any) -> Any:
    return "" if value is None else value


def _chat_row(data: dict[str, Any]) -> list[Any]:
    return [
        data["ref"],
        data["started_at"],
        data["resident"],
        _key(data["district"]),
        data["gender"],
        _blank(data["age"]),
        data["concern"],
        ";".join(data["violence_forms"]),
        _key(data["referred_to"]),
    ]


def _support_row(data: dict[str, Any]) -> list[Any]:
    return [
        data["ref"],
        data["received_on"],
        data["gender"],
        _blank(data["age"]),
        data["category"],
        "yes" if data["screened"] else "no",
        _blank(data["screening_answer"]),
        _key(data["referred_to"]),
    ]


def _clinic_row(data: dict[str, Any]) -> list[Any]:
    return [
        data["ref"],
        data["first_visit"],
        data["gender"],
        _blank(data["age"]),
        data["resident"],
        data["concern"],
        _blank(data["came_via"]),
        "",
        "",
    ]


KINDS = {
    "chat": Kind(
        unit_kind=Unit.Kind.CHAT,
        label="chat conversations",
        model=ChatConversation,
        serializer=api.ChatConversationSerializer,
        records_for_user=selectors.chat_conversations_for_user,
        get_for_user=selectors.get_chat_conversation_for_user,
        create=services.chat_conversation_create,
        update=lambda record, **changes: services.chat_conversation_update(
            conversation=record, **changes
        ),
        order_by="-started_at",
        import_kind="chat",
        row=_chat_row,
    ),
    "support": Kind(
        unit_kind=Unit.Kind.SUPPORT_CENTRE,
        label="support-centre cases",
        model=SupportCentreCase,
        serializer=api.SupportCentreCaseSerializer,
        records_for_user=selectors.support_centre_cases_for_user,
        get_for_user=selectors.get_support_centre_case_for_user,
        create=services.support_centre_case_create,
        update=lambda record, **changes: services.support_centre_case_update(
            case=record, **changes
        ),
        order_by="-received_on",
        import_kind="support-centre",
        row=_support_row,
    ),
    "clinic": Kind(
        unit_kind=Unit.Kind.CLINIC,
        label="clinic clients",
        model=ClinicClient,
        serializer=api.ClinicClientSerializer,
        records_for_user=selectors.clinic_clients_for_user,
        get_for_user=selectors.get_clinic_client_for_user,
        create=services.clinic_client_create,
        order_by="-first_visit",
        import_kind="clinic-clients",
        row=_clinic_row,
    ),
}
