"""Issue 16, the clinic, the support centre and all forms: each defect a new user saw, as its
own test named after what they saw."""

import datetime
import re

import pytest
from django import forms
from django.urls import reverse
from django.utils import timezone, translation

from samverkan.accounts.models import AuditEntry, Role, User
from samverkan.conftest import sign_in
from samverkan.partnership.models import Service
from samverkan.records import glossary, services
from samverkan.records.forms import ChatConversationForm, ClinicClientForm
from samverkan.records.models import ClinicClient, ClinicSession, SupportCentreCase
from samverkan.statistics.models import DailyCount

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def counsellor(client, small):
    user = User.objects.create_user(
        "psykolog", password="x" * 16, role=Role.COUNSELLOR, unit=small.clinic
    )
    sign_in(client, user)
    return user


@pytest.fixture
def officer(client, small):
    user = User.objects.create_user(
        "stodcentrum",
        password="x" * 16,
        role=Role.SUPPORT_CENTRE_OFFICER,
        unit=small.support_centre,
    )
    sign_in(client, user)
    return user


def _client_data(**changes) -> dict:
    data = {
        "ref": "SM-2022-001",
        "first_visit": "2022-01-10",
        "concern": "victim",
        "gender": "girl",
        "age": "17",
        "resident": "yes",
        "came_via": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def patient(client, counsellor) -> ClinicClient:
    client.post(reverse("records:clinic_create"), _client_data())
    return ClinicClient.objects.get()


def _case_data(**changes) -> dict:
    data = {
        "received_on": "2022-03-01",
        "category": "victim",
        "gender": "girl",
        "age": "15",
        "screening": "none",
        "referred_to": "",
    }
    data.update(changes)
    return data


def _year_ahead() -> str:
    return (timezone.localdate() + datetime.timedelta(days=365)).isoformat()


def _counted(gender: str) -> int:
    """The support centre's count of victims of a gender, from the anonymous daily counts."""
    metric = f"support_centre.by_gender_and_category.{gender}.victim"
    return sum(DailyCount.objects.filter(metric=metric).values_list("n", flat=True))


def _actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))


# --- The clinic (psykolog) ---------------------------------------------------------------------


def test_a_session_dated_a_year_ahead_is_refused_in_swedish_at_the_date(client, patient):
    response = client.post(
        reverse("records:clinic_session_add", args=[patient.pk]), {"date": _year_ahead()}
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "Ett samtal kan inte ligga i framtiden." in content
    assert 'id="id_date" aria-invalid="true"' in content or re.search(
        r'<input[^>]*aria-invalid="true"[^>]*id="id_date"', content
    )
    assert patient.sessions.count() == 1


def test_a_closing_date_a_year_ahead_is_refused(client, patient):
    response = client.post(
        reverse("records:clinic_close", args=[patient.pk]),
        {"closed_on": _year_ahead(), "closure": "completed"},
    )
    assert response.status_code == 400
    assert "En serie kan inte avslutas i framtiden." in response.content.decode()
    patient.refresh_from_db()
    assert patient.closed_on is None
    with pytest.raises(services.SamverkanError):
        services.clinic_client_close(
            client=patient, closed_on=D.today() + datetime.timedelta(days=400), closure="completed"
        )


def test_a_session_can_be_deleted_and_the_deletion_is_logged(client, patient):
    client.post(reverse("records:clinic_session_add", args=[patient.pk]), {"date": "2022-01-17"})
    wrong = patient.sessions.get(date=D(2022, 1, 17))
    page = client.get(reverse("records:clinic_detail", args=[patient.pk])).content.decode()
    delete_url = reverse("records:clinic_session_delete", args=[patient.pk, wrong.pk])
    assert delete_url in page
    response = client.post(delete_url)
    assert response.status_code == 302
    assert [s.date for s in patient.sessions.all()] == [D(2022, 1, 10)]
    assert "records.clinic_session.deleted" in _actions()
    assert "Samtalet den 2022-01-17 är borttaget." in client.get(response.url).content.decode()


def test_the_clients_edit_link_opens_a_swedish_form_not_an_english_not_found(client, patient):
    edit = reverse("records:clinic_edit", args=[patient.pk])
    assert edit == f"/registrering/klienter/{patient.pk}/andra/"
    form = client.get(edit)
    assert form.status_code == 200
    assert "Ändra en klient" in form.content.decode()
    response = client.post(edit, _client_data(age="18", concern="perpetrator"))
    assert response.status_code == 302
    patient.refresh_from_db()
    assert (patient.age, patient.concern) == (18, "perpetrator")
    entry = AuditEntry.objects.filter(action="records.clinic_client.changed").get()
    assert set(entry.fields.split(",")) == {"age", "concern"}


def test_the_series_can_be_closed_on_its_real_date_after_a_wrong_session_is_deleted(
    client, patient
):
    # A session typed in the wrong year (2023 for 2022): the series could not close in 2022.
    ClinicSession.objects.create(client=patient, date=D(2023, 2, 1))
    refused = client.post(
        reverse("records:clinic_close", args=[patient.pk]),
        {"closed_on": "2022-02-15", "closure": "completed"},
    )
    assert refused.status_code == 400
    wrong = patient.sessions.get(date=D(2023, 2, 1))
    client.post(reverse("records:clinic_session_delete", args=[patient.pk, wrong.pk]))
    closed = client.post(
        reverse("records:clinic_close", args=[patient.pk]),
        {"closed_on": "2022-02-15", "closure": "completed"},
    )
    assert closed.status_code == 302
    patient.refresh_from_db()
    assert patient.closed_on == D(2022, 2, 15)
    # And a closing on the wrong day is corrected, or the series opened again.
    client.post(
        reverse("records:clinic_close", args=[patient.pk]),
        {"closed_on": "2022-02-14", "closure": "ended-early"},
    )
    patient.refresh_from_db()
    assert (patient.closed_on, patient.closure) == (D(2022, 2, 14), "ended-early")
    client.post(reverse("records:clinic_reopen", args=[patient.pk]))
    patient.refresh_from_db()
    assert patient.closed_on is None and "records.clinic_client.reopened" in _actions()


def test_after_registering_a_client_the_psychologist_is_on_the_client_with_the_first_session_offered(  # noqa: E501
    client, counsellor
):
    response = client.post(reverse("records:clinic_create"), _client_data())
    patient = ClinicClient.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("records:clinic_detail", args=[patient.pk])
    page = client.get(response.url).content.decode()
    assert "Klienten är registrerad." in page
    assert reverse("records:clinic_session_add", args=[patient.pk]) in page
    assert 'name="date"' in page


def test_the_first_visit_is_session_1_not_samtal_0(client, patient):
    page = client.get(reverse("records:clinic_detail", args=[patient.pk])).content.decode()
    assert "Samtal 1: 2022-01-10" in page and "Samtal 0" not in page
    listing = client.get(reverse("records:clinic_list")).content.decode()
    assert re.search(r'data-label="Samtal">1</td>', listing)


def test_a_duplicate_session_date_is_an_error_not_samtalet_ar_registrerat(client, patient):
    response = client.post(
        reverse("records:clinic_session_add", args=[patient.pk]), {"date": "2022-01-10"}
    )
    content = response.content.decode()
    assert response.status_code == 400
    assert "Samtalet är registrerat" not in content
    assert "Ett samtal den 2022-01-10 är redan registrerat för klienten." in content
    assert patient.sessions.count() == 1


def test_a_client_registered_by_mistake_can_be_deleted_with_the_sessions(client, patient):
    confirm = client.get(reverse("records:clinic_delete", args=[patient.pk]))
    assert confirm.status_code == 200 and "Ta bort" in confirm.content.decode()
    response = client.post(reverse("records:clinic_delete", args=[patient.pk]))
    assert response.status_code == 302 and response.url == reverse("records:clinic_list")
    assert not ClinicClient.objects.exists() and not ClinicSession.objects.exists()
    assert "records.clinic_client.deleted" in _actions()


def test_another_unit_cannot_delete_a_clients_session(client, small, patient):
    session = patient.sessions.get()
    volunteer = User.objects.create_user(
        "v", password="x" * 16, role=Role.VOLUNTEER, unit=small.chat
    )
    sign_in(client, volunteer)
    response = client.post(reverse("records:clinic_session_delete", args=[patient.pk, session.pk]))
    assert response.status_code == 404
    assert ClinicSession.objects.filter(pk=session.pk).exists()


# --- The admin ---------------------------------------------------------------------------------


def test_the_admin_lets_a_superuser_repair_a_case_with_its_counts_and_an_audit_entry(client, small):
    case = services.support_centre_case_create(
        unit=small.support_centre, received_on=D(2022, 3, 1), category="victim", gender="girl"
    )
    admin = User.objects.create_superuser("root", password="x" * 16)
    sign_in(client, admin)
    url = reverse("admin:records_supportcentrecase_change", args=[case.pk])
    page = client.get(url).content.decode()
    assert 'name="gender"' in page  # a form, not a read-only view
    response = client.post(
        url,
        {
            "ref": "",
            "received_on": "2022-03-01",
            "gender": "boy",
            "age": "",
            "category": "victim",
            "screening_answer": "",
            "referred_to": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.gender == "boy"
    assert _counted("girl") == 0 and _counted("boy") == 1
    entry = AuditEntry.objects.filter(action="records.repaired").get()
    assert entry.user == admin and entry.target_id == case.pk and entry.fields == "gender"
    delete = reverse("admin:records_supportcentrecase_delete", args=[case.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not SupportCentreCase.objects.exists()
    assert not DailyCount.objects.filter(n__gt=0).exists()
    assert "records.repair_deleted" in _actions()


def test_staff_who_are_not_superusers_cannot_repair_in_the_admin(small):
    from django.contrib.admin.sites import site
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = User.objects.create_user(
        "m", password="x" * 16, role=Role.ADMINISTRATOR, is_staff=True
    )
    model_admin = site._registry[SupportCentreCase]
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


# --- The support centre (stodcentrum) ----------------------------------------------------------


def test_the_screening_question_is_asked_once(client, officer):
    page = client.get(reverse("records:support_create")).content.decode()
    assert 'name="screened"' not in page and 'name="screening_answer"' not in page
    assert page.count('name="screening"') == 7  # one question, "Inte ställd" among its answers
    assert "Inte ställd" in page
    client.post(reverse("records:support_create"), _case_data(screening="not-asked"))
    client.post(reverse("records:support_create"), _case_data(screening="victim"))
    assert sorted(SupportCentreCase.objects.values_list("screened", "screening_answer")) == [
        (False, None),
        (True, "victim"),
    ]


def test_an_earlier_case_asked_without_a_noted_answer_keeps_its_answer_when_corrected(
    client, small, officer
):
    case = services.support_centre_case_create(
        unit=small.support_centre, received_on=D(2022, 3, 1), category="victim", screened=True
    )
    edit = reverse("records:support_edit", args=[case.pk])
    assert 'value="asked" checked' in client.get(edit).content.decode().replace(
        "checked aria-invalid", "checked"
    ) or re.search(r'value="asked"[^>]*checked', client.get(edit).content.decode())
    client.post(edit, _case_data(screening="asked", age="16"))
    case.refresh_from_db()
    assert (case.screened, case.screening_answer, case.age) == (True, None, 16)


def test_age_45_is_refused_for_the_10_21_target_group_unless_confirmed(client, officer):
    refused = client.post(reverse("records:support_create"), _case_data(age="45"))
    content = refused.content.decode()
    assert refused.status_code == 200
    assert "45 ligger utanför målgruppen (10–21 år)" in content
    assert 'name="age_confirmed"' in content
    assert not SupportCentreCase.objects.exists()
    confirmed = client.post(
        reverse("records:support_create"), _case_data(age="45", age_confirmed="on")
    )
    assert confirmed.status_code == 302
    assert SupportCentreCase.objects.get().age == 45
    # Within the group nothing is asked.
    assert (
        'name="age_confirmed"' not in client.get(reverse("records:support_create")).content.decode()
    )


def test_the_list_capitalises_every_answer(client, officer):
    client.post(reverse("records:support_create"), _case_data(screening="not-asked"))
    client.post(reverse("records:support_create"), _case_data(screening="none"))
    listing = client.get(reverse("records:support_list")).content.decode()
    cells = re.findall(r'<td data-label="[^"]*">([^<]*)</td>', listing)
    words = [cell.strip() for cell in cells if cell.strip() and not cell.strip()[0].isdigit()]
    assert "Inte ställd" in words and "Ingen erfarenhet av våld" in words
    assert all(word[0].isupper() for word in words if word != "–"), words


def test_a_case_is_corrected_and_deleted_by_its_unit_with_its_counts(client, small, officer):
    client.post(reverse("records:support_create"), _case_data())
    case = SupportCentreCase.objects.get()
    client.post(reverse("records:support_edit", args=[case.pk]), _case_data(gender="boy"))
    assert _counted("girl") == 0 and _counted("boy") == 1
    response = client.post(reverse("records:support_delete", args=[case.pk]))
    assert response.status_code == 302
    assert not SupportCentreCase.objects.exists()
    assert not DailyCount.objects.filter(n__gt=0).exists()
    assert "records.support_centre_case.deleted" in _actions()


def test_a_case_received_in_the_future_is_refused(client, officer):
    response = client.post(reverse("records:support_create"), _case_data(received_on=_year_ahead()))
    assert "Ett ärende kan inte komma in i framtiden." in response.content.decode()
    assert not SupportCentreCase.objects.exists()


def test_after_saving_a_case_the_next_one_is_started_at_once(client, officer):
    response = client.post(reverse("records:support_create"), _case_data())
    assert response.url.startswith(reverse("records:support_create"))
    page = client.get(response.url).content.decode()
    assert "Ärendet är registrerat." in page and 'name="received_on"' in page


# --- All forms ---------------------------------------------------------------------------------


def test_rätta_de_markerade_fälten_now_marks_and_links_every_field(client, counsellor):
    response = client.post(
        reverse("records:clinic_create"), _client_data(first_visit="", concern="", age="140")
    )
    content = response.content.decode()
    assert "Rätta de markerade fälten nedan." in content
    summary = content.split('class="error error-summary"', 1)[1].split("</div>", 1)[0]
    # Each invalid field: linked from the summary, marked, and its message linked to it.
    for anchor, name in (
        ("id_first_visit", "first_visit"),
        ("id_concern_0", "concern"),
        ("id_age", "age"),
    ):
        assert f'href="#{anchor}"' in summary
        assert f'id="id_{name}_error"' in content
    assert re.search(
        r'<input[^>]*aria-describedby="[^"]*id_age_error"[^>]*aria-invalid="true"'
        r'|<input[^>]*aria-invalid="true"[^>]*aria-describedby="[^"]*id_age_error"',
        content,
    )
    assert re.search(r'<fieldset aria-describedby="id_concern_error" class="invalid">', content)


def test_no_dashes_in_drop_downs(small):
    class Any(forms.Form):
        service = forms.ModelChoiceField(queryset=Service.objects.all())

    with translation.override("sv"):
        html = str(Any())
    assert "---------" not in html and "Välj …" in html
    chat = str(ChatConversationForm(unit=small.chat))
    assert "---------" not in chat


def test_one_label_for_resident_and_the_forms_of_violence(client, small):
    assert str(glossary.label("resident")) == "Bor i kommunen"
    assert str(glossary.label("violence")) == "Våldsformer som togs upp"
    chat = ChatConversationForm(unit=small.chat)
    clinic = ClinicClientForm(unit=small.clinic)
    assert chat["resident"].label == clinic["resident"].label == glossary.label("resident")
    assert chat["violence"].label == glossary.label("violence")


def test_a_record_that_is_not_there_answers_the_applications_own_page_in_swedish(
    client, counsellor
):
    response = client.get(reverse("records:clinic_edit", args=[999]))
    content = response.content.decode()
    assert response.status_code == 404
    assert "Sidan hittades inte" in content and "Not Found" not in content
    assert 'href="/static/samverkan/base.css"' in content or "base.css" in content


def test_the_admin_repairs_a_clients_closing_and_a_conversation(client, small):
    patient = services.clinic_client_create(
        unit=small.clinic, ref="SM-9", first_visit=D(2022, 1, 10), concern="victim"
    )
    services.clinic_session_add(client=patient, date=D(2022, 1, 10))
    services.clinic_client_close(client=patient, closed_on=D(2022, 3, 1), closure="completed")
    conversation = services.chat_conversation_create(
        unit=small.chat,
        started_at=timezone.make_aware(datetime.datetime(2022, 3, 1, 19)),
        concern="victim",
    )
    admin = User.objects.create_superuser("root", password="x" * 16)
    sign_in(client, admin)
    url = reverse("admin:records_clinicclient_change", args=[patient.pk])
    assert 'name="closed_on"' in client.get(url).content.decode()
    session = patient.sessions.get()
    response = client.post(
        url,
        {
            "ref": "SM-9",
            "first_visit": "2022-01-10",
            "gender": "unknown",
            "age": "",
            "resident": "unknown",
            "concern": "victim",
            "came_via": "",
            "closed_on": "2022-02-01",
            "closure": "completed",
            "sessions-TOTAL_FORMS": "1",
            "sessions-INITIAL_FORMS": "1",
            "sessions-MIN_NUM_FORMS": "0",
            "sessions-MAX_NUM_FORMS": "1000",
            "sessions-0-id": str(session.pk),
            "sessions-0-client": str(patient.pk),
            "sessions-0-date": "2022-01-10",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    patient.refresh_from_db()
    assert patient.closed_on == D(2022, 2, 1)
    chat_url = reverse("admin:records_chatconversation_change", args=[conversation.pk])
    assert client.get(chat_url).status_code == 200
    assert AuditEntry.objects.filter(action="records.repaired", user=admin).count() == 1


def test_the_chat_console_and_the_form_say_bor_i_kommunen_and_våldsformer_som_togs_upp(
    client, small
):
    volunteer = User.objects.create_user(
        "volontar", password="x" * 16, role=Role.VOLUNTEER, unit=small.chat
    )
    sign_in(client, volunteer)
    console = client.get(reverse("chat:console")).content.decode()
    form = client.get(reverse("records:chat_create")).content.decode()
    for label in ("Bor i kommunen", "Våldsformer som togs upp"):
        assert label in console and label in form
    assert "Bosatt" not in console and "Former av våld" not in console
