"""The fault suite's API writers (faults.py): records with refs of their own, each retried
until acknowledged, every fifth sent three times at once; every answer kept for the assertions.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from dataclasses import dataclass, field

CHATS = "/api/v1/chat-conversations/"


async def http(port: int, method: str, path: str, body: dict | None, token: str, timeout=10):  # noqa: ANN001
    """One HTTP/1.1 request on a connection of its own: (status, headers, body) or None when
    the connection failed (refused, reset, no answer)."""
    data = json.dumps(body).encode() if body is not None else b""
    request = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        "Cookie: django_language=en\r\nConnection: close\r\n\r\n"
    ).encode() + data
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 5)
        try:
            writer.write(request)
            await writer.drain()
            raw = await asyncio.wait_for(reader.read(), timeout)
        finally:
            writer.close()
    except (TimeoutError, OSError, ConnectionError):
        return None
    head, _, content = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    if not lines or len(lines[0].split()) < 2:
        return None
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, content


def record(ref: str, n: int) -> dict:
    return {
        "ref": ref,
        "started_at": f"2022-03-{1 + n % 28:02d}T19:{n % 60:02d}:00+01:00",
        "concern": ["victim", "perpetrator", "friend"][n % 3],
        "resident": "yes",
        "gender": ["girl", "boy"][n % 2],
        "age": 13 + n % 7,
        "violence": ["psychological"],
    }


@dataclass
class ApiLog:
    acknowledged: dict[str, int] = field(default_factory=dict)  # ref -> id
    statuses: Counter = field(default_factory=Counter)
    not_problems: list = field(default_factory=list)  # error answers that were no problem
    wrong_answers: list = field(default_factory=list)  # e.g. 409 to identical content
    failed_connections: int = 0
    ok_at: list[float] = field(default_factory=list)  # when each write was acknowledged
    retry_after: list[int] = field(default_factory=list)


async def api_writer(port: int, token: str, prefix: str, log: ApiLog, stop_at: asyncio.Event):
    """Records with refs of its own, one at a time, each retried until acknowledged; every
    fifth sent three times at once (the idempotency race)."""
    n = 0
    while not stop_at.is_set():
        ref = f"{prefix}-{n}"
        body = record(ref, n)
        copies = 3 if n % 5 == 0 else 1
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            answers = await asyncio.gather(
                *(http(port, "POST", CHATS, body, token) for _ in range(copies))
            )
            acked = None
            for answer in answers:
                if answer is None:
                    log.failed_connections += 1
                    continue
                status, headers, content = answer
                log.statuses[status] += 1
                if status in (200, 201):
                    got = json.loads(content)["id"]
                    if acked is not None and acked != got:
                        log.wrong_answers.append((ref, "two ids", acked, got))
                    acked = got
                    continue
                if headers.get("content-type") != "application/problem+json":
                    log.not_problems.append((status, headers.get("content-type"), content[:200]))
                if status == 409:
                    log.wrong_answers.append((ref, 409, content[:200]))
                if "retry-after" in headers:
                    log.retry_after.append(int(headers["retry-after"]))
            if acked is not None:
                log.acknowledged[ref] = acked
                log.ok_at.append(time.monotonic())
                break
            await asyncio.sleep(0.2)
        n += 1
        await asyncio.sleep(0.05)
