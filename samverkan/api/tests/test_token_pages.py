"""The unit manager's token page: issue (shown once, stored as a hash), list, revoke."""

import hashlib
import re

import pytest
from django.urls import reverse

from samverkan.accounts.models import AuditEntry, Role, User
from samverkan.api.models import ApiToken
from samverkan.api.tests.conftest import bearer
from samverkan.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(client, small):
    user = User.objects.create(username="chef", role=Role.UNIT_MANAGER, unit=small.support_centre)
    sign_in(client, user)
    return user


def test_a_token_is_shown_once_and_kept_as_a_hash(client, small, manager):
    response = client.post(
        reverse("api_tokens:list"), {"name": "Case system", "scope": "write", "days": 30}
    )
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    secret = re.search(r"svk_[0-9a-f]+_[A-Za-z0-9_-]+", response.content.decode())[0]
    token = ApiToken.objects.get()
    assert token.sha256 == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(list(ApiToken.objects.values_list()))
    assert (token.unit, token.issued_by, token.scope) == (small.support_centre, manager, "write")
    assert not token.principal.has_usable_password()
    listing = client.get(reverse("api_tokens:list")).content.decode()
    assert "Case system" in listing and secret not in listing
    assert client.get("/api/v1/support-centre-cases/", **bearer(secret)).status_code == 200
    assert AuditEntry.objects.filter(action="api.token.created", user=manager).count() == 1


def test_revoking_stops_the_token_at_once(client, small, manager):
    response = client.post(
        reverse("api_tokens:list"), {"name": "Stats", "scope": "read", "days": 30}
    )
    secret = re.search(r"svk_[0-9a-f]+_[A-Za-z0-9_-]+", response.content.decode())[0]
    token = ApiToken.objects.get()
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 302
    refused = client.get("/api/v1/support-centre-cases/", **bearer(secret))
    assert refused.status_code == 401 and "revoked" in refused.json()["detail"]
    token.refresh_from_db()
    assert token.revoked_at is not None and not token.principal.is_active
    assert AuditEntry.objects.filter(action="api.token.revoked").count() == 1


def test_another_units_manager_cannot_revoke(client, small, manager):
    other = User.objects.create(username="other", role=Role.UNIT_MANAGER, unit=small.chat)
    client.post(reverse("api_tokens:list"), {"name": "Stats", "scope": "read", "days": 30})
    token = ApiToken.objects.get()
    sign_in(client, other)
    assert client.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    assert "Stats" not in client.get(reverse("api_tokens:list")).content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_validity_is_bounded(client, small, manager):
    response = client.post(reverse("api_tokens:list"), {"name": "X", "scope": "read", "days": 5000})
    assert response.status_code == 200 and ApiToken.objects.count() == 0
    assert response.context["form"].errors["days"]
