"""The web import: a preview with every bad row before anything is saved, all or nothing on
confirmation, templates; and the round trip export -> import into an empty database -> export."""

import datetime
import io

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from samverkan.accounts.models import AuditEntry, Role, User
from samverkan.conftest import local, sign_in
from samverkan.records import services
from samverkan.records.imports import KINDS
from samverkan.records.models import (
    ChatConversation,
    ClinicClient,
    ClinicSession,
    SupportCentreCase,
)
from samverkan.statistics.engine import statistics_compute
from samverkan.statistics.models import DailyCount, MonthlyCount

pytestmark = pytest.mark.django_db

HEADER = ",".join(KINDS["chat"].columns)


@pytest.fixture
def volunteer(client, small):
    cache.clear()
    user = User.objects.create(username="v", role=Role.VOLUNTEER, unit=small.chat)
    sign_in(client, user)
    return user


def upload(client, kind, name, content, what=None):
    return client.post(
        reverse(f"records:{kind}_import"),
        {
            "what": what
            or {"chat": "chat", "support": "support-centre", "clinic": "clinic-clients"}[kind],
            "file": SimpleUploadedFile(name, content),
        },
    )


def confirm(client, kind, response):
    form = response.context["confirm"]
    return client.post(
        reverse(f"records:{kind}_import_confirm"),
        {name: form.initial[name] for name in ("what", "sha256", "key")},
    )


def test_the_preview_lists_every_bad_row_and_saves_nothing(client, small, volunteer):
    content = (
        f"{HEADER}\n"
        "a-1,2022-03-01 19:00,yes,north,girl,15,victim,,\n"
        "a-2,2022-03-01 19:00,maybe,north,girl,150,victim,,\n"
        "a-3,2099-03-01 19:00,yes,atlantis,girl,15,victim,,\n"
    ).encode()
    response = upload(client, "chat", "chats.csv", content)
    assert response.status_code == 400
    errors = [(e.line, e.column) for e in response.context["preview"].errors]
    assert errors == [(3, "resident"), (3, "age"), (4, "started_at"), (4, "district")]
    page = response.content.decode()
    assert "atlantis" in page and response.context["confirm"] is None
    assert ChatConversation.objects.count() == 0 and DailyCount.objects.count() == 0


def test_preview_then_confirm_imports_all(client, small, volunteer):
    content = f"{HEADER}\na-1,2022-03-01 19:00,yes,north,girl,15,victim,digital,clinic\na-2,2022-03-02 10:00,no,,boy,,friend,,\n".encode()
    preview = upload(client, "chat", "chats.csv", content)
    assert preview.status_code == 200
    result = preview.context["preview"].result
    assert (result.rows_read, result.rows_added) == (2, 2)
    assert ChatConversation.objects.count() == 0  # a preview keeps nothing
    done = confirm(client, "chat", preview)
    assert done.status_code == 302 and ChatConversation.objects.count() == 2
    entry = AuditEntry.objects.get(action="records.imported")
    assert (entry.user, entry.count) == (volunteer, 2)
    # The kept file is gone after use: confirming again asks for the file again.
    again = confirm(client, "chat", preview)
    assert again.status_code == 302 and ChatConversation.objects.count() == 2


def test_a_wrong_key_opens_nothing(client, small, volunteer):
    preview = upload(
        client,
        "chat",
        "c.csv",
        f"{HEADER}\na-1,2022-03-01 19:00,yes,north,girl,15,victim,,\n".encode(),
    )
    form = preview.context["confirm"].initial
    response = client.post(reverse("records:chat_import_confirm"), {**form, "key": "A" * 43 + "="})
    assert response.status_code == 302 and ChatConversation.objects.count() == 0


def test_confirm_is_all_or_nothing_if_the_data_changed_meanwhile(client, small, volunteer):
    preview = upload(
        client,
        "chat",
        "c.csv",
        f"{HEADER}\na-1,2022-03-01 19:00,yes,north,girl,15,victim,,\n".encode(),
    )
    small.district.delete()  # the district the file names is gone before the confirmation
    response = confirm(client, "chat", preview)
    assert response.status_code == 400 and ChatConversation.objects.count() == 0
    assert response.context["failed"][0].column == "district"


def test_templates_have_the_import_header(client, small, volunteer):
    csv_template = client.get(reverse("records:chat_import_template"))
    assert csv_template.content.decode("utf-8-sig").strip() == HEADER
    xlsx = client.get(reverse("records:chat_import_template"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [cell.value for cell in next(sheet.iter_rows())] == KINDS["chat"].columns
    assert (
        client.get(reverse("records:chat_import_template"), {"what": "support-centre"}).status_code
        == 404
    )


def _fill(small):
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
        unit=small.chat, started_at=local(2022, 3, 2, 23, 59), concern="friend"
    )
    services.support_centre_case_create(
        unit=small.support_centre,
        received_on=datetime.date(2022, 4, 1),
        category="victim",
        gender="girl",
        age=19,
        screened=True,
        screening_answer="both",
        referred_to=small.rvc_service,
        ref="s-1",
    )
    services.support_centre_case_create(
        unit=small.support_centre, received_on=datetime.date(2022, 4, 2), category="witness"
    )
    client_record = services.clinic_client_create(
        unit=small.clinic,
        ref="k-1",
        first_visit=datetime.date(2022, 1, 10),
        concern="victim",
        gender="other",
        age=22,
        resident="yes",
        came_via="chat",
    )
    for day in (datetime.date(2022, 1, 10), datetime.date(2022, 2, 14), datetime.date(2022, 4, 4)):
        services.clinic_session_add(client=client_record, date=day)
    services.clinic_client_close(
        client=client_record, closed_on=datetime.date(2022, 5, 1), closure="ended-early"
    )
    second = services.clinic_client_create(
        unit=small.clinic, ref="k-2", first_visit=datetime.date(2022, 2, 1), concern="perpetrator"
    )
    services.clinic_session_add(client=second, date=datetime.date(2022, 2, 1))


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_round_trip_export_import_into_an_empty_database_export(client, small, export_format):
    """Each kind's export, imported through the web page into a database without records or
    counts, exports again byte for byte the same, and the figures are the same."""
    cache.clear()
    _fill(small)
    staff = {
        "chat": User.objects.create(username="v", role=Role.VOLUNTEER, unit=small.chat),
        "support": User.objects.create(
            username="o", role=Role.SUPPORT_CENTRE_OFFICER, unit=small.support_centre
        ),
        "clinic": User.objects.create(username="c", role=Role.COUNSELLOR, unit=small.clinic),
    }
    period = {
        "partnership": small.partnership,
        "date_from": datetime.date(2022, 1, 1),
        "date_to": datetime.date(2022, 12, 31),
        "disclosure": "internal",
    }
    figures_before = statistics_compute(**period)

    # (page, what is exported, the import kind that reads it back), clients before sessions
    files = [
        ("chat", "chat", "chat"),
        ("support", "support", "support-centre"),
        ("clinic", "clinic", "clinic-clients"),
        ("clinic", "clinic_sessions", "clinic-sessions"),
    ]

    def export(kind, what, file_format):
        sign_in(client, staff[kind])
        response = client.get(
            reverse(f"records:{kind}_export"), {"format": file_format, "what": what}
        )
        assert response.status_code == 200
        return b"".join(response.streaming_content) if response.streaming else response.content

    exported = {what: export(kind, what, export_format) for kind, what, _ in files}
    first_csv = {what: export(kind, what, "csv") for kind, what, _ in files}
    assert first_csv["clinic_sessions"].decode("utf-8-sig").splitlines()[1:] == [
        "k-1,2022-01-10",
        "k-1,2022-02-14",
        "k-1,2022-04-04",
        "k-2,2022-02-01",
    ]
    ClinicSession.objects.all().delete()
    for model in (ChatConversation, SupportCentreCase, ClinicClient, DailyCount, MonthlyCount):
        model.objects.all().delete()

    for kind, what, import_kind in files:
        sign_in(client, staff[kind])
        preview = upload(client, kind, f"export.{export_format}", exported[what], what=import_kind)
        assert preview.status_code == 200, preview.context["preview"].errors
        assert confirm(client, kind, preview).status_code == 302
    assert {what: export(kind, what, "csv") for kind, what, _ in files} == first_csv
    assert ClinicSession.objects.count() == 4
    assert statistics_compute(**period) == figures_before
