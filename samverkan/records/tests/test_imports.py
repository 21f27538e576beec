"""Import: all or nothing, every bad row reported by line and column, idempotent by ref."""

import datetime
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import Workbook

from samverkan.records.imports import ImportFailed, records_import
from samverkan.records.models import (
    ChatConversation,
    ClinicClient,
    ClinicSession,
    ImportBatch,
    SupportCentreCase,
)
from samverkan.statistics.counters import counts_from_records, stored_counts
from samverkan.statistics.models import DailyCount

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English here; the Swedish default is tested at the end."""
    with translation.override("en"):
        yield


CHAT_HEADER = "ref,started_at,resident,district,gender,age,concern,violence,referred_to"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_chat_csv_imports_with_local_times_and_counts(small, tmp_path):
    path = write(
        tmp_path,
        "chat.csv",
        f"{CHAT_HEADER}\n"
        "c1,2022-01-31 23:30,yes,north,girl,16,victim,physical;digital,clinic\n"
        "c2,2022-01-31T23:30:00+00:00,no,,boy,,perpetrator,,\n"
        ",2022-02-02 10:00,,,,,friend,,\n",
    )
    result = records_import(kind="chat", path=path)
    assert (result.rows_read, result.rows_added, result.unit) == (3, 3, small.chat)
    first = ChatConversation.objects.get(ref="c1")
    assert first.started_at == datetime.datetime(2022, 1, 31, 22, 30, tzinfo=datetime.UTC)
    assert first.violence_forms == ["physical", "digital"]
    assert first.referred_to == small.clinic_service and first.district == small.district
    # 23:30 UTC on 31 January is 00:30 on 1 February in Stockholm.
    assert DailyCount.objects.get(metric="chat.by_concern.perpetrator").day == datetime.date(
        2022, 2, 1
    )
    third = ChatConversation.objects.get(concern="friend")
    assert (third.ref, third.resident, third.gender, third.age) == (
        None,
        "unknown",
        "unknown",
        None,
    )
    assert dict(stored_counts([small.chat.id])) == counts_from_records([small.chat.id])


def test_importing_the_same_file_twice_adds_nothing(small, tmp_path):
    path = write(
        tmp_path, "chat.csv", f"{CHAT_HEADER}\nc1,2022-01-03 18:45,yes,,girl,16,victim,,\n"
    )
    records_import(kind="chat", path=path)
    again = records_import(kind="chat", path=path)
    assert (again.rows_read, again.rows_added, again.rows_skipped) == (1, 0, 1)
    assert ChatConversation.objects.count() == 1
    assert DailyCount.objects.get(metric="chat.by_concern.victim").n == 1


def test_a_bad_row_imports_nothing_and_every_bad_row_is_reported(small, tmp_path):
    path = write(
        tmp_path,
        "chat.csv",
        f"{CHAT_HEADER}\n"
        "c1,2022-01-03 18:45,yes,,girl,16,victim,,\n"
        'c2,2022-13-03 18:45,maybe,"south\nside",girl,x,,laser,nowhere\n'
        "c3,2022-01-03 18:45,yes,,girl,16,victim,,\n"
        "c4,2022-01-03 18:45,yes\n"
        "c1,2022-01-04 18:45,yes,,girl,16,victim,,\n",
    )
    with pytest.raises(ImportFailed) as raised:
        records_import(kind="chat", path=path)
    assert [str(error) for error in raised.value.errors] == [
        "line 3, column started_at: '2022-13-03 18:45' is not a date and time (YYYY-MM-DD HH:MM)",
        "line 3, column resident: 'maybe' is not one of yes, no, unknown",
        "line 3, column district: 'south\\nside' is not a district of the partnership (known: north)",
        "line 3, column age: 'x' is not a whole number of years",
        "line 3, column concern: a value is required: one of victim, perpetrator, friend, other",
        "line 3, column violence: 'laser' is not a form of violence: use physical, psychological, "
        "sexual, digital, economic, other, separated by ;",
        "line 3, column referred_to: 'nowhere' is not a service of the partnership (known: clinic, rvc)",
        # The quoted field spans two lines: the next record starts on line 5.
        "line 6, column -: expected 9 values, found 3",
        "line 7, column ref: the reference appears earlier in the same file",
    ]
    assert ChatConversation.objects.count() == 0
    assert DailyCount.objects.count() == 0
    assert ImportBatch.objects.count() == 0


def test_header_must_match(small, tmp_path):
    path = write(tmp_path, "chat.csv", "ref,when\nc1,2022-01-01\n")
    with pytest.raises(ImportFailed) as raised:
        records_import(kind="chat", path=path)
    assert str(raised.value.errors[0]).startswith(
        "line 1, column -: the header must be exactly: ref,"
    )


def test_invalid_utf8_is_reported_where_it_is(small, tmp_path):
    path = tmp_path / "chat.csv"
    path.write_bytes(
        f"{CHAT_HEADER}\nc1,2022-01-03 18:45,yes,,girl,16,victim,,\n".encode()
        + b"c\xff2,2022-01-03 18:45,yes,,girl,16,victim,,\n"
    )
    with pytest.raises(ImportFailed) as raised:
        records_import(kind="chat", path=path)
    assert [str(e) for e in raised.value.errors] == ["line 3, column ref: not valid UTF-8 text"]


def test_future_and_ancient_dates_are_refused(small, tmp_path):
    path = write(
        tmp_path,
        "chat.csv",
        f"{CHAT_HEADER}\nc1,2999-01-03 18:45,yes,,girl,16,victim,,\nc2,1999-12-31 10:00,yes,,girl,16,victim,,\n",
    )
    with pytest.raises(ImportFailed) as raised:
        records_import(kind="chat", path=path)
    assert [e.column for e in raised.value.errors] == ["started_at", "started_at"]


def test_support_centre_xlsx(small, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            "ref",
            "received_on",
            "gender",
            "age",
            "category",
            "screened",
            "screening_answer",
            "referred_to",
        ]
    )
    sheet.append(["s1", datetime.date(2022, 3, 1), "girl", 14, "victim", "yes", "victim", "clinic"])
    sheet.append(["s2", "2022-03-02", "boy", 15.0, "suspect-interrogation", "no", None, None])
    sheet.append([None] * 8)  # blank rows, as spreadsheets have, are skipped
    path = tmp_path / "support.xlsx"
    workbook.save(path)
    result = records_import(kind="support-centre", path=path)
    assert result.rows_added == 2
    case = SupportCentreCase.objects.get(ref="s1")
    assert (case.received_on, case.age, case.screening_answer) == (
        datetime.date(2022, 3, 1),
        14,
        "victim",
    )
    assert SupportCentreCase.objects.get(ref="s2").age == 15


def test_support_centre_answer_needs_the_question(small, tmp_path):
    path = write(
        tmp_path,
        "sc.csv",
        "ref,received_on,gender,age,category,screened,screening_answer,referred_to\n"
        "s1,2022-03-01,girl,14,victim,no,victim,\n",
    )
    with pytest.raises(ImportFailed) as raised:
        records_import(kind="support-centre", path=path)
    assert raised.value.errors[0].column == "screening_answer"


def test_clinic_clients_and_sessions(small, tmp_path):
    clients = write(
        tmp_path,
        "clients.csv",
        "ref,first_visit,gender,age,resident,concern,came_via,closed_on,closure\n"
        "SM-1,2022-01-10,girl,17,yes,victim,chat,,\n"
        "SM-2,2022-01-12,boy,16,yes,perpetrator,support-centre,2022-03-01,completed\n",
    )
    assert records_import(kind="clinic-clients", path=clients).rows_added == 2
    sessions = write(
        tmp_path,
        "sessions.csv",
        "client_ref,date\nSM-1,2022-01-10\nSM-1,2022-01-17\nSM-2,2022-01-12\nSM-1,2022-01-17\n",
    )
    assert records_import(kind="clinic-sessions", path=sessions).rows_added == 3
    assert records_import(kind="clinic-sessions", path=sessions).rows_added == 0
    assert ClinicSession.objects.count() == 3

    bad = write(
        tmp_path,
        "bad.csv",
        "client_ref,date\nSM-9,2022-01-10\nSM-1,2022-01-01\nSM-2,2022-04-01\n",
    )
    with pytest.raises(ImportFailed) as raised:
        records_import(kind="clinic-sessions", path=bad)
    assert [(e.line, e.column) for e in raised.value.errors] == [
        (2, "client_ref"),
        (3, "date"),
        (4, "date"),
    ]


def test_clinic_client_closure_needs_date_and_reason(small, tmp_path):
    path = write(
        tmp_path,
        "clients.csv",
        "ref,first_visit,gender,age,resident,concern,came_via,closed_on,closure\n"
        "SM-1,2022-01-10,girl,17,yes,victim,chat,2022-02-01,\n"
        "SM-2,2022-01-10,girl,17,yes,victim,chat,,completed\n"
        "SM-3,2022-01-10,girl,17,yes,victim,chat,2022-01-01,completed\n"
        ",2022-01-10,girl,17,yes,victim,chat,,\n",
    )
    with pytest.raises(ImportFailed) as raised:
        records_import(kind="clinic-clients", path=path)
    assert [(e.line, e.column) for e in raised.value.errors] == [
        (2, "closure"),
        (3, "closed_on"),
        (4, "closed_on"),
        (5, "ref"),
    ]
    assert ClinicClient.objects.count() == 0


def test_the_unit_must_be_chosen_when_several_could_take_the_file(small, tmp_path):
    from samverkan.partnership.models import Unit

    second = Unit.objects.create(
        key="chat2", name="Second chat", kind=Unit.Kind.CHAT, organisation=small.chat.organisation
    )
    small.partnership.units.add(second)
    path = write(
        tmp_path, "chat.csv", f"{CHAT_HEADER}\nc1,2022-01-03 18:45,yes,,girl,16,victim,,\n"
    )
    with pytest.raises(CommandError, match="--unit: chat, chat2"):
        call_command("import", "chat", str(path))
    call_command("import", "chat", str(path), "--unit", "chat2")
    assert ChatConversation.objects.get().unit == second
    with pytest.raises(CommandError, match="support"):
        call_command("import", "chat", str(path), "--unit", "support")


def test_command_prints_every_bad_row_and_exits_non_zero_without_traceback(tmp_path):
    """The real console script, in its own process with its own database, speaking Swedish."""
    env_dir = tmp_path / "var"
    path = write(
        tmp_path, "chat.csv", f"{CHAT_HEADER}\nc1,2022-01-03 18:45,yes,,girl,sixteen,victim,,\n"
    )
    env = {"SAMVERKAN_VAR_DIR": str(env_dir), "PATH": "/usr/bin:/bin"}
    run = [sys.executable, "-m", "samverkan"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [
            *run,
            "shell",
            "-c",
            "from samverkan.demo.partnership import demo_partnership_create; demo_partnership_create()",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    done = subprocess.run(
        [*run, "import", "chat", str(path)], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "line 2, column age: 'sixteen' är inte ett helt antal år" in done.stderr
    assert "ingenting importerades" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


@pytest.mark.parametrize(
    "written", ["Södermalm", "SÖDERMALM", "sodermalm", "Sodermalm", "södermalm"]
)
def test_a_district_is_read_by_its_key_or_its_name_in_any_case_with_or_without_diacritics(
    small, tmp_path, written
):
    from samverkan.partnership.models import District

    sodermalm = District.objects.create(
        partnership=small.partnership, key="sodermalm", name="Södermalm"
    )
    path = write(
        tmp_path,
        "chat.csv",
        f"{CHAT_HEADER}\nc1,2022-01-03 18:45,yes,{written},girl,16,victim,,Clinic\n"
        f"c2,2022-01-03 19:45,yes,  {written} ,girl,16,victim,,CLINIC\n",
    )
    records_import(kind="chat", path=path)
    assert (
        list(ChatConversation.objects.values_list("district_id", flat=True)) == [sodermalm.id] * 2
    )
    assert set(ChatConversation.objects.values_list("referred_to__key", flat=True)) == {"clinic"}


def test_an_unknown_district_name_is_refused_with_the_known_ones_listed(small, tmp_path):
    from samverkan.partnership.models import District

    District.objects.create(partnership=small.partnership, key="sodermalm", name="Södermalm")
    District.objects.create(partnership=small.partnership, key="kungsholmen", name="Kungsholmen")
    path = write(
        tmp_path, "chat.csv", f"{CHAT_HEADER}\nc1,2022-01-03 18:45,yes,Söder,girl,16,victim,,\n"
    )
    with pytest.raises(ImportFailed) as raised:
        records_import(kind="chat", path=path)
    assert [str(error) for error in raised.value.errors] == [
        "line 2, column district: 'Söder' is not a district of the partnership "
        "(known: kungsholmen, north, sodermalm)"
    ]


def test_two_names_alike_without_diacritics_are_each_named_exactly(small, tmp_path):
    from samverkan.partnership.models import District

    vast = District.objects.create(partnership=small.partnership, key="vast", name="Väst")
    vast_b = District.objects.create(partnership=small.partnership, key="vast-b", name="Vast")
    path = write(
        tmp_path,
        "chat.csv",
        f"{CHAT_HEADER}\nc1,2022-01-03 18:45,yes,väst,girl,16,victim,,\n"
        "c2,2022-01-03 18:46,yes,Vast,girl,16,victim,,\n"
        "c3,2022-01-03 18:47,yes,VAST-B,girl,16,victim,,\n",
    )
    records_import(kind="chat", path=path)
    by_ref = dict(ChatConversation.objects.values_list("ref", "district_id"))
    # "Vast" is the key of Väst before it is the name of the other: the key wins.
    assert by_ref == {"c1": vast.id, "c2": vast.id, "c3": vast_b.id}
