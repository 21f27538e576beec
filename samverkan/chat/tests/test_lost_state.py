"""When the chat's shared state is lost (Redis restarted: it runs without persistence), what was
still in an outbox is not delivered, and its sender is told which messages may be among them:
the `ended` `by: "lost"` names in `unconfirmed` every message acknowledged with `sent` that the
receiver had not acknowledged as far as the sender's socket knew (docs/chat-protocol.md,
Delivery). A message the sender's socket knows was acknowledged is not named. The loss is made here by emptying the store and
re-registering the sockets as a worker that found itself missing does (liveness.py)."""

import asyncio

import pytest

from samverkan.chat import liveness
from samverkan.chat.store import get_store
from samverkan.chat.tests.conftest import receive_type as _receive_type
from samverkan.chat.tests.test_flow import _waiting_and_taken

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def receive_type(communicator, kind: str, *, skip_all: bool = False):  # noqa: ANN001
    # A generous wait: a first test of a process on a loaded machine takes seconds to start.
    return await _receive_type(communicator, kind, 10, skip_all=skip_all)


async def _lose_the_state() -> None:
    await get_store().clear()
    liveness._pending.update(liveness._sockets)
    await liveness.reassert_sockets()


async def _outbox_emptied(conversation_id: str, side: str) -> None:
    for _ in range(100):
        if not await get_store().pending(conversation_id, side, 0):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the acknowledgement did not empty the outbox")


async def test_the_young_person_is_told_which_messages_may_not_have_arrived(small, volunteer):
    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    await person.send_json_to({"type": "message", "text": "Hej", "id": "y-1"})
    assert (await receive_type(person, "sent"))["id"] == "y-1"
    shown = await receive_type(desk, "message", skip_all=True)
    await desk.send_json_to({"type": "ack", "conversation": conversation_id, "seq": shown["seq"]})
    await _outbox_emptied(conversation_id, "volunteer")
    # The console goes: what follows waits in the volunteer's outbox.
    await desk.disconnect()
    for message_id in ("y-2", "y-3"):
        await person.send_json_to({"type": "message", "text": "Är du där?", "id": message_id})
        assert (await receive_type(person, "sent", skip_all=True))["id"] == message_id

    await _lose_the_state()

    ended = await receive_type(person, "ended", skip_all=True)
    assert ended == {"type": "ended", "by": "lost", "unconfirmed": ["y-2", "y-3"]}
    await person.disconnect()


async def test_the_console_is_told_which_messages_may_not_have_arrived(small, volunteer):
    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    await person.disconnect()
    assert (await receive_type(desk, "presence"))["state"] == "away"
    await desk.send_json_to(
        {"type": "message", "conversation": conversation_id, "text": "Kom tillbaka", "id": "v-1"}
    )
    assert (await receive_type(desk, "sent"))["id"] == "v-1"

    await _lose_the_state()

    ended = await receive_type(desk, "ended", skip_all=True)
    assert (ended["conversation"], ended["by"], ended["unconfirmed"]) == (
        conversation_id,
        "lost",
        ["v-1"],
    )
    await desk.disconnect()


async def test_an_ordinary_end_names_nothing(small, volunteer):
    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    await person.send_json_to({"type": "message", "text": "Hej", "id": "y-1"})
    await receive_type(person, "sent")
    await desk.send_json_to({"type": "end", "conversation": conversation_id})
    assert (await receive_type(person, "ended", skip_all=True)) == {
        "type": "ended",
        "by": "volunteer",
    }
    await person.disconnect()
    await desk.disconnect()
