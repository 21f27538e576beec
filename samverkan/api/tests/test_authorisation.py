"""Every API operation against every kind of caller: no token, an expired, a revoked and a
read-only token, a token of another unit of the same kind and of a unit of another kind."""

import datetime

import pytest
from django.utils import timezone

from samverkan.accounts.models import AuditEntry, Role, User
from samverkan.api.models import ApiToken
from samverkan.api.tests.conftest import bearer, manager_of
from samverkan.api.tokens import api_token_create, api_token_revoke
from samverkan.conftest import local
from samverkan.partnership.models import Unit
from samverkan.records import services
from samverkan.referrals.services import issue_referral

pytestmark = pytest.mark.django_db

CHAT = {"started_at": "2022-03-01T19:00:00+01:00", "concern": "victim", "ref": "C-9"}
SUPPORT = {"received_on": "2022-03-01", "category": "witness", "ref": "S-9"}
CLINIC = {"ref": "K-9", "first_visit": "2022-03-01", "concern": "victim"}
# New records: refs the units do not have yet (the ones above would answer 200, idempotently).
NEW_CHAT, NEW_SUPPORT, NEW_CLINIC = ({**body, "ref": "NEW-1"} for body in (CHAT, SUPPORT, CLINIC))

# (operation, method, path with {id}, body, the unit kind whose token it takes, success status)
OPERATIONS = [
    ("chat list", "get", "/api/v1/chat-conversations/", None, "chat", 200),
    ("chat read", "get", "/api/v1/chat-conversations/{chat}/", None, "chat", 200),
    ("chat create", "post", "/api/v1/chat-conversations/", NEW_CHAT, "chat", 201),
    (
        "chat batch",
        "post",
        "/api/v1/chat-conversations/batch/",
        {"records": [NEW_CHAT]},
        "chat",
        201,
    ),
    ("chat change", "patch", "/api/v1/chat-conversations/{chat}/", {"age": 16}, "chat", 200),
    ("chat replace", "put", "/api/v1/chat-conversations/{chat}/", CHAT, "chat", 200),
    ("support list", "get", "/api/v1/support-centre-cases/", None, "support", 200),
    ("support read", "get", "/api/v1/support-centre-cases/{support}/", None, "support", 200),
    ("support create", "post", "/api/v1/support-centre-cases/", NEW_SUPPORT, "support", 201),
    (
        "support batch",
        "post",
        "/api/v1/support-centre-cases/batch/",
        {"records": [NEW_SUPPORT]},
        "support",
        201,
    ),
    (
        "support change",
        "patch",
        "/api/v1/support-centre-cases/{support}/",
        {"age": 17},
        "support",
        200,
    ),
    ("support replace", "put", "/api/v1/support-centre-cases/{support}/", SUPPORT, "support", 200),
    ("clinic list", "get", "/api/v1/clinic-clients/", None, "clinic", 200),
    ("clinic read", "get", "/api/v1/clinic-clients/{clinic}/", None, "clinic", 200),
    ("clinic create", "post", "/api/v1/clinic-clients/", NEW_CLINIC, "clinic", 201),
    (
        "clinic batch",
        "post",
        "/api/v1/clinic-clients/batch/",
        {"records": [NEW_CLINIC]},
        "clinic",
        201,
    ),
    (
        "clinic session",
        "post",
        "/api/v1/clinic-clients/{clinic}/sessions/",
        {"date": "2022-02-01"},
        "clinic",
        200,
    ),
    (
        "clinic close",
        "post",
        "/api/v1/clinic-clients/{clinic}/close/",
        {"closed_on": "2022-03-01", "closure": "completed"},
        "clinic",
        200,
    ),
    ("arrival", "post", "/api/v1/referral-arrivals/", "{code}", "clinic", 201),
    ("statistics", "get", "/api/v1/statistics/?from=2022-01-01&to=2022-12-31", None, "chat", 200),
]
IDS = [operation[0] for operation in OPERATIONS]
KINDS = {"chat": Unit.Kind.CHAT, "support": Unit.Kind.SUPPORT_CENTRE, "clinic": Unit.Kind.CLINIC}
OTHER_KIND = {"chat": "support", "support": "clinic", "clinic": "chat"}


@pytest.fixture
def world(small):
    units = {"chat": small.chat, "support": small.support_centre, "clinic": small.clinic}
    for key, unit in list(units.items()):
        twin = Unit.objects.create(
            key=f"{unit.key}-2",
            name=f"{unit.name} 2",
            kind=unit.kind,
            organisation=unit.organisation,
        )
        small.partnership.units.add(twin)
        units[f"{key}-2"] = twin
    tokens = {}
    for key, unit in units.items():
        manager = manager_of(unit)
        for scope in ("write", "read"):
            tokens[(key, scope)] = api_token_create(by=manager, name=key, scope=scope)
    conversation = services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim", ref="C-9"
    )
    case = services.support_centre_case_create(
        unit=small.support_centre,
        received_on=datetime.date(2022, 3, 1),
        category="witness",
        ref="S-9",
    )
    client = services.clinic_client_create(
        unit=small.clinic, ref="K-9", first_visit=datetime.date(2022, 1, 10), concern="victim"
    )
    volunteer = User.objects.create_user("volunteer", role=Role.VOLUNTEER, unit=small.chat)
    referral = issue_referral(destination=small.clinic_service, by=volunteer)
    ids = {"chat": conversation.pk, "support": case.pk, "clinic": client.pk, "code": referral.code}
    return units, tokens, ids


def _call(client, operation, ids, headers):
    _name, method, path, body, _kind, _success = operation
    if body == "{code}":
        body = {"code": ids["code"]}
    return (
        getattr(client, method)(
            path.format(**ids), body, content_type="application/json", **headers
        )
        if body is not None
        else getattr(client, method)(path.format(**ids), **headers)
    )


def _assert_problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    return problem


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_own_write_token_succeeds(client, world, operation):
    _units, tokens, ids = world
    kind = operation[4]
    response = _call(client, operation, ids, bearer(tokens[(kind, "write")].secret))
    assert response.status_code == operation[5], response.content


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_no_token_is_401(client, world, operation):
    _units, _tokens, ids = world
    response = _call(client, operation, ids, {})
    _assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_an_expired_token_is_401_and_audited(client, world, operation):
    _units, tokens, ids = world
    issued = tokens[(operation[4], "write")]
    ApiToken.objects.filter(pk=issued.token.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    problem = _assert_problem(_call(client, operation, ids, bearer(issued.secret)), 401)
    assert "expired" in problem["detail"]
    refused = AuditEntry.objects.filter(action="api.token.refused", target_id=issued.token.pk)
    assert refused.count() == 1 and refused.get().unit_id == issued.token.unit_id


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_a_revoked_token_is_401(client, world, operation):
    _units, tokens, ids = world
    issued = tokens[(operation[4], "write")]
    api_token_revoke(by=issued.token.issued_by, token_id=issued.token.pk)
    problem = _assert_problem(_call(client, operation, ids, bearer(issued.secret)), 401)
    assert "revoked" in problem["detail"]


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_a_wrong_secret_is_401(client, world, operation):
    _units, tokens, ids = world
    secret = tokens[(operation[4], "write")].secret
    forged = secret[:-4] + ("AAAA" if not secret.endswith("AAAA") else "BBBB")
    _assert_problem(_call(client, operation, ids, bearer(forged)), 401)


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_a_read_only_token_reads_but_never_writes(client, world, operation):
    _units, tokens, ids = world
    response = _call(client, operation, ids, bearer(tokens[(operation[4], "read")].secret))
    if operation[1] == "get":
        assert response.status_code == operation[5]
    else:
        problem = _assert_problem(response, 403)
        assert "only read" in problem["detail"]


READS_OF_ONE_RECORD = {"chat read", "chat change", "chat replace", "support read", "support change"}
READS_OF_ONE_RECORD |= {"support replace", "clinic read", "clinic session", "clinic close"}


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_a_token_of_another_unit_of_the_same_kind(client, world, operation):
    """Another unit's records are not found; what it creates lands in its own unit."""
    units, tokens, ids = world
    kind = operation[4]
    response = _call(client, operation, ids, bearer(tokens[(f"{kind}-2", "write")].secret))
    name = operation[0]
    if name in READS_OF_ONE_RECORD:
        _assert_problem(response, 404)
    elif name == "arrival":
        # The second clinic receives no service: refused before the code is looked up, so
        # the answer tells nothing about which codes exist (core/tests/test_attacks.py).
        _assert_problem(response, 403)
    elif name.endswith("list"):
        assert response.status_code == 200 and response.json()["count"] == 0
    elif name.endswith(("create", "batch")):
        assert response.status_code == 201
        assert response.json().get("id") or response.json()["created"] == 1
    else:  # the statistics: the same partnership's published figures
        assert response.status_code == 200 and response.json()["disclosure"]["level"] == "public"


@pytest.mark.parametrize("operation", OPERATIONS, ids=IDS)
def test_a_token_of_a_unit_of_another_kind(client, world, operation):
    _units, tokens, ids = world
    other = OTHER_KIND[operation[4]]
    response = _call(client, operation, ids, bearer(tokens[(other, "write")].secret))
    if operation[0] == "statistics":
        assert response.status_code == 200
    elif operation[0] == "arrival":
        _assert_problem(response, 403)  # its unit receives no service
    else:
        _assert_problem(response, 403)
