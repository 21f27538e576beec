"""The fault-injection suite (issue 14): the production configuration on loopback — real
PostgreSQL, real Redis, gunicorn with two uvicorn workers — under API writers and 20 chat
pairs, while a worker is killed with SIGKILL, PostgreSQL restarts, Redis restarts and the
database turns read-only for a few seconds (samverkan/production/faults.py runs it once for
the module; about two minutes). Then what every client saw is held against the database.

It runs once per `make test` (SAMVERKAN_FAULTS=1, `make test-faults`), not in the SQLite and
PostgreSQL passes of the whole suite, since it brings its own servers.

The chat's delivery goes through per-side outboxes in Redis with numbered messages and the
receiver's acknowledgements (docs/chat-protocol.md, Delivery): a message in flight to a worker
killed outright is handed over again by the socket that takes its place, and nothing reads
the channel layer but the sockets' own channels. Every chat check is strict. What Redis takes
with it when it restarts (it runs without persistence, docs/deploy.md) — messages still in
their receivers' outboxes — is not delivered, and their senders are told so: the conversation
ends for both sides with `ended` `by: "lost"`, whose `unconfirmed` names them. A message
acknowledged with `sent` and neither shown nor named there is lost, and fails the suite.

Until 2026-12-03 the chat lost hundreds of acknowledged messages here (605-998 of about
1,800): not at the faults as such, but because a worker read its sockets' news from Redis one
message per four round trips, each waiting for the interpreter while the API's requests ran;
the news fell minutes behind and were still unread when Redis restarted. The channel layer now
takes everything waiting in one round trip (chat/layers.py).
"""

import os

import pytest

from samverkan.production import faults
from samverkan.production.postgres_server import pg_bin
from samverkan.production.redis_server import redis_binary

pytestmark = pytest.mark.skipif(
    os.environ.get("SAMVERKAN_FAULTS") != "1",
    reason="the fault-injection suite runs on its own: make test-faults (part of make test)",
)
PAIRS = 20


@pytest.fixture(scope="module")
def outcome(tmp_path_factory):
    if pg_bin() is None or redis_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL or redis-server is missing in CI (.ci/run installs them)")
        pytest.skip("PostgreSQL server binaries or redis-server not installed")
    outcome = faults.run(tmp_path_factory.mktemp("faults"), pairs=PAIRS, spacing=5.0)
    print(faults.summary(outcome))  # noqa: T201 (shown with -s or -rA)
    return outcome


def test_every_fault_happened_under_load_and_the_api_came_back_after_each(outcome):
    assert [f.name for f in outcome.faults] == [
        "worker SIGKILL",
        "PostgreSQL restart",
        "Redis restart",
        "database read-only",
    ]
    assert len(outcome.api.acknowledged) > 100
    for fault in outcome.faults:
        assert fault.api_back_after is not None, fault
        assert fault.api_back_after - (fault.ended_at - fault.at) < 15, fault
    # The outages were seen: the API answered 503s during them.
    assert outcome.api.statuses[503] > 0


def test_no_acknowledged_record_is_missing_or_duplicated(outcome):
    acknowledged = outcome.api.acknowledged
    missing = [ref for ref in acknowledged if ref not in outcome.database_refs]
    duplicated = [ref for ref, rows in outcome.database_refs.items() if rows > 1]
    assert missing == [] and duplicated == []
    # Nothing half-saved or saved unacknowledged beyond the request in flight at the end.
    unacknowledged = set(outcome.database_refs) - set(acknowledged)
    assert len(unacknowledged) <= 4, unacknowledged


def test_the_counts_equal_the_records(outcome):
    assert outcome.counts_equal_records


def test_every_api_error_is_a_problem_and_identical_content_is_never_a_conflict(outcome):
    assert outcome.api.not_problems == []
    assert outcome.api.wrong_answers == []  # no 409, no two records for one ref
    assert set(outcome.api.statuses) <= {200, 201, 503}, outcome.api.statuses
    # A restart of a second or two: clients are told to wait seconds, not half a minute.
    assert outcome.api.retry_after and max(outcome.api.retry_after) <= 10


def test_no_redis_connection_is_leaked(outcome):
    # Every socket is closed: no connection may be left waiting for a socket's news, and
    # another round of chats opened and closed adds no connection (pools are reused).
    assert outcome.redis_blocked_after == 0
    # (The first round may still grow the pools, emptied by the Redis restart, to what
    # newcomers' chats need; a second round finds them grown: a leak of one connection per
    # chat would add 20.)
    assert outcome.redis_clients_after_again <= outcome.redis_clients_after_more + 4


def test_no_acknowledged_chat_message_is_lost_or_duplicated(outcome):
    # Every message acknowledged with `sent` was shown to its receiver once, or its sender was
    # told it was not delivered (the `ended` of a conversation lost with Redis' state).
    delivery = faults.chat_messages(outcome.pairs)
    assert delivery.lost == [] and delivery.duplicated == []
    # (How many are named unconfirmed though shown follows how far the receivers'
    # acknowledgements lag under the load: counted in the summary, not asserted. That a socket
    # names none its receiver acknowledged is chat/tests/test_lost_state.py's.)


def test_no_ghost_conversations(outcome):
    assert [n for n, pair in enumerate(outcome.pairs) if pair.ghost] == []


def test_every_chat_client_is_told_what_happened(outcome):
    untold = [
        (n, side.side, side.told)
        for n, pair in enumerate(outcome.pairs)
        for side in (pair.young, pair.volunteer)
        if not faults.told_what_happened(side)
    ]
    assert untold == []


def test_a_newcomer_can_chat_again_after_every_fault(outcome):
    for fault in outcome.faults:
        assert fault.chat_back_after is not None, fault


def test_the_workers_output_names_no_message(outcome):
    assert "text y" not in outcome.worker_log and "text v" not in outcome.worker_log
