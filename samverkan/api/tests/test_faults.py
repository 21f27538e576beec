"""The API under its own faults: identical creates racing each other, the database gone or
read-only, an unexpected error. Every answer is a problem document, and a create with a ref
answers 200/201 for the same content however the requests interleave, 409 only for other
content."""

import logging
import threading

import pytest
from django.db import connection
from django.test import Client

from samverkan.api.tests.conftest import bearer
from samverkan.api.tests.test_records import CHAT, CHATS, post
from samverkan.production.tests.test_database_outage import outage_when_counting
from samverkan.records.models import ChatConversation

pytestmark = pytest.mark.django_db(transaction=True)

PARALLEL = 3


def _at_once(token: str, bodies: list[dict], path: str = CHATS) -> list:
    """POST the bodies from threads of their own, released together."""
    barrier = threading.Barrier(len(bodies))
    answers: list = [None] * len(bodies)

    def send(index: int) -> None:
        client = Client()
        client.cookies["django_language"] = "en"
        try:
            barrier.wait()
            answers[index] = post(client, token, path, bodies[index])
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


# SQLite's in-memory test database locks a table at once instead of waiting (shared cache), so
# parallel writers get 503s there; a file database waits (settings: timeout, IMMEDIATE). The
# parallel tests run on PostgreSQL (make test's second run, and the fault-injection suite).
parallel = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="parallel writers need a server database"
)


def test_a_create_that_loses_the_race_answers_with_the_winners_record(
    client, small, tokens, monkeypatch
):
    """The other request commits between this one's look-up and its insert."""
    from samverkan.api.views import RecordViewSet

    token = tokens[("chat", "write")]
    looked_up = RecordViewSet._known
    calls = []

    def before_the_other_commits(self, refs):  # noqa: ANN001, ANN202
        calls.append(refs)
        if len(calls) == 1:
            winner = Client()
            assert post(winner, token, CHATS, body).status_code == 201
            return {}
        return looked_up(self, refs)

    monkeypatch.setattr(RecordViewSet, "_known", before_the_other_commits)
    body = {**CHAT, "ref": "LATE"}
    answer = post(client, token, CHATS, body)
    assert answer.status_code == 200, answer.content
    assert ChatConversation.objects.filter(ref="LATE").count() == 1

    # Other content losing the same way is a conflict.
    calls.clear()
    body = {**CHAT, "ref": "LATE-2"}
    winner_body = body
    body = {**body, "age": 12}
    monkeypatch.setattr(
        RecordViewSet,
        "_known",
        lambda self, refs: (
            {}
            if not calls and not calls.append(post(Client(), token, CHATS, winner_body))
            else looked_up(self, refs)
        ),
    )
    assert post(client, token, CHATS, body).status_code == 409
    assert ChatConversation.objects.get(ref="LATE-2").age == 16


def test_a_batch_whose_records_another_batch_adds_meanwhile_answers_as_a_retry(
    client, small, tokens, monkeypatch
):
    """On PostgreSQL each statement sees the latest commits: an identical batch may commit
    between this batch's look-up and its import, which then skips those refs. They are the
    other request's records: 200, none "created" here (this answered 201, all created, once)."""
    from samverkan.api.views import RecordViewSet

    token = tokens[("chat", "write")]
    looked_up = RecordViewSet._known
    batch = {"records": [{**CHAT, "ref": f"MEANWHILE-{n}"} for n in range(4)]}
    other = {"records": batch["records"][:2]}
    calls = []

    def the_other_commits_first(self, refs):  # noqa: ANN001, ANN202
        calls.append(refs)
        if len(calls) == 1:
            assert post(Client(), token, f"{CHATS}batch/", other).status_code == 201
            return {}
        return looked_up(self, refs)

    monkeypatch.setattr(RecordViewSet, "_known", the_other_commits_first)
    answer = post(client, token, f"{CHATS}batch/", batch)
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["created"], body["existing"]) == (2, 2)
    assert [r["created"] for r in body["records"]] == [False, False, True, True]
    assert ChatConversation.objects.filter(ref__startswith="MEANWHILE-").count() == 4

    # The whole batch added meanwhile: a 200, as a retry gets.
    calls.clear()
    batch = {"records": [{**CHAT, "ref": "MEANWHILE-9"}]}
    other = batch
    answer = post(client, token, f"{CHATS}batch/", batch)
    assert answer.status_code == 200, answer.content
    assert answer.json()["records"][0]["created"] is False

    # Added meanwhile with other content: a conflict, and nothing of this batch is kept.
    calls.clear()
    other = {"records": [{**CHAT, "ref": "MEANWHILE-X", "age": 13}]}
    batch = {"records": [{**CHAT, "ref": "MEANWHILE-Y"}, {**CHAT, "ref": "MEANWHILE-X"}]}
    answer = post(client, token, f"{CHATS}batch/", batch)
    assert answer.status_code == 409, answer.content
    assert answer.json()["errors"][0]["pointer"] == "#/records/1/ref"
    # (The other batch ran on this test's connection, inside this batch's transaction, so
    # the refusal takes it back too; between two requests it is committed and stays.)
    assert not ChatConversation.objects.filter(ref__in=["MEANWHILE-X", "MEANWHILE-Y"]).exists()


@parallel
def test_identical_creates_in_parallel_answer_201_once_and_200_otherwise(small, tokens):
    token = tokens[("chat", "write")]
    for trial in range(8):
        body = {**CHAT, "ref": f"RACE-{trial}"}
        answers = _at_once(token, [body] * PARALLEL)
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [200] * (PARALLEL - 1) + [201], [a.content for a in answers]
        assert len({answer.json()["id"] for answer in answers}) == 1
    assert ChatConversation.objects.count() == 8


@parallel
def test_other_content_in_parallel_is_a_conflict_for_the_losers_only(small, tokens):
    token = tokens[("chat", "write")]
    bodies = [{**CHAT, "ref": "RACE", "age": 13 + n} for n in range(PARALLEL)]
    answers = _at_once(token, bodies)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [201] + [409] * (PARALLEL - 1)
    for answer in answers:
        if answer.status_code == 409:
            assert answer["Content-Type"] == "application/problem+json"
    assert ChatConversation.objects.count() == 1


@parallel
def test_identical_batches_in_parallel_save_each_record_once(small, tokens):
    token = tokens[("chat", "write")]
    batch = {"records": [{**CHAT, "ref": f"B-{n}"} for n in range(5)]}
    answers = _at_once(token, [batch] * PARALLEL, f"{CHATS}batch/")
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200] * (PARALLEL - 1) + [201], [a.content for a in answers]
    assert ChatConversation.objects.count() == 5


def test_the_database_gone_mid_write_is_a_503_problem(client, small, tokens):
    token = tokens[("chat", "write")]
    with outage_when_counting() as outage:
        answer = post(client, token, CHATS, CHAT)
    assert outage["stopped"]
    assert answer.status_code == 503
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == "urn:samverkan:problem:unavailable"
    assert "nothing was saved" in problem["detail"]
    # A restart takes a second or two: the client is not told to wait half a minute.
    assert 2 <= int(answer["Retry-After"]) <= 10
    assert problem["retry_after"] == int(answer["Retry-After"])
    assert ChatConversation.objects.count() == 0
    # Back again: the same request saves.
    assert post(client, token, CHATS, CHAT).status_code == 201


def _read_only() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET SESSION default_transaction_read_only = on")
        else:
            cursor.execute("PRAGMA query_only = ON")


def _writable() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET SESSION default_transaction_read_only = off")
        else:
            cursor.execute("PRAGMA query_only = OFF")


def test_a_read_only_database_is_a_503_problem_and_reads_go_on(client, small, tokens):
    token = tokens[("chat", "write")]
    post(client, token, CHATS, {**CHAT, "ref": "BEFORE"})
    # The test client runs in this thread: the session setting holds for its requests.
    _read_only()
    try:
        answer = post(client, token, CHATS, CHAT)
        listed = client.get(CHATS, **bearer(token))
    finally:
        _writable()
    assert answer.status_code == 503, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert "accepts no changes" in answer.json()["detail"]
    assert int(answer["Retry-After"]) >= 2
    # Reading does not write (the list's audit entry is the exception: see the answer).
    assert listed.status_code in (200, 503)
    assert listed["Content-Type"] in ("application/json", "application/problem+json")
    assert list(ChatConversation.objects.values_list("ref", flat=True)) == ["BEFORE"]


def test_an_unexpected_error_is_a_500_problem_with_a_trace_and_nothing_internal(
    client, small, tokens, monkeypatch, caplog
):
    def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("internal detail " + "DEAD" + "BEEF")

    monkeypatch.setattr("samverkan.api.views.log_action", broken)
    with caplog.at_level(logging.ERROR, logger="samverkan.api"):
        answer = client.get(CHATS, **bearer(tokens[("chat", "read")]))
    assert answer.status_code == 500
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == "urn:samverkan:problem:internal"
    assert len(problem["trace"]) == 16
    assert "DEADBEEF" not in answer.content.decode() and "RuntimeError" not in problem["detail"]
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert problem["trace"] in logged and "RuntimeError" in logged
    assert "DEADBEEF" not in logged  # the exception's text could quote values
