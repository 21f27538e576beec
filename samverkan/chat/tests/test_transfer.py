"""A transfer of a conversation from one volunteer to another (docs/chat-protocol.md,
"Transfer"): the young person's side goes on without a lost message or a change of order, and
sees only a neutral notice; the colleague gets the conversation's notes and codes and what the
first volunteer had not acknowledged; refusals leave every socket working."""

import json

import pytest

from samverkan.chat.tests.conftest import console, receive_type, young

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def _connected(communicator):
    connected, _code = await communicator.connect()
    assert connected
    return communicator


async def test_a_transfer_keeps_the_young_persons_side_seamless(small, volunteer, colleague):
    first = await _connected(console(volunteer))
    await receive_type(first, "hello")
    second = await _connected(console(colleague))
    await receive_type(second, "hello")
    person = await _connected(young())
    await person.send_json_to({"type": "start", "intake": {"concern": "friend"}})
    await receive_type(person, "queued")
    conversation_id = (await receive_type(first, "queue"))["queue"][0]["id"]
    await first.send_json_to({"type": "take", "conversation": conversation_id})
    await receive_type(first, "taken", skip_all=True)
    await receive_type(person, "joined", skip_all=True)
    await first.send_json_to(
        {"type": "note", "conversation": conversation_id, "notes": {"concern": "victim"}}
    )
    await receive_type(first, "noted", skip_all=True)

    # The first volunteer writes (the young person's 1); shows and acknowledges the young
    # person's 1, shows their 2 without acknowledging it.
    await first.send_json_to(
        {"type": "message", "conversation": conversation_id, "text": "Hej!", "id": "a1"}
    )
    assert (await receive_type(person, "message", skip_all=True))["seq"] == 1
    await person.send_json_to({"type": "message", "text": "ett", "id": "y1"})
    assert (await receive_type(first, "message", skip_all=True))["seq"] == 1
    await first.send_json_to({"type": "ack", "conversation": conversation_id, "seq": 1})
    await person.send_json_to({"type": "message", "text": "två", "id": "y2"})
    assert (await receive_type(first, "message", skip_all=True))["seq"] == 2

    # Whose console is open: the colleague, available.
    await first.send_json_to({"type": "colleagues"})
    colleagues = (await receive_type(first, "colleagues", skip_all=True))["colleagues"]
    assert colleagues == [
        {
            "id": colleague.user.pk,
            "name": "colleague",
            "conversations": 0,
            "status": "available",
        }
    ]

    await first.send_json_to(
        {"type": "transfer", "conversation": conversation_id, "to": colleague.user.pk}
    )
    await person.send_json_to({"type": "message", "text": "tre", "id": "y3"})
    assert await receive_type(first, "transferred", skip_all=True) == {
        "type": "transferred",
        "conversation": conversation_id,
        "to": "colleague",
    }
    taken = await receive_type(second, "taken", skip_all=True)
    assert taken["from"] == "volunteer"
    assert taken["conversation"]["id"] == conversation_id
    assert taken["conversation"]["notes"] == {"concern": "victim"}
    # What the first had not acknowledged, and what came during the transfer, in order.
    handed = [await receive_type(second, "message", skip_all=True) for _ in range(2)]
    assert [(m["text"], m["seq"]) for m in handed] == [("två", 2), ("tre", 3)]
    assert await receive_type(person, "transferred", skip_all=True) == {"type": "transferred"}

    # The first console holds it no more; its late acknowledgement drops nothing.
    await first.send_json_to({"type": "ack", "conversation": conversation_id, "seq": 3})
    await first.send_json_to(
        {"type": "message", "conversation": conversation_id, "text": "x", "id": "a2"}
    )
    error = await receive_type(first, "error", skip_all=True)
    assert (error["code"], error["conversation"]) == ("not_found", conversation_id)

    # The colleague writes: the young person's numbers go on; the young person's go to them.
    await second.send_json_to({"type": "ack", "conversation": conversation_id, "seq": 3})
    await second.send_json_to(
        {"type": "message", "conversation": conversation_id, "text": "Jag tar över.", "id": "b1"}
    )
    message = await receive_type(person, "message", skip_all=True)
    assert (message["text"], message["seq"]) == ("Jag tar över.", 2)
    await person.send_json_to({"type": "message", "text": "fyra", "id": "y4"})
    assert (await receive_type(second, "message", skip_all=True))["seq"] == 4
    # The colleague ends it and registers the record: theirs now.
    await second.send_json_to({"type": "end", "conversation": conversation_id})
    ended = await receive_type(second, "ended", skip_all=True)
    assert ended["record"].endswith(conversation_id)
    for socket in (first, second, person):
        await socket.disconnect()


async def test_a_transfer_refused_leaves_the_conversation_where_it_was(small, volunteer, colleague):
    first = await _connected(console(volunteer))
    await receive_type(first, "hello")
    person = await _connected(young())
    await person.send_json_to({"type": "start"})
    await receive_type(person, "queued")
    conversation_id = (await receive_type(first, "queue"))["queue"][0]["id"]
    await first.send_json_to({"type": "take", "conversation": conversation_id})
    await receive_type(first, "taken", skip_all=True)
    # Bad fields: bad_request whatever the state.
    for to in ["2", True, None, 0, -1, 1.5]:
        frame = {"type": "transfer", "conversation": conversation_id}
        if to is not None:
            frame["to"] = to
        await first.send_to(text_data=json.dumps(frame))
        error = await receive_type(first, "error", skip_all=True)
        assert error["code"] == "bad_request", to
    # The colleague's console is not open, or it is oneself: no_colleague.
    for to in (colleague.user.pk, volunteer.user.pk):
        await first.send_json_to({"type": "transfer", "conversation": conversation_id, "to": to})
        assert (await receive_type(first, "error", skip_all=True))["code"] == "no_colleague"
    # Someone else's conversation: not_found.
    second = await _connected(console(colleague))
    await receive_type(second, "hello")
    await second.send_json_to(
        {"type": "transfer", "conversation": conversation_id, "to": volunteer.user.pk}
    )
    assert (await receive_type(second, "error", skip_all=True))["code"] == "not_found"
    # Still the first's: the young person hears them.
    await first.send_json_to(
        {"type": "message", "conversation": conversation_id, "text": "kvar", "id": "k1"}
    )
    assert (await receive_type(person, "message", skip_all=True))["text"] == "kvar"
    for socket in (first, second, person):
        await socket.disconnect()
