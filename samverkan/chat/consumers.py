"""The chat's two WebSocket endpoints, the young person's and the volunteer's console: the glue
between the protocol (docs/chat-protocol.md; frames checked and events shaped in protocol.py),
the changes of a conversation and their events (actions.py) and what both sockets share (JSON,
refusals, the outboxes' delivery: sockets.py). A message's text goes from one socket through
the receiver's outbox to the other and nowhere else: not stored, logged or put into an error.
"""

import contextlib
import secrets
import time
from collections import deque
from typing import Any

from channels.db import database_sync_to_async
from django.utils import timezone

from samverkan.chat import actions, liveness, protocol, services, supervision
from samverkan.chat.actions import (
    BY_LOST,
    VOLUNTEERS,
    WAITING_GROUP,
    session_group,
    volunteer_group,
)
from samverkan.chat.protocol import Refused
from samverkan.chat.sockets import ChatConsumer, ClientGone
from samverkan.chat.store import ACTIVE, ENDED, WAITING, Conversation, get_store

# A young person may send this many messages (of any type) within BURST_SECONDS; more are
# refused with `slow_down`. People type far slower; a script flooding a volunteer does not.
BURST_MESSAGES = 30
BURST_SECONDS = 10

# Kept for the tests and tools that import them from here.
end_abandoned = actions.end_abandoned
after_dead_workers = actions.after_dead_workers


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
        if self.conversation_id is not None:
            await actions.young_gone(self.conversation_id, self.channel_name)

    async def reassert(self) -> None:
        if self.conversation_id is None or not self.socket_open:
            return
        conversation, ended_by, restored = await actions.young_reasserted(
            self.conversation_id, self.channel_name, self.waiting_copy
        )
        if conversation is None:
            await self.chat_ended({"conversation": self.conversation_id, "by": ended_by})
            return
        await self.listen(conversation.id)
        if conversation.state == WAITING:
            await self.channel_layer.group_add(WAITING_GROUP, self.channel_name)
        if restored:  # back in the queue at the place of the first arrival: places move
            await actions.queue_changed()

    # From the young person

    async def on_start(self, content: dict[str, Any]) -> None:
        if self.conversation_id is not None:
            raise Refused("already_started")
        conversation, refusal = await actions.admit(self._address(), content.get("intake"))
        if refusal:  # closed, blocked or rate_limited: said, and the socket closes
            await self.error(refusal)
            await self.close(code=protocol.CLOSE_FOR[refusal])
            return
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
        if self.conversation_id is None:
            raise Refused("not_active")
        # Under way, and not resumed by another socket meanwhile (this one is then being
        # closed). A socket merely swept as away (its worker stalled) still speaks for the young
        # person. Else `not_active`.
        only_if = {"state": [ACTIVE], "young_channel": ["", self.channel_name]}
        await self.relay(self.conversation_id, text, message_id, only_if)

    async def on_typing(self, content: dict[str, Any]) -> None:
        active = protocol.active(content)
        conversation = await self._conversation()
        if conversation is not None and conversation.state == ACTIVE:
            await actions.typing(conversation.id, sender=self.side, active=active)

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
        return protocol.young_outbox_frame(entry)

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
        await self.send_json(self.ended_frame(event["conversation"], event["by"]))

    async def queue_changed(self, event: dict[str, Any]) -> None:
        order = event.get("order", [])
        if self.conversation_id in order:
            position = order.index(self.conversation_id) + 1
            if position != self.last_position:
                self.last_position = position
                await self.send_json({"type": "position", "position": position})

    # Helpers

    def _address(self) -> str:
        return str((self.scope.get("client") or ("", 0))[0])

    async def _attach(self, conversation: Conversation) -> None:
        self.conversation_id = conversation.id
        conversation.young_channel = self.channel_name
        await get_store().save(conversation)
        await self.listen(conversation.id, flush=False)  # nothing yet, or after `resumed`
        if conversation.state == WAITING:
            self.waiting_copy = conversation
            await self.channel_layer.group_add(WAITING_GROUP, self.channel_name)

    async def _conversation(self) -> Conversation | None:
        return await get_store().get(self.conversation_id) if self.conversation_id else None

    async def _position(self) -> int | None:
        ids = [conversation.id for conversation in await get_store().queue()]
        if self.conversation_id not in ids:
            return None
        self.last_position = ids.index(self.conversation_id) + 1
        return self.last_position


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
        """Keep the session alive (services.SESSION_TOUCH_SECONDS); True, and the socket
        closed, if it has ended meanwhile (signed out elsewhere, expired)."""
        now = time.monotonic()
        if now - self.session_touched_at < services.SESSION_TOUCH_SECONDS:
            return False
        self.session_touched_at = now
        if await database_sync_to_async(services.session_kept)(self.scope.get("session")):
            return False
        await self.session_ended({})
        return True

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
        allowed = await database_sync_to_async(services.console_allowed)(self.scope)
        if not allowed:
            await self.close(code=protocol.CLOSE_FORBIDDEN)
            return
        self.district_ids = await database_sync_to_async(services.district_ids_for_user)(self.user)
        await self.accept()
        self.online_since = time.monotonic()
        await liveness.announce(self)
        for group in self._groups():
            await self.channel_layer.group_add(group, self.channel_name)
        others, mine = await actions.console_opened(self.user.pk, self.channel_name)
        self.known = {conversation.id: conversation for conversation in mine}
        for other in others:
            await self.channel_layer.send(other, {"type": "socket.replaced"})
        await self.send_json(protocol.hello(await get_store().queue(), mine))
        # After `hello`, so that the console knows the conversations its messages are of: what
        # waits for the volunteer (sent before an end, too) is handed over.
        for conversation in mine:
            if conversation.state != ENDED:
                await self.listen(conversation.id)
            else:
                await self.flush(conversation.id)
        if not others:  # the volunteer was offline: their young people were told so
            await actions.volunteer_back(mine)

    async def let_go(self) -> None:
        if self.user is None or not getattr(self.user, "pk", None):
            return
        for group in self._groups():
            await self.channel_layer.group_discard(group, self.channel_name)
        open_seconds = time.monotonic() - self.online_since
        await actions.console_closed(self.user.pk, self.channel_name, open_seconds)

    async def reassert(self) -> None:
        if not self.socket_open or self.user is None:
            return
        for group in self._groups():
            await self.channel_layer.group_add(group, self.channel_name)
        held, lost = await actions.console_reasserted(self.user.pk, self.channel_name, self.known)
        for conversation in held:
            await self.hold(conversation)
        for conversation_id in lost:
            await self.stop_listening(conversation_id)
            await self.send_json(self.ended_frame(conversation_id, BY_LOST))
        queue = await get_store().queue()
        await self.send_json({"type": "queue", "queue": [protocol.summary(c) for c in queue]})

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
        only_if = {"volunteer_id": [self.user.pk], "state": [ACTIVE]}
        try:
            await self.relay(conversation_id, text, message_id, only_if)
        except Refused:  # which refusal: not this volunteer's (`not_found`) or not under way
            await self._mine(conversation_id, active=True)
            raise

    async def on_typing(self, content: dict[str, Any]) -> None:
        conversation_id = protocol.conversation_id(content)
        active = protocol.active(content, conversation=conversation_id)
        try:
            conversation = await self._mine(conversation_id, active=True)
        except Refused:
            return  # typing into a conversation no longer under way: nothing to say
        await actions.typing(conversation.id, sender=self.side, active=active)

    async def on_note(self, content: dict[str, Any]) -> None:
        conversation_id = protocol.conversation_id(content)
        raw = protocol.notes(content, conversation=conversation_id)
        conversation = await actions.note(await self._mine(conversation_id), raw, self.district_ids)
        self.known[conversation.id] = conversation
        await self.send_json(
            {"type": "noted", "conversation": conversation.id, "notes": conversation.notes}
        )

    async def on_refer(self, content: dict[str, Any]) -> None:
        conversation = await self._mine(protocol.conversation_id(content), active=True)
        referral = await actions.refer(conversation, content.get("service"), by=self.user)
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
        colleagues = await supervision.colleagues_of(self.channel_layer, self.user.pk)
        await self.send_json({"type": "colleagues", "colleagues": colleagues})

    async def on_transfer(self, content: dict[str, Any]) -> None:
        """Hand a conversation under way to a colleague whose console is open: theirs from
        now, the young person told neutrally (docs/chat-protocol.md, "Transfer")."""
        conversation_id = protocol.conversation_id(content)
        to = protocol.colleague(content, conversation=conversation_id)
        await self._mine(conversation_id, active=True)
        colleagues = await supervision.colleagues_of(self.channel_layer, self.user.pk)
        conversation, colleague = await actions.transfer(
            conversation_id, self.user.pk, to, colleagues
        )
        # Not this console's any more: what it had not acknowledged goes to the colleague.
        for kept in (self.known, self.delivered, self.acknowledged_upto):
            kept.pop(conversation_id, None)
        await self.stop_listening(conversation_id)
        await actions.handed_over(conversation, giver=self.name)
        await self.send_json(
            {"type": "transferred", "conversation": conversation_id, "to": colleague["name"]}
        )

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
        return protocol.console_outbox_frame(conversation_id, entry)

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
            await self.send_json(protocol.console_presence(event))

    async def chat_ended(self, event: dict[str, Any]) -> None:
        conversation_id = event["conversation"]
        await self.ended_here(conversation_id)
        known = self.known.get(conversation_id)
        if known is not None:
            known.state, known.ended_by, known.ended_at = ENDED, event["by"], timezone.now()
        await self.send_json(self.ended_frame(conversation_id, event["by"]))

    async def queue_changed(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "queue", "queue": event["queue"]})

    async def supervision_roll_call(self, event: dict[str, Any]) -> None:
        """A supervisor's page asks who is online (supervision.py): the volunteer's name and
        how many conversations this console holds under way."""
        under_way = sum(1 for c in self.known.values() if c.state == ACTIVE)
        answer = supervision.answer(self.user.pk, self.name, under_way)
        await self.channel_layer.send(event["reply_to"], answer)

    async def conversation_handed(self, event: dict[str, Any]) -> None:
        """A colleague transferred a conversation to this volunteer: this console holds it,
        says so (`taken`, with `from`), then hands over what waits for the volunteer."""
        conversation = await actions.take_up(event["conversation"], self.user.pk, self.channel_name)
        if conversation is None:
            return
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
