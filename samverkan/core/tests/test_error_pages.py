"""Every "not found" and "not allowed" page is the application's own, in Swedish and in its
layout, with DEBUG off as in production (pytest-django runs with DEBUG off)."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from samverkan.conftest import sign_in
from samverkan.records.models import ClinicClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(small):
    from samverkan.accounts.models import Role, User

    return User.objects.create_user(
        "volontar", password="x" * 16, role=Role.VOLUNTEER, unit=small.chat
    )


def test_the_tests_run_as_production_does():
    assert settings.DEBUG is False


def test_an_address_that_does_not_exist_answers_a_swedish_page_not_an_english_not_found(client):
    response = client.get("/finns-inte/")
    text = response.content.decode()
    assert response.status_code == 404
    assert "<h1>Sidan hittades inte</h1>" in text
    assert "Not Found" not in text
    assert 'lang="sv"' in text and "samverkan/base.css" in text
    assert 'href="/"' in text  # on to the start page


def test_another_units_client_edit_link_answers_the_applications_own_page(client, volunteer):
    """Seen: /registrering/klienter/<id>/andra/ answered an unstyled English "Not Found"."""
    sign_in(client, volunteer)
    url = reverse("records:clinic_edit", args=[999999])
    response = client.get(url)
    text = response.content.decode()
    assert response.status_code == 404
    assert "Sidan hittades inte" in text
    assert "Not Found" not in text
    # Signed in: the menu of every page is there, to go on from.
    assert 'aria-label="Huvudmeny"' in text
    assert ClinicClient.objects.count() == 0


def test_a_signed_in_users_404_is_in_english_when_they_chose_english(client, volunteer):
    sign_in(client, volunteer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = client.get("/finns-inte/").content.decode()
    assert "The page was not found" in text and 'lang="en"' in text


def test_a_page_the_role_may_not_use_answers_a_swedish_not_allowed_page(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.core.exceptions import PermissionDenied

    from samverkan.core import error_pages

    request = rf.get("/styrning/")
    request.user = AnonymousUser()
    with translation.override("sv"):  # as LanguageMiddleware sets it for every request
        response = error_pages.permission_denied(request, PermissionDenied())
    text = response.content.decode()
    assert response.status_code == 403
    assert "Du har inte behörighet till det här" in text
    assert "403 Forbidden" not in text


def test_the_project_names_its_own_handlers():
    from samverkan import urls

    assert urls.handler404 == "samverkan.core.error_pages.page_not_found"
    assert urls.handler403 == "samverkan.core.error_pages.permission_denied"
    assert settings.CSRF_FAILURE_VIEW == "samverkan.core.error_pages.csrf_failure"


def test_a_form_sent_from_a_page_too_old_answers_a_swedish_page(volunteer):
    client = Client(enforce_csrf_checks=True)
    sign_in(client, volunteer)
    response = client.post(reverse("records:chat_create"), {})
    text = response.content.decode()
    assert response.status_code == 403
    assert "Formuläret kunde inte skickas" in text
    assert "CSRF" not in text


def test_a_server_error_answers_a_swedish_page(rf):
    """The project's handler500 (samverkan.production.middleware.server_error) with no
    database behind the error: the application's own page, not Django's English one."""
    from samverkan.production.middleware import server_error

    with translation.override("sv"):
        response = server_error(rf.get("/registrering/chattsamtal/"))
    text = response.content.decode()
    assert response.status_code == 500
    assert "Något gick fel" in text and 'lang="sv"' in text
    assert "Server Error" not in text


def test_a_bad_request_answers_a_swedish_page(client):
    response = client.get("/", HTTP_HOST="not-an-allowed-host.example")
    text = response.content.decode()
    assert response.status_code == 400
    assert "Begäran kunde inte hanteras" in text
    assert "Bad Request" not in text


def test_the_api_keeps_answering_problem_documents_for_what_is_not_there(client):
    response = client.get("/api/v1/finns-inte/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404
