"""Every change of a conversation's state that others must hear of, with the events it sends
(after the change is made in the store): ending, presence, the queue's news, the sweep after
dead workers, a transfer, a record saved (`LiveRecord`, which the post-chat form uses), a
sign-out; and the service's anonymous counts of what happened (supervision). The consumers call
these; so does the heartbeat (liveness.py). This module imports neither: it uses the services
(database work) and the store, never the reverse.

Channel-layer groups:
- chat.volunteers: every console (the queue changed).
- chat.waiting: every young person waiting (queue positions changed).
- chat.c.<id>: the sockets holding either side of one conversation (its news).
- chat.c.<id>.<side>: the sockets holding that side (told when its outbox has news, consumers.py).
- chat.vol.<user id>: the consoles of one volunteer (a record saved, a console replaced).
- chat.session.<digest>: the consoles of one sign-in session (closed at sign-out). The digest
  is of the session key, which is a credential and goes nowhere itself.
"""

import asyncio
import datetime
import hashlib
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from samverkan.accounts.models import User
from samverkan.chat import protocol, services
from samverkan.chat.protocol import Refused
from samverkan.chat.store import (
    ACTIVE,
    ENDED,
    OUTBOX_AFTER_END,
    Conversation,
    Swept,
    get_store,
    resume_grace,
)
from samverkan.core.errors import SamverkanError

VOLUNTEERS = "chat.volunteers"
WAITING_GROUP = "chat.waiting"

# Why a conversation ended (`ended`'s `by`): one side, the young person's absence past the
# grace, or the loss of the chat's shared state (a Redis restart).
BY_YOUNG, BY_VOLUNTEER, BY_TIMEOUT, BY_LOST = "young", "volunteer", "timeout", "lost"

logger = logging.getLogger("samverkan.chat")


def conversation_group(conversation_id: str) -> str:
    return f"chat.c.{conversation_id}"


def side_group(side: str, conversation_id: str) -> str:
    return f"chat.c.{conversation_id}.{side}"


def volunteer_group(volunteer_id: int) -> str:
    return f"chat.vol.{volunteer_id}"


def session_group(session_key: str) -> str:
    return "chat.session." + hashlib.sha256(session_key.encode()).hexdigest()[:40]


async def queue_changed() -> None:
    """Tell the consoles the new queue and the waiting their places, computed once here rather
    than by every receiver."""
    layer = get_channel_layer()
    queue = await get_store().queue()
    summaries = [protocol.summary(conversation) for conversation in queue]
    await layer.group_send(VOLUNTEERS, {"type": "queue.changed", "queue": summaries})
    order = [conversation.id for conversation in queue]
    await layer.group_send(WAITING_GROUP, {"type": "queue.changed", "order": order})


async def admit(address: str, intake: object) -> tuple[Conversation | None, str]:
    """A young person's `start`: a new conversation in the queue, or the refusal's code
    (`closed` outside opening hours, `blocked`, `rate_limited`). The address becomes the day's
    salted key at once and goes no further."""
    store, now = get_store(), timezone.now()
    if not await database_sync_to_async(services.is_open)(now):
        return None, "closed"
    client = await store.client_key(address, now)
    if await store.is_blocked(client, now):
        return None, "blocked"
    allowed = await store.allow_new_chat(
        client,
        now,
        limit=settings.SAMVERKAN_CHAT_RATE_LIMIT,
        window=settings.SAMVERKAN_CHAT_RATE_WINDOW,
    )
    if not allowed:
        return None, "rate_limited"
    intake = services.clean_intake(intake)
    return await store.create(client=client, intake=intake, now=now), ""


async def young_gone(conversation_id: str, channel: str) -> None:
    """A young person's socket went: if it held the conversation, they are away from now (the
    volunteer told); the conversation ends if they are not back within the grace."""
    store = get_store()
    conversation = await store.get(conversation_id)
    if conversation is None or conversation.state == ENDED or conversation.young_channel != channel:
        return
    conversation.young_away_since = timezone.now()
    conversation.young_channel = ""
    await store.save(conversation)
    await presence(conversation.id, who="young", state="away")
    young_left()


async def console_opened(volunteer_id: int, channel: str) -> tuple[list[str], list[Conversation]]:
    """A console of the volunteer opened: it holds their conversations from now. Returns their
    other consoles (to be replaced) and their conversations; if they were offline, their young
    people hear that the volunteer is back."""
    store = get_store()
    others = await store.volunteer_online(volunteer_id, channel)
    mine = await store.of_volunteer(volunteer_id)
    for conversation in mine:
        if conversation.state != ENDED:
            conversation.volunteer_channel = channel
            await store.save(conversation)
    return others, mine


async def console_closed(volunteer_id: int, channel: str, open_seconds: float) -> None:
    """A console went: if it was the volunteer's last, their young people hear they are away.
    Its time open is counted (the volunteers' hours online)."""
    store = get_store()
    if await store.volunteer_offline(volunteer_id, channel):
        for conversation in await store.of_volunteer(volunteer_id):
            if conversation.state == ACTIVE:
                await presence(conversation.id, who="volunteer", state="away")
    await count("consoles", open_seconds, timezone.now())


async def console_reasserted(
    volunteer_id: int, channel: str, known: dict[str, Conversation]
) -> tuple[list[Conversation], list[str]]:
    """The store lost sight of a console (its worker was swept, or Redis restarted): the
    volunteer is online again, and each conversation it knew is either still under way (to be
    held again) or was lost with the store and is put back ended (`lost`), so the post-chat
    form keeps its prefill. Returns (under way, the ids of those lost while under way)."""
    store, now = get_store(), timezone.now()
    await store.volunteer_online(volunteer_id, channel)
    held, lost = [], []
    for conversation_id, copy in list(known.items()):
        conversation = await store.get(conversation_id)
        if conversation is None:
            if copy.state != ENDED:
                copy.state, copy.ended_by, copy.ended_at = ENDED, BY_LOST, now
                lost.append(conversation_id)
            copy.young_channel = copy.volunteer_channel = ""
            copy.young_away_since = None
            await store.restore(copy)
        elif conversation.state != ENDED:
            held.append(conversation)
    return held, lost


async def young_reasserted(
    conversation_id: str, channel: str, waiting_copy: Conversation | None
) -> tuple[Conversation | None, str, bool]:
    """The store lost sight of a young person's socket: it holds its conversation again (the
    volunteer hears `back` if they had been away), or a waiting one lost with the store is put
    back at its place (`restored`). Returns (the conversation, "", restored), or (None, why it
    ended, False)."""
    store = get_store()
    conversation = await store.get(conversation_id)
    if conversation is None and waiting_copy is not None:
        waiting_copy.young_channel, waiting_copy.young_away_since = channel, None
        await store.restore(waiting_copy)
        return waiting_copy, "", True
    if conversation is None or conversation.state == ENDED:
        return None, (conversation.ended_by if conversation is not None else "") or BY_LOST, False
    if conversation.young_channel != channel:
        was_away = conversation.young_away_since is not None
        conversation.young_channel, conversation.young_away_since = channel, None
        await store.save(conversation)
        if was_away:
            await presence(conversation.id, who="young", state="back")
    return conversation, "", False


async def take_up(conversation_id: str, volunteer_id: int, channel: str) -> Conversation | None:
    """A console takes up a conversation a colleague transferred to its volunteer (if it is
    still theirs and under way)."""
    store = get_store()
    conversation = await store.get(conversation_id)
    if conversation is None or conversation.state != ACTIVE:
        return None
    if conversation.volunteer_id != volunteer_id:
        return None
    conversation.volunteer_channel = channel
    await store.save(conversation)
    return conversation


async def transfer(
    conversation_id: str, giver: int, to: int, colleagues: list[dict[str, Any]]
) -> tuple[Conversation, dict[str, Any]]:
    """Hand a conversation under way from `giver` to `to`, one of the `colleagues` whose console
    answered the roll call just now (`no_colleague` otherwise; `not_active` if it ended or was
    handed over meanwhile). The caller then lets go of it and calls `handed_over`."""
    colleague = next((c for c in colleagues if c["id"] == to), None)
    if colleague is None:
        raise Refused("no_colleague", conversation=conversation_id)
    conversation = await get_store().hand_over(conversation_id, giver, to)
    if conversation is None:
        raise Refused("not_active", conversation=conversation_id)
    return conversation, colleague


async def note(
    conversation: Conversation, raw: dict[str, Any], district_ids: set[int]
) -> Conversation:
    """The volunteer's notes for the post-chat record, kept with the conversation (choices
    only: services.clean_notes)."""
    conversation.notes = services.clean_notes(raw, district_ids=district_ids)
    await get_store().save(conversation)
    return conversation


async def typing(conversation_id: str, *, sender: str, active: bool) -> None:
    await get_channel_layer().group_send(
        conversation_group(conversation_id),
        {
            "type": "chat.typing",
            "conversation": conversation_id,
            "sender": sender,
            "active": active,
        },
    )


async def refer(conversation: Conversation, service_id: object, *, by: User) -> dict[str, str]:
    """Issue a referral code for the conversation (in the database, audited) and keep it with
    the conversation for the post-chat record; `refer_failed` if it cannot be issued."""
    try:
        referral = await database_sync_to_async(services.referral_issue)(
            service_id=service_id, by=by
        )
    except SamverkanError as error:
        raise Refused("refer_failed", message=str(error), conversation=conversation.id) from None
    conversation.codes.append(referral)
    await get_store().save(conversation)
    return referral


async def volunteer_back(conversations: list[Conversation]) -> None:
    """A volunteer who was offline opened a console: their young people hear `back`."""
    for conversation in conversations:
        if conversation.state == ACTIVE:
            await presence(conversation.id, who="volunteer", state="back")


async def presence(conversation_id: str, *, who: str, state: str) -> None:
    await get_channel_layer().group_send(
        conversation_group(conversation_id),
        {"type": "chat.presence", "conversation": conversation_id, "who": who, "state": state},
    )


async def end(conversation_id: str, *, by: str, now: Any = None) -> Conversation | None:
    """End a waiting or active conversation and tell both sides and the queue. None if it had
    ended already (or is gone)."""
    ended = await get_store().end(conversation_id, by=by, now=now or timezone.now())
    if ended is None:
        return None
    await get_channel_layer().group_send(
        conversation_group(conversation_id),
        {"type": "chat.ended", "conversation": conversation_id, "by": by},
    )
    # A side that is there delivers what is left and empties its outbox (consumers.py); for a
    # side that is away, what was sent to it goes soon.
    await get_store().drop_outbox(conversation_id, within=OUTBOX_AFTER_END.total_seconds())
    await queue_changed()
    await _count_end(ended, by)
    return ended


async def taken(conversation: Conversation) -> None:
    """A volunteer took a waiting conversation (the store's `take` made the change): the young
    person and the queue are told, and the wait is counted (it is counted once: only one
    `take` of a conversation succeeds)."""
    await get_channel_layer().group_send(
        conversation_group(conversation.id),
        {"type": "chat.joined", "conversation": conversation.id},
    )
    await queue_changed()
    taken_at = conversation.taken_at or timezone.now()
    await count("taken", (taken_at - conversation.created_at).total_seconds(), taken_at)


async def handed_over(conversation: Conversation, *, giver: str) -> None:
    """A conversation changed volunteers (the store's `hand_over` made the change): the new
    volunteer's console holds it from now (consumers.py, `conversation_handed`) and the young
    person gets a neutral notice. Their outboxes stay as they were: what the young person sent
    and the first volunteer had not acknowledged is handed to the new one, in order."""
    layer = get_channel_layer()
    await layer.group_send(
        volunteer_group(conversation.volunteer_id),
        {"type": "conversation.handed", "conversation": conversation.id, "from": giver},
    )
    await layer.group_send(
        conversation_group(conversation.id),
        {"type": "chat.transferred", "conversation": conversation.id},
    )


async def _count_end(ended: Conversation, by: str) -> None:
    """The end's anonymous count: a taken conversation's length, or the wait of a young person
    who left the queue before anyone took them (they ended it, or were away past the grace).
    A loss of the shared state (a Redis restart) is not counted: nobody gave up."""
    ended_at = ended.ended_at or timezone.now()
    if ended.taken_at is not None:
        await count("ended", (ended_at - ended.taken_at).total_seconds(), ended_at)
    elif by in (BY_YOUNG, BY_TIMEOUT):
        await count("abandoned", (ended_at - ended.created_at).total_seconds(), ended_at)


# The counts being written (a reference keeps each task alive until it is done).
_counting: set[asyncio.Task] = set()


async def count(kind: str, seconds: float, when: datetime.datetime) -> None:
    """Add one event to the service's daily counts (services.service_count), in a task of its
    own: the socket that made the change goes on at once rather than wait for Django's one sync
    thread, which every socket of the worker shares. A database gone a moment loses the count,
    never the conversation."""
    task = asyncio.get_running_loop().create_task(_count(kind, seconds, when))
    _counting.add(task)
    task.add_done_callback(_counting.discard)


async def _count(kind: str, seconds: float, when: datetime.datetime) -> None:
    try:
        await database_sync_to_async(services.service_count)(kind, seconds=seconds, when=when)
    except Exception as error:  # noqa: BLE001 (the figures lack one event; logged by kind)
        logger.warning("chat count %s: %s", kind, type(error).__name__)


async def counted() -> None:
    """Wait for the counts under way to be written (tests; a worker's shutdown)."""
    while _counting:
        await asyncio.gather(*list(_counting))


async def end_abandoned(now: Any = None) -> list[str]:
    """End conversations whose young person has been away longer than the resume grace, and
    tell their volunteers. Returns the ids ended."""
    now = now or timezone.now()
    ended = []
    for conversation in await get_store().abandoned(now):
        if await end(conversation.id, by=BY_TIMEOUT, now=now) is not None:
            ended.append(conversation.id)
    return ended


async def end_abandoned_later() -> None:
    await asyncio.sleep(resume_grace().total_seconds() + 1)
    await end_abandoned()


def young_left() -> None:
    """A young person went away: end the conversation if they are not back within the grace."""
    asyncio.get_running_loop().create_task(end_abandoned_later())


async def after_dead_workers(swept: Swept) -> None:
    """Tell the other sides what the `disconnect`s of dead workers' sockets would have told
    (the store has already let go of those sockets: `ChatStore.sweep_dead_workers`, run by
    every live worker's heartbeat, liveness.py): the volunteer that their young person is away,
    with the abandoned timeout to follow; the young people of a volunteer whose last console
    was there that the volunteer is."""
    for conversation_id in swept.young_away:
        await presence(conversation_id, who="young", state="away")
    if swept.young_away:
        young_left()
    for volunteer_id in swept.volunteers_offline:
        for conversation in await get_store().of_volunteer(volunteer_id):
            if conversation.state == ACTIVE:
                await presence(conversation.id, who="volunteer", state="away")


async def recorded(conversation_id: str, volunteer_id: int) -> None:
    """The post-chat record was saved: forget the conversation and tell the volunteer's
    console, which marks it done (it cannot be registered twice)."""
    await get_store().forget(conversation_id)
    await get_channel_layer().group_send(
        volunteer_group(volunteer_id),
        {"type": "conversation.recorded", "conversation": conversation_id},
    )


async def signed_out(session_key: str) -> None:
    """A session signed out: its consoles close (protocol.CLOSE_SIGNED_OUT)."""
    await get_channel_layer().group_send(session_group(session_key), {"type": "session.ended"})


class LiveRecord:
    """The post-chat record of a conversation the volunteer has just ended: the form's starting
    values, and what saving it does besides (link the codes issued; forget the conversation)."""

    def __init__(self, conversation: Any) -> None:
        self.conversation = conversation
        self.initial = services.record_initial(conversation)

    @classmethod
    def for_user(cls, user: User, conversation_id: object) -> "LiveRecord | None":
        """The user's own ended conversation by its id, or None."""
        if not isinstance(conversation_id, str) or not conversation_id:
            return None
        conversation = async_to_sync(get_store().get)(conversation_id)
        if conversation is None or conversation.volunteer_id != user.pk:
            return None
        if conversation.state != ENDED:
            return None
        return cls(conversation)

    def saved(self, record: Any, *, by: User) -> None:
        """In the record's transaction: link the codes; once committed, forget the chat."""
        codes = [c["code"] for c in self.conversation.codes]
        if codes:
            from samverkan.referrals.services import attach_to_conversation

            attach_to_conversation(codes=codes, conversation=record, by=by)
        conversation_id, volunteer_id = self.conversation.id, by.pk
        # Forgotten, and the volunteer's console told, so it cannot be registered twice.
        transaction.on_commit(lambda: async_to_sync(recorded)(conversation_id, volunteer_id))
