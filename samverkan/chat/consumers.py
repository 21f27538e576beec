"""The chat's two WebSocket endpoints: the young person's and the volunteer's console.

The protocol (every message type, its fields, the errors and close codes) is in
docs/chat-protocol.md. A message's text goes from one participant's socket to the channel layer
to the other participant's socket and nowhere else: it is not stored, not logged, and not put
into any error.

Channel-layer groups:
- chat.volunteers: every console (the queue changed).
- chat.waiting: every young person waiting (queue positions changed).
- chat.c.<id>: the two participants of one conversation. Its members are not the sockets but
  each side's inbox, chat.in.<side>.<id>: a channel of its own, read by whichever socket holds
  that side of the conversation now (Conversation.young_channel / .volunteer_channel). When a
  worker dies, what is sent to its participants waits in their inbox (in the channel layer, at
  most its expiry, a minute) until they reconnect to another worker: nothing sent after the
  death is lost, and nothing is kept anywhere but in transit.
"""

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from samverkan.chat import liveness, services
from samverkan.chat.store import (
    ACTIVE,
    ENDED,
    WAITING,
    Conversation,
    Swept,
    get_store,
    resume_grace,
)
from samverkan.core.errors import SamverkanError

VOLUNTEERS = "chat.volunteers"
WAITING_GROUP = "chat.waiting"

# A young person may send this many messages (of any type) within BURST_SECONDS; more are
# refused with `slow_down`. People type far slower; a script flooding a volunteer does not.
BURST_MESSAGES = 30
BURST_SECONDS = 10
# No frame longer than this is even parsed (a message is at most MAX_MESSAGE_LENGTH characters).
MAX_FRAME = 8 * services.MAX_MESSAGE_LENGTH

# A message's own id from the client (for acknowledgement and resending), at most this long.
MAX_MESSAGE_ID = 64

# Close codes (4000-4999 are the application's own; see docs/chat-protocol.md).
CLOSE_CLOSED = 4001
CLOSE_FORBIDDEN = 4003
CLOSE_RATE_LIMITED = 4029


def conversation_group(conversation_id: str) -> str:
    return f"chat.c.{conversation_id}"


def inbox(side: str, conversation_id: str) -> str:
    return f"chat.in.{side}.{conversation_id}"


logger = logging.getLogger("samverkan.chat")

# The task reading each inbox in this process (see ChatConsumer.listen).
_inbox_readers: dict[str, asyncio.Task] = {}


async def end_abandoned(now: Any = None) -> list[str]:
    """End conversations whose young person has been away longer than the resume grace, and
    tell their volunteers. Returns the ids ended."""
    store, layer = get_store(), get_channel_layer()
    now = now or timezone.now()
    ended = []
    for conversation in await store.abandoned(now):
        if await store.end(conversation.id, by="timeout", now=now) is not None:
            ended.append(conversation.id)
            await layer.group_send(
                conversation_group(conversation.id),
                {"type": "chat.ended", "conversation": conversation.id, "by": "timeout"},
            )
    if ended:
        await _queue_changed()
    return ended


async def _end_abandoned_later() -> None:
    await asyncio.sleep(resume_grace().total_seconds() + 1)
    await end_abandoned()


async def after_dead_workers(swept: Swept) -> None:
    """Tell the other sides what the `disconnect`s of dead workers' sockets would have told
    (the store has already let go of those sockets: `ChatStore.sweep_dead_workers`, run by
    every live worker's heartbeat, liveness.py): the volunteer that their young person is away,
    with the abandoned timeout to follow; the young people of a volunteer whose last console
    was there that the volunteer is."""
    for conversation_id in swept.young_away:
        await _presence(conversation_id, who="young", state="away")
    if swept.young_away:
        asyncio.get_running_loop().create_task(_end_abandoned_later())
    for volunteer_id in swept.volunteers_offline:
        for conversation in await get_store().of_volunteer(volunteer_id):
            if conversation.state == ACTIVE:
                await _presence(conversation.id, who="volunteer", state="away")


async def _presence(conversation_id: str, *, who: str, state: str) -> None:
    await get_channel_layer().group_send(
        conversation_group(conversation_id),
        {"type": "chat.presence", "conversation": conversation_id, "who": who, "state": state},
    )


async def _queue_changed() -> None:
    """Tell the consoles the new queue and the waiting their places, computed once here rather
    than by every receiver."""
    layer = get_channel_layer()
    queue = await get_store().queue()
    summaries = [VolunteerConsumer.summary(conversation) for conversation in queue]
    await layer.group_send(VOLUNTEERS, {"type": "queue.changed", "queue": summaries})
    order = [conversation.id for conversation in queue]
    await layer.group_send(WAITING_GROUP, {"type": "queue.changed", "order": order})


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """What both sides share: JSON in and out, a refusal of anything malformed, and the
    dispatch of each message type to `on_<type>`."""

    side = ""
    handles: frozenset[str] = frozenset()

    async def dispatch(self, message: dict[str, Any]) -> None:
        """As Channels' own, without its closing of old database connections before every
        message: that is a trip to Django's one sync thread per message, which all sockets of
        a worker queue for (benchmarks/RESULTS.md). These consumers reach the database only
        through database_sync_to_async, which closes old connections itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    def holder(self, conversation: Conversation) -> str:
        """The channel of the socket that holds this side of the conversation now."""
        raise NotImplementedError

    async def listen(self, conversation_id: str) -> None:
        """Hold this side of the conversation: read its inbox until it ends or another socket
        takes over (the caller has saved this socket as the holder)."""
        readers = self.__dict__.setdefault("readers", {})
        if conversation_id in readers and not readers[conversation_id].done():
            return
        name, loop = inbox(self.side, conversation_id), asyncio.get_running_loop()
        # One reader per inbox in a process: the earlier holder's stops before this one reads
        # (across processes the holder check in _read_inbox hands messages on).
        earlier = _inbox_readers.get(name)
        if earlier is not None and not earlier.done() and earlier.get_loop() is loop:
            earlier.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await earlier
        await self.channel_layer.group_add(conversation_group(conversation_id), name)
        readers[conversation_id] = _inbox_readers[name] = loop.create_task(
            self._read_inbox(conversation_id)
        )

    def stop_listening(self) -> None:
        for reader in self.__dict__.get("readers", {}).values():
            reader.cancel()

    async def _read_inbox(self, conversation_id: str) -> None:
        name = inbox(self.side, conversation_id)
        try:
            while True:
                try:
                    await self._read(name, conversation_id)
                    return
                except Exception as error:  # noqa: BLE001 (the reader must outlive a hiccup)
                    # A lost connection to Redis, say: what waits in the inbox stays there.
                    # Only the error's kind is logged: its text could quote a message.
                    logger.warning("chat inbox reader: %s; reading again", type(error).__name__)
                    await asyncio.sleep(1)
        finally:
            if _inbox_readers.get(name) is asyncio.current_task():
                del _inbox_readers[name]

    async def _read(self, name: str, conversation_id: str) -> None:
        store = get_store()
        while True:
            message = await self.channel_layer.receive(name)
            try:
                conversation = await store.get(conversation_id)
            except Exception:
                await self.channel_layer.send(name, message)  # back, for the next reading
                raise
            if conversation is None:
                # Forgotten: ending one nobody took forgets it at once, and its end is news.
                if message["type"] == "chat.ended":
                    await self.chat_ended(message)
                return
            if self.holder(conversation) != self.channel_name:
                # Another socket holds this side now: the message is theirs.
                await self.channel_layer.send(name, message)
                return
            await getattr(self, get_handler_name(message))(message)
            if message["type"] == "chat.ended":
                return

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.within_burst():
            await self.error("slow_down")
            return
        if text_data is None or len(text_data) > MAX_FRAME:
            await self.error("bad_request")
            return
        try:
            content = json.loads(text_data)
        except ValueError:
            await self.error("bad_request")
            return
        if not isinstance(content, dict) or not isinstance(content.get("type"), str):
            await self.error("bad_request")
            return
        kind = content["type"]
        if kind not in self.handles:
            await self.error("unknown_type")
            return
        await getattr(self, f"on_{kind}")(content)

    def within_burst(self) -> bool:
        return True

    async def error(self, code: str, message: str = "", **fields: Any) -> None:
        await self.send_json({"type": "error", "code": code, "message": message, **fields})

    @staticmethod
    def text_of(content: dict[str, Any]) -> str | None:
        text = content.get("text")
        if not isinstance(text, str) or not text.strip():
            return None
        return text

    async def relay(self, conversation_id: str, text: str, message_id: Any = None) -> None:
        """Pass the text to the other side. A message with the client's own `id` is
        acknowledged with `sent` once it is in the channel layer, and the id goes along: a
        client resends what was not acknowledged after a reconnect, and the receiver drops an id
        it has seen (docs/chat-protocol.md, "Delivery")."""
        event = {
            "type": "chat.message",
            "conversation": conversation_id,
            "sender": self.side,
            "text": text,
        }
        has_id = isinstance(message_id, str) and 0 < len(message_id) <= MAX_MESSAGE_ID
        if has_id:
            event["id"] = message_id
        # Straight to the other side's inbox, not the conversation's group: the sender has no
        # use for its own words back (half the traffic, under load).
        other = "volunteer" if self.side == "young" else "young"
        await self.channel_layer.send(inbox(other, conversation_id), event)
        if has_id:
            sent = {"type": "sent", "id": message_id}
            if self.side == "volunteer":
                sent["conversation"] = conversation_id
            await self.send_json(sent)


class YoungPersonConsumer(ChatConsumer):
    side = "young"
    handles = frozenset({"start", "resume", "message", "typing", "end", "feedback"})

    conversation_id: str | None = None
    last_position: int | None = None
    may_give_feedback = False

    async def connect(self) -> None:
        self.recent: deque[float] = deque()
        await self.accept()
        await liveness.announce(self)

    def within_burst(self) -> bool:
        now = time.monotonic()
        while self.recent and now - self.recent[0] > BURST_SECONDS:
            self.recent.popleft()
        if len(self.recent) >= BURST_MESSAGES:
            return False
        self.recent.append(now)
        return True

    def holder(self, conversation: Conversation) -> str:
        return conversation.young_channel

    async def disconnect(self, code: int) -> None:
        liveness.gone(self)
        self.stop_listening()
        await self.channel_layer.group_discard(WAITING_GROUP, self.channel_name)
        if self.conversation_id is None:
            return
        store = get_store()
        conversation = await store.get(self.conversation_id)
        await self.channel_layer.group_discard(
            conversation_group(self.conversation_id), self.channel_name
        )
        if (
            conversation is None
            or conversation.state == ENDED
            or conversation.young_channel != self.channel_name
        ):
            return
        conversation.young_away_since = timezone.now()
        conversation.young_channel = ""
        await store.save(conversation)
        await self.channel_layer.group_send(
            conversation_group(conversation.id),
            {
                "type": "chat.presence",
                "conversation": conversation.id,
                "who": "young",
                "state": "away",
            },
        )
        asyncio.get_running_loop().create_task(_end_abandoned_later())

    # From the young person

    async def on_start(self, content: dict[str, Any]) -> None:
        if self.conversation_id is not None:
            await self.error("already_started")
            return
        store, now = get_store(), timezone.now()
        if not await database_sync_to_async(services.is_open)(now):
            await self.error("closed")
            await self.close(code=CLOSE_CLOSED)
            return
        client = await store.client_key(self._address(), now)
        if await store.is_blocked(client, now):
            await self.error("blocked")
            await self.close(code=CLOSE_FORBIDDEN)
            return
        allowed = await store.allow_new_chat(
            client,
            now,
            limit=settings.SAMVERKAN_CHAT_RATE_LIMIT,
            window=settings.SAMVERKAN_CHAT_RATE_WINDOW,
        )
        if not allowed:
            await self.error("rate_limited")
            await self.close(code=CLOSE_RATE_LIMITED)
            return
        conversation = await store.create(
            client=client, intake=services.clean_intake(content.get("intake")), now=now
        )
        await self._attach(conversation)
        await self.send_json(
            {
                "type": "queued",
                "resume": conversation.resume_token,
                "position": await self._position(),
            }
        )
        await _queue_changed()

    async def on_resume(self, content: dict[str, Any]) -> None:
        token = content.get("token")
        store = get_store()
        conversation = await store.by_resume_token(token) if isinstance(token, str) else None
        if self.conversation_id is not None or conversation is None or conversation.state == ENDED:
            await self.error("resume_failed")
            return
        was_away = conversation.young_away_since is not None
        conversation.young_away_since = None
        await self._attach(conversation)
        await self.send_json(
            {
                "type": "resumed",
                "state": conversation.state,
                "position": await self._position(),
            }
        )
        if was_away:
            await self.channel_layer.group_send(
                conversation_group(conversation.id),
                {
                    "type": "chat.presence",
                    "conversation": conversation.id,
                    "who": "young",
                    "state": "back",
                },
            )

    async def on_message(self, content: dict[str, Any]) -> None:
        conversation = await self._conversation()
        text = self.text_of(content)
        if conversation is None or conversation.state != ACTIVE:
            await self.error("not_active")
        elif text is None:
            await self.error("empty")
        elif len(text) > services.MAX_MESSAGE_LENGTH:
            await self.error("too_long", limit=services.MAX_MESSAGE_LENGTH)
        else:
            await self.relay(conversation.id, text, content.get("id"))

    async def on_typing(self, content: dict[str, Any]) -> None:
        conversation = await self._conversation()
        if conversation is not None and conversation.state == ACTIVE:
            await self.channel_layer.group_send(
                conversation_group(conversation.id),
                {
                    "type": "chat.typing",
                    "conversation": conversation.id,
                    "sender": self.side,
                    "active": bool(content.get("active")),
                },
            )

    async def on_end(self, content: dict[str, Any]) -> None:
        conversation = await self._conversation()
        if conversation is None:
            await self.error("not_active")
            return
        ended = await get_store().end(conversation.id, by=self.side, now=timezone.now())
        if ended is not None:
            await self.channel_layer.group_send(
                conversation_group(conversation.id),
                {"type": "chat.ended", "conversation": conversation.id, "by": self.side},
            )
            await _queue_changed()

    async def on_feedback(self, content: dict[str, Any]) -> None:
        if not self.may_give_feedback:
            await self.error("feedback_not_allowed")
            return
        try:
            await database_sync_to_async(services.feedback_count)(answer=content.get("answer"))
        except ValueError:
            await self.error("bad_request")
            return
        self.may_give_feedback = False
        await self.send_json({"type": "thanks"})

    # From the channel layer

    async def chat_message(self, event: dict[str, Any]) -> None:
        if event["sender"] != self.side:
            message = {"type": "message", "text": event["text"]}
            if "id" in event:
                message["id"] = event["id"]
            await self.send_json(message)

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event["sender"] != self.side:
            await self.send_json({"type": "typing", "active": event["active"]})

    async def chat_joined(self, event: dict[str, Any]) -> None:
        await self.channel_layer.group_discard(WAITING_GROUP, self.channel_name)
        await self.send_json({"type": "joined"})

    async def chat_presence(self, event: dict[str, Any]) -> None:
        if event["who"] != self.side:
            await self.send_json({"type": "presence", "who": event["who"], "state": event["state"]})

    async def chat_referral(self, event: dict[str, Any]) -> None:
        referral = {k: v for k, v in event["referral"].items() if k != "service"}
        await self.send_json({"type": "referral", **referral})

    async def chat_ended(self, event: dict[str, Any]) -> None:
        await self.channel_layer.group_discard(
            conversation_group(event["conversation"]), self.channel_name
        )
        await self.channel_layer.group_discard(WAITING_GROUP, self.channel_name)
        self.conversation_id = None
        self.may_give_feedback = True
        await self.send_json({"type": "ended", "by": event["by"]})

    async def queue_changed(self, event: dict[str, Any]) -> None:
        order = event.get("order", [])
        if self.conversation_id in order:
            position = order.index(self.conversation_id) + 1
            if position != self.last_position:
                self.last_position = position
                await self.send_json({"type": "position", "position": position})

    # Helpers

    def _address(self) -> str:
        client = self.scope.get("client") or ("", 0)
        return str(client[0])

    async def _attach(self, conversation: Conversation) -> None:
        self.conversation_id = conversation.id
        conversation.young_channel = self.channel_name
        await get_store().save(conversation)
        await self.listen(conversation.id)
        if conversation.state == WAITING:
            await self.channel_layer.group_add(WAITING_GROUP, self.channel_name)

    async def _conversation(self) -> Conversation | None:
        if self.conversation_id is None:
            return None
        return await get_store().get(self.conversation_id)

    async def _position(self) -> int | None:
        queue = await get_store().queue()
        for index, conversation in enumerate(queue):
            if conversation.id == self.conversation_id:
                self.last_position = index + 1
                return index + 1
        return None


# A volunteer at work in the console keeps their sign-in: at most this often, an action on the
# socket saves the session, which moves its expiry on as a page load would. (Sessions end after
# SAMVERKAN_SESSION_MINUTES without a request; a long conversation makes no page requests.)
SESSION_TOUCH_SECONDS = 60


class VolunteerConsumer(ChatConsumer):
    side = "volunteer"
    handles = frozenset({"take", "message", "typing", "note", "refer", "end", "block", "discard"})

    user: Any = None
    session_touched_at: float = 0.0

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        await self.keep_session_alive()
        await super().receive(text_data, bytes_data)

    async def keep_session_alive(self) -> None:
        now = time.monotonic()
        if now - self.session_touched_at < SESSION_TOUCH_SECONDS:
            return
        self.session_touched_at = now
        session = self.scope.get("session")
        if session is not None and session.session_key:
            await database_sync_to_async(session.save)()

    def holder(self, conversation: Conversation) -> str:
        return conversation.volunteer_channel

    async def hold(self, conversation: Conversation) -> None:
        """This console holds the conversation from now (the volunteer's latest console)."""
        conversation.volunteer_channel = self.channel_name
        await get_store().save(conversation)
        await self.listen(conversation.id)

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        allowed = await database_sync_to_async(_volunteer_allowed)(self.scope)
        if not allowed:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.district_ids = await database_sync_to_async(services.district_ids_for_user)(self.user)
        await self.accept()
        await liveness.announce(self)
        store = get_store()
        await store.volunteer_online(self.user.pk, self.channel_name)
        await self.channel_layer.group_add(VOLUNTEERS, self.channel_name)
        mine = await store.of_volunteer(self.user.pk)
        for conversation in mine:
            if conversation.state != ENDED:
                await self.hold(conversation)
        await self.send_json(
            {
                "type": "hello",
                "queue": [self.summary(c) for c in await store.queue()],
                "conversations": [self.summary(c) for c in mine],
            }
        )
        for conversation in mine:
            if conversation.state == ACTIVE:
                await self._tell_young(conversation.id, "back")

    async def disconnect(self, code: int) -> None:
        liveness.gone(self)
        self.stop_listening()
        if self.user is None or not getattr(self.user, "pk", None):
            return
        await self.channel_layer.group_discard(VOLUNTEERS, self.channel_name)
        store = get_store()
        last = await store.volunteer_offline(self.user.pk, self.channel_name)
        for conversation in await store.of_volunteer(self.user.pk):
            await self.channel_layer.group_discard(
                conversation_group(conversation.id), self.channel_name
            )
            if last and conversation.state == ACTIVE:
                await self._tell_young(conversation.id, "away")

    # From the volunteer

    async def on_take(self, content: dict[str, Any]) -> None:
        conversation_id = content.get("conversation")
        conversation = (
            await get_store().take(conversation_id, self.user.pk, timezone.now())
            if isinstance(conversation_id, str)
            else None
        )
        if conversation is None:
            await self.error("not_waiting", conversation=conversation_id)
            return
        await self.hold(conversation)
        await self.send_json({"type": "taken", "conversation": self.summary(conversation)})
        await self.channel_layer.group_send(
            conversation_group(conversation.id),
            {"type": "chat.joined", "conversation": conversation.id},
        )
        await _queue_changed()

    async def on_message(self, content: dict[str, Any]) -> None:
        conversation = await self._mine(content, active=True)
        if conversation is None:
            return
        text = self.text_of(content)
        if text is None:
            await self.error("empty", conversation=conversation.id)
        elif len(text) > services.MAX_MESSAGE_LENGTH:
            await self.error(
                "too_long", conversation=conversation.id, limit=services.MAX_MESSAGE_LENGTH
            )
        else:
            await self.relay(conversation.id, text, content.get("id"))

    async def on_typing(self, content: dict[str, Any]) -> None:
        conversation = await self._mine(content, active=True, quiet=True)
        if conversation is not None:
            await self.channel_layer.group_send(
                conversation_group(conversation.id),
                {
                    "type": "chat.typing",
                    "conversation": conversation.id,
                    "sender": self.side,
                    "active": bool(content.get("active")),
                },
            )

    async def on_note(self, content: dict[str, Any]) -> None:
        conversation = await self._mine(content)
        if conversation is None:
            return
        conversation.notes = services.clean_notes(
            content.get("notes"), district_ids=self.district_ids
        )
        await get_store().save(conversation)
        await self.send_json(
            {"type": "noted", "conversation": conversation.id, "notes": conversation.notes}
        )

    async def on_refer(self, content: dict[str, Any]) -> None:
        conversation = await self._mine(content, active=True)
        if conversation is None:
            return
        try:
            referral = await database_sync_to_async(services.referral_issue)(
                service_id=content.get("service"), by=self.user
            )
        except SamverkanError as error:
            await self.error("refer_failed", str(error), conversation=conversation.id)
            return
        conversation.codes.append(referral)
        await get_store().save(conversation)
        await self.channel_layer.group_send(
            conversation_group(conversation.id),
            {"type": "chat.referral", "conversation": conversation.id, "referral": referral},
        )

    async def on_end(self, content: dict[str, Any]) -> None:
        conversation = await self._mine(content, active=True)
        if conversation is not None:
            await self._end(conversation)

    async def on_block(self, content: dict[str, Any]) -> None:
        conversation = await self._mine(content)
        if conversation is None:
            return
        await get_store().block(conversation.client, timezone.now())
        await self.send_json({"type": "blocked", "conversation": conversation.id})
        if conversation.state != ENDED:
            await self._end(conversation)

    async def on_discard(self, content: dict[str, Any]) -> None:
        conversation = await self._mine(content)
        if conversation is None:
            return
        if conversation.state != ENDED:
            await self.error("not_ended", conversation=conversation.id)
            return
        await get_store().forget(conversation.id)
        await self.send_json({"type": "discarded", "conversation": conversation.id})

    # From the channel layer

    async def chat_message(self, event: dict[str, Any]) -> None:
        if event["sender"] != self.side:
            message = {"type": "message", "conversation": event["conversation"]}
            message.update({k: event[k] for k in ("text", "id") if k in event})
            await self.send_json(message)

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event["sender"] != self.side:
            await self.send_json(
                {"type": "typing", "conversation": event["conversation"], "active": event["active"]}
            )

    async def chat_joined(self, event: dict[str, Any]) -> None:
        pass

    async def chat_presence(self, event: dict[str, Any]) -> None:
        if event["who"] != self.side:
            await self.send_json(
                {
                    "type": "presence",
                    "conversation": event["conversation"],
                    "who": event["who"],
                    "state": event["state"],
                }
            )

    async def chat_referral(self, event: dict[str, Any]) -> None:
        await self.send_json(
            {"type": "referral", "conversation": event["conversation"], **event["referral"]}
        )

    async def chat_ended(self, event: dict[str, Any]) -> None:
        conversation_id = event["conversation"]
        await self.channel_layer.group_discard(
            conversation_group(conversation_id), self.channel_name
        )
        await self.send_json(
            {
                "type": "ended",
                "conversation": conversation_id,
                "by": event["by"],
                "record": f"{reverse('records:chat_create')}?samtal={conversation_id}",
            }
        )

    async def queue_changed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "queue", "queue": event["queue"]})

    # Helpers

    async def _mine(
        self, content: dict[str, Any], *, active: bool = False, quiet: bool = False
    ) -> Conversation | None:
        conversation_id = content.get("conversation")
        conversation = (
            await get_store().get(conversation_id) if isinstance(conversation_id, str) else None
        )
        if conversation is None or conversation.volunteer_id != self.user.pk:
            if not quiet:
                await self.error("not_found", conversation=conversation_id)
            return None
        if active and conversation.state != ACTIVE:
            if not quiet:
                await self.error("not_active", conversation=conversation_id)
            return None
        return conversation

    async def _end(self, conversation: Conversation) -> None:
        if await get_store().end(conversation.id, by=self.side, now=timezone.now()) is not None:
            await self.channel_layer.group_send(
                conversation_group(conversation.id),
                {"type": "chat.ended", "conversation": conversation.id, "by": self.side},
            )
            await _queue_changed()

    async def _tell_young(self, conversation_id: str, state: str) -> None:
        await _presence(conversation_id, who="volunteer", state=state)

    @staticmethod
    def summary(conversation: Conversation) -> dict[str, Any]:
        now = timezone.now()
        return {
            "id": conversation.id,
            "state": conversation.state,
            "waiting_since": conversation.created_at.isoformat(),
            "waited_seconds": int(
                ((conversation.taken_at or now) - conversation.created_at).total_seconds()
            ),
            "intake": conversation.intake,
            "notes": conversation.notes,
            "codes": [
                {"code": c["code"], "destination": c["destination"]} for c in conversation.codes
            ],
            "away": conversation.young_away_since is not None,
            "ended_by": conversation.ended_by,
            "record": (
                f"{reverse('records:chat_create')}?samtal={conversation.id}"
                if conversation.state == ENDED
                else ""
            ),
        }


def _volunteer_allowed(scope: dict[str, Any]) -> bool:
    """A signed-in volunteer of the chat unit who has given the second factor in this session
    (the WebSocket passes no middleware of Django's, so the check is made here)."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.models import Device

    user, session = scope.get("user"), scope.get("session")
    if user is None or not user.is_authenticated or session is None:
        return False
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    if device is None or device.user_id != user.pk or not device.confirmed:
        return False
    return services.can_volunteer(user)
