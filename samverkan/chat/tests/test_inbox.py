"""What is sent to a side waits for it in its outbox until it acknowledges it: the young
person's dropped connection (or dead worker) and the volunteer's lost console lose no message,
and a receiver that drops a number it has shown sees every message once."""

import asyncio

import pytest

from samverkan.chat.tests.conftest import console, receive_type, young
from samverkan.chat.tests.test_flow import _connected, _waiting_and_taken

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def test_messages_to_an_away_young_person_arrive_when_they_resume(small, volunteer):
    desk, person, conversation_id, token = await _waiting_and_taken(volunteer)
    await person.disconnect()
    assert (await receive_type(desk, "presence"))["state"] == "away"
    for text in ("Är du kvar?", "Jag väntar här."):
        await desk.send_json_to({"type": "message", "conversation": conversation_id, "text": text})
    person = await _connected(young())
    await person.send_json_to({"type": "resume", "token": token})
    assert (await receive_type(person, "resumed"))["state"] == "active"
    first = await receive_type(person, "message")
    second = await receive_type(person, "message")
    assert [first["text"], second["text"]] == ["Är du kvar?", "Jag väntar här."]
    await person.send_json_to({"type": "message", "text": "Ja"})
    assert (await receive_type(desk, "message", skip_all=True))["text"] == "Ja"
    await person.disconnect()
    await desk.disconnect()


async def test_messages_to_a_lost_console_arrive_when_it_reconnects(small, volunteer):
    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    await desk.disconnect()
    assert (await receive_type(person, "presence"))["state"] == "away"
    await person.send_json_to({"type": "message", "text": "Hallå?"})
    desk = await _connected(console(volunteer))
    hello = await receive_type(desk, "hello")
    assert [c["id"] for c in hello["conversations"]] == [conversation_id]
    message = await receive_type(desk, "message", skip_all=True)
    assert (message["conversation"], message["text"]) == (conversation_id, "Hallå?")
    # The newest console holds the conversation: a second one does not split the messages.
    second_desk = await _connected(console(volunteer))
    await receive_type(second_desk, "hello")
    for n in range(5):
        await person.send_json_to({"type": "message", "text": f"m{n}"})
    # "Hallå?" was handed to the first console but never acknowledged: the second hands it
    # over again, with its number, which the console has shown and drops.
    again = await receive_type(second_desk, "message", skip_all=True)
    assert (again["text"], again["seq"]) == ("Hallå?", message["seq"])
    texts = [(await receive_type(second_desk, "message", skip_all=True))["text"] for _ in range(5)]
    assert texts == [f"m{n}" for n in range(5)]
    # Acknowledged, it is gone from the outbox: a third console hands over nothing old.
    await second_desk.send_json_to({"type": "ack", "conversation": conversation_id, "seq": 6})
    third_desk = await _connected(console(volunteer))
    await receive_type(third_desk, "hello")
    await person.send_json_to({"type": "message", "text": "ny"})
    new = await receive_type(third_desk, "message", skip_all=True)
    assert (new["text"], new["seq"]) == ("ny", 7)
    for communicator in (person, desk, second_desk, third_desk):
        await communicator.disconnect()


async def test_a_message_with_an_id_is_acknowledged_and_carries_it(small, volunteer):
    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    await person.send_json_to({"type": "message", "text": "Hej", "id": "y-1"})
    assert await receive_type(person, "sent") == {"type": "sent", "id": "y-1"}
    message = await receive_type(desk, "message", skip_all=True)
    assert (message["text"], message["id"]) == ("Hej", "y-1")
    await desk.send_json_to(
        {"type": "message", "conversation": conversation_id, "text": "Hej!", "id": "v-1"}
    )
    sent = await receive_type(desk, "sent", skip_all=True)
    assert (sent["id"], sent["conversation"]) == ("v-1", conversation_id)
    assert (await receive_type(person, "message"))["id"] == "v-1"
    # Without an id nothing is acknowledged; an id that is not a short string is refused, and
    # the message is not relayed (docs/chat-protocol.md).
    await person.send_json_to({"type": "message", "text": "x"})
    assert "id" not in await receive_type(desk, "message", skip_all=True)
    for bad in (5, "", "x" * 65, None, ["y-2"]):
        await person.send_json_to({"type": "message", "text": "x", "id": bad})
        assert (await receive_type(person, "error"))["code"] == "bad_request"
    assert await desk.receive_nothing(timeout=0.2)
    await person.disconnect()
    await desk.disconnect()


async def test_a_socket_ended_by_an_exception_takes_its_readers_with_it(
    small, volunteer, monkeypatch
):
    """A console that dies of an exception (not a close) must not leave its inbox reader
    taking the young person's messages: the reconnected console receives every one."""
    from samverkan.chat import consumers

    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)

    async def broken(self, event):  # noqa: ANN001, ANN202
        raise RuntimeError("a handler's failure")

    monkeypatch.setattr(consumers.VolunteerConsumer, "queue_changed", broken)
    other = await _connected(young("198.51.100.99"))
    await other.send_json_to({"type": "start"})  # the queue's news kills the console
    await receive_type(other, "queued")
    assert (await receive_type(person, "presence"))["state"] == "away"
    monkeypatch.undo()
    for n in range(5):
        await person.send_json_to({"type": "message", "text": f"m{n}", "id": f"y{n}"})
        assert (await receive_type(person, "sent"))["id"] == f"y{n}"
    desk = await _connected(console(volunteer))
    await receive_type(desk, "hello")
    texts = [(await receive_type(desk, "message", skip_all=True))["text"] for _ in range(5)]
    assert texts == [f"m{n}" for n in range(5)]
    for communicator in (person, other, desk):
        await communicator.disconnect()


async def test_an_outbox_keeps_its_messages_longer_than_the_resume_grace():
    """A side that returns within the grace finds everything acknowledged meanwhile."""
    from samverkan.chat.store import OUTBOX_KEPT, resume_grace

    assert OUTBOX_KEPT > resume_grace() * 2


async def test_nothing_is_posted_for_a_conversation_the_store_does_not_have(small, volunteer):
    """Redis restarted between the sender's reading the conversation and the post, say: no
    outbox is made for it, and the sender gets no `sent` (issue 14: a `sent` for a message
    nobody would ever be handed)."""
    from samverkan.chat.store import get_store

    store = get_store()
    assert await store.post("gone1234", "young", {"kind": "message", "text": "x"}, "m") == (
        0,
        False,
        0,
    )
    assert await store.pending("gone1234", "young", 0) == []
    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    assert (await store.post(conversation_id, "young", {"kind": "message", "text": "x"}, "m"))[0]
    await person.disconnect()
    await desk.disconnect()


async def test_a_resent_message_is_delivered_once_and_acks_empty_the_outbox(small, volunteer):
    """A client resends what had no `sent` (its server died before answering): the same id
    is not put in the outbox twice. An `ack` drops only what the socket handed over."""
    from samverkan.chat.store import get_store

    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    for _ in range(3):
        await person.send_json_to({"type": "message", "text": "Hej", "id": "y-1"})
        assert (await receive_type(person, "sent"))["id"] == "y-1"
    first = await receive_type(desk, "message", skip_all=True)
    assert (first["id"], first["seq"]) == ("y-1", 1)
    assert await desk.receive_nothing(timeout=0.2)
    store = get_store()
    assert [e["seq"] for e in await store.pending(conversation_id, "volunteer", 0)] == [1]
    # An ack drops what it names (and never what the socket has not handed over).
    await person.send_json_to({"type": "message", "text": "Två", "id": "y-2"})
    await receive_type(person, "sent")
    assert (await receive_type(desk, "message", skip_all=True))["seq"] == 2
    await desk.send_json_to({"type": "ack", "conversation": conversation_id, "seq": 99})
    await person.send_json_to({"type": "message", "text": "Tre", "id": "y-3"})
    await receive_type(person, "sent")
    assert (await receive_type(desk, "message", skip_all=True))["seq"] == 3
    # Acknowledgements are applied in the background, a moment later (redis_outboxes.py): with
    # Redis the `ack` may still be on its way when the next message arrives.
    for _ in range(100):
        left = [e["id"] for e in await store.pending(conversation_id, "volunteer", 0)]
        if left == ["y-3"]:
            break
        await asyncio.sleep(0.02)
    assert left == ["y-3"]
    for bad in (-1, "1", True, None, 1.5, 2**53):
        await desk.send_json_to({"type": "ack", "conversation": conversation_id, "seq": bad})
        assert (await receive_type(desk, "error", skip_all=True))["code"] == "bad_request"
        await person.send_json_to({"type": "ack", "seq": bad})
        assert (await receive_type(person, "error"))["code"] == "bad_request"
    # The end: what is left is delivered, then the outboxes are empty.
    await desk.send_json_to({"type": "end", "conversation": conversation_id})
    await receive_type(desk, "ended", skip_all=True)
    await receive_type(person, "ended")
    await asyncio.sleep(0.05)
    for side in ("young", "volunteer"):
        assert await store.pending(conversation_id, side, 0) == []
    await person.disconnect()
    await desk.disconnect()
