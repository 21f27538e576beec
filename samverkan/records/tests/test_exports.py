"""Exports of a unit's own records: the import's columns, no formulas, audited."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from samverkan.accounts.models import AuditEntry, Role, User
from samverkan.conftest import local, sign_in
from samverkan.partnership.models import Unit
from samverkan.records import services
from samverkan.records.exports import neutralise
from samverkan.records.imports import KINDS, records_import
from samverkan.records.models import ChatConversation

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(client, small):
    user = User.objects.create_user("v", password="x" * 16, role=Role.VOLUNTEER, unit=small.chat)
    sign_in(client, user)
    return user


def fill(small):
    services.chat_conversation_create(
        unit=small.chat,
        started_at=local(2022, 3, 1, 19, 30),
        concern="perpetrator",
        resident="yes",
        gender="boy",
        age=17,
        violence=["physical", "digital"],
        district=small.district,
        referred_to=small.clinic_service,
        ref="c-1",
    )
    services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 2, 20), concern="friend"
    )
    other = Unit.objects.create(
        key="chat-2", name="Other", kind=Unit.Kind.CHAT, organisation=small.chat.organisation
    )
    services.chat_conversation_create(unit=other, started_at=local(2022, 3, 3, 20), concern="other")


def test_csv_export_has_the_import_columns_and_only_the_units_records(client, small, volunteer):
    fill(small)
    response = client.get(reverse("records:chat_export") + "?format=csv")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="chat-')
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == ",".join(KINDS["chat"].columns)
    assert (
        lines[1] == "c-1,2022-03-01 19:30:00,yes,north,boy,17,perpetrator,physical;digital,clinic"
    )
    assert len(lines) == 3  # the other unit's conversation is not there
    entry = AuditEntry.objects.get(action="records.exported")
    assert (entry.user, entry.count) == (volunteer, 2)


def test_an_export_reads_back_through_the_import(client, small, volunteer, tmp_path):
    fill(small)
    text = b"".join(client.get(reverse("records:chat_export")).streaming_content)
    path = tmp_path / "export.csv"
    path.write_bytes(text)
    ChatConversation.objects.filter(unit=small.chat, ref__isnull=True).delete()
    result = records_import(kind="chat", path=path, unit_key="chat")
    # c-1 is there already (skipped by its ref); the one without a ref is added again.
    assert (result.rows_read, result.rows_added) == (2, 1)


def test_xlsx_export(client, small, volunteer):
    fill(small)
    response = client.get(reverse("records:chat_export") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == KINDS["chat"].columns
    assert rows[1][0] == "c-1" and rows[1][5] == 17
    assert len(rows) == 3


@pytest.mark.parametrize("value", ["=1+1", "+A1", "-2", "@SUM(A1)", "\tx", "\rx"])
def test_no_cell_can_run_as_a_formula(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["girl", "c-1", 17, "", None])
def test_ordinary_values_are_left_alone(value):
    assert neutralise(value) == value
