"""After a whole conversation, nothing that was written and no address is left anywhere: not in
any table of the database, not in anything logged, not in the data directory."""

import logging
import time
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.utils import timezone

from samverkan.chat.logging import ChatTrafficFilter
from samverkan.chat.store import get_store
from samverkan.chat.tests.conftest import YOUNG_ADDRESS, console, receive_type, young

STAFF_ADDRESS = "192.0.2.10"  # the console's address in conftest.console
FROM_YOUNG = ["Han slog mig igår kväll Zq7", "Jag bor på Storgatan 12 Xw3"]
FROM_VOLUNTEER = ["Det var modigt att skriva Pk9", "<b>Ring 112</b> om det är akut Mn4"]
SECRETS = FROM_YOUNG + FROM_VOLUNTEER + [YOUNG_ADDRESS, STAFF_ADDRESS]


def _database_dump() -> str:
    """Every row of every table, as text."""
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - names from introspection
            rows += [f"{table}: {row!r}" for row in cursor.fetchall()]
    return "\n".join(rows)


def _supervisor_page(small) -> str:  # noqa: ANN001
    from django.test import Client

    from samverkan.accounts.models import Role, User
    from samverkan.conftest import sign_in

    manager = User.objects.create_user(
        "chef", password="x" * 16, role=Role.UNIT_MANAGER, unit=small.chat
    )
    client = Client()
    sign_in(client, manager)
    return client.get("/chatt/oversikt/").content.decode()


def _service_counts() -> dict[str, int]:
    from samverkan.statistics.models import DailyCount

    rows = DailyCount.objects.filter(metric__startswith="chat.service.")
    return dict(rows.values_list("metric", "n"))


def _var_dir_dump(since: float) -> bytes:
    """Every file of the data directory written since the conversation began. (Older files are
    not the run's: a developer's var/ may hold benchmark databases or a `git archive` of the
    code under comparison, whose copy of this very test holds the secrets.)"""
    return b"".join(
        path.read_bytes()
        for path in Path(settings.VAR_DIR).rglob("*")
        if path.is_file() and path.stat().st_mtime >= since
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_nothing_written_and_no_address_survives_a_conversation(small, volunteer, caplog):
    caplog.set_level(logging.DEBUG)
    began = time.time() - 1  # file times can be a little coarse
    desk = console(volunteer)
    assert (await desk.connect())[0]
    await receive_type(desk, "hello")
    person = young()
    assert (await person.connect())[0]
    await person.send_json_to({"type": "start", "intake": {"age": 17, "concern": "victim"}})
    token = (await receive_type(person, "queued"))["resume"]
    conversation_id = (await receive_type(desk, "queue"))["queue"][0]["id"]
    await desk.send_json_to({"type": "take", "conversation": conversation_id})
    await receive_type(desk, "taken")
    await receive_type(person, "joined")
    for mine, theirs in zip(FROM_YOUNG, FROM_VOLUNTEER, strict=True):
        await person.send_json_to({"type": "message", "text": mine})
        assert (await receive_type(desk, "message"))["text"] == mine
        await desk.send_json_to(
            {"type": "message", "conversation": conversation_id, "text": theirs}
        )
        assert (await receive_type(person, "message"))["text"] == theirs
    # Refused frames carry text too (a bad id, a lone surrogate, a frame too long, a bad
    # field on the console): refused, and nothing of them logged or kept.
    import json

    for frame in (
        {"type": "message", "text": FROM_YOUNG[0], "id": ""},
        {"type": "message", "text": FROM_YOUNG[0] + "\ud800"},
        {"type": "message", "text": FROM_YOUNG[0], "padding": "x" * 16_000},
        {"type": "typing", "active": FROM_YOUNG[1]},
    ):
        await person.send_to(text_data=json.dumps(frame))
        assert (await receive_type(person, "error"))["code"] == "bad_request"
    await desk.send_json_to({"type": "message", "conversation": FROM_VOLUNTEER[0], "text": "x"})
    assert (await receive_type(desk, "error"))["code"] == "bad_request"
    await desk.send_json_to(
        {"type": "refer", "conversation": conversation_id, "service": small.rvc_service.pk}
    )
    await receive_type(person, "referral")
    # The supervisor's page, mid-conversation: counts, times and the volunteer's status only.
    supervisor_page = await sync_to_async(_supervisor_page)(small)
    assert 'data-status="in_conversation"' in supervisor_page
    await person.disconnect()
    person = young()
    assert (await person.connect())[0]
    await person.send_json_to({"type": "resume", "token": token})
    await receive_type(person, "resumed")
    await person.send_json_to({"type": "end"})
    # What was not acknowledged is handed over again first (this client never acknowledges).
    await receive_type(person, "ended", skip_all=True)
    await person.send_json_to({"type": "feedback", "answer": "partly"})
    await receive_type(person, "thanks")
    record_url = (await receive_type(desk, "ended", skip_all=True))["record"]
    response = await sync_to_async(volunteer.client.post)(
        record_url,
        {
            "started_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "concern": "victim",
            "resident": "unknown",
            "gender": "unknown",
            "age": 17,
            "referred_to": small.rvc_service.pk,
        },
    )
    assert response.status_code == 302
    await person.disconnect()
    await desk.disconnect()

    # The server's own access lines, made by daphne's runserver (what `make demo` serves with).
    from daphne.management.commands.runserver import Command as RunServer

    server = RunServer()
    young_client = f"{YOUNG_ADDRESS}:50123"
    for action in ("connecting", "connected", "disconnected"):
        server.log_action("websocket", action, {"path": "/ws/chatt/", "client": young_client})
    for path, client in (("/chatt/", young_client), ("/registrering/", f"{STAFF_ADDRESS}:40000")):
        details = {"method": "GET", "path": path, "status": 200, "time_taken": 0.01}
        server.log_action("http", "complete", {**details, "client": client, "size": 1})

    from samverkan.chat.actions import counted

    await counted()
    dump = await sync_to_async(_database_dump)()
    assert "chat_conversation" in dump or "records_chatconversation" in dump
    logged = caplog.text + "\n".join(record.getMessage() for record in caplog.records)
    assert "/registrering/" in logged  # the log works, and kept the staff page's path only
    files = _var_dir_dump(since=began)
    for secret in SECRETS:
        assert secret not in dump
        assert secret not in logged
        assert secret.encode() not in files
    assert "/chatt/" not in logged
    # The service's counts (supervision) are anonymous daily counts by band: no conversation's
    # id, token, intake or time of its own, and the supervisor's page shows none either.
    assert await sync_to_async(_service_counts)() == {
        "chat.service.taken.under_1_min": 1,
        "chat.service.ended.under_5_min": 1,
        "chat.service.consoles": 1,
    }
    for trail in [conversation_id, token]:
        assert trail not in dump
        assert trail not in logged
        assert trail.encode() not in files
    for secret in [*SECRETS, conversation_id, token, "victim"]:
        assert secret not in supervisor_page
    # A message is in an outbox only until it is acknowledged or the conversation ends: the
    # ended conversation's outboxes are empty (nothing was acknowledged here).
    store = get_store()
    for side in ("young", "volunteer"):
        assert await store.pending(conversation_id, side, 0) == []
    if not store.shared_between_processes:
        assert store._outboxes == {}
    # In production mode (scripts/with-redis), nothing in Redis either: the conversation's
    # state (restored ones too) holds no text and no address, and no outbox is left.
    if store.shared_between_processes:
        import redis.asyncio as redis

        client = redis.Redis.from_url(store.url)
        try:
            kept = b""
            async for key in client.scan_iter(match="*"):
                assert b":out:" not in key, key  # no outbox left
                kind = (await client.type(key)).decode()
                if kind == "hash":
                    kept += repr(await client.hgetall(key)).encode()
                elif kind == "string":
                    kept += await client.get(key) or b""
                elif kind in {"zset", "set"}:
                    members = await (
                        client.zrange(key, 0, -1) if kind == "zset" else client.smembers(key)
                    )
                    kept += repr(members).encode()
        finally:
            await client.aclose()
        for secret in SECRETS:
            assert secret.encode() not in kept


def test_the_filter_drops_chat_paths_and_blanks_other_addresses():
    chat_filter = ChatTrafficFilter()

    def record(path: str) -> logging.LogRecord:
        return logging.LogRecord(
            "django.channels.server",
            logging.INFO,
            __file__,
            1,
            "WebSocket CONNECT %(path)s [%(client)s]",
            ({"path": path, "client": "203.0.113.9:1"},),
            None,
        )

    assert not chat_filter.filter(record("/ws/chatt/konsol/"))
    assert not chat_filter.filter(record("/chatt/"))
    staff = record("/oversikt/")
    assert chat_filter.filter(staff)
    assert staff.getMessage() == "WebSocket CONNECT /oversikt/ [-]"
    not_found = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Not Found: %s", ("/chatt/x",), None
    )
    assert not chat_filter.filter(not_found)


def test_the_scripts_never_insert_markup():
    """Text from the other side goes in with textContent; no script uses markup insertion."""
    static = Path(settings.BASE_DIR) / "static" / "samverkan"
    for name in ("chat.js", "console.js"):
        source = (static / name).read_text()
        for forbidden in (
            "innerHTML",
            "outerHTML",
            "insertAdjacentHTML",
            "document.write",
            "eval(",
        ):
            assert forbidden not in source, (name, forbidden)
        assert "textContent" in source
