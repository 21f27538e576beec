"""Committee documents in the staff application: drafting with history, downloads by role."""

import datetime

import pytest
from django.urls import reverse

from samverkan.accounts.models import Role, User
from samverkan.conftest import sign_in
from samverkan.reports.models import Report, ReportSectionVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(department):
    def user(name, role):
        return User.objects.create_user(name, password="x" * 16, role=role, unit=department)

    return {
        "coordinator": user("coord", Role.COORDINATOR),
        "steering": user("st", Role.STEERING_MEMBER),
    }


def _new(client, **extra):
    data = {
        "kind": "activity",
        "date_from": "2023-01-01",
        "date_to": "2023-06-30",
        "reference": "1.3.2-100/2023",
        "document_date": "2023-08-20",
        **extra,
    }
    return client.post(reverse("reports:new"), data)


def test_a_new_document_starts_from_the_texts_of_the_last(client, small, people):
    sign_in(client, people["coordinator"])
    first = Report.objects.get(pk=_new(client).url.rstrip("/").split("/")[-1])
    client.post(
        reverse("reports:detail", args=[first.pk]),
        {"summary": "Partnerskapet har pågått i ett halvt år."},
    )
    client.post(
        reverse("reports:detail", args=[first.pk]),
        {"summary": "Partnerskapet har pågått i sju månader."},
    )
    summary = first.sections.get(key="summary")
    assert summary.text == "Partnerskapet har pågått i sju månader."
    assert ReportSectionVersion.objects.filter(section=summary).count() == 3  # empty start + 2
    page = client.get(reverse("reports:detail", args=[first.pk])).content.decode()
    assert "Tidigare lydelser" in page and "ett halvt år" in page

    second_url = _new(client, kind="annual", date_from="2023-07-01", date_to="2023-12-31").url
    second = Report.objects.get(pk=second_url.rstrip("/").split("/")[-1])
    assert second.sections.get(key="summary").text == "Partnerskapet har pågått i sju månader."


def test_a_wrong_period_is_refused(client, small, people):
    sign_in(client, people["coordinator"])
    response = _new(client, date_to="2022-12-31")
    assert response.status_code == 400
    assert Report.objects.count() == 0


def test_steering_members_download_public_figures_only(client, small, people):
    sign_in(client, people["coordinator"])
    report = Report.objects.get(pk=_new(client).url.rstrip("/").split("/")[-1])
    sign_in(client, people["steering"])
    url = reverse("reports:download", args=[report.pk])
    docx = client.get(url, {"format": "docx", "disclosure": "public"})
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxml")
    assert client.get(url, {"format": "html", "disclosure": "internal"}).status_code == 404
    assert (
        client.post(reverse("reports:detail", args=[report.pk]), {"summary": "x"}).status_code
        == 404
    )
    assert report.sections.get(key="summary").text == ""
    sign_in(client, people["coordinator"])
    assert client.get(url, {"format": "html", "disclosure": "internal"}).status_code == 200
    assert report.document_date == datetime.date(2023, 8, 20)
