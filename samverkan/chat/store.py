"""The live chat's state: the queue, the conversations under way, who is online, resume tokens,
blocks and rate-limit windows, and each side's outbox of what is on its way to it.

A message is here only in an outbox, in memory, for the time it takes to deliver it: from the
sender's `sent` until the receiver acknowledges its sequence number (`ack`), the conversation's
end (OUTBOX_AFTER_END later at most) or OUTBOX_KEPT without news. Nothing here reaches a disk
(Redis runs without persistence, docs/deploy.md). A conversation here holds only what the post-chat
record may use (the young person's optional answers before the chat, the volunteer's notes, the
referral codes issued) and the bookkeeping of the connection. It is forgotten when the
volunteer saves the record, or after ENDED_KEPT.

`ChatStore` is the interface, every method a coroutine so that a store shared between processes
(Redis, the production issue) can implement it; `MemoryChatStore` serves a single process. Its
methods never await in the middle of a change, so each is atomic on the event loop.
"""

import abc
import datetime
import hashlib
import hmac
import secrets
import time
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

# A young person whose connection drops has this long to come back to the same conversation
# (SAMVERKAN_CHAT_RESUME_GRACE_SECONDS may shorten it: the fault tests wait for its end).
RESUME_GRACE = datetime.timedelta(minutes=2)
# An ended conversation waits this long for its post-chat record, then is forgotten.
ENDED_KEPT = datetime.timedelta(hours=12)
# A blocked client cannot start a chat until the daily salt changes, or for this long at most.
BLOCK_FOR = datetime.timedelta(hours=24)

WAITING, ACTIVE, ENDED = "waiting", "active", "ended"

# What is on its way to a side waits in its outbox until that side acknowledges it, at most this
# long after the last message was put there (longer than the resume grace: a side that comes
# back finds everything acknowledged to the sender meanwhile) ...
OUTBOX_KEPT = datetime.timedelta(minutes=15)
# ... and at most this long after the conversation ended (a socket that learns of the end
# delivers what is left first and then empties its outbox; this is for a side that was away).
OUTBOX_AFTER_END = datetime.timedelta(seconds=30)


def resume_grace() -> datetime.timedelta:
    seconds = getattr(settings, "SAMVERKAN_CHAT_RESUME_GRACE_SECONDS", None)
    return RESUME_GRACE if seconds is None else datetime.timedelta(seconds=seconds)


def worker_of(channel: str) -> str:
    """The worker process a channel-layer channel belongs to. A socket's channel is
    process-specific, and Channels' convention names the process in the part before the "!"
    (channels-redis: "specific.<the process's client prefix>!<the socket's own part>")."""
    return channel.partition("!")[0]


@dataclass(frozen=True)
class Swept:
    """What a sweep found held by dead workers and did what their `disconnect`s would have."""

    young_away: list[str] = field(default_factory=list)  # conversations, their young now away
    volunteers_offline: list[int] = field(default_factory=list)  # whose last console was there


@dataclass
class Conversation:
    id: str
    resume_token: str
    client: str  # salted hash of the address, only to block; never the address
    created_at: datetime.datetime
    intake: dict[str, Any] = field(default_factory=dict)
    state: str = WAITING
    volunteer_id: int | None = None
    taken_at: datetime.datetime | None = None
    ended_at: datetime.datetime | None = None
    ended_by: str = ""
    young_channel: str = ""  # the young person's socket while connected (channel layer name)
    young_away_since: datetime.datetime | None = None
    volunteer_channel: str = ""  # the volunteer's console holding it (channel layer name)
    notes: dict[str, Any] = field(default_factory=dict)
    codes: list[dict[str, str]] = field(default_factory=list)
    feedback_given: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Overview:
    """What a supervisor sees: counts and times, never a conversation's content."""

    waiting: int
    longest_wait_seconds: int
    mean_wait_seconds: int
    active: int
    away: int
    volunteers_online: int
    ended_unrecorded: int

    @property
    def longest_wait_minutes(self) -> int:
        return round(self.longest_wait_seconds / 60)

    @property
    def mean_wait_minutes(self) -> int:
        return round(self.mean_wait_seconds / 60)


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


class ChatStore(abc.ABC):
    """The chat's state, shared by every consumer of the process (or of all processes)."""

    # A store shared between processes outlives any one of them, so it must learn when a worker
    # dies without its sockets' `disconnect`s (SIGKILL, out of memory): each worker announces
    # itself (`worker_alive`) and sweeps up after the dead (`sweep_dead_workers`).
    shared_between_processes = False

    @abc.abstractmethod
    async def client_key(self, address: str, now: datetime.datetime) -> str: ...

    @abc.abstractmethod
    async def allow_new_chat(
        self, client: str, now: datetime.datetime, *, limit: int, window: int
    ) -> bool:
        """Count a new chat for the client; False when it has had `limit` within `window` s."""

    @abc.abstractmethod
    async def block(self, client: str, now: datetime.datetime) -> None: ...

    @abc.abstractmethod
    async def is_blocked(self, client: str, now: datetime.datetime) -> bool: ...

    @abc.abstractmethod
    async def create(
        self, *, client: str, intake: dict[str, Any], now: datetime.datetime
    ) -> Conversation: ...

    @abc.abstractmethod
    async def get(self, conversation_id: str) -> Conversation | None: ...

    @abc.abstractmethod
    async def by_resume_token(self, token: str) -> Conversation | None: ...

    @abc.abstractmethod
    async def redeem_resume_token(self, token: str, new_token: str) -> Conversation | None:
        """The conversation of a resume token, if it may be resumed, with the token replaced
        by `new_token` at once: a token is good for one resume (two sockets resuming with the
        same token cannot both succeed)."""

    @abc.abstractmethod
    async def restore(self, conversation: Conversation) -> bool:
        """Put back a conversation the store lost (a restart of the shared store) from what a
        live socket knows of it; nothing if the store has it. True if it was put back."""

    @abc.abstractmethod
    async def save(self, conversation: Conversation) -> None: ...

    @abc.abstractmethod
    async def take(
        self, conversation_id: str, volunteer_id: int, now: datetime.datetime
    ) -> Conversation | None:
        """Give a waiting conversation to the volunteer; None if it is no longer waiting."""

    @abc.abstractmethod
    async def end(
        self, conversation_id: str, *, by: str, now: datetime.datetime
    ) -> Conversation | None:
        """End a waiting or active conversation; None if there is none or it had ended."""

    @abc.abstractmethod
    async def queue(self) -> list[Conversation]:
        """Waiting conversations, longest waiting first."""

    @abc.abstractmethod
    async def of_volunteer(self, volunteer_id: int) -> list[Conversation]:
        """The volunteer's conversations under way and those ended but not yet recorded."""

    @abc.abstractmethod
    async def forget(self, conversation_id: str) -> None: ...

    @abc.abstractmethod
    async def abandoned(self, now: datetime.datetime) -> list[Conversation]:
        """Conversations whose young person has been away longer than RESUME_GRACE."""

    @abc.abstractmethod
    async def volunteer_online(self, volunteer_id: int, channel: str) -> list[str]:
        """Count one of the volunteer's consoles; returns their other consoles."""

    @abc.abstractmethod
    async def volunteer_offline(self, volunteer_id: int, channel: str) -> bool:
        """Forget one of the volunteer's consoles; True if it was their last."""

    @abc.abstractmethod
    async def overview(self, now: datetime.datetime) -> Overview: ...

    @abc.abstractmethod
    async def worker_alive(self, worker: str, *, expires_in: float) -> bool:
        """Announce that the worker is alive for `expires_in` seconds more. False if the store
        did not know it as alive: it is new, or its last announcement lapsed and a sweep took it
        for dead and let go of its sockets."""

    @abc.abstractmethod
    async def sweep_dead_workers(self, now: datetime.datetime) -> Swept:
        """Do for the sockets of workers that stopped announcing themselves what their
        `disconnect` would have done to the store: a young person they held is away since
        `now`, their consoles are offline. Each dead worker is swept once, by one caller."""

    @abc.abstractmethod
    async def clear(self) -> None:
        """Forget everything (tests, and a restart's natural state)."""

    # Outboxes: what is on its way to one side of a conversation, numbered 1, 2, ... per side.

    @abc.abstractmethod
    async def post(
        self, conversation_id: str, side: str, entry: dict[str, Any], message_id: str | None
    ) -> tuple[int, bool]:
        """Put an entry (a message, a referral) in `side`'s outbox under the next sequence
        number. A message whose own `message_id` was posted before is not put again (a client
        resending what it had no `sent` for): returns (its first sequence number, False).
        Nothing is put for a conversation the store does not have (forgotten, or lost with
        Redis' state since the sender read it): (0, False)."""

    @abc.abstractmethod
    async def pending(self, conversation_id: str, side: str, after: int) -> list[dict[str, Any]]:
        """The entries of `side`'s outbox numbered above `after`, in order, each with its
        `seq`."""

    @abc.abstractmethod
    async def acknowledge(self, conversation_id: str, side: str, upto: int) -> None:
        """`side` has what is numbered up to `upto`: gone from its outbox."""

    @abc.abstractmethod
    async def drop_outbox(
        self, conversation_id: str, side: str | None = None, *, within: float = 0
    ) -> None:
        """Forget a side's outbox (both with `side` None), at once or `within` seconds."""


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
        self, conversation_id: str, side: str, entry: dict[str, Any], message_id: str | None
    ) -> tuple[int, bool]:
        if conversation_id not in self._conversations:
            return 0, False
        outbox = self._outbox(conversation_id, side, make=True)
        if message_id is not None and message_id in outbox.ids:
            return outbox.ids[message_id], False
        outbox.seq += 1
        outbox.entries[outbox.seq] = {**entry, "seq": outbox.seq}
        if message_id is not None:
            outbox.ids[message_id] = outbox.seq
        outbox.expires_at = time.monotonic() + OUTBOX_KEPT.total_seconds()
        return outbox.seq, True

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


_store: ChatStore | None = None


def get_store() -> ChatStore:
    """The process's store, of the class named by SAMVERKAN_CHAT_STORE (memory by default)."""
    global _store
    if _store is None:
        name = getattr(settings, "SAMVERKAN_CHAT_STORE", "samverkan.chat.store.MemoryChatStore")
        _store = import_string(name)()
    return _store
