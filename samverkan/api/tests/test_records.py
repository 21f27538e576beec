"""Records through the API: idempotent creation by ref, batches all or nothing, problems with
a pointer to each wrong field, pagination, changes, and figures that follow every write."""

import datetime

import pytest

from samverkan.accounts.models import AuditEntry
from samverkan.api.tests.conftest import bearer
from samverkan.records.models import ChatConversation, ClinicClient, SupportCentreCase
from samverkan.statistics.counters import counts_from_records, stored_counts

pytestmark = pytest.mark.django_db

CHATS = "/api/v1/chat-conversations/"
CHAT = {
    "ref": "VEN-1",
    "started_at": "2022-03-01T19:05:00+01:00",
    "concern": "victim",
    "resident": "yes",
    "gender": "girl",
    "age": 16,
    "violence": ["psychological", "digital"],
    "district": "north",
    "referred_to": "clinic",
}


def post(client, token, path, body):
    return client.post(path, body, content_type="application/json", **bearer(token))


def test_create_read_and_list(client, small, tokens):
    token = tokens[("chat", "write")]
    created = post(client, token, CHATS, CHAT)
    assert created.status_code == 201
    body = created.json()
    assert {k: body[k] for k in CHAT} == {**CHAT, "violence": ["psychological", "digital"]}
    read = client.get(f"{CHATS}{body['id']}/", **bearer(tokens[("chat", "read")]))
    assert read.json() == body
    listed = client.get(CHATS, **bearer(token)).json()
    assert listed["count"] == 1 and listed["results"] == [body]
    assert (
        AuditEntry.objects.filter(action="records.chat_conversation.created")
        .get()
        .user.username.startswith("api-")
    )


def test_the_same_ref_and_content_gives_the_existing_record(client, small, tokens):
    token = tokens[("chat", "write")]
    first = post(client, token, CHATS, CHAT).json()
    # The same content written differently: another order of forms, another time zone.
    again = post(
        client,
        token,
        CHATS,
        {**CHAT, "violence": ["digital", "psychological"], "started_at": "2022-03-01T18:05:00Z"},
    )
    assert again.status_code == 200 and again.json() == first
    assert ChatConversation.objects.count() == 1


def test_the_same_ref_with_other_content_is_a_conflict(client, small, tokens):
    token = tokens[("chat", "write")]
    post(client, token, CHATS, CHAT)
    conflict = post(client, token, CHATS, {**CHAT, "age": 17})
    assert conflict.status_code == 409
    assert conflict["Content-Type"] == "application/problem+json"
    assert conflict.json()["errors"][0]["pointer"] == "#/ref"
    assert ChatConversation.objects.get().age == 16


def test_every_wrong_field_is_pointed_at(client, small, tokens):
    response = post(
        client,
        tokens[("chat", "write")],
        CHATS,
        {
            "ref": "Anna Svensson",
            "started_at": "2099-01-01T10:00",
            "concern": "worried",
            "age": 0,
            "violence": ["verbal"],
            "district": "atlantis",
        },
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "urn:samverkan:problem:invalid" and problem["status"] == 400
    pointers = sorted(error["pointer"] for error in problem["errors"])
    assert pointers == ["#/age", "#/concern", "#/district", "#/ref", "#/started_at", "#/violence/0"]
    assert ChatConversation.objects.count() == 0


def test_a_batch_is_all_or_nothing(client, small, tokens):
    token = tokens[("chat", "write")]
    good = [{**CHAT, "ref": f"B-{i}"} for i in range(3)]
    bad = post(
        client, token, f"{CHATS}batch/", {"records": [*good, {**CHAT, "ref": "B-9", "age": 120}]}
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == [
        {"pointer": "#/records/3/age", "detail": bad.json()["errors"][0]["detail"]}
    ]
    assert ChatConversation.objects.count() == 0
    done = post(client, token, f"{CHATS}batch/", {"records": good})
    assert done.status_code == 201 and done.json()["created"] == 3
    again = post(client, token, f"{CHATS}batch/", {"records": good})
    assert again.status_code == 200 and again.json()["existing"] == 3
    # One conflicting record stops the whole batch.
    conflict = post(
        client,
        token,
        f"{CHATS}batch/",
        {"records": [{**CHAT, "ref": "B-7"}, {**good[0], "age": 15}]},
    )
    assert (
        conflict.status_code == 409 and conflict.json()["errors"][0]["pointer"] == "#/records/1/ref"
    )
    assert ChatConversation.objects.count() == 3
    assert dict(stored_counts([small.chat.id])) == counts_from_records([small.chat.id])


def test_changes_move_the_counts_and_a_ref_stays(client, small, tokens):
    token = tokens[("chat", "write")]
    record = post(client, token, CHATS, CHAT).json()
    changed = client.patch(
        f"{CHATS}{record['id']}/",
        {"concern": "friend", "age": 15},
        content_type="application/json",
        **bearer(token),
    )
    assert changed.status_code == 200 and changed.json()["concern"] == "friend"
    assert dict(stored_counts([small.chat.id])) == counts_from_records([small.chat.id])
    renamed = client.patch(
        f"{CHATS}{record['id']}/",
        {"ref": "OTHER"},
        content_type="application/json",
        **bearer(token),
    )
    assert renamed.status_code == 400 and renamed.json()["errors"][0]["pointer"] == "#/ref"


def test_lists_are_paginated(client, small, tokens):
    token = tokens[("chat", "write")]
    post(
        client, token, f"{CHATS}batch/", {"records": [{**CHAT, "ref": f"P-{i}"} for i in range(7)]}
    )
    page = client.get(CHATS, {"page_size": 3, "page": 3}, **bearer(token)).json()
    assert page["count"] == 7 and len(page["results"]) == 1 and page["next"] is None
    beyond = client.get(CHATS, {"page": 9}, **bearer(token))
    assert beyond.status_code == 404 and beyond["Content-Type"] == "application/problem+json"


def test_support_centre_and_clinic(client, small, tokens):
    case = post(
        client,
        tokens[("support", "write")],
        "/api/v1/support-centre-cases/",
        {
            "received_on": "2022-04-02",
            "category": "victim",
            "screened": False,
            "screening_answer": "victim",
        },
    )
    # A rule across fields that the services keep: an answer needs the question asked.
    assert case.status_code == 422 and "routine question" in case.json()["detail"]
    assert SupportCentreCase.objects.count() == 0
    token = tokens[("clinic", "write")]
    client_record = post(
        client,
        token,
        "/api/v1/clinic-clients/",
        {"ref": "KL-1", "first_visit": "2022-01-10", "concern": "perpetrator"},
    ).json()
    base = f"/api/v1/clinic-clients/{client_record['id']}"
    assert post(client, token, f"{base}/sessions/", {"date": "2022-01-17"}).json()["sessions"] == [
        "2022-01-17"
    ]
    closed = post(
        client, token, f"{base}/close/", {"closed_on": "2022-01-10", "closure": "completed"}
    )
    assert closed.status_code == 422  # before its last session
    closed = post(
        client, token, f"{base}/close/", {"closed_on": "2022-02-01", "closure": "completed"}
    )
    assert closed.json()["closed_on"] == "2022-02-01"
    assert ClinicClient.objects.get().closure == "completed"
    assert (
        client.patch(
            f"{base}/", {"age": 20}, content_type="application/json", **bearer(token)
        ).status_code
        == 405
    )


def test_arrival_by_code(client, small, tokens):
    from samverkan.accounts.models import Role, User
    from samverkan.referrals.codes import display
    from samverkan.referrals.services import issue_referral

    volunteer = User.objects.create(username="v", role=Role.VOLUNTEER, unit=small.chat)
    referral = issue_referral(destination=small.clinic_service, by=volunteer)
    token = tokens[("clinic", "write")]
    arrived = post(
        client, token, "/api/v1/referral-arrivals/", {"code": display(referral.code).lower()}
    )
    assert arrived.status_code == 201 and arrived.json()["destination"] == "clinic"
    again = post(client, token, "/api/v1/referral-arrivals/", {"code": display(referral.code)})
    assert again.status_code == 422 and "already" in again.json()["detail"]
    assert again.json()["errors"][0]["pointer"] == "#/code"


def test_statistics_are_the_engines_public_figures(client, small, tokens):
    import json
    from pathlib import Path

    import jsonschema

    from samverkan.statistics.engine import statistics_compute

    post(
        client,
        tokens[("chat", "write")],
        f"{CHATS}batch/",
        {"records": [{**CHAT, "ref": f"S-{i}"} for i in range(6)]},
    )
    figures = client.get(
        "/api/v1/statistics/",
        {"from": "2022-01-01", "to": "2022-12-31"},
        **bearer(tokens[("chat", "read")]),
    ).json()
    assert figures == statistics_compute(
        partnership=small.partnership,
        date_from=datetime.date(2022, 1, 1),
        date_to=datetime.date(2022, 12, 31),
        disclosure="public",
    )
    schema = json.loads(Path("samverkan/statistics/schema/stats.schema.json").read_text())
    jsonschema.validate(figures, schema)
    wrong = client.get(
        "/api/v1/statistics/",
        {"from": "2022-12-31", "to": "2022-01-01"},
        **bearer(tokens[("chat", "read")]),
    )
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["pointer"] == "#/to"


def test_rate_limit_answers_429_with_retry_after(client, small, tokens, settings):
    settings.SAMVERKAN_API_RATE = "3/min"
    token = tokens[("chat", "read")]
    statuses = [client.get(CHATS, **bearer(token)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get(CHATS, **bearer(token))
    assert limited["Content-Type"] == "application/problem+json"
    assert 0 < int(limited["Retry-After"]) <= 60
    # Another token has its own allowance.
    assert client.get(CHATS, **bearer(tokens[("chat", "write")])).status_code == 200


def test_a_batch_needs_every_ref_once(client, small, tokens):
    token = tokens[("chat", "write")]
    body = {"records": [{**CHAT, "ref": None}, {**CHAT, "ref": "D-1"}, {**CHAT, "ref": "D-1"}]}
    response = post(client, token, f"{CHATS}batch/", body)
    assert response.status_code == 400
    assert [e["pointer"] for e in response.json()["errors"]] == [
        "#/records/0/ref",
        "#/records/2/ref",
    ]
    assert ChatConversation.objects.count() == 0


@pytest.mark.parametrize("written", ["Södermalm", "SÖDERMALM", "sodermalm", "Sodermalm"])
def test_a_district_and_a_service_are_read_by_name_too(client, small, tokens, written):
    from samverkan.partnership.models import District

    sodermalm = District.objects.create(
        partnership=small.partnership, key="sodermalm", name="Södermalm"
    )
    created = post(
        client,
        tokens[("chat", "write")],
        CHATS,
        {**CHAT, "district": written, "referred_to": "RVC"},
    )
    assert created.status_code == 201, created.json()
    assert created.json()["district"] == "sodermalm" and created.json()["referred_to"] == "rvc"
    assert ChatConversation.objects.get().district_id == sodermalm.id


def test_an_unknown_district_lists_the_known_ones(client, small, tokens):
    response = post(client, tokens[("chat", "write")], CHATS, {**CHAT, "district": "Söder"})
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"pointer": "#/district", "detail": "'Söder' is not known (known: north)"}
    ]
