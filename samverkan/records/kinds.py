"""The kinds of record, each declared once: a chat conversation, a support-centre case and a
clinic's client (with the client's sessions).

A kind is named one way everywhere in the code (`chat`, `support`, `clinic`): its staff pages
and their URL names, its exports, the API's serializer and view set, the menu. What a partner
system sends or receives is a *file* of the kind, with the file's own name (`chat`,
`support-centre`, `clinic-clients`, `clinic-sessions`: `samverkan import`, the upload page and
its templates, as the partners' scripts name them) and its columns in order. Each column says
how a cell is read (`records.cells`), how a stored value is written back as a cell (so that an
export can be imported again and the API's batches go through the import) and where its value
lives on a record. A row is a mapping of column names to cells; only a file puts them in order.

Built from these declarations: the import's kinds of file (`records.imports.kinds`), the exports
(`records.exports`), the API's kinds (`api.kinds`), the staff pages and their lists
(`records.views`, `records.lists`), the upload page and its templates (`records.upload_views`)
and the menu (`samverkan.navigation`). Rules across fields are `records.rules`, named here.

To add a field: see CONTRIBUTING.md, "Add a field to a record".
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms as django_forms
from django.db.models import Model
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from samverkan.partnership.models import Unit
from samverkan.records import cells, lists, rules, selectors, services
from samverkan.records.filters import ChatFilterForm, ClinicFilterForm, SupportFilterForm
from samverkan.records.forms import ChatConversationForm, ClinicClientForm, SupportCentreCaseForm
from samverkan.records.models import (
    CameVia,
    ChatConcern,
    ChatConversation,
    ClinicClient,
    ClinicConcern,
    ClinicSession,
    Closure,
    Gender,
    Resident,
    ScreeningAnswer,
    SupportCategory,
    SupportCentreCase,
)

# --- How a stored value is written as a cell ---------------------------------------------------
# The cell is what the column's reader reads back: text, a number, a date or a date-time (a file
# writes dates as text, `cell_text`; the API's batches hand them to the import as they are).


def _plain(value: Any) -> Any:
    return value


def _blank(value: Any) -> Any:
    """An empty cell for no value."""
    return "" if value is None else value


def _key(value: Any) -> str:
    """A district or a service by its key."""
    return value.key if value is not None else ""


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _yes_no_blank(value: bool | None) -> str:
    return "" if value is None else _yes_no(value)


def _joined(values: Any) -> str:
    return ";".join(values)


def cell_text(value: Any) -> Any:
    """A cell as a file holds it: a date-time in Stockholm time to the second, a date in ISO."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Column:
    """One column of a file: its name (the row's key), its reader, where a record keeps its value
    (`source`, an attribute path; the API's validated input has the same key) and how that value
    is written as a cell."""

    name: str
    read: Callable[[Any], Any] | None
    """None for a key of the partnership's configuration (`keys`), bound for each import."""
    write: Callable[[Any], Any] = _blank
    source: str = ""
    keys: str = ""
    """"districts" or "services": read as a key or name among the partnership's."""
    optional: bool = False
    """Whether a file may leave it out: a column added after partners' files were written, last
    in the file (a file without it reads as if its cells were empty)."""
    repeats: bool = True
    """Whether the same cell comes back often (not a reference, not a moment): the import reads
    each distinct value once."""

    def value_of(self, record: Any) -> Any:
        value = record
        for part in (self.source or self.name).split("."):
            value = getattr(value, part)
        return value


def _columns(*columns: Column) -> tuple[Column, ...]:
    return columns


REF = Column("ref", cells.read_ref, repeats=False)
GENDER = Column("gender", cells.choice_reader(Gender.values, default="unknown"))
AGE = Column("age", cells.read_age)
RESIDENT = Column("resident", cells.choice_reader(Resident.values, default="unknown"))
REFERRED_TO = Column("referred_to", None, _key, keys="services")


@dataclass(frozen=True)
class File:
    """A file of a kind of record: what `samverkan import` reads and an export writes."""

    name: str
    """The file's name in the import (`samverkan import NAME FILE`) and on the upload page."""
    export: str
    """The export's name: the download's file name and the export form's choice."""
    columns: tuple[Column, ...]
    model: type[Model]
    records_for_user: Callable[..., Any]
    rules: tuple[rules.Rule, ...] = ()
    export_label: Promise | None = None
    """The export form's choice, where a page exports more than one file."""

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def required(self) -> int:
        """How many of the columns a file must have: all but the optional ones at the end."""
        width = len(self.columns)
        while width and self.columns[width - 1].optional:
            width -= 1
        return width

    def row(self, record: Any) -> dict[str, Any]:
        """A stored record as a row: its cells by column."""
        return {column.name: column.write(column.value_of(record)) for column in self.columns}

    def row_of(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Validated input (the API's) as a row; a field the input lacks is an empty cell."""
        return {
            column.name: column.write(values.get(column.source or column.name))
            for column in self.columns
        }

    def cells(self, row: Mapping[str, Any]) -> list[Any]:
        """A row's cells in the file's order."""
        return [row[column.name] for column in self.columns]

    def problems(self, row: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
        """The rules across columns a row breaks, as (column, reason) in the file's terms."""
        for rule in rules.broken(self.rules, row):
            yield rule.field, str(rule.file_message)


@dataclass(frozen=True)
class RecordKind:
    """A kind of record a unit of one kind keeps: its files, its staff pages and its API."""

    name: str
    unit_kind: str
    model: type[Model]
    files: tuple[File, ...]
    label: Promise
    """Plural, as the menu and the API say it."""
    url_prefix: str
    """The staff pages' address (Swedish)."""
    order_by: str
    records_for_user: Callable[..., Any]
    get_for_user: Callable[..., Any]
    create: Callable[..., Any]
    form: type[django_forms.Form]
    filters: type[django_forms.Form]
    list_values: tuple[str, ...]
    """The values of a list's rows, read in one query (`lists.ROWS[name]` makes the cells)."""
    created: Promise
    title_new: Promise
    title_edit: Promise
    title_delete: Promise
    deleted: Promise
    update: Callable[..., Any] | None = None
    delete: Callable[..., Any] | None = None
    initial: Callable[[Any], dict[str, Any]] | None = None
    """A stored record as its form's initial values."""
    create_extra: dict[str, Any] = field(default_factory=dict)
    """More arguments of `create` from the staff form."""

    @property
    def file(self) -> File:
        """The file of the records themselves (the clinic's sessions are a second file)."""
        return self.files[0]

    @property
    def templates(self) -> str:
        return f"records/{self.name}"

    def list_rows(self, records: Any, labels: Any, url: Callable[[int], str]) -> list[tuple]:
        return lists.ROWS[self.name](records, labels, url)


def _chat_initial(record: ChatConversation) -> dict[str, Any]:
    return {
        "started_at": timezone.localtime(record.started_at),
        "concern": record.concern,
        "resident": record.resident,
        "district": record.district_id,
        "gender": record.gender,
        "age": record.age,
        "violence": record.violence_forms,
        "referred_to": record.referred_to_id,
    }


def _support_initial(record: SupportCentreCase) -> dict[str, Any]:
    return {
        "received_on": record.received_on,
        "category": record.category,
        "gender": record.gender,
        "age": record.age,
        "screening": rules.screening_value(record.screened, record.screening_answer),
        "referred_to": record.referred_to_id,
        "told_of_support_to_stop": record.told_of_support_to_stop,
    }


def _clinic_initial(record: ClinicClient) -> dict[str, Any]:
    return {
        "ref": record.ref,
        "first_visit": record.first_visit,
        "concern": record.concern,
        "gender": record.gender,
        "age": record.age,
        "resident": record.resident,
        "came_via": record.came_via or "",
    }


CHAT = RecordKind(
    name="chat",
    unit_kind=Unit.Kind.CHAT,
    model=ChatConversation,
    files=(
        File(
            name="chat",
            model=ChatConversation,
            export="chat",
            columns=_columns(
                REF,
                Column("started_at", cells.read_datetime, _plain, repeats=False),
                RESIDENT,
                Column("district", None, _key, keys="districts"),
                GENDER,
                AGE,
                Column("concern", cells.choice_reader(ChatConcern.values, default=None)),
                Column("violence", cells.read_violence, _joined, source="violence_forms"),
                REFERRED_TO,
            ),
            records_for_user=selectors.chat_conversations_for_user,
        ),
    ),
    label=_("Chat conversations"),
    url_prefix="chattsamtal",
    order_by="-started_at",
    records_for_user=selectors.chat_conversations_for_user,
    get_for_user=selectors.get_chat_conversation_for_user,
    create=services.chat_conversation_create,
    update=lambda record, **values: services.chat_conversation_update(
        conversation=record, **values
    ),
    delete=lambda record, by: services.chat_conversation_delete(conversation=record, by=by),
    form=ChatConversationForm,
    filters=ChatFilterForm,
    list_values=("pk", "started_at", "concern", "gender", "age", "resident"),
    initial=_chat_initial,
    created=_("The conversation is registered."),
    title_new=_("Register a chat conversation"),
    title_edit=_("Change a chat conversation"),
    title_delete=_("Delete a chat conversation"),
    deleted=_("The conversation is deleted."),
)

SUPPORT = RecordKind(
    name="support",
    unit_kind=Unit.Kind.SUPPORT_CENTRE,
    model=SupportCentreCase,
    files=(
        File(
            name="support-centre",
            model=SupportCentreCase,
            export="support",
            columns=_columns(
                REF,
                Column("received_on", cells.read_required_date, _plain),
                GENDER,
                AGE,
                Column("category", cells.choice_reader(SupportCategory.values, default=None)),
                Column("screened", cells.read_yes_no, _yes_no),
                Column("screening_answer", cells.choice_reader(ScreeningAnswer.values, default="")),
                REFERRED_TO,
                Column(
                    "told_of_support_to_stop",
                    cells.read_optional_yes_no,
                    _yes_no_blank,
                    optional=True,
                ),
            ),
            records_for_user=selectors.support_centre_cases_for_user,
            rules=rules.SCREENING_RULES,
        ),
    ),
    label=_("Support-centre cases"),
    url_prefix="arenden",
    order_by="-received_on",
    records_for_user=selectors.support_centre_cases_for_user,
    get_for_user=selectors.get_support_centre_case_for_user,
    create=services.support_centre_case_create,
    update=lambda record, **values: services.support_centre_case_update(case=record, **values),
    delete=lambda record, by: services.support_centre_case_delete(case=record, by=by),
    form=SupportCentreCaseForm,
    filters=SupportFilterForm,
    list_values=("pk", "received_on", "category", "gender", "age", "screened", "screening_answer"),
    initial=_support_initial,
    created=_("The case is registered."),
    title_new=_("Register a support-centre case"),
    title_edit=_("Change a support-centre case"),
    title_delete=_("Delete a support-centre case"),
    deleted=_("The case is deleted."),
)

CLINIC = RecordKind(
    name="clinic",
    unit_kind=Unit.Kind.CLINIC,
    model=ClinicClient,
    files=(
        File(
            name="clinic-clients",
            model=ClinicClient,
            export="clinic",
            columns=_columns(
                REF,
                Column("first_visit", cells.read_required_date, _plain),
                GENDER,
                AGE,
                RESIDENT,
                Column("concern", cells.choice_reader(ClinicConcern.values, default=None)),
                Column("came_via", cells.choice_reader(CameVia.values, default="")),
                Column("closed_on", cells.read_optional_date),
                Column("closure", cells.choice_reader(Closure.values, default="")),
            ),
            records_for_user=selectors.clinic_clients_for_user,
            rules=rules.CLINIC_RULES,
            export_label=_("Clients (one row each)"),
        ),
        # A clinic's sessions are a file of their own: one row per session, its client named by
        # reference (imported after the clients). Its checks need the unit's clients
        # (`records.imports.kinds.ClinicSessionsKind`).
        File(
            name="clinic-sessions",
            model=ClinicSession,
            export="clinic_sessions",
            columns=_columns(
                Column("client_ref", cells.read_ref, source="client.ref", repeats=False),
                Column("date", cells.read_required_date, _plain),
            ),
            records_for_user=selectors.clinic_sessions_for_user,
            export_label=_("Sessions (one row each, after the clients when imported)"),
        ),
    ),
    label=_("Clients"),
    url_prefix="klienter",
    order_by="-first_visit",
    records_for_user=selectors.clinic_clients_for_user,
    get_for_user=selectors.get_clinic_client_for_user,
    create=services.clinic_client_create,
    update=lambda record, **values: services.clinic_client_update(client=record, **values),
    delete=lambda record, by: services.clinic_client_delete(client=record, by=by),
    form=ClinicClientForm,
    filters=ClinicFilterForm,
    list_values=("pk", "ref", "first_visit", "concern", "closed_on"),
    initial=_clinic_initial,
    # The staff form's first visit is the series' session 1.
    create_extra={"first_session": True},
    created=_("The client is registered."),
    title_new=_("Register a client"),
    title_edit=_("Change a client"),
    title_delete=_("Delete a client"),
    deleted=_("The client is deleted, with the sessions."),
)

KINDS: dict[str, RecordKind] = {kind.name: kind for kind in (CHAT, SUPPORT, CLINIC)}
FILES: dict[str, File] = {file.name: file for kind in KINDS.values() for file in kind.files}
EXPORTS: dict[str, File] = {file.export: file for file in FILES.values()}


def kind_of_unit(unit_kind: str | None) -> RecordKind | None:
    """The kind of record a unit of this kind keeps, if any."""
    return next((kind for kind in KINDS.values() if kind.unit_kind == unit_kind), None)
