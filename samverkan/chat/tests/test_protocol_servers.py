"""Conformance over real servers: the development server (daphne, the in-memory layer and store)
and the production configuration (gunicorn with two uvicorn workers, Redis). Lone surrogates in
any field, escaped emoji, oversize frames, invalid UTF-8, a console closed at once after a take,
two consoles of one volunteer, a transfer between volunteers: each answered as
docs/chat-protocol.md says, the same on both, and no traceback in either server's output."""

import asyncio
import json
import os
import subprocess
import sys

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from samverkan.chat import protocol
from samverkan.chat.limits import MAX_TRANSPORT_BYTES
from samverkan.production.loopback import free_port, prepare_site, start_server, stop
from samverkan.production.redis_server import redis_binary, redis_server

pytestmark = pytest.mark.skipif(
    redis_binary() is None and not os.environ.get("CI"), reason="redis-server not installed"
)


def _daphne(site, port: int, log):  # noqa: ANN001, ANN202
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(port)]
        + ["samverkan.asgi:application"],
        env=site.env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return server


async def _wait_for_port(port: int) -> None:
    for _ in range(300):
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            await asyncio.sleep(0.1)
    raise RuntimeError("server did not start")


@pytest.fixture(params=["daphne", "gunicorn"])
def server(request, tmp_path):
    log_path = tmp_path / "server.log"
    port = free_port()
    if request.param == "daphne":
        site = prepare_site(tmp_path / "site", volunteers=2)
        with open(log_path, "ab") as log:
            process = _daphne(site, port, log)
        try:
            asyncio.run(_wait_for_port(port))
            yield site, port, log_path
        finally:
            stop(process)
        return
    with redis_server() as url:
        site = prepare_site(tmp_path / "site", volunteers=2, redis_url=url)
        process = start_server(site, port, workers=2, log=log_path)
        try:
            yield site, port, log_path
        finally:
            stop(process)


async def _open(port: int, path: str, cookie: str | None = None):  # noqa: ANN202
    headers = [("Cookie", f"sessionid={cookie}")] if cookie else []
    return await connect(
        f"ws://127.0.0.1:{port}{path}",
        origin=f"http://127.0.0.1:{port}",
        additional_headers=headers,
        max_size=None,
    )


async def _next(socket, kind: str, timeout: float = 10, **fields) -> dict:  # noqa: ANN001
    async def wait() -> dict:
        while True:
            event = json.loads(await socket.recv())
            if event["type"] == kind and all(event.get(k) == v for k, v in fields.items()):
                return event

    return await asyncio.wait_for(wait(), timeout)


async def _closed(socket, timeout: float = 10) -> None:  # noqa: ANN001
    async def wait() -> None:
        try:
            while True:
                await socket.recv()
        except ConnectionClosed:
            return

    await asyncio.wait_for(wait(), timeout)


async def _pair(port: int, cookie: str):  # noqa: ANN202
    desk = await _open(port, "/ws/chatt/konsol/", cookie)
    await _next(desk, "hello")
    person = await _open(port, "/ws/chatt/")
    await person.send(json.dumps({"type": "start"}))
    queued = await _next(person, "queued")
    queue = await _next(desk, "queue")
    conversation = [c for c in queue["queue"] if c["state"] == "waiting"][-1]["id"]
    await desk.send(json.dumps({"type": "take", "conversation": conversation}))
    await _next(desk, "taken")
    await _next(person, "joined")
    return desk, person, conversation, queued["resume"]


async def _conformance(site, port: int) -> None:  # noqa: ANN001
    desk, person, conversation, token = await _pair(port, site.sessions[0])
    # Lone surrogates in every kind of string field: bad_request, and the socket lives on.
    for frame in [
        '{"type": "message", "text": "\\ud800"}',
        '{"type": "message", "text": "ok", "id": "\\ud800"}',
        '{"type": "\\udfff"}',
        '{"type": "typing", "active": true, "x": "a\\ud800b"}',
    ]:
        await person.send(frame)
        assert (await _next(person, "error"))["code"] == "bad_request"
    for frame in [
        '{"type": "take", "conversation": "\\ud800"}',
        '{"type": "message", "conversation": "' + conversation + '", "text": "\\ud800"}',
    ]:
        await desk.send(frame)
        assert (await _next(desk, "error"))["code"] == "bad_request"
    # 2,000 emoji escaped as surrogate pairs: 24,000 characters sent, a text of 2,000.
    emoji = "\U0001f600" * 2000
    await person.send(json.dumps({"type": "message", "text": emoji, "id": "e1"}))
    assert (await _next(person, "sent"))["id"] == "e1"
    assert (await _next(desk, "message"))["text"] == emoji
    # Over the frame limit (decoded), and over the raw limit: bad_request, the socket lives.
    await person.send(json.dumps({"type": "message", "text": "x", "p": "y" * protocol.MAX_FRAME}))
    assert (await _next(person, "error"))["code"] == "bad_request"
    await person.send(" " * (protocol.MAX_RAW_FRAME + 10))
    assert (await _next(person, "error"))["code"] == "bad_request"
    await person.send(json.dumps({"type": "message", "text": "still here", "id": "e2"}))
    still = await _next(desk, "message")
    assert (still["text"], still["seq"]) == ("still here", 2)
    # Acknowledged (both, cumulatively): no socket hands them over again.
    await desk.send(json.dumps({"type": "ack", "conversation": conversation, "seq": 2}))
    # Past the transport limit (1 MiB on both servers) the server drops the connection; the
    # young person resumes with the token, and the volunteer heard `away`, then `back`.
    await person.send("x" * (MAX_TRANSPORT_BYTES + 1))
    await _closed(person)
    assert (await _next(desk, "presence"))["state"] == "away"
    person = await _open(port, "/ws/chatt/")
    await person.send(json.dumps({"type": "resume", "token": token}))
    resumed = await _next(person, "resumed")
    assert (await _next(desk, "presence"))["state"] == "back"
    # Invalid UTF-8 in a text frame: the server closes the connection (1007).
    await person.send(b'{"type": "message", "text": "\xff\xfe"}', text=True)
    await _closed(person)
    assert (await _next(desk, "presence"))["state"] == "away"
    person = await _open(port, "/ws/chatt/")
    await person.send(json.dumps({"type": "resume", "token": resumed["resume"]}))
    await _next(person, "resumed")
    await desk.send(json.dumps({"type": "message", "conversation": conversation, "text": "hej"}))
    assert (await _next(person, "message"))["text"] == "hej"

    # A second console of the same volunteer: the first is told and closed, the young person
    # hears nothing, and messages reach the second.
    second = await _open(port, "/ws/chatt/konsol/", site.sessions[0])
    await _next(second, "hello")
    assert (await _next(desk, "replaced")) == {"type": "replaced"}
    await _closed(desk)
    await person.send(json.dumps({"type": "message", "text": "till den andra"}))
    assert (await _next(second, "message"))["text"] == "till den andra"

    # Another volunteer's console closed at once after a take: the young person hears `away`
    # (the console is not left registered), then a reconnect brings `back` and a drop `away`.
    other = await _open(port, "/ws/chatt/konsol/", site.sessions[1])
    await _next(other, "hello")
    waiting = await _open(port, "/ws/chatt/")
    await waiting.send(json.dumps({"type": "start"}))
    await _next(waiting, "queued")
    queue = await _next(other, "queue")
    taken = queue["queue"][0]["id"]
    await other.send(json.dumps({"type": "take", "conversation": taken}))
    await other.close()
    await _next(waiting, "joined")
    assert (await _next(waiting, "presence"))["state"] == "away"
    other = await _open(port, "/ws/chatt/konsol/", site.sessions[1])
    await _next(other, "hello")
    assert (await _next(waiting, "presence"))["state"] == "back"
    await other.close()
    assert (await _next(waiting, "presence"))["state"] == "away"
    for socket in (person, second, waiting):
        await socket.close()


async def _transfer(site, port: int) -> None:  # noqa: ANN001
    """A transfer between the two volunteers (on two workers, possibly): refusals first, then
    the young person's side goes on seamlessly (docs/chat-protocol.md, "Transfer")."""
    first, person, conversation, _token = await _pair(port, site.sessions[0])
    second = await _open(port, "/ws/chatt/konsol/", site.sessions[1])
    await _next(second, "hello")
    for frame in [
        {"type": "transfer", "conversation": conversation},
        {"type": "transfer", "conversation": conversation, "to": "2"},
        {"type": "transfer", "conversation": conversation, "to": True},
        {"type": "transfer", "conversation": conversation, "to": 0},
        {"type": "transfer", "to": 2},
    ]:
        await first.send(json.dumps(frame))
        assert (await _next(first, "error"))["code"] == "bad_request", frame
    await first.send(json.dumps({"type": "transfer", "conversation": conversation, "to": 10**9}))
    assert (await _next(first, "error"))["code"] == "no_colleague"
    await first.send(json.dumps({"type": "colleagues"}))
    [colleague] = (await _next(first, "colleagues"))["colleagues"]
    # (still in the conversation the suite above left under way)
    assert (colleague["name"], colleague["status"]) == ("volunteer1", "in_conversation")

    await first.send(json.dumps({"type": "message", "conversation": conversation, "text": "a"}))
    assert (await _next(person, "message"))["seq"] == 1
    await person.send(json.dumps({"type": "message", "text": "ett", "id": "y1"}))
    assert (await _next(first, "message"))["seq"] == 1
    await first.send(json.dumps({"type": "ack", "conversation": conversation, "seq": 1}))
    await person.send(json.dumps({"type": "message", "text": "två", "id": "y2"}))
    assert (await _next(first, "message"))["seq"] == 2
    transfer = {"type": "transfer", "conversation": conversation, "to": colleague["id"]}
    await first.send(json.dumps(transfer))
    await person.send(json.dumps({"type": "message", "text": "tre", "id": "y3"}))
    assert (await _next(first, "transferred"))["to"] == "volunteer1"
    taken = await _next(second, "taken")
    assert (taken["conversation"]["id"], taken["from"]) == (conversation, "volunteer0")
    handed = [await _next(second, "message") for _ in range(2)]
    assert [(m["text"], m["seq"]) for m in handed] == [("två", 2), ("tre", 3)]
    assert await _next(person, "transferred") == {"type": "transferred"}
    await first.send(json.dumps({"type": "message", "conversation": conversation, "text": "x"}))
    assert (await _next(first, "error"))["code"] == "not_found"
    await second.send(json.dumps({"type": "message", "conversation": conversation, "text": "b"}))
    assert (await _next(person, "message"))["seq"] == 2
    await person.send(json.dumps({"type": "message", "text": "fyra", "id": "y4"}))
    assert (await _next(second, "message"))["seq"] == 4
    await second.send(json.dumps({"type": "end", "conversation": conversation}))
    await _next(person, "ended")
    for socket in (first, second, person):
        await socket.close()


def test_conformance_on_a_real_server(server):
    site, port, log_path = server
    asyncio.run(asyncio.wait_for(_conformance(site, port), 120))
    asyncio.run(asyncio.wait_for(_transfer(site, port), 60))
    output = log_path.read_text(errors="replace")
    assert "Traceback" not in output, output[-3000:]
    assert "still here" not in output and "\U0001f600" not in output
