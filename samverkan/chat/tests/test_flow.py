"""The whole chat over real WebSocket connections: a young person and volunteers, from the queue
to the post-chat record and the referral code's arrival at the clinic."""

import datetime
import re

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from samverkan.chat.consumers import end_abandoned
from samverkan.chat.models import FeedbackCount, OpeningHours
from samverkan.chat.tests.conftest import (
    ORIGIN,
    OTHER_ADDRESS,
    console,
    receive_type,
    young,
)
from samverkan.records.models import ChatConversation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def _connected(communicator):
    connected, _code = await communicator.connect()
    assert connected
    return communicator


async def _waiting_and_taken(staff, intake=None):
    """A young person in the queue and the volunteer's console that has taken them."""
    desk = await _connected(console(staff))
    assert (await receive_type(desk, "hello"))["queue"] == []
    person = await _connected(young())
    await person.send_json_to({"type": "start", "intake": intake or {}})
    queued = await receive_type(person, "queued")
    queue = (await receive_type(desk, "queue"))["queue"]
    conversation_id = queue[0]["id"]
    await desk.send_json_to({"type": "take", "conversation": conversation_id})
    await receive_type(desk, "taken")
    await receive_type(person, "joined")
    return desk, person, conversation_id, queued["resume"]


async def test_the_whole_flow_from_queue_to_record_and_arrival(small, volunteer, counsellor):
    from samverkan.referrals.models import Referral
    from samverkan.referrals.services import register_arrival

    desk = await _connected(console(volunteer))
    hello = await receive_type(desk, "hello")
    assert hello == {"type": "hello", "queue": [], "conversations": []}

    # The young person answers the optional question and waits.
    person = await _connected(young())
    intake = {"age": 16, "gender": "girl", "concern": "victim", "name": "not kept"}
    await person.send_json_to({"type": "start", "intake": intake})
    queued = await receive_type(person, "queued")
    assert queued["position"] == 1 and len(queued["resume"]) > 30
    queue = (await receive_type(desk, "queue"))["queue"]
    assert [entry["intake"] for entry in queue] == [
        {"age": 16, "gender": "girl", "concern": "victim"}
    ]
    conversation_id = queue[0]["id"]

    # The volunteer takes it; messages and typing go both ways.
    await desk.send_json_to({"type": "take", "conversation": conversation_id})
    taken = await receive_type(desk, "taken")
    assert taken["conversation"]["id"] == conversation_id
    assert taken["conversation"]["state"] == "active"
    assert await receive_type(person, "joined") == {"type": "joined"}
    assert (await receive_type(desk, "queue"))["queue"] == []

    await person.send_json_to({"type": "typing", "active": True})
    assert await receive_type(desk, "typing") == {
        "type": "typing",
        "conversation": conversation_id,
        "active": True,
    }
    await person.send_json_to({"type": "message", "text": "Min pojkvän tar min telefon."})
    # Each side's messages are numbered for its receiver, who acknowledges what it has shown.
    assert await receive_type(desk, "message") == {
        "type": "message",
        "conversation": conversation_id,
        "text": "Min pojkvän tar min telefon.",
        "seq": 1,
    }
    await desk.send_json_to({"type": "ack", "conversation": conversation_id, "seq": 1})
    await desk.send_json_to({"type": "typing", "conversation": conversation_id, "active": True})
    assert await receive_type(person, "typing") == {"type": "typing", "active": True}
    await desk.send_json_to(
        {"type": "message", "conversation": conversation_id, "text": "Det låter jobbigt."}
    )
    assert await receive_type(person, "message") == {
        "type": "message",
        "text": "Det låter jobbigt.",
        "seq": 1,
    }
    # Neither side hears its own message back.
    assert await person.receive_nothing(timeout=0.05)

    # The volunteer notes what the record needs and issues a code for the clinic.
    notes = {
        "concern": "victim",
        "resident": "yes",
        "district": small.district.pk,
        "violence": ["digital", "psychological", "shouting"],
        "age": 16,
        "gender": "girl",
    }
    await desk.send_json_to({"type": "note", "conversation": conversation_id, "notes": notes})
    noted = await receive_type(desk, "noted")
    assert noted["notes"]["violence"] == ["digital", "psychological"]
    await desk.send_json_to(
        {"type": "refer", "conversation": conversation_id, "service": small.clinic_service.pk}
    )
    for_volunteer = await receive_type(desk, "referral")
    for_young = await receive_type(person, "referral")
    code = for_young["code"]
    assert for_volunteer["code"] == code and for_young["destination"] == "Clinic"
    assert "service" not in for_young
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert for_young["seq"] == 2
    await person.send_json_to({"type": "ack", "seq": 2})

    # The connection drops; the volunteer sees it, and the young person comes back.
    await person.disconnect()
    assert await receive_type(desk, "presence") == {
        "type": "presence",
        "conversation": conversation_id,
        "who": "young",
        "state": "away",
    }
    person = await _connected(young())
    await person.send_json_to({"type": "resume", "token": queued["resume"]})
    resumed = await receive_type(person, "resumed")
    # The token is good for one resume: a new one comes with `resumed`.
    assert resumed == {
        "type": "resumed",
        "state": "active",
        "position": None,
        "resume": resumed["resume"],
    }
    assert len(resumed["resume"]) > 30 and resumed["resume"] != queued["resume"]
    assert (await receive_type(desk, "presence"))["state"] == "back"
    await person.send_json_to({"type": "message", "text": "Är du kvar?"})
    assert (await receive_type(desk, "message"))["text"] == "Är du kvar?"

    # The volunteer ends it; the young person answers the feedback question.
    await desk.send_json_to({"type": "end", "conversation": conversation_id})
    ended = await receive_type(desk, "ended")
    assert ended["by"] == "volunteer"
    assert ended["record"] == f"/registrering/chattsamtal/nytt/?samtal={conversation_id}"
    assert await receive_type(person, "ended") == {"type": "ended", "by": "volunteer"}
    await person.send_json_to({"type": "feedback", "answer": "yes"})
    assert await receive_type(person, "thanks") == {"type": "thanks"}
    await person.send_json_to({"type": "feedback", "answer": "yes"})
    assert (await receive_type(person, "error"))["code"] == "feedback_not_allowed"
    counts = await sync_to_async(lambda: list(FeedbackCount.objects.values("answer", "n")))()
    assert counts == [{"answer": "yes", "n": 1}]
    # The token no longer resumes anything.
    await person.send_json_to({"type": "resume", "token": queued["resume"]})
    assert (await receive_type(person, "error"))["code"] == "resume_failed"
    await person.disconnect()

    # The post-chat record starts from the answers and the notes; saving it links the code.
    form_page = await sync_to_async(volunteer.client.get)(ended["record"])
    form = form_page.context["form"]
    assert form.initial["concern"] == "victim"
    assert form.initial["resident"] == "yes"
    assert form.initial["district"] == small.district.pk
    assert form.initial["violence"] == ["digital", "psychological"]
    assert form.initial["age"] == 16 and form.initial["gender"] == "girl"
    assert form.initial["referred_to"] == small.clinic_service.pk
    started = timezone.localtime(form.initial["started_at"]).strftime("%Y-%m-%dT%H:%M")
    response = await sync_to_async(volunteer.client.post)(
        ended["record"],
        {
            "started_at": started,
            "concern": "victim",
            "resident": "yes",
            "district": small.district.pk,
            "gender": "girl",
            "age": 16,
            "violence": ["digital", "psychological"],
            "referred_to": small.clinic_service.pk,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/chatt/konsol/"

    def saved():
        record = ChatConversation.objects.get()
        referral = Referral.objects.get()
        return record, referral

    record, referral = await sync_to_async(saved)()
    assert (record.concern, record.gender, record.age, record.referred_to_id) == (
        "victim",
        "girl",
        16,
        small.clinic_service.pk,
    )
    assert referral.conversation_id == record.pk
    assert referral.display_code == code
    # The conversation is forgotten once recorded.
    await desk.disconnect()
    desk = await _connected(console(volunteer))
    assert (await receive_type(desk, "hello"))["conversations"] == []
    await desk.disconnect()

    # The young person arrives at the clinic with the code.
    arrived = await sync_to_async(register_arrival)(code.lower(), by=counsellor.user)
    assert arrived.arrived_at is not None and arrived.conversation_id == record.pk


async def test_html_and_script_arrive_as_the_same_text(small, volunteer):
    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    markup = '<script>alert("x")</script><img src=x onerror=alert(1)><b>fet</b> &amp;'
    await person.send_json_to({"type": "message", "text": markup})
    assert (await receive_type(desk, "message"))["text"] == markup
    await desk.send_json_to({"type": "message", "conversation": conversation_id, "text": markup})
    assert (await receive_type(person, "message"))["text"] == markup
    await person.disconnect()
    await desk.disconnect()


async def test_a_volunteer_holds_several_conversations_and_no_one_takes_a_taken_one(
    small, volunteer, colleague
):
    desk = await _connected(console(volunteer))
    other = await _connected(console(colleague))
    await receive_type(desk, "hello")
    await receive_type(other, "hello")
    people = []
    for address in ("203.0.113.1", "203.0.113.2"):
        person = await _connected(young(address))
        await person.send_json_to({"type": "start"})
        people.append((person, await receive_type(person, "queued")))
    assert [queued["position"] for _person, queued in people] == [1, 2]
    queue = (await receive_type(desk, "queue"))["queue"]
    queue = (await receive_type(desk, "queue"))["queue"]
    ids = [entry["id"] for entry in queue]
    for conversation_id in ids:
        await desk.send_json_to({"type": "take", "conversation": conversation_id})
        await receive_type(desk, "taken")
    await other.send_json_to({"type": "take", "conversation": ids[0]})
    assert (await receive_type(other, "error"))["code"] == "not_waiting"
    # The colleague cannot write into the volunteer's conversation either.
    await other.send_json_to({"type": "message", "conversation": ids[0], "text": "hej"})
    assert (await receive_type(other, "error"))["code"] == "not_found"
    # Each young person hears only their own conversation.
    await desk.send_json_to({"type": "message", "conversation": ids[1], "text": "till två"})
    await receive_type(people[1][0], "joined")
    assert (await receive_type(people[1][0], "message"))["text"] == "till två"
    await receive_type(people[0][0], "joined")
    assert await people[0][0].receive_nothing(timeout=0.05)
    for person, _queued in people:
        await person.disconnect()
    await desk.disconnect()
    await other.disconnect()


async def test_the_second_in_the_queue_moves_up(small, volunteer):
    desk = await _connected(console(volunteer))
    await receive_type(desk, "hello")
    first = await _connected(young("203.0.113.1"))
    second = await _connected(young("203.0.113.2"))
    await first.send_json_to({"type": "start"})
    await receive_type(first, "queued")
    await second.send_json_to({"type": "start"})
    assert (await receive_type(second, "queued"))["position"] == 2
    await first.send_json_to({"type": "end"})
    assert (await receive_type(first, "ended"))["by"] == "young"
    assert (await receive_type(second, "position"))["position"] == 1
    for communicator in (first, second, desk):
        await communicator.disconnect()


async def test_a_young_person_away_longer_than_the_grace_is_ended(small, volunteer):
    desk, person, conversation_id, token = await _waiting_and_taken(volunteer)
    await person.disconnect()
    assert (await receive_type(desk, "presence"))["state"] == "away"
    # Within the grace nothing happens; after it, the conversation ends.
    assert await end_abandoned(timezone.now() + datetime.timedelta(seconds=60)) == []
    later = timezone.now() + datetime.timedelta(minutes=2, seconds=1)
    assert await end_abandoned(later) == [conversation_id]
    ended = await receive_type(desk, "ended")
    assert (ended["conversation"], ended["by"]) == (conversation_id, "timeout")
    person = await _connected(young())
    await person.send_json_to({"type": "resume", "token": token})
    assert (await receive_type(person, "error"))["code"] == "resume_failed"
    await person.disconnect()
    await desk.disconnect()


async def test_the_volunteer_leaving_and_returning_is_shown_and_keeps_the_conversation(
    small, volunteer
):
    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    await desk.disconnect()
    assert await receive_type(person, "presence") == {
        "type": "presence",
        "who": "volunteer",
        "state": "away",
    }
    desk = await _connected(console(volunteer))
    hello = await receive_type(desk, "hello")
    assert [c["id"] for c in hello["conversations"]] == [conversation_id]
    assert (await receive_type(person, "presence"))["state"] == "back"
    await person.send_json_to({"type": "message", "text": "hallå"})
    assert (await receive_type(desk, "message"))["text"] == "hallå"
    await person.disconnect()
    await desk.disconnect()


async def test_new_chats_are_limited_per_client_within_the_window(small, settings):
    settings.SAMVERKAN_CHAT_RATE_LIMIT = 2
    for _attempt in range(2):
        person = await _connected(young())
        await person.send_json_to({"type": "start"})
        await receive_type(person, "queued")
        await person.send_json_to({"type": "end"})
        await receive_type(person, "ended")
        await person.disconnect()
    person = await _connected(young())
    await person.send_json_to({"type": "start"})
    assert (await receive_type(person, "error"))["code"] == "rate_limited"
    assert await person.receive_output() == {"type": "websocket.close", "code": 4029}
    # Another address is not affected.
    other = await _connected(young(OTHER_ADDRESS))
    await other.send_json_to({"type": "start"})
    await receive_type(other, "queued")
    await other.disconnect()


async def test_a_volunteer_ends_and_blocks_a_session(small, volunteer):
    desk, person, conversation_id, token = await _waiting_and_taken(volunteer)
    await desk.send_json_to({"type": "block", "conversation": conversation_id})
    assert await receive_type(desk, "blocked") == {
        "type": "blocked",
        "conversation": conversation_id,
    }
    assert (await receive_type(person, "ended"))["by"] == "volunteer"
    assert (await receive_type(desk, "ended"))["by"] == "volunteer"
    await person.disconnect()
    again = await _connected(young())
    await again.send_json_to({"type": "resume", "token": token})
    assert (await receive_type(again, "error"))["code"] == "resume_failed"
    await again.send_json_to({"type": "start"})
    assert (await receive_type(again, "error"))["code"] == "blocked"
    assert await again.receive_output() == {"type": "websocket.close", "code": 4003}
    other = await _connected(young(OTHER_ADDRESS))
    await other.send_json_to({"type": "start"})
    await receive_type(other, "queued")
    await other.disconnect()
    # Blocked and ended, the volunteer can put it aside without a record.
    await desk.send_json_to({"type": "discard", "conversation": conversation_id})
    await receive_type(desk, "discarded")
    await desk.disconnect()


async def test_outside_opening_hours_the_chat_is_closed(small):
    now = timezone.localtime()
    other_day = (now.weekday() + 1) % 7
    await sync_to_async(OpeningHours.objects.create)(
        weekday=other_day, opens=datetime.time(18), closes=datetime.time(21)
    )
    person = await _connected(young())
    await person.send_json_to({"type": "start"})
    assert (await receive_type(person, "error"))["code"] == "closed"
    assert await person.receive_output() == {"type": "websocket.close", "code": 4001}


async def test_malformed_and_unknown_messages_are_refused(small, volunteer):
    person = await _connected(young())
    await person.send_to(text_data="not json")
    assert (await receive_type(person, "error"))["code"] == "bad_request"
    await person.send_json_to({"type": "take", "conversation": "x"})
    assert (await receive_type(person, "error"))["code"] == "unknown_type"
    await person.send_json_to({"type": "message", "text": "nobody here"})
    assert (await receive_type(person, "error"))["code"] == "not_active"
    await person.disconnect()
    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    await person.send_json_to({"type": "message", "text": "x" * 2001})
    assert (await receive_type(person, "error"))["code"] == "too_long"
    await person.send_json_to({"type": "message", "text": "   "})
    assert (await receive_type(person, "error"))["code"] == "empty"
    await person.disconnect()
    await desk.disconnect()


@pytest.mark.parametrize("who", ["anonymous", "counsellor", "unverified", "foreign origin"])
async def test_only_volunteers_of_the_chat_unit_open_the_console(small, volunteer, counsellor, who):
    from channels.testing import WebsocketCommunicator
    from django.test import Client

    from samverkan.asgi import application

    if who == "anonymous":
        communicator = WebsocketCommunicator(application, "/ws/chatt/konsol/", headers=[ORIGIN])
    elif who == "counsellor":
        communicator = console(counsellor)
    elif who == "unverified":
        # Signed in with the password only: the second factor was never given.
        client = Client()
        await sync_to_async(client.force_login)(volunteer.user)
        cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
        communicator = WebsocketCommunicator(
            application, "/ws/chatt/konsol/", headers=[ORIGIN, (b"cookie", cookie)]
        )
    else:
        cookie = f"sessionid={volunteer.cookie}".encode()
        communicator = WebsocketCommunicator(
            application,
            "/ws/chatt/konsol/",
            headers=[(b"origin", b"https://evil.example"), (b"cookie", cookie)],
        )
    connected, _code = await communicator.connect()
    assert not connected


async def test_a_flood_of_messages_is_refused(small, volunteer):
    from samverkan.chat.consumers import BURST_MESSAGES

    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    # start and the messages so far count too; the rest of the burst goes through, then no more.
    for number in range(BURST_MESSAGES):
        await person.send_json_to({"type": "message", "text": f"{number}"})
    refused = 0
    for _number in range(BURST_MESSAGES):
        message = await person.receive_json_from(timeout=2) if refused == 0 else None
        if message is None:
            break
        if message["type"] == "error":
            assert message["code"] == "slow_down"
            refused += 1
    assert refused == 1
    received = 0
    while not await desk.receive_nothing(timeout=0.05):
        if (await desk.receive_json_from())["type"] == "message":
            received += 1
    assert received == BURST_MESSAGES - 1  # the start already counted
    await person.disconnect()
    await desk.disconnect()


async def test_a_volunteer_at_work_keeps_the_sign_in(small, volunteer):
    """Sessions end after idle minutes; a conversation in the console is not idleness."""
    import datetime

    from channels.db import database_sync_to_async
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    def shorten() -> None:
        Session.objects.filter(session_key=volunteer.cookie).update(
            expire_date=timezone.now() + datetime.timedelta(minutes=1)
        )

    def expiry() -> datetime.datetime:
        return Session.objects.get(session_key=volunteer.cookie).expire_date

    await database_sync_to_async(shorten)()
    before = await database_sync_to_async(expiry)()
    desk = await _connected(console(volunteer))
    await receive_type(desk, "hello")
    await desk.send_json_to({"type": "take", "conversation": "none-such"})
    await receive_type(desk, "error")
    assert await database_sync_to_async(expiry)() > before + datetime.timedelta(minutes=5)
    await desk.disconnect()


async def test_acknowledgements_do_not_count_against_the_flood_limit(small, volunteer):
    """A burst handed over after a reconnect is acknowledged in a burst: the young person's
    own messages must still go through (issue 14: acknowledgements used up the burst and the
    young person's next message was refused)."""
    from samverkan.chat.consumers import BURST_MESSAGES

    desk, person, conversation_id, _token = await _waiting_and_taken(volunteer)
    for number in range(BURST_MESSAGES + 5):
        await desk.send_json_to(
            {"type": "message", "conversation": conversation_id, "text": f"{number}"}
        )
    shown = 0
    while shown < BURST_MESSAGES + 5:
        message = await receive_type(person, "message", skip_all=True)
        shown = message["seq"]
        await person.send_json_to({"type": "ack", "seq": shown})
    await person.send_json_to({"type": "message", "text": "still here", "id": "m1"})
    assert await receive_type(person, "sent", skip_all=True) == {"type": "sent", "id": "m1"}
    assert (await receive_type(desk, "message", skip_all=True))["text"] == "still here"
    await person.disconnect()
    await desk.disconnect()
