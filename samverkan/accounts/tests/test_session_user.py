"""The session's user is read with its second factor's device in one query
(accounts.middleware.OTPMiddleware), and only when Django would take that user as it is: every
case Django refuses or acts on is refused or acted on as Django does."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from samverkan.accounts.models import Role, User
from samverkan.conftest import sign_in

pytestmark = pytest.mark.django_db

CHAT_LIST = "/registrering/chattsamtal/"
SIGN_IN = "/konto/logga-in/"
OLD_KEY = "an-old-secret-key-of-fifty-characters-or-more-0123456789"
NEW_KEY = "a-new-secret-key-of-fifty-characters-or-more-9876543210"


@pytest.fixture
def volunteer(small) -> User:  # noqa: ANN001
    return User.objects.create_user("v", password="x" * 12, role=Role.VOLUNTEER, unit=small.chat)


def user_reads(queries: CaptureQueriesContext) -> list[str]:
    """The queries that read a user on its own (not joined to the device)."""
    return [
        q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "accounts_user"')
    ]


def test_the_user_comes_with_the_device_in_one_query(client, volunteer):
    sign_in(client, volunteer)
    client.get(CHAT_LIST)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHAT_LIST)
    assert response.status_code == 200
    assert response.wsgi_request.user.pk == volunteer.pk
    assert response.wsgi_request.user.is_verified()
    assert user_reads(queries) == []
    joined = [q["sql"] for q in queries.captured_queries if "otp_totp_totpdevice" in q["sql"]]
    assert len(joined) == 1
    assert '"accounts_user"' in joined[0] and '"partnership_unit"' in joined[0]


def test_a_changed_password_ends_the_session(client, volunteer):
    sign_in(client, volunteer)
    volunteer.set_password("another-password-1")
    volunteer.save()
    response = client.get(CHAT_LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)
    assert SESSION_KEY not in client.session  # flushed, as Django flushes it


def test_a_deactivated_account_is_signed_out(client, volunteer):
    sign_in(client, volunteer)
    User.objects.filter(pk=volunteer.pk).update(is_active=False)
    response = client.get(CHAT_LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_a_session_without_its_hash_is_refused(client, volunteer):
    sign_in(client, volunteer)
    session = client.session
    del session[HASH_SESSION_KEY]
    session.save()
    response = client.get(CHAT_LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)
    assert SESSION_KEY not in client.session


def test_a_session_of_a_backend_no_longer_configured_is_refused(client, volunteer):
    sign_in(client, volunteer)
    with override_settings(AUTHENTICATION_BACKENDS=["axes.backends.AxesStandaloneBackend"]):
        response = client.get(CHAT_LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_a_session_naming_another_backend_is_refused(client, volunteer):
    sign_in(client, volunteer)
    session = client.session
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.RemoteUserBackend"
    session.save()
    response = client.get(CHAT_LIST)
    # Not one of AUTHENTICATION_BACKENDS: no user (Django's get_user), to the sign-in page.
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_a_signed_out_session_cannot_be_used_again(client, volunteer):
    sign_in(client, volunteer)
    assert client.get(CHAT_LIST).status_code == 200
    old_cookie = client.cookies["sessionid"].value
    client.post("/konto/logga-ut/")
    client.cookies["sessionid"] = old_cookie
    response = client.get(CHAT_LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)


def test_a_hash_of_a_fallback_key_is_taken_and_renewed(client, volunteer):
    with override_settings(SECRET_KEY=OLD_KEY):
        sign_in(client, volunteer)
    old_cookie = client.cookies["sessionid"].value
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[OLD_KEY]):
        response = client.get(CHAT_LIST)
        assert response.status_code == 200
        assert response.wsgi_request.user.pk == volunteer.pk
        # As Django does: a new session key, and the hash of the current key.
        assert client.cookies["sessionid"].value != old_cookie
        assert client.session[HASH_SESSION_KEY] == volunteer.get_session_auth_hash()
        # From then on, the one query.
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CHAT_LIST).status_code == 200
        assert user_reads(queries) == []


def test_a_hash_of_a_key_no_longer_known_is_refused(client, volunteer):
    with override_settings(SECRET_KEY=OLD_KEY):
        sign_in(client, volunteer)
    with override_settings(SECRET_KEY=NEW_KEY, SECRET_KEY_FALLBACKS=[]):
        response = client.get(CHAT_LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN)
