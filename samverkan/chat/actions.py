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
from django.db import transaction
from django.utils import timezone

from samverkan.accounts.models import User
from samverkan.chat import protocol, services
from samverkan.chat.store import (
    ACTIVE,
    ENDED,
    OUTBOX_AFTER_END,
    Conversation,
    Swept,
    get_store,
    resume_grace,
)

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


async def count(kind: str, seconds: float, when: datetime.datetime) -> None:
    """Add one event to the service's daily counts (services.service_count). After the change
    and its events: a database gone a moment loses the count, never the conversation."""
    try:
        await database_sync_to_async(services.service_count)(kind, seconds=seconds, when=when)
    except Exception as error:  # noqa: BLE001 (the figures lack one event; logged by kind)
        logger.warning("chat count %s: %s", kind, type(error).__name__)


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
