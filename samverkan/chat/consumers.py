"""The chat's two WebSocket endpoints: the young person's and the volunteer's console.

The protocol (every message type, its fields, the errors and close codes) is in
docs/chat-protocol.md; the checks of a frame and the events' shapes are in protocol.py, and
every change of a conversation that others hear of is in actions.py. A message's text goes from
one participant's socket to the channel layer to the other participant's socket and nowhere
else: it is not stored, not logged, and not put into any error.

What is sent to a side goes into that side's outbox in the store (store.ChatStore.post), numbered
1, 2, ... per side, and the sender's `sent` follows; the sockets that hold the side (members of
its group, chat.c.<id>.<side>) are told that something is pending, and each hands its client
whatever it has not yet handed it, with the number (`seq`). The client acknowledges (`ack`)
what it has shown, which takes it out of the outbox. A socket that holds a side again (a
resume, a console's reconnect, another worker after a worker's death) hands over everything
not yet acknowledged, and the client drops a number it has shown: what is acknowledged with
`sent` reaches the other side exactly once as it is seen, whichever socket or worker goes.
Nothing reads the channel layer for a conversation but the sockets' own channels, which end with
the sockets: no reader is left behind (issue 14).
"""

import asyncio
import contextlib
import logging
import secrets
import time
from collections import deque
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.contrib.sessions.backends.base import UpdateError
from django.utils import timezone

from samverkan.chat import actions, liveness, protocol, services, supervision
from samverkan.chat.actions import (
    BY_LOST,
    VOLUNTEERS,
    WAITING_GROUP,
    conversation_group,
    session_group,
    side_group,
    volunteer_group,
)
from samverkan.chat.protocol import Refused
from samverkan.chat.store import ACTIVE, ENDED, WAITING, Conversation, get_store
from samverkan.core.errors import SamverkanError

# A young person may send this many messages (of any type) within BURST_SECONDS; more are
# refused with `slow_down`. People type far slower; a script flooding a volunteer does not.
BURST_MESSAGES = 30
BURST_SECONDS = 10

logger = logging.getLogger("samverkan.chat")

try:  # daphne (runserver, the demo) says a client has gone with autobahn's Disconnected
    from autobahn.exception import Disconnected as _DaphneDisconnected
except ImportError:  # pragma: no cover - production runs uvicorn, which raises an OSError
    _DaphneDisconnected = OSError
CLIENT_GONE = (OSError, _DaphneDisconnected)

# Kept for the tests and tools that import them from here.
end_abandoned = actions.end_abandoned
after_dead_workers = actions.after_dead_workers


class ClientGone(Exception):  # noqa: N818
    """A send to a socket whose client has gone."""


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """What both sides share: JSON in and out, a refusal of anything malformed, the dispatch
    of each message type to `on_<type>`, and the inbox readers."""

    side = ""
    kinds: frozenset[str] = frozenset()
    socket_open = False
    let_go_done = False

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        try:
            await super().__call__(scope, receive, send)
        finally:
            # However the socket ended (a close, an exception, the worker stopping): its
            # readers stop, and what it held is let go as at a close.
            self.socket_open = False
            liveness.gone(self)
            if not self.let_go_done and self.__dict__.get("accepted"):
                try:
                    await asyncio.shield(self._let_go_once())
                except (Exception, asyncio.CancelledError) as error:  # noqa: BLE001
                    logger.warning("chat %s letting go: %s", self.side, type(error).__name__)

    async def dispatch(self, message: dict[str, Any]) -> None:
        """As Channels' own, without its closing of old database connections before every
        message: that is a trip to Django's one sync thread per message, which all sockets of
        a worker queue for (benchmarks/RESULTS.md). These consumers reach the database only
        through database_sync_to_async, which closes old connections itself."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        try:
            await handler(message)
        except ClientGone:
            pass  # news for a socket whose client has gone; its `disconnect` follows

    async def send_json(self, content: Any, close: bool = False) -> None:
        """Send to the client; a client already gone is no error of the handler's (its work
        in the store and for the other side is done regardless: a console closed just after
        `take` still leaves the young person told). What was being handed over stays in the
        outbox until the client acknowledges it."""
        try:
            await super().send_json(content, close)
        except CLIENT_GONE:  # uvicorn's ClientDisconnected, daphne's Disconnected; the
            # socket's `disconnect` follows
            self.socket_open = False
            raise ClientGone from None

    async def accept(self, subprotocol: str | None = None, headers=None) -> None:  # noqa: ANN001
        await super().accept(subprotocol, headers)
        self.socket_open = True
        self.accepted = True

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        """As Channels' own, without its closing of old database connections: a trip to
        Django's one sync thread, which these consumers do not need (see `dispatch`). At
        the end of a quick close after a conversation (issue 14's leaked reads) the socket
        was seen waiting there for good, its read of Redis left blocked."""
        await self.disconnect(message["code"])
        raise StopConsumer

    async def disconnect(self, code: int) -> None:
        self.socket_open = False
        await self._let_go_once()

    async def _let_go_once(self) -> None:
        if self.let_go_done:
            return
        self.let_go_done = True
        liveness.gone(self)
        if self.__dict__.get("accepted"):
            try:
                await self.let_go()
            except Exception as error:  # noqa: BLE001 (Redis away: the sweep or grace will do)
                logger.warning("chat %s letting go: %s", self.side, type(error).__name__)
            try:
                await self.stop_listening()
            except Exception as error:  # noqa: BLE001 (the groups' memberships expire)
                logger.warning("chat %s leaving groups: %s", self.side, type(error).__name__)

    async def let_go(self) -> None:
        """What the socket's going does to the store and tells the other side."""

    async def reassert(self) -> None:
        """Make the store (and the channel layer's groups) know again what this socket holds:
        called when the worker found itself missing from the shared store (liveness.py)."""

    def holder(self, conversation: Conversation) -> str:
        """The channel of the socket that holds this side of the conversation now."""
        raise NotImplementedError

    # Outboxes

    async def listen(self, conversation_id: str, *, flush: bool = True) -> None:
        """Hold this side of the conversation (the caller has saved this socket as its holder):
        hear its news and hand over what waits in its outbox (or leave that to the caller,
        after its own answer)."""
        self.listening.add(conversation_id)
        for group in (conversation_group(conversation_id), side_group(self.side, conversation_id)):
            await self.channel_layer.group_add(group, self.channel_name)
        if flush:
            await self.flush(conversation_id)

    async def stop_listening(self, conversation_id: str | None = None) -> None:
        for key in [conversation_id] if conversation_id else list(self.listening):
            self.listening.discard(key)
            for group in (conversation_group(key), side_group(self.side, key)):
                await self.channel_layer.group_discard(group, self.channel_name)

    @property
    def listening(self) -> set[str]:
        return self.__dict__.setdefault("_listening", set())

    @property
    def delivered(self) -> dict[str, int]:
        """The highest number handed to this socket's client, per conversation."""
        return self.__dict__.setdefault("_delivered", {})

    async def flush(self, conversation_id: str) -> None:
        """Hand the client what waits for it in the outbox and it has not been handed by this
        socket (a new socket hands over everything not acknowledged)."""
        after = self.delivered.get(conversation_id, 0)
        for entry in await get_store().pending(conversation_id, self.side, after):
            await self.send_json(self.outbox_frame(conversation_id, entry))
            self.delivered[conversation_id] = entry["seq"]

    def outbox_frame(self, conversation_id: str, entry: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    async def chat_pending(self, event: dict[str, Any]) -> None:
        conversation_id = event["conversation"]
        if (
            event["side"] == self.side
            and conversation_id in self.listening
            and event["seq"] > self.delivered.get(conversation_id, 0)
        ):
            await self.flush(conversation_id)

    async def acknowledged(self, conversation_id: str, seq: int) -> None:
        """The client has shown everything up to `seq`: out of the outbox. (Never beyond what
        this socket handed over: an `ack` cannot drop what the client has not seen.)"""
        upto = min(seq, self.delivered.get(conversation_id, 0))
        if upto > self.acknowledged_upto.get(conversation_id, 0):
            await get_store().acknowledge(conversation_id, self.side, upto)
            self.acknowledged_upto[conversation_id] = upto

    @property
    def acknowledged_upto(self) -> dict[str, int]:
        """The highest number this socket's client has acknowledged, per conversation: an
        acknowledgement that adds nothing costs no trip to the store."""
        return self.__dict__.setdefault("_acknowledged", {})

    async def post(
        self, conversation_id: str, side: str, entry: dict[str, Any], message_id: str | None
    ) -> None:
        """Put an entry in `side`'s outbox and tell the sockets holding that side."""
        seq, new = await get_store().post(conversation_id, side, entry, message_id)
        if seq == 0:  # the conversation is gone meanwhile: nothing was passed on
            raise Refused("not_active", **self.about(conversation_id))
        if new:
            await self.channel_layer.group_send(
                side_group(side, conversation_id),
                {"type": "chat.pending", "conversation": conversation_id, "side": side, "seq": seq},
            )

    async def ended_here(self, conversation_id: str) -> None:
        """The conversation has ended: hand over what was sent before the end, then empty
        this side's outbox and stop hearing of the conversation."""
        if conversation_id in self.listening:
            with contextlib.suppress(ClientGone):
                await self.flush(conversation_id)
            await get_store().drop_outbox(conversation_id, self.side)
        await self.stop_listening(conversation_id)

    # Frames from the client

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            try:
                content = protocol.parse(text_data)
            except Refused:
                if not self.within_burst():
                    raise Refused("slow_down") from None
                raise
            # An acknowledgement is the client's answer to what the server sent: a burst of
            # messages handed over after a reconnect is acknowledged in a burst, and must not
            # use up the young person's own frames (docs/chat-protocol.md, Abuse controls).
            if content["type"] != "ack" and not self.within_burst():
                raise Refused("slow_down")
            kind = protocol.check_kind(content, self.kinds)
            await getattr(self, f"on_{kind}")(content)
        except Refused as refusal:
            await self.send_json(protocol.error(refusal.code, **refusal.fields))
        except ClientGone:
            return  # nobody to answer; `disconnect` follows
        except Exception as error:  # noqa: BLE001 (the socket lives on; the client may retry)
            # Redis or the database gone a moment, say. Only the error's kind is logged.
            logger.warning("chat %s frame: %s", self.side, type(error).__name__)
            await self.send_json(protocol.error("unavailable"))

    def within_burst(self) -> bool:
        return True

    def about(self, conversation_id: str) -> dict[str, str]:
        """The fields that name a conversation in this side's errors (the console's)."""
        return {"conversation": conversation_id} if self.side == "volunteer" else {}

    async def error(self, code: str, message: str = "", **fields: Any) -> None:
        await self.send_json(protocol.error(code, message, **fields))

    async def relay(self, conversation_id: str, text: str, message_id: str | None) -> None:
        """Put the text in the other side's outbox. A message with the client's own `id` is
        acknowledged with `sent` once it is there; a resent id is not put there twice
        (docs/chat-protocol.md, "Delivery")."""
        entry: dict[str, Any] = {"kind": "message", "text": text}
        if message_id is not None:
            entry["id"] = message_id
        other = "volunteer" if self.side == "young" else "young"
        await self.post(conversation_id, other, entry, message_id)
        if message_id is not None:
            sent = {"type": "sent", "id": message_id}
            if self.side == "volunteer":
                sent["conversation"] = conversation_id
            await self.send_json(sent)

    async def socket_replaced(self, event: dict[str, Any]) -> None:
        """Another socket took this one's place (a newer console of the volunteer; the young
        person's resume elsewhere): say so and close, without letting go of what the new one
        holds."""
        await self.send_json({"type": "replaced"})
        await self.close_and_let_go(protocol.CLOSE_REPLACED)

    async def close_and_let_go(self, code: int) -> None:
        """Close from this side, letting go at once (not waiting for the client's goodbye)."""
        await self.close(code=code)
        self.socket_open = False
        await self._let_go_once()


class YoungPersonConsumer(ChatConsumer):
    side = "young"
    kinds = protocol.YOUNG_TYPES

    conversation_id: str | None = None
    last_position: int | None = None
    may_give_feedback = False
    # While waiting, what the socket knows of its conversation, to put it back in the queue at
    # its place if the shared store loses it (a restart of Redis).
    waiting_copy: Conversation | None = None

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

    async def let_go(self) -> None:
        await self.channel_layer.group_discard(WAITING_GROUP, self.channel_name)
        if self.conversation_id is None:
            return
        store = get_store()
        conversation = await store.get(self.conversation_id)
        if (
            conversation is None
            or conversation.state == ENDED
            or conversation.young_channel != self.channel_name
        ):
            return
        conversation.young_away_since = timezone.now()
        conversation.young_channel = ""
        await store.save(conversation)
        await actions.presence(conversation.id, who="young", state="away")
        actions.young_left()

    async def reassert(self) -> None:
        if self.conversation_id is None or not self.socket_open:
            return
        store = get_store()
        conversation = await store.get(self.conversation_id)
        if conversation is None and self.waiting_copy is not None:
            # The store lost the queue: back in it, at the place of the first arrival.
            copy = self.waiting_copy
            copy.young_channel, copy.young_away_since = self.channel_name, None
            await store.restore(copy)
            await self.listen(copy.id)
            await self.channel_layer.group_add(WAITING_GROUP, self.channel_name)
            await actions.queue_changed()
            return
        if conversation is None or conversation.state == ENDED:
            by = conversation.ended_by if conversation is not None else BY_LOST
            await self.chat_ended({"conversation": self.conversation_id, "by": by or BY_LOST})
            return
        if conversation.young_channel != self.channel_name:
            was_away = conversation.young_away_since is not None
            conversation.young_channel, conversation.young_away_since = self.channel_name, None
            await store.save(conversation)
            if was_away:
                await actions.presence(conversation.id, who="young", state="back")
        await self.listen(conversation.id)
        if conversation.state == WAITING:
            await self.channel_layer.group_add(WAITING_GROUP, self.channel_name)

    # From the young person

    async def on_start(self, content: dict[str, Any]) -> None:
        if self.conversation_id is not None:
            raise Refused("already_started")
        store, now = get_store(), timezone.now()
        if not await database_sync_to_async(services.is_open)(now):
            await self.error("closed")
            await self.close(code=protocol.CLOSE_CLOSED)
            return
        client = await store.client_key(self._address(), now)
        if await store.is_blocked(client, now):
            await self.error("blocked")
            await self.close(code=protocol.CLOSE_FORBIDDEN)
            return
        allowed = await store.allow_new_chat(
            client,
            now,
            limit=settings.SAMVERKAN_CHAT_RATE_LIMIT,
            window=settings.SAMVERKAN_CHAT_RATE_WINDOW,
        )
        if not allowed:
            await self.error("rate_limited")
            await self.close(code=protocol.CLOSE_RATE_LIMITED)
            return
        conversation = await store.create(
            client=client, intake=services.clean_intake(content.get("intake")), now=now
        )
        await self._attach(conversation)
        position = await self._position()
        await actions.queue_changed()
        await self.send_json(
            {"type": "queued", "resume": conversation.resume_token, "position": position}
        )

    async def on_resume(self, content: dict[str, Any]) -> None:
        token = protocol.token(content)
        if self.conversation_id is not None:
            raise Refused("resume_failed")
        store = get_store()
        conversation = await store.redeem_resume_token(token, secrets.token_urlsafe(32))
        if conversation is None:
            raise Refused("resume_failed")
        previous = conversation.young_channel
        was_away = conversation.young_away_since is not None
        conversation.young_away_since = None
        await self._attach(conversation)
        if previous and previous != self.channel_name:
            # A socket still held the conversation (a dropped connection not yet noticed, or
            # someone else with the token): it is told and closed.
            await self.channel_layer.send(previous, {"type": "socket.replaced"})
        await self.send_json(
            {
                "type": "resumed",
                "state": conversation.state,
                "position": await self._position(),
                "resume": conversation.resume_token,
            }
        )
        await self.flush(conversation.id)
        if was_away:
            await actions.presence(conversation.id, who="young", state="back")

    async def on_message(self, content: dict[str, Any]) -> None:
        text = protocol.text(content)
        message_id = protocol.message_id(content)
        conversation = await self._conversation()
        if (
            conversation is None
            or conversation.state != ACTIVE
            # Another socket resumed the conversation (this one is being closed). A socket
            # merely swept as away (its worker stalled) still speaks for the young person.
            or conversation.young_channel not in ("", self.channel_name)
        ):
            raise Refused("not_active")
        await self.relay(conversation.id, text, message_id)

    async def on_typing(self, content: dict[str, Any]) -> None:
        active = protocol.active(content)
        conversation = await self._conversation()
        if conversation is not None and conversation.state == ACTIVE:
            await self.channel_layer.group_send(
                conversation_group(conversation.id),
                {
                    "type": "chat.typing",
                    "conversation": conversation.id,
                    "sender": self.side,
                    "active": active,
                },
            )

    async def on_end(self, content: dict[str, Any]) -> None:
        conversation = await self._conversation()
        if conversation is None:
            raise Refused("not_active")
        await actions.end(conversation.id, by=self.side)

    async def on_ack(self, content: dict[str, Any]) -> None:
        seq = protocol.seq(content)
        if self.conversation_id is not None:  # else ended meanwhile: its outbox is gone
            await self.acknowledged(self.conversation_id, seq)

    async def on_feedback(self, content: dict[str, Any]) -> None:
        if not self.may_give_feedback:
            raise Refused("feedback_not_allowed")
        answer = protocol.feedback_answer(content)
        await database_sync_to_async(services.feedback_count)(answer=answer)
        self.may_give_feedback = False
        await self.send_json({"type": "thanks"})

    # From the channel layer

    def outbox_frame(self, conversation_id: str, entry: dict[str, Any]) -> dict[str, Any]:
        if entry["kind"] == "referral":
            referral = {k: v for k, v in entry["referral"].items() if k != "service"}
            return {"type": "referral", **referral, "seq": entry["seq"]}
        frame = {"type": "message", "text": entry["text"], "seq": entry["seq"]}
        if "id" in entry:
            frame["id"] = entry["id"]
        return frame

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event["sender"] != self.side:
            await self.send_json({"type": "typing", "active": event["active"]})

    async def chat_transferred(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "transferred"})

    async def chat_joined(self, event: dict[str, Any]) -> None:
        self.waiting_copy = None
        await self.channel_layer.group_discard(WAITING_GROUP, self.channel_name)
        await self.send_json({"type": "joined"})

    async def chat_presence(self, event: dict[str, Any]) -> None:
        if event["who"] != self.side:
            await self.send_json({"type": "presence", "who": event["who"], "state": event["state"]})

    async def chat_ended(self, event: dict[str, Any]) -> None:
        await self.channel_layer.group_discard(WAITING_GROUP, self.channel_name)
        await self.ended_here(event["conversation"])
        self.conversation_id = None
        self.waiting_copy = None
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
        await self.listen(conversation.id, flush=False)  # nothing yet, or after `resumed`
        if conversation.state == WAITING:
            self.waiting_copy = conversation
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
    """One live console per volunteer: a console that opens takes over the volunteer's
    conversations, and their earlier consoles are told (`replaced`) and closed."""

    side = "volunteer"
    kinds = protocol.VOLUNTEER_TYPES

    user: Any = None
    session_touched_at: float = 0.0
    online_since: float = 0.0

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if await self.session_gone():
            return
        await super().receive(text_data, bytes_data)

    async def session_gone(self) -> bool:
        """Keep the session alive (at most every SESSION_TOUCH_SECONDS); True, and the socket
        closed, if it has ended meanwhile (signed out elsewhere, expired)."""
        now = time.monotonic()
        if now - self.session_touched_at < SESSION_TOUCH_SECONDS:
            return False
        self.session_touched_at = now
        session = self.scope.get("session")
        if session is None or not session.session_key:
            return False
        try:
            await database_sync_to_async(session.save)()
        except UpdateError:  # the session is gone: signed out, or expired and cleared
            await self.session_ended({})
            return True
        return False

    def holder(self, conversation: Conversation) -> str:
        return conversation.volunteer_channel

    async def hold(self, conversation: Conversation) -> None:
        """This console holds the conversation from now."""
        conversation.volunteer_channel = self.channel_name
        await get_store().save(conversation)
        self.known[conversation.id] = conversation
        await self.listen(conversation.id)

    def _groups(self) -> list[str]:
        groups = [VOLUNTEERS, volunteer_group(self.user.pk)]
        session = self.scope.get("session")
        if session is not None and session.session_key:
            groups.append(session_group(session.session_key))
        return groups

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        # What this console knows of its conversations (never a message): to put them back,
        # ended, with their notes for the post-chat record if the shared store loses them.
        self.known: dict[str, Conversation] = {}
        allowed = await database_sync_to_async(_volunteer_allowed)(self.scope)
        if not allowed:
            await self.close(code=protocol.CLOSE_FORBIDDEN)
            return
        self.district_ids = await database_sync_to_async(services.district_ids_for_user)(self.user)
        await self.accept()
        self.online_since = time.monotonic()
        await liveness.announce(self)
        store = get_store()
        others = await store.volunteer_online(self.user.pk, self.channel_name)
        for group in self._groups():
            await self.channel_layer.group_add(group, self.channel_name)
        mine = await store.of_volunteer(self.user.pk)
        for conversation in mine:
            self.known[conversation.id] = conversation
            if conversation.state != ENDED:
                conversation.volunteer_channel = self.channel_name
                await get_store().save(conversation)
        for other in others:
            await self.channel_layer.send(other, {"type": "socket.replaced"})
        await self.send_json(
            {
                "type": "hello",
                "queue": [protocol.summary(c) for c in await store.queue()],
                "conversations": [protocol.summary(c) for c in mine],
            }
        )
        # After `hello`, so that the console knows the conversations its messages are of: what
        # waits for the volunteer (sent before an end, too) is handed over.
        for conversation in mine:
            if conversation.state != ENDED:
                await self.listen(conversation.id)
            else:
                await self.flush(conversation.id)
        if not others:  # the volunteer was offline: their young people were told so
            for conversation in mine:
                if conversation.state == ACTIVE:
                    await actions.presence(conversation.id, who="volunteer", state="back")

    async def let_go(self) -> None:
        if self.user is None or not getattr(self.user, "pk", None):
            return
        for group in self._groups():
            await self.channel_layer.group_discard(group, self.channel_name)
        store = get_store()
        last = await store.volunteer_offline(self.user.pk, self.channel_name)
        if last:
            for conversation in await store.of_volunteer(self.user.pk):
                if conversation.state == ACTIVE:
                    await actions.presence(conversation.id, who="volunteer", state="away")
        # The console's time online, for the volunteer hours in the service's daily counts.
        await actions.count("consoles", time.monotonic() - self.online_since, timezone.now())

    async def reassert(self) -> None:
        if not self.socket_open or self.user is None:
            return
        store, now = get_store(), timezone.now()
        await store.volunteer_online(self.user.pk, self.channel_name)
        for group in self._groups():
            await self.channel_layer.group_add(group, self.channel_name)
        for conversation_id, known in list(self.known.items()):
            conversation = await store.get(conversation_id)
            if conversation is None:
                # Lost with the store: put back as ended, for the post-chat record's prefill.
                was_under_way = known.state != ENDED
                if was_under_way:
                    known.state, known.ended_by, known.ended_at = ENDED, BY_LOST, now
                known.young_channel = known.volunteer_channel = ""
                known.young_away_since = None
                await store.restore(known)
                await self.stop_listening(conversation_id)
                if was_under_way:
                    await self.send_json(
                        {
                            "type": "ended",
                            "conversation": conversation_id,
                            "by": BY_LOST,
                            "record": protocol.record_url(conversation_id),
                        }
                    )
            elif conversation.state != ENDED:
                await self.hold(conversation)
        await self.send_json(
            {"type": "queue", "queue": [protocol.summary(c) for c in await store.queue()]}
        )

    # From the volunteer

    async def on_take(self, content: dict[str, Any]) -> None:
        conversation_id = protocol.conversation_id(content)
        conversation = await get_store().take(conversation_id, self.user.pk, timezone.now())
        if conversation is None:
            raise Refused("not_waiting", conversation=conversation_id)
        await self.hold(conversation)
        # The young person and the queue first: they must know even if this console has gone.
        await actions.taken(conversation)
        await self.send_json({"type": "taken", "conversation": protocol.summary(conversation)})

    async def on_message(self, content: dict[str, Any]) -> None:
        conversation_id = protocol.conversation_id(content)
        text = protocol.text(content, conversation=conversation_id)
        message_id = protocol.message_id(content, conversation=conversation_id)
        conversation = await self._mine(conversation_id, active=True)
        await self.relay(conversation.id, text, message_id)

    async def on_typing(self, content: dict[str, Any]) -> None:
        conversation_id = protocol.conversation_id(content)
        active = protocol.active(content, conversation=conversation_id)
        try:
            conversation = await self._mine(conversation_id, active=True)
        except Refused:
            return  # typing into a conversation no longer under way: nothing to say
        await self.channel_layer.group_send(
            conversation_group(conversation.id),
            {
                "type": "chat.typing",
                "conversation": conversation.id,
                "sender": self.side,
                "active": active,
            },
        )

    async def on_note(self, content: dict[str, Any]) -> None:
        conversation_id = protocol.conversation_id(content)
        raw = protocol.notes(content, conversation=conversation_id)
        conversation = await self._mine(conversation_id)
        conversation.notes = services.clean_notes(raw, district_ids=self.district_ids)
        await get_store().save(conversation)
        self.known[conversation.id] = conversation
        await self.send_json(
            {"type": "noted", "conversation": conversation.id, "notes": conversation.notes}
        )

    async def on_refer(self, content: dict[str, Any]) -> None:
        conversation = await self._mine(protocol.conversation_id(content), active=True)
        try:
            referral = await database_sync_to_async(services.referral_issue)(
                service_id=content.get("service"), by=self.user
            )
        except SamverkanError as error:
            raise Refused(
                "refer_failed", message=str(error), conversation=conversation.id
            ) from None
        conversation.codes.append(referral)
        await get_store().save(conversation)
        self.known[conversation.id] = conversation
        # To the young person through their outbox (it waits for them if they are away), and
        # to this console at once.
        await self.post(conversation.id, "young", {"kind": "referral", "referral": referral}, None)
        await self.send_json({"type": "referral", "conversation": conversation.id, **referral})

    async def on_end(self, content: dict[str, Any]) -> None:
        conversation = await self._mine(protocol.conversation_id(content), active=True)
        await actions.end(conversation.id, by=self.side)

    async def on_ack(self, content: dict[str, Any]) -> None:
        conversation_id = protocol.conversation_id(content)
        seq = protocol.seq(content, conversation=conversation_id)
        await self.acknowledged(conversation_id, seq)

    async def on_block(self, content: dict[str, Any]) -> None:
        conversation = await self._mine(protocol.conversation_id(content))
        await get_store().block(conversation.client, timezone.now())
        with contextlib.suppress(ClientGone):  # the end is for the young person regardless
            await self.send_json({"type": "blocked", "conversation": conversation.id})
        if conversation.state != ENDED:
            await actions.end(conversation.id, by=self.side)

    async def on_colleagues(self, content: dict[str, Any]) -> None:
        """The colleagues whose console is open now, with their status (a roll call)."""
        await self.send_json({"type": "colleagues", "colleagues": await self._colleagues()})

    async def on_transfer(self, content: dict[str, Any]) -> None:
        """Hand a conversation under way to a colleague whose console is open: theirs from
        now, the young person told neutrally (docs/chat-protocol.md, "Transfer")."""
        conversation_id = protocol.conversation_id(content)
        to = protocol.colleague(content, conversation=conversation_id)
        await self._mine(conversation_id, active=True)
        colleague = next((c for c in await self._colleagues() if c["id"] == to), None)
        if colleague is None:
            raise Refused("no_colleague", conversation=conversation_id)
        conversation = await get_store().hand_over(conversation_id, self.user.pk, to)
        if conversation is None:
            raise Refused("not_active", conversation=conversation_id)
        # Not this console's any more: what it had not acknowledged goes to the colleague.
        self.known.pop(conversation_id, None)
        self.delivered.pop(conversation_id, None)
        self.acknowledged_upto.pop(conversation_id, None)
        await self.stop_listening(conversation_id)
        await actions.handed_over(conversation, giver=self.name)
        await self.send_json(
            {"type": "transferred", "conversation": conversation_id, "to": colleague["name"]}
        )

    async def _colleagues(self) -> list[dict[str, Any]]:
        reply_to = await self.channel_layer.new_channel()
        return [
            colleague
            for colleague in await supervision.roll_call(self.channel_layer, reply_to)
            if colleague["id"] != self.user.pk
        ]

    @property
    def name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    async def on_discard(self, content: dict[str, Any]) -> None:
        conversation = await self._mine(protocol.conversation_id(content))
        if conversation.state != ENDED:
            raise Refused("not_ended", conversation=conversation.id)
        await get_store().forget(conversation.id)
        self.known.pop(conversation.id, None)
        await self.send_json({"type": "discarded", "conversation": conversation.id})

    # From the channel layer

    def outbox_frame(self, conversation_id: str, entry: dict[str, Any]) -> dict[str, Any]:
        frame = {"type": "message", "conversation": conversation_id, "text": entry["text"]}
        if "id" in entry:
            frame["id"] = entry["id"]
        frame["seq"] = entry["seq"]
        return frame

    async def chat_typing(self, event: dict[str, Any]) -> None:
        if event["sender"] != self.side:
            await self.send_json(
                {"type": "typing", "conversation": event["conversation"], "active": event["active"]}
            )

    async def chat_joined(self, event: dict[str, Any]) -> None:
        pass

    async def chat_transferred(self, event: dict[str, Any]) -> None:
        pass  # for the young person; the consoles were told with `transferred` / `taken`

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

    async def chat_ended(self, event: dict[str, Any]) -> None:
        conversation_id = event["conversation"]
        await self.ended_here(conversation_id)
        known = self.known.get(conversation_id)
        if known is not None:
            known.state, known.ended_by, known.ended_at = ENDED, event["by"], timezone.now()
        await self.send_json(
            {
                "type": "ended",
                "conversation": conversation_id,
                "by": event["by"],
                "record": protocol.record_url(conversation_id),
            }
        )

    async def queue_changed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "queue", "queue": event["queue"]})

    async def supervision_roll_call(self, event: dict[str, Any]) -> None:
        """A supervisor's page asks who is online (supervision.py): the volunteer's name and
        how many conversations this console holds under way."""
        under_way = sum(1 for c in self.known.values() if c.state == ACTIVE)
        await self.channel_layer.send(
            event["reply_to"],
            {
                "type": "supervision.status",
                "volunteer": self.user.pk,
                "name": self.name,
                "conversations": under_way,
            },
        )

    async def conversation_handed(self, event: dict[str, Any]) -> None:
        """A colleague transferred a conversation to this volunteer: this console holds it,
        says so (`taken`, with `from`), then hands over what waits for the volunteer."""
        store = get_store()
        conversation = await store.get(event["conversation"])
        if (
            conversation is None
            or conversation.state != ACTIVE
            or conversation.volunteer_id != self.user.pk
        ):
            return
        conversation.volunteer_channel = self.channel_name
        await store.save(conversation)
        self.known[conversation.id] = conversation
        await self.listen(conversation.id, flush=False)
        await self.send_json(
            {"type": "taken", "conversation": protocol.summary(conversation), "from": event["from"]}
        )
        await self.flush(conversation.id)

    async def conversation_recorded(self, event: dict[str, Any]) -> None:
        self.known.pop(event["conversation"], None)
        await self.send_json({"type": "recorded", "conversation": event["conversation"]})

    async def session_ended(self, event: dict[str, Any]) -> None:
        """The session signed out (actions.signed_out) or has gone: the console closes."""
        await self.send_json({"type": "signed_out"})
        await self.close_and_let_go(protocol.CLOSE_SIGNED_OUT)

    # Helpers

    async def _mine(self, conversation_id: str, *, active: bool = False) -> Conversation:
        conversation = await get_store().get(conversation_id)
        if conversation is None or conversation.volunteer_id != self.user.pk:
            raise Refused("not_found", conversation=conversation_id)
        if active and conversation.state != ACTIVE:
            raise Refused("not_active", conversation=conversation_id)
        return conversation

    @staticmethod
    def summary(conversation: Conversation) -> dict[str, Any]:
        return protocol.summary(conversation)


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
