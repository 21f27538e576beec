"""Exports of a unit's own records: the import's columns, no formulas, audited."""

import datetime
import io

import msoffcrypto
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


def test_formulas_are_neutralised_in_the_exported_files(client, small, volunteer):
    services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim", ref="=HYPERLINK(1)"
    )
    services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 2, 19), concern="victim", ref="@SUM(A1)"
    )
    text = b"".join(
        client.get(reverse("records:chat_export") + "?format=csv").streaming_content
    ).decode("utf-8-sig")
    assert "'=HYPERLINK(1)," in text and "'@SUM(A1)," in text
    response = client.get(reverse("records:chat_export") + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    refs = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert refs == ["'=HYPERLINK(1)", "'@SUM(A1)"]  # text cells, not formulas


PASSWORD = "korrekt häst batteri"


def test_an_export_with_a_password_is_an_encrypted_workbook_and_the_password_is_kept_nowhere(
    client, small, volunteer
):
    fill(small)
    response = client.post(reverse("records:chat_export"), {"format": "csv", "password": PASSWORD})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    assert response["Cache-Control"] == "no-store"
    encrypted = response.content
    assert encrypted.startswith(b"\xd0\xcf\x11\xe0")  # an encrypted Office file, not a ZIP
    with pytest.raises(Exception):  # noqa: B017, PT011 - openpyxl cannot read it without it
        load_workbook(io.BytesIO(encrypted))
    office_file = msoffcrypto.OfficeFile(io.BytesIO(encrypted))
    with pytest.raises(msoffcrypto.exceptions.InvalidKeyError):
        office_file.load_key(password="wrong password!")
        office_file.decrypt(io.BytesIO())
    office_file = msoffcrypto.OfficeFile(io.BytesIO(encrypted))
    office_file.load_key(password=PASSWORD)
    plain = io.BytesIO()
    office_file.decrypt(plain)
    rows = list(load_workbook(plain).active.iter_rows(values_only=True))
    assert list(rows[0]) == KINDS["chat"].columns and len(rows) == 3
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.user, entry.count) == ("records.exported_encrypted", volunteer, 2)
    # Nowhere in the database: not in the audit log, not in the session.
    from django.contrib.sessions.models import Session

    for row in [*AuditEntry.objects.values_list(), *Session.objects.values_list()]:
        assert PASSWORD not in str(row)


def test_a_short_export_password_is_refused_and_nothing_is_exported(client, small, volunteer):
    fill(small)
    response = client.post(reverse("records:chat_export"), {"format": "xlsx", "password": "short"})
    assert response.status_code == 302
    assert not AuditEntry.objects.filter(action__startswith="records.exported").exists()


def test_the_list_offers_the_export_by_post_with_an_optional_password(client, small, volunteer):
    fill(small)
    page = client.get(reverse("records:chat_list")).content.decode()
    assert f'<form class="export" method="post" action="{reverse("records:chat_export")}">' in page
    assert 'type="password" name="password"' in page
    assert "csrfmiddlewaretoken" in page


def test_the_clinic_exports_its_sessions_as_a_file_of_their_own(client, small):
    counsellor = User.objects.create(username="c", role=Role.COUNSELLOR, unit=small.clinic)
    mine = services.clinic_client_create(
        unit=small.clinic, ref="k-1", first_visit=datetime.date(2022, 1, 10), concern="victim"
    )
    services.clinic_session_add(client=mine, date=datetime.date(2022, 1, 10))
    services.clinic_session_add(client=mine, date=datetime.date(2022, 2, 7))
    other_clinic = Unit.objects.create(
        key="clinic-2", name="Other", kind=Unit.Kind.CLINIC, organisation=small.clinic.organisation
    )
    theirs = services.clinic_client_create(
        unit=other_clinic, ref="x-1", first_visit=datetime.date(2022, 1, 3), concern="victim"
    )
    services.clinic_session_add(client=theirs, date=datetime.date(2022, 1, 3))
    sign_in(client, counsellor)

    # The list's export form offers both files.
    page = client.get(reverse("records:clinic_list")).content.decode()
    assert 'name="what" value="clinic_sessions"' in page

    response = client.get(reverse("records:clinic_export"), {"what": "clinic_sessions"})
    assert response["Content-Disposition"].startswith('attachment; filename="clinic-sessions-')
    lines = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert lines == ["client_ref,date", "k-1,2022-01-10", "k-1,2022-02-07"]
    entry = AuditEntry.objects.get(action="records.exported")
    assert (entry.user, entry.count) == (counsellor, 2)

    # By POST, encrypted, as the other exports.
    response = client.post(
        reverse("records:clinic_export"),
        {"what": "clinic_sessions", "format": "csv", "password": "a long enough secret"},
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')


def test_an_export_the_page_does_not_offer_is_refused(client, small, volunteer):
    response = client.get(reverse("records:chat_export"), {"what": "clinic_sessions"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert not AuditEntry.objects.filter(action="records.exported").exists()
