"""What the supervisor's page shows live (docs/chat-protocol.md, "Supervision"): the store's
counts of now (the queue, its waits, conversations under way, volunteers online), each
volunteer's status, and today's anonymous service counts (services.service_count).

Each volunteer's status comes from their live console itself, by a roll call over the channel
layer: the supervisor's stream asks every console (the group chat.volunteers) and each answers
on the stream's own channel with its volunteer's name and how many conversations it holds under
way. So it is true on any worker, and nothing more is kept in the store. Never a message, an
intake answer or a conversation's id: counts, times and staff names only.
"""

import asyncio
import time
from typing import Any

from channels.db import database_sync_to_async
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from samverkan.chat import services
from samverkan.chat.actions import VOLUNTEERS
from samverkan.chat.store import get_store

# How long the roll call waits for the consoles' answers (they answer in milliseconds).
ROLL_CALL_SECONDS = 0.3
AVAILABLE, IN_CONVERSATION = "available", "in_conversation"


async def roll_call(layer: Any, reply_to: str) -> list[dict[str, Any]]:
    """Each live console's volunteer (id, name) and status, by name: for the supervisor's
    page, and for a volunteer choosing a colleague to transfer a conversation to."""
    await layer.group_send(VOLUNTEERS, {"type": "supervision.roll_call", "reply_to": reply_to})
    answers: dict[int, dict[str, Any]] = {}
    deadline = time.monotonic() + ROLL_CALL_SECONDS
    while (left := deadline - time.monotonic()) > 0:
        try:
            answer = await asyncio.wait_for(layer.receive(reply_to), left)
        except TimeoutError:
            break
        if answer.get("type") == "supervision.status":
            answers[answer["volunteer"]] = answer
    return sorted(
        (
            {
                "id": a["volunteer"],
                "name": a["name"],
                "conversations": a["conversations"],
                "status": IN_CONVERSATION if a["conversations"] else AVAILABLE,
            }
            for a in answers.values()
        ),
        key=lambda v: v["name"],
    )


async def colleagues_of(layer: Any, volunteer_id: int) -> list[dict[str, Any]]:
    """The other volunteers whose console is open, with their status (for a transfer)."""
    answers = await roll_call(layer, await layer.new_channel())
    return [colleague for colleague in answers if colleague["id"] != volunteer_id]


def answer(volunteer_id: int, name: str, under_way: int) -> dict[str, Any]:
    """A console's answer to the roll call (consumers.py)."""
    return {
        "type": "supervision.status",
        "volunteer": volunteer_id,
        "name": name,
        "conversations": under_way,
    }


def today_counts() -> dict[str, Any]:
    """Today's service counts (Stockholm day): taken, gave up waiting, ended, their means, and
    the volunteers' hours online so far (consoles closed today)."""
    counts = services.service_counts_of_day(timezone.localdate())
    result: dict[str, Any] = {}
    for kind, bands in services.SERVICE_EVENTS.items():
        cells = [counts.get(f"{services.SERVICE_PREFIX}{kind}.{key}", (0, 0)) for _u, key in bands]
        n = sum(c[0] for c in cells)
        minutes = sum(c[1] for c in cells)
        result[kind] = {
            "count": n,
            "mean_minutes": round(minutes / n) if n else None,
            "bands": [
                {"band": key, "label": band_label(upper, previous), "count": cell[0]}
                for (upper, key), previous, cell in zip(
                    bands, [0, *[u for u, _k in bands[:-1]]], cells, strict=True
                )
            ],
        }
    _sessions, minutes = counts.get(services.CONSOLE_METRIC, (0, 0))
    result["volunteer_hours"] = round(minutes / 60, 1)
    return result


def band_label(upper: int | None, lower: int | None) -> str:
    if upper is None:
        return _("%(minutes)s min or more") % {"minutes": (lower or 0) // 60}
    if not lower:
        return _("under %(minutes)s min") % {"minutes": upper // 60}
    return _("%(low)s–%(high)s min") % {"low": lower // 60, "high": upper // 60}


async def live_state(layer: Any, reply_to: str, today: Any = None) -> dict[str, Any]:
    """The chat right now. `today`: the day's counts when the caller has read them (a page's
    view, in its own thread and transaction); the stream reads them through Channels, which
    closes the connection it leaves behind."""
    overview = await get_store().overview(timezone.now())
    volunteers = await roll_call(layer, reply_to)
    if today is None:
        today = await database_sync_to_async(today_counts)()
    return {"overview": overview, "volunteers": volunteers, "today": today}


def render_live(state: dict[str, Any]) -> dict[str, str]:
    """The live part of the page as HTML, and a short sentence for the polite live region."""
    html = render_to_string("chat/supervisor_live.html", state)
    overview, volunteers = state["overview"], state["volunteers"]
    available = sum(1 for v in volunteers if v["status"] == AVAILABLE)
    summary = " ".join(
        [
            ngettext("%(n)s young person waiting.", "%(n)s young people waiting.", overview.waiting)
            % {"n": overview.waiting},
            ngettext("%(n)s volunteer available.", "%(n)s volunteers available.", available)
            % {"n": available},
        ]
    )
    return {"html": html, "summary": summary}
