"""The counselling clinic's pages: a client, their sessions, closing the series."""

import datetime

import pytest
from django.urls import reverse

from samverkan.accounts.models import AuditEntry, Role, User
from samverkan.conftest import sign_in
from samverkan.records.models import ClinicClient

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def counsellor(client, small):
    user = User.objects.create_user(
        "psykolog", password="x" * 16, role=Role.COUNSELLOR, unit=small.clinic
    )
    sign_in(client, user)
    return user


def register(client, **changes):
    data = {
        "ref": "SM-2022-001",
        "first_visit": "2022-01-10",
        "concern": "perpetrator",
        "gender": "boy",
        "age": "17",
        "resident": "yes",
        "came_via": "chat",
    }
    data.update(changes)
    return client.post(reverse("records:clinic_create"), data)


def test_a_counsellor_follows_a_series_from_first_visit_to_closing(client, small, counsellor):
    registered = register(client)
    patient = ClinicClient.objects.get()
    page = reverse("records:clinic_detail", args=[patient.pk])
    # On the client, whose first visit is session 1, with the next session offered.
    assert registered.status_code == 302 and registered.url == page
    for day in ("2022-01-17",):
        response = client.post(
            reverse("records:clinic_session_add", args=[patient.pk]), {"date": day}
        )
        assert response.status_code == 302 and response.url == page
    assert [s.date for s in patient.sessions.all()] == [D(2022, 1, 10), D(2022, 1, 17)]
    closed = client.post(
        reverse("records:clinic_close", args=[patient.pk]),
        {"closed_on": "2022-02-01", "closure": "completed"},
    )
    assert closed.status_code == 302
    patient.refresh_from_db()
    assert (patient.closed_on, patient.closure) == (D(2022, 2, 1), "completed")
    content = client.get(page).content.decode()
    assert "2022-01-17" in content and "avslutad 2022-02-01" in content
    assert "Samtal 2: 2022-01-17" in content
    assert "Registrera samtalet" not in content  # a closed series takes no more sessions
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions.count("records.clinic_session.created") == 2
    assert "records.clinic_client.closed" in actions


def test_a_reference_is_used_once_and_never_a_name(client, small, counsellor):
    register(client)
    again = register(client)
    assert again.status_code == 200 and "används redan" in again.content.decode()
    name = register(client, ref="Anna Svensson")
    assert name.status_code == 200 and 'aria-invalid="true"' in name.content.decode()
    assert ClinicClient.objects.count() == 1


def test_a_session_before_the_first_visit_is_refused_with_the_page_again(client, small, counsellor):
    register(client)
    patient = ClinicClient.objects.get()
    response = client.post(
        reverse("records:clinic_session_add", args=[patient.pk]), {"date": "2021-12-01"}
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert [s.date for s in patient.sessions.all()] == [D(2022, 1, 10)]


def test_other_units_cannot_add_sessions(client, small, counsellor):
    register(client)
    patient = ClinicClient.objects.get()
    volunteer = User.objects.create_user(
        "v", password="x" * 16, role=Role.VOLUNTEER, unit=small.chat
    )
    sign_in(client, volunteer)
    response = client.post(
        reverse("records:clinic_session_add", args=[patient.pk]), {"date": "2022-01-12"}
    )
    assert response.status_code == 404
    assert patient.sessions.count() == 1
