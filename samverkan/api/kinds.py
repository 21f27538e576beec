"""The kinds of record the API serves, from their declarations (`records.kinds`): per kind its
serializer, and validated input as a row of the kind's file (batches go through the import)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model

from samverkan.api import serializers as api
from samverkan.records.kinds import KINDS as RECORD_KINDS
from samverkan.records.kinds import RecordKind


@dataclass(frozen=True)
class Kind:
    """One kind of record as the API serves it."""

    record: RecordKind
    serializer: type[api.RecordSerializer]
    label: str
    """In English, as the API's schema and messages say it."""
    changeable: bool = True

    @property
    def unit_kind(self) -> str:
        return self.record.unit_kind

    @property
    def model(self) -> type[Model]:
        return self.record.model

    @property
    def records_for_user(self) -> Callable[..., Any]:
        return self.record.records_for_user

    @property
    def get_for_user(self) -> Callable[..., Model]:
        return self.record.get_for_user

    @property
    def create(self) -> Callable[..., Model]:
        return self.record.create

    @property
    def update(self) -> Callable[..., Model] | None:
        return self.record.update if self.changeable else None

    @property
    def order_by(self) -> str:
        return self.record.order_by

    @property
    def import_kind(self) -> str:
        return self.record.file.name

    def row(self, data: dict[str, Any]) -> list[Any]:
        """Validated input as the cells of a row of the kind's file."""
        file = self.record.file
        return file.cells(file.row_of(data))

    def arguments(self, data: dict[str, Any]) -> dict[str, Any]:
        """Validated input as the service's keyword arguments."""
        values = dict(data)
        if "violence_forms" in values:
            values["violence"] = values.pop("violence_forms")
        return values


KINDS = {
    "chat": Kind(RECORD_KINDS["chat"], api.ChatConversationSerializer, label="chat conversations"),
    "support": Kind(
        RECORD_KINDS["support"], api.SupportCentreCaseSerializer, label="support-centre cases"
    ),
    # A clinic client changes through its own operations (close, sessions), not PUT or PATCH.
    "clinic": Kind(
        RECORD_KINDS["clinic"], api.ClinicClientSerializer, label="clinic clients", changeable=False
    ),
}
