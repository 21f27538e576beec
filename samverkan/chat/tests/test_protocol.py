"""Conformance with docs/chat-protocol.md: every message type of both endpoints with every kind
of bad field, lone surrogates, oversize frames, two consoles, sign-out, a resume token used
twice, a console closed at once after a take. Each is answered as the document says, the socket
lives on (a good frame afterwards works), and nothing is logged as an error.

Run as it is against the in-memory channel layer and store (the development server's), and
with `scripts/with-redis` against Redis (the production configuration's layer and store). The
transport (invalid UTF-8, frames past the server's limit) is tested against real servers in
test_protocol_servers.py.
"""

import json
import logging

import pytest
from asgiref.sync import sync_to_async
from django.urls import reverse
from django.utils import timezone

from samverkan.chat import protocol
from samverkan.chat.store import get_store
from samverkan.chat.tests.conftest import console, receive_type, young
from samverkan.chat.tests.test_flow import _connected, _waiting_and_taken
from samverkan.records.models import ChatConversation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]

LONE = "\ud800"  # what JSON.stringify makes of an unpaired surrogate
LONE_ESCAPED = "\\ud800"


@pytest.fixture(autouse=True)
def no_error_logged(caplog):
    caplog.set_level(logging.WARNING)
    yield
    bad = [
        r
        for r in caplog.records
        if (r.levelno >= logging.ERROR or r.exc_info)
        # The test's event loop closes with the abandoned-timeout still sleeping (2 minutes).
        and not r.getMessage().startswith("Task was destroyed but it is pending")
    ]
    assert bad == [], [r.getMessage() for r in bad]


async def _nothing(communicator) -> None:
    """Nothing arrives but the queue's news."""
    while not await communicator.receive_nothing(timeout=0.2):
        message = await communicator.receive_json_from()
        assert message["type"] in {"queue", "position"}, message


async def _error(communicator, code: str, **fields) -> dict:
    error = await receive_type(communicator, "error", skip_all=True)
    assert error["code"] == code, error
    for name, value in fields.items():
        assert error.get(name) == value, error
    return error


async def _still_talks(person, desk, conversation_id: str) -> None:
    """Both sockets live on: a message goes each way."""
    await person.send_json_to({"type": "message", "text": "still here", "id": "ok-y"})
    assert (await receive_type(person, "sent", skip_all=True))["id"] == "ok-y"
    assert (await receive_type(desk, "message", skip_all=True))["text"] == "still here"
    await desk.send_json_to(
        {"type": "message", "conversation": conversation_id, "text": "me too", "id": "ok-v"}
    )
    assert (await receive_type(desk, "sent", skip_all=True))["id"] == "ok-v"
    assert (await receive_type(person, "message", skip_all=True))["text"] == "me too"


def _raw(message: dict) -> str:
    """A frame as a browser's JSON.stringify writes it (non-ASCII as is, lone surrogates
    escaped), here with every non-ASCII character escaped as json.dumps does by default."""
    return json.dumps(message)


async def test_frames_that_are_not_a_json_object_with_a_type(small):
    person = await _connected(young())
    for frame in ["not json", "[]", "5", '"start"', "{}", '{"type": 5}', '{"type": null}']:
        await person.send_to(text_data=frame)
        await _error(person, "bad_request")
    await person.send_to(bytes_data=b'{"type": "start"}')
    await _error(person, "bad_request")
    await person.send_to(text_data="[" * 5000 + "]" * 5000)  # nesting past the parser's depth
    await _error(person, "bad_request")
    await person.send_to(text_data='{"type": "start", "n": ' + "9" * 5000 + "}")
    await _error(person, "bad_request")
    await person.send_json_to({"type": "take", "conversation": "x"})
    await _error(person, "unknown_type")
    await person.send_json_to({"type": "start"})
    assert (await receive_type(person, "queued"))["position"] == 1
    await person.send_json_to({"type": "start"})
    await _error(person, "already_started")
    await person.disconnect()


async def test_every_young_field_checked(small, volunteer):
    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    cases = [
        ({"type": "message"}, "bad_request"),
        ({"type": "message", "text": 5}, "bad_request"),
        ({"type": "message", "text": None}, "bad_request"),
        ({"type": "message", "text": ["hej"]}, "bad_request"),
        ({"type": "message", "text": "   "}, "empty"),
        ({"type": "message", "text": "x" * 2001}, "too_long"),
        ({"type": "message", "text": "hej", "id": ""}, "bad_request"),
        ({"type": "message", "text": "hej", "id": "x" * 65}, "bad_request"),
        ({"type": "message", "text": "hej", "id": 7}, "bad_request"),
        ({"type": "message", "text": "hej", "id": None}, "bad_request"),
        ({"type": "typing"}, "bad_request"),
        ({"type": "typing", "active": "yes"}, "bad_request"),
        ({"type": "typing", "active": 1}, "bad_request"),
        ({"type": "resume", "token": 5}, "bad_request"),
        ({"type": "resume"}, "bad_request"),
        ({"type": "resume", "token": "x" * 101}, "bad_request"),
        ({"type": "feedback", "answer": "yes"}, "feedback_not_allowed"),
        ({"type": "start"}, "already_started"),
    ]
    for frame, code in cases:
        await person.send_json_to(frame)
        error = await _error(person, code)
        if code == "too_long":
            assert error["limit"] == 2000
    await _nothing(desk)  # nothing of it reached the volunteer
    await _still_talks(person, desk, conversation_id)
    await person.send_json_to({"type": "end"})
    await receive_type(person, "ended")
    await person.send_json_to({"type": "feedback", "answer": "maybe"})
    await _error(person, "bad_request")
    await person.send_json_to({"type": "feedback", "answer": "partly"})
    await receive_type(person, "thanks")
    await person.send_json_to({"type": "message", "text": "hej"})
    await _error(person, "not_active")
    await person.disconnect()
    await desk.disconnect()


async def test_every_console_field_checked(small, volunteer):
    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    c = conversation_id
    cases = [
        ({"type": "take"}, "bad_request", None),
        ({"type": "take", "conversation": 5}, "bad_request", None),
        ({"type": "take", "conversation": ""}, "bad_request", None),
        ({"type": "take", "conversation": "a b"}, "bad_request", None),
        ({"type": "take", "conversation": "x" * 65}, "bad_request", None),
        ({"type": "take", "conversation": "nonesuch"}, "not_waiting", "nonesuch"),
        ({"type": "take", "conversation": c}, "not_waiting", c),
        ({"type": "message", "text": "hej"}, "bad_request", None),
        ({"type": "message", "conversation": "nonesuch", "text": "hej"}, "not_found", "nonesuch"),
        ({"type": "message", "conversation": c}, "bad_request", c),
        ({"type": "message", "conversation": c, "text": 5}, "bad_request", c),
        ({"type": "message", "conversation": c, "text": " "}, "empty", c),
        ({"type": "message", "conversation": c, "text": "x" * 2001}, "too_long", c),
        ({"type": "message", "conversation": c, "text": "hej", "id": ""}, "bad_request", c),
        ({"type": "message", "conversation": c, "text": "hej", "id": {}}, "bad_request", c),
        ({"type": "typing", "conversation": c}, "bad_request", c),
        ({"type": "typing", "conversation": c, "active": "true"}, "bad_request", c),
        ({"type": "typing", "active": True}, "bad_request", None),
        ({"type": "note", "conversation": c, "notes": "victim"}, "bad_request", c),
        ({"type": "note", "conversation": c}, "bad_request", c),
        ({"type": "refer", "conversation": c, "service": "none"}, "refer_failed", c),
        ({"type": "refer"}, "bad_request", None),
        ({"type": "end", "conversation": None}, "bad_request", None),
        ({"type": "block", "conversation": []}, "bad_request", None),
        ({"type": "discard", "conversation": c}, "not_ended", c),
        ({"type": "discard", "conversation": "nonesuch"}, "not_found", "nonesuch"),
        ({"type": "start"}, "unknown_type", None),
    ]
    for frame, code, about in cases:
        await desk.send_json_to(frame)
        error = await _error(desk, code)
        assert error.get("conversation") == about, (frame, error)
    await _nothing(person)
    await _still_talks(person, desk, conversation_id)
    await person.disconnect()
    await desk.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "message", "text": LONE},
        {"type": "message", "text": "ok" + LONE + "ok"},
        {"type": "message", "text": "ok", "id": LONE},
        {"type": "typing", "active": True, "x": LONE},
        {"type": "message", "text": "\udc00 at the start"},
        {"type": LONE},
        {"type": "resume", "token": LONE},
    ],
)
async def test_a_lone_surrogate_anywhere_is_a_bad_request(small, volunteer, frame):
    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    await person.send_to(text_data=_raw(frame))
    await _error(person, "bad_request")
    await _nothing(desk)
    for console_frame in [
        {"type": "take", "conversation": LONE},
        {"type": "message", "conversation": conversation_id, "text": LONE, "id": "v"},
        {"type": "message", "conversation": conversation_id, "text": "x", "id": LONE},
        {"type": "note", "conversation": conversation_id, "notes": {"concern": LONE}},
    ]:
        await desk.send_to(text_data=_raw(console_frame))
        await _error(desk, "bad_request")
    # A real pair (an emoji escaped as two halves) is one good character.
    await person.send_to(text_data='{"type": "message", "text": "\\ud83d\\ude00"}')
    assert (await receive_type(desk, "message", skip_all=True))["text"] == "\U0001f600"
    await _still_talks(person, desk, conversation_id)
    await person.disconnect()
    await desk.disconnect()


async def test_the_frame_limit_counts_decoded_characters(small, volunteer):
    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    # 2,000 emoji sent escaped are 24,000 characters on the wire and one text of 2,000.
    emoji = "\U0001f600" * 2000
    frame = json.dumps({"type": "message", "text": emoji, "id": "e"})
    assert len(frame) > protocol.MAX_FRAME
    await person.send_to(text_data=frame)
    assert (await receive_type(person, "sent", skip_all=True))["id"] == "e"
    assert (await receive_type(desk, "message", skip_all=True))["text"] == emoji
    # The same from the console, unescaped.
    await desk.send_to(
        text_data=json.dumps(
            {"type": "message", "conversation": conversation_id, "text": emoji, "id": "e2"},
            ensure_ascii=False,
        )
    )
    assert (await receive_type(person, "message", skip_all=True))["text"] == emoji
    # A frame whose decoded text is over 16,000 characters is refused, however written.
    big = {"type": "message", "text": "hej", "padding": "x" * protocol.MAX_FRAME}
    await person.send_to(text_data=json.dumps(big))
    await _error(person, "bad_request")
    escaped = json.dumps({"type": "message", "text": "hej", "padding": "ä" * protocol.MAX_FRAME})
    await person.send_to(text_data=escaped)
    await _error(person, "bad_request")
    await person.send_to(text_data=" " * (protocol.MAX_RAW_FRAME + 1))
    await _error(person, "bad_request")
    # Just within: 16,000 decoded characters.
    frame = json.dumps({"type": "message", "text": "a", "p": ""}, separators=(",", ":"))
    padding = "\u00e4" * (protocol.MAX_FRAME - len(frame))
    within = json.dumps({"type": "message", "text": "a", "p": padding}, separators=(",", ":"))
    await person.send_to(text_data=within)
    assert (await receive_type(desk, "message", skip_all=True))["text"] == "a"
    await _still_talks(person, desk, conversation_id)
    await person.disconnect()
    await desk.disconnect()


async def test_a_second_console_replaces_the_first_with_a_clear_hand_over(small, volunteer):
    first, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    second = await _connected(console(volunteer))
    hello = await receive_type(second, "hello")
    assert [c["id"] for c in hello["conversations"]] == [conversation_id]
    assert await receive_type(first, "replaced", skip_all=True) == {"type": "replaced"}
    assert (await first.receive_output(timeout=2))["code"] == protocol.CLOSE_REPLACED
    # The young person notices nothing: the volunteer was never away.
    await _nothing(person)
    await person.send_json_to({"type": "message", "text": "till den nya"})
    message = await receive_type(second, "message", skip_all=True)
    assert message["text"] == "till den nya"
    await second.send_json_to(
        {"type": "ack", "conversation": conversation_id, "seq": message["seq"]}
    )
    # The second console closes: now the volunteer is away, and comes back with a third.
    await second.disconnect()
    assert (await receive_type(person, "presence")) == {
        "type": "presence",
        "who": "volunteer",
        "state": "away",
    }
    third = await _connected(console(volunteer))
    await receive_type(third, "hello")
    assert (await receive_type(person, "presence"))["state"] == "back"
    await person.send_json_to({"type": "message", "text": "hallå"})
    assert (await receive_type(third, "message", skip_all=True))["text"] == "hallå"
    await person.disconnect()
    assert (await receive_type(third, "presence", skip_all=True))["state"] == "away"
    await third.disconnect()


async def test_signing_out_closes_the_sessions_consoles(small, volunteer):
    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    response = await sync_to_async(volunteer.client.post)(reverse("accounts:logout"))
    assert response.status_code == 302
    assert await receive_type(desk, "signed_out", skip_all=True) == {"type": "signed_out"}
    assert (await desk.receive_output(timeout=2))["code"] == protocol.CLOSE_SIGNED_OUT
    assert (await receive_type(person, "presence"))["state"] == "away"
    # The session is gone: a console cannot open with it.
    connected, _code = await console(volunteer).connect()
    assert not connected
    await person.disconnect()


async def test_a_resume_token_is_good_once(small, volunteer):
    desk, person, conversation_id, token = await _waiting_and_taken(volunteer)
    # A second socket with the token takes over; the first is told and closed.
    second = await _connected(young())
    await second.send_json_to({"type": "resume", "token": token})
    resumed = await receive_type(second, "resumed")
    assert resumed["state"] == "active" and resumed["resume"] != token
    assert await receive_type(person, "replaced", skip_all=True) == {"type": "replaced"}
    assert (await person.receive_output(timeout=2))["code"] == protocol.CLOSE_REPLACED
    # The young person was never away, as far as the volunteer can tell.
    await _nothing(desk)
    # The token is spent: a third socket cannot use it.
    third = await _connected(young())
    await third.send_json_to({"type": "resume", "token": token})
    await _error(third, "resume_failed")
    await third.disconnect()
    # The new one works once, from the holder's own drop.
    await second.disconnect()
    assert (await receive_type(desk, "presence", skip_all=True))["state"] == "away"
    fourth = await _connected(young())
    await fourth.send_json_to({"type": "resume", "token": resumed["resume"]})
    assert (await receive_type(fourth, "resumed"))["state"] == "active"
    assert (await receive_type(desk, "presence", skip_all=True))["state"] == "back"
    await _still_talks(fourth, desk, conversation_id)
    await fourth.disconnect()
    await desk.disconnect()


async def test_a_console_closed_at_once_after_a_take_leaves_nothing_registered(small, volunteer):
    desk = await _connected(console(volunteer))
    await receive_type(desk, "hello")
    person = await _connected(young())
    await person.send_json_to({"type": "start"})
    await receive_type(person, "queued")
    conversation_id = (await receive_type(desk, "queue"))["queue"][0]["id"]
    await desk.send_json_to({"type": "take", "conversation": conversation_id})
    await desk.disconnect()  # without waiting for `taken`
    assert await receive_type(person, "joined", skip_all=True) == {"type": "joined"}
    assert (await receive_type(person, "presence", skip_all=True))["state"] == "away"
    overview = await get_store().overview(timezone.now())
    assert overview.volunteers_online == 0
    # A later drop of a console is told as usual, with no spurious `back`.
    desk = await _connected(console(volunteer))
    await receive_type(desk, "hello")
    assert (await receive_type(person, "presence"))["state"] == "back"
    await desk.disconnect()
    assert (await receive_type(person, "presence"))["state"] == "away"
    await _nothing(person)
    await person.disconnect()


async def test_a_saved_record_is_marked_done_on_the_console(small, volunteer):
    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    await desk.send_json_to({"type": "end", "conversation": conversation_id})
    ended = await receive_type(desk, "ended", skip_all=True)
    page = await sync_to_async(volunteer.client.get)(ended["record"])
    started = page.context["form"].initial["started_at"].strftime("%Y-%m-%dT%H:%M")
    response = await sync_to_async(volunteer.client.post)(
        ended["record"],
        {
            "started_at": started,
            "concern": "victim",
            "resident": "yes",
            "district": small.district.pk,
            "gender": "girl",
            "age": 16,
            "violence": ["digital"],
        },
    )
    assert response.status_code == 302, response.content[:2000]
    assert await receive_type(desk, "recorded", skip_all=True) == {
        "type": "recorded",
        "conversation": conversation_id,
    }
    await person.disconnect()
    await desk.disconnect()


async def test_a_recorded_conversation_cannot_be_registered_again(small, volunteer):
    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    await desk.send_json_to({"type": "end", "conversation": conversation_id})
    ended = await receive_type(desk, "ended", skip_all=True)
    page = await sync_to_async(volunteer.client.get)(ended["record"])
    started = page.context["form"].initial["started_at"].strftime("%Y-%m-%dT%H:%M")
    answers = {
        "started_at": started,
        "concern": "victim",
        "resident": "yes",
        "district": small.district.pk,
        "gender": "girl",
        "age": 16,
        "violence": ["digital"],
    }
    # Two tabs had the form open; the first saves, the second is sent back to the console.
    first = await sync_to_async(volunteer.client.post)(ended["record"], answers)
    second = await sync_to_async(volunteer.client.post)(ended["record"], answers)
    again = await sync_to_async(volunteer.client.get)(ended["record"])
    assert first.status_code == second.status_code == again.status_code == 302
    assert second["Location"] == again["Location"] == reverse("chat:console")
    count = await sync_to_async(ChatConversation.objects.count)()
    assert count == 1
    await person.disconnect()
    await desk.disconnect()
