"""The support centre's pages: a case with the routine question, the unit's own list."""

import datetime

import pytest
from django.urls import reverse

from samverkan.accounts.models import AuditEntry, Role, User
from samverkan.conftest import sign_in
from samverkan.records.models import SupportCentreCase
from samverkan.statistics.models import DailyCount

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(small):
    return User.objects.create_user(
        "officer", password="x" * 16, role=Role.SUPPORT_CENTRE_OFFICER, unit=small.support_centre
    )


def post(**changes):
    data = {
        "received_on": "2022-03-01",
        "category": "suspect-interrogation",
        "gender": "boy",
        "age": "16",
        "screening": "perpetrator",
        "referred_to": "",
    }
    data.update(changes)
    return data


def test_an_officer_registers_a_case_with_the_routine_question(client, small, officer):
    sign_in(client, officer)
    assert client.get(reverse("records:support_create")).status_code == 200
    response = client.post(reverse("records:support_create"), post())
    assert response.status_code == 302
    case = SupportCentreCase.objects.get()
    assert (case.received_on, case.screened, case.screening_answer) == (
        datetime.date(2022, 3, 1),
        True,
        "perpetrator",
    )
    assert (
        DailyCount.objects.get(
            metric="support_centre.partner_violence.perpetrators.by_gender.boy"
        ).n
        == 1
    )
    assert "Ärendet är registrerat." in client.get(response.url).content.decode()
    assert client.get(reverse("records:support_detail", args=[case.pk])).status_code == 200
    assert AuditEntry.objects.filter(action="records.support_centre_case.viewed").count() == 1


def test_an_unknown_answer_is_marked_and_nothing_is_saved(client, small, officer):
    sign_in(client, officer)
    response = client.post(reverse("records:support_create"), post(screening="maybe"))
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not SupportCentreCase.objects.exists()


def test_a_case_not_screened_has_no_answer(client, small, officer):
    sign_in(client, officer)
    client.post(reverse("records:support_create"), post(screening="not-asked"))
    case = SupportCentreCase.objects.get()
    assert (case.screened, case.screening_answer) == (False, None)
