"""What the chat's two WebSocket endpoints share (consumers.py): JSON in and out, every frame
checked (protocol.py) and a refusal answered with the socket left open, the dispatch of each
message type to `on_<type>`, and the outboxes' delivery.

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
from typing import Any

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from samverkan.chat import liveness, protocol
from samverkan.chat.actions import BY_LOST, conversation_group, side_group
from samverkan.chat.protocol import Refused
from samverkan.chat.store import Conversation, get_store

logger = logging.getLogger("samverkan.chat")

try:  # daphne (runserver, the demo) says a client has gone with autobahn's Disconnected
    from autobahn.exception import Disconnected as _DaphneDisconnected
except ImportError:  # pragma: no cover - production runs uvicorn, which raises an OSError
    _DaphneDisconnected = OSError
CLIENT_GONE = (OSError, _DaphneDisconnected)


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
        """News of an entry put in an outbox. The entry comes with it: the next one after what
        this socket has handed over is handed over from the news (no trip to the store); after
        a gap (news out of order, or entries this socket has not seen) the outbox is read."""
        conversation_id = event["conversation"]
        if event["side"] != self.side or conversation_id not in self.listening:
            return
        delivered = self.delivered.get(conversation_id, 0)
        if event["seq"] <= delivered:
            return
        entry = event.get("entry")
        if entry is None or event["seq"] != delivered + 1:
            await self.flush(conversation_id)
            return
        await self.send_json(self.outbox_frame(conversation_id, entry))
        self.delivered[conversation_id] = max(self.delivered.get(conversation_id, 0), entry["seq"])

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
        self,
        conversation_id: str,
        side: str,
        entry: dict[str, Any],
        message_id: str | None,
        *,
        only_if: dict[str, list[Any]] | None = None,
    ) -> None:
        """Put an entry in `side`'s outbox and tell the sockets holding that side (if the
        conversation's fields in `only_if` have one of the values given: `ChatStore.post`)."""
        store = get_store()
        seq, new, oldest = await store.post(
            conversation_id, side, entry, message_id, only_if=only_if
        )
        if seq <= 0:  # the conversation is gone, or not as asked: nothing was passed on
            raise Refused("not_active", **self.about(conversation_id))
        kept = self.unconfirmed.setdefault(conversation_id, {})
        if message_id is not None:
            kept[seq] = message_id
        for number in [number for number in kept if number < oldest]:
            del kept[number]
        if new:
            await self.channel_layer.group_send(
                side_group(side, conversation_id),
                {
                    "type": "chat.pending",
                    "conversation": conversation_id,
                    "side": side,
                    "seq": seq,
                    "entry": {**entry, "seq": seq},
                },
            )

    @property
    def unconfirmed(self) -> dict[str, dict[int, str]]:
        """Per conversation, the ids of the messages this socket put in the other side's
        outbox (and answered `sent`) by their numbers, less those the receiver has acknowledged
        as far as the socket knows (each post learns the oldest number still there)."""
        return self.__dict__.setdefault("_unconfirmed", {})

    def not_confirmed(self, conversation_id: str, by: str) -> dict[str, Any]:
        """For the `ended` of a conversation lost with the store (Redis restarted, its outboxes
        gone): the messages acknowledged with `sent` that the receiver had not acknowledged as
        far as this socket knows, which the client shows as perhaps not delivered
        (docs/chat-protocol.md, Delivery)."""
        kept = self.unconfirmed.pop(conversation_id, {})
        if by != BY_LOST:
            return {}
        return {"unconfirmed": [kept[number] for number in sorted(kept)]}

    def ended_frame(self, conversation_id: str, by: str) -> dict[str, Any]:
        """The `ended` this side's client is sent, with what may not have arrived."""
        if self.side == "volunteer":
            frame = protocol.console_ended(conversation_id, by)
        else:
            frame = {"type": "ended", "by": by}
        return frame | self.not_confirmed(conversation_id, by)

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

    async def relay(
        self,
        conversation_id: str,
        text: str,
        message_id: str | None,
        only_if: dict[str, list[Any]],
    ) -> None:
        """Put the text in the other side's outbox if the conversation is as `only_if` says (under
        way, and the sender's: checked in the same step as the post, one trip to the store; else
        `not_active`). A message with the client's own `id` is acknowledged with `sent` once it
        is there; a resent id is not put there twice (docs/chat-protocol.md, "Delivery")."""
        entry: dict[str, Any] = {"kind": "message", "text": text}
        if message_id is not None:
            entry["id"] = message_id
        other = "volunteer" if self.side == "young" else "young"
        await self.post(conversation_id, other, entry, message_id, only_if=only_if)
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
