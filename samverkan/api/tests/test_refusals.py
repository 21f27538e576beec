"""A client presenting refused tokens is stopped after SAMVERKAN_API_REFUSALS of them within the
window: answered 429 without any token being looked at or audited, so guessing cannot go on and
cannot fill the audit log."""

import time
from types import SimpleNamespace

import pytest
from django.test import override_settings

from samverkan.accounts.models import AuditEntry
from samverkan.api.authentication import _refusals_key
from samverkan.api.tests.conftest import bearer

LIST = "/api/v1/chat-conversations/"
FROM_A = {"REMOTE_ADDR": "192.0.2.10"}  # documentation addresses (RFC 5737), never contacted
FROM_B = {"REMOTE_ADDR": "192.0.2.20"}


def _guess(client, n: int, **where) -> list[int]:
    return [
        client.get(LIST, **bearer(f"svk_guess{i:04d}_not-a-secret"), **where).status_code
        for i in range(n)
    ]


@pytest.mark.django_db
@override_settings(SAMVERKAN_API_REFUSALS=3)
def test_guessing_is_stopped_at_the_limit_and_the_audit_log_stops_growing(client, tokens):
    assert _guess(client, 3, **FROM_A) == [401, 401, 401]
    assert AuditEntry.objects.filter(action="api.token.refused").count() == 3
    stopped = AuditEntry.objects.get(action="api.token.refusals_limited")
    assert stopped.count == 3 and stopped.user_id is None

    # Past the limit: 429 with a Retry-After, as a problem, and not one entry more.
    assert _guess(client, 20, **FROM_A) == [429] * 20
    response = client.get(LIST, **bearer("svk_x_y"), **FROM_A)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert int(response["Retry-After"]) > 0
    assert AuditEntry.objects.filter(action__startswith="api.token.refus").count() == 4

    # Even a good token from that address waits out the window (nothing is looked up) ...
    good = bearer(tokens[("chat", "read")])
    assert client.get(LIST, **good, **FROM_A).status_code == 429
    # ... while other addresses are not affected.
    assert client.get(LIST, **good, **FROM_B).status_code == 200
    assert _guess(client, 1, **FROM_B) == [401]


@pytest.mark.django_db
@override_settings(SAMVERKAN_API_REFUSALS=3)
def test_malformed_headers_count_as_refusals(client):
    statuses = [
        client.get(LIST, HTTP_AUTHORIZATION="Bearer a b", **FROM_A).status_code for _ in range(4)
    ]
    assert statuses == [401, 401, 401, 429]


@pytest.mark.django_db
@override_settings(SAMVERKAN_API_REFUSALS=3, SAMVERKAN_API_REFUSAL_WINDOW=4)
def test_the_window_ends(client, tokens):
    assert _guess(client, 4, **FROM_A) == [401, 401, 401, 429]
    time.sleep(4.2)  # the window (4 s here: four requests on a loaded machine fit in it) expires
    assert client.get(LIST, **bearer(tokens[("chat", "read")]), **FROM_A).status_code == 200


def test_the_cache_key_names_no_address():
    def key(meta: dict) -> str:
        return _refusals_key(SimpleNamespace(META=meta))

    assert "192.0.2.10" not in key(FROM_A)
    assert key(FROM_A) == key(dict(FROM_A)) != key(FROM_B)
