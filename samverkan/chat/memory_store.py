"""The chat's state in this process's memory (`ChatStore`, store.py): the store of the embedded
configuration, one process (SAMVERKAN_CHAT_STORE unset). Its methods never await in the middle of
a change, so each is atomic on the event loop. Nothing here reaches a disk.
"""

import datetime
import hashlib
import hmac
import secrets
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from samverkan.chat.store import (
    ACTIVE,
    BLOCK_FOR,
    ENDED,
    ENDED_KEPT,
    OUTBOX_KEPT,
    WAITING,
    ChatStore,
    Conversation,
    Overview,
    Swept,
    resume_grace,
)


class ClientKeys:
    """Turns a client's address into a key that can be compared within a day and not reversed:
    HMAC-SHA256 with a random salt kept in memory only and replaced every day. (Per process: a
    store shared by several processes shares its salt the same way, in memory.)"""

    def __init__(self) -> None:
        self._day: datetime.date | None = None
        self._salt = b""

    def key(self, address: str, now: datetime.datetime) -> str:
        day = now.date()
        if day != self._day:
            self._day, self._salt = day, secrets.token_bytes(32)
        return hmac.new(self._salt, address.encode(), hashlib.sha256).hexdigest()

    @property
    def day(self) -> datetime.date | None:
        return self._day


class MemoryChatStore(ChatStore):
    def __init__(self) -> None:
        self._keys = ClientKeys()
        self._conversations: dict[str, Conversation] = {}
        # Waiting conversations' ids in the order they came (a dict keeps insertion order), so
        # the queue costs its own length, not the number of conversations under way.
        self._waiting: dict[str, None] = {}
        self._resume: dict[str, str] = {}
        self._windows: dict[str, deque[datetime.datetime]] = {}
        self._blocked: dict[str, datetime.datetime] = {}
        self._consoles: dict[int, set[str]] = {}
        self._outboxes: dict[tuple[str, str], _Outbox] = {}

    async def client_key(self, address: str, now: datetime.datetime) -> str:
        day = self._keys.day
        key = self._keys.key(address, now)
        if day is not None and self._keys.day != day:
            # A new salt: yesterday's keys can no longer match anyone, so drop them.
            self._windows.clear()
            self._blocked.clear()
        return key

    async def allow_new_chat(
        self, client: str, now: datetime.datetime, *, limit: int, window: int
    ) -> bool:
        times = self._windows.setdefault(client, deque())
        start = now - datetime.timedelta(seconds=window)
        while times and times[0] <= start:
            times.popleft()
        if len(times) >= limit:
            return False
        times.append(now)
        return True

    async def block(self, client: str, now: datetime.datetime) -> None:
        self._blocked[client] = now + BLOCK_FOR

    async def is_blocked(self, client: str, now: datetime.datetime) -> bool:
        until = self._blocked.get(client)
        if until is not None and until <= now:
            del self._blocked[client]
            return False
        return until is not None

    async def create(
        self, *, client: str, intake: dict[str, Any], now: datetime.datetime
    ) -> Conversation:
        conversation = Conversation(
            id=secrets.token_urlsafe(12),
            resume_token=secrets.token_urlsafe(32),
            client=client,
            created_at=now,
            intake=dict(intake),
        )
        self._conversations[conversation.id] = conversation
        self._waiting[conversation.id] = None
        self._resume[conversation.resume_token] = conversation.id
        self._expire_ended(now)
        return conversation

    async def get(self, conversation_id: str) -> Conversation | None:
        return self._conversations.get(conversation_id)

    async def by_resume_token(self, token: str) -> Conversation | None:
        conversation_id = self._resume.get(token)
        return self._conversations.get(conversation_id) if conversation_id else None

    async def redeem_resume_token(self, token: str, new_token: str) -> Conversation | None:
        conversation_id = self._resume.pop(token, None)
        conversation = self._conversations.get(conversation_id) if conversation_id else None
        if conversation is None or conversation.state == ENDED:
            return None
        conversation.resume_token = new_token
        self._resume[new_token] = conversation.id
        return conversation

    async def restore(self, conversation: Conversation) -> bool:
        if conversation.id in self._conversations:
            return False
        self._conversations[conversation.id] = conversation
        if conversation.state == WAITING:
            self._waiting[conversation.id] = None
        if conversation.state != ENDED:
            self._resume[conversation.resume_token] = conversation.id
        return True

    async def save(self, conversation: Conversation) -> None:
        if conversation.id in self._conversations:
            self._conversations[conversation.id] = conversation

    async def take(
        self, conversation_id: str, volunteer_id: int, now: datetime.datetime
    ) -> Conversation | None:
        conversation = self._conversations.get(conversation_id)
        if conversation is None or conversation.state != WAITING:
            return None
        conversation.state, conversation.volunteer_id, conversation.taken_at = (
            ACTIVE,
            volunteer_id,
            now,
        )
        self._waiting.pop(conversation.id, None)
        return conversation

    async def hand_over(
        self, conversation_id: str, from_volunteer: int, to_volunteer: int
    ) -> Conversation | None:
        conversation = self._conversations.get(conversation_id)
        if (
            conversation is None
            or conversation.state != ACTIVE
            or conversation.volunteer_id != from_volunteer
        ):
            return None
        conversation.volunteer_id, conversation.volunteer_channel = to_volunteer, ""
        return conversation

    async def end(
        self, conversation_id: str, *, by: str, now: datetime.datetime
    ) -> Conversation | None:
        conversation = self._conversations.get(conversation_id)
        if conversation is None or conversation.state == ENDED:
            return None
        conversation.state, conversation.ended_at, conversation.ended_by = ENDED, now, by
        self._waiting.pop(conversation.id, None)
        # An ended conversation cannot be resumed: its token is gone at once.
        self._resume.pop(conversation.resume_token, None)
        if conversation.volunteer_id is None:
            # Nobody took it: there is no record to write, so nothing to keep.
            self._conversations.pop(conversation.id, None)
        return conversation

    async def queue(self) -> list[Conversation]:
        return [self._conversations[conversation_id] for conversation_id in self._waiting]

    async def of_volunteer(self, volunteer_id: int) -> list[Conversation]:
        mine = [c for c in self._conversations.values() if c.volunteer_id == volunteer_id]
        return sorted(mine, key=lambda c: c.created_at)

    async def forget(self, conversation_id: str) -> None:
        conversation = self._conversations.pop(conversation_id, None)
        self._waiting.pop(conversation_id, None)
        await self.drop_outbox(conversation_id)
        if conversation is not None:
            self._resume.pop(conversation.resume_token, None)

    async def abandoned(self, now: datetime.datetime) -> list[Conversation]:
        return [
            c
            for c in self._conversations.values()
            if c.state != ENDED
            and c.young_away_since is not None
            and now - c.young_away_since >= resume_grace()
        ]

    async def volunteer_online(self, volunteer_id: int, channel: str) -> list[str]:
        consoles = self._consoles.setdefault(volunteer_id, set())
        others = sorted(consoles - {channel})
        consoles.add(channel)
        return others

    async def volunteer_offline(self, volunteer_id: int, channel: str) -> bool:
        channels = self._consoles.get(volunteer_id, set())
        channels.discard(channel)
        if not channels:
            self._consoles.pop(volunteer_id, None)
            return True
        return False

    async def overview(self, now: datetime.datetime) -> Overview:
        waits = [(now - c.created_at).total_seconds() for c in await self.queue()]
        under_way = [c for c in self._conversations.values() if c.state == ACTIVE]
        return Overview(
            waiting=len(waits),
            longest_wait_seconds=int(max(waits, default=0)),
            mean_wait_seconds=int(sum(waits) / len(waits)) if waits else 0,
            active=len(under_way),
            away=sum(1 for c in under_way if c.young_away_since is not None),
            volunteers_online=len(self._consoles),
            ended_unrecorded=sum(1 for c in self._conversations.values() if c.state == ENDED),
        )

    # One process: when it dies, the store dies with it, so no worker is ever dead to it.

    async def worker_alive(self, worker: str, *, expires_in: float) -> bool:
        return True

    async def sweep_dead_workers(self, now: datetime.datetime) -> Swept:
        return Swept()

    async def clear(self) -> None:
        self.__init__()

    def _outbox(self, conversation_id: str, side: str, *, make: bool = False) -> "_Outbox | None":
        key = (conversation_id, side)
        outbox = self._outboxes.get(key)
        if outbox is not None and outbox.expires_at <= time.monotonic():
            del self._outboxes[key]
            outbox = None
        if outbox is None and make:
            outbox = self._outboxes[key] = _Outbox()
        return outbox

    async def post(
        self,
        conversation_id: str,
        side: str,
        entry: dict[str, Any],
        message_id: str | None,
        *,
        only_if: dict[str, list[Any]] | None = None,
    ) -> tuple[int, bool, int]:
        conversation = self._conversations.get(conversation_id)
        if conversation is None:
            return 0, False, 0
        for name, values in (only_if or {}).items():
            if getattr(conversation, name) not in values:
                return -1, False, 0
        outbox = self._outbox(conversation_id, side, make=True)
        if message_id is not None and message_id in outbox.ids:
            return outbox.ids[message_id], False, min(outbox.entries, default=outbox.seq + 1)
        outbox.seq += 1
        outbox.entries[outbox.seq] = {**entry, "seq": outbox.seq}
        if message_id is not None:
            outbox.ids[message_id] = outbox.seq
        outbox.expires_at = time.monotonic() + OUTBOX_KEPT.total_seconds()
        return outbox.seq, True, min(outbox.entries)

    async def pending(self, conversation_id: str, side: str, after: int) -> list[dict[str, Any]]:
        outbox = self._outbox(conversation_id, side)
        if outbox is None:
            return []
        return [entry for seq, entry in outbox.entries.items() if seq > after]

    async def acknowledge(self, conversation_id: str, side: str, upto: int) -> None:
        outbox = self._outbox(conversation_id, side)
        if outbox is not None:
            for seq in [seq for seq in outbox.entries if seq <= upto]:
                del outbox.entries[seq]

    async def drop_outbox(
        self, conversation_id: str, side: str | None = None, *, within: float = 0
    ) -> None:
        for each in [side] if side else ["young", "volunteer"]:
            outbox = self._outbox(conversation_id, each)
            if outbox is None:
                continue
            if within > 0:
                outbox.expires_at = min(outbox.expires_at, time.monotonic() + within)
            else:
                del self._outboxes[(conversation_id, each)]

    def _expire_ended(self, now: datetime.datetime) -> None:
        moment = time.monotonic()
        for key in [k for k, outbox in self._outboxes.items() if outbox.expires_at <= moment]:
            del self._outboxes[key]
        for conversation in list(self._conversations.values()):
            if conversation.state == ENDED and now - conversation.ended_at >= ENDED_KEPT:
                self._conversations.pop(conversation.id, None)


@dataclass
class _Outbox:
    seq: int = 0
    entries: dict[int, dict[str, Any]] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)  # message ids seen, to their seq
    expires_at: float = 0.0  # time.monotonic()
