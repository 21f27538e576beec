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
can implement it: `MemoryChatStore` (memory_store.py) serves a single process, `RedisChatStore`
(redis_store.py) every worker of a production site.
"""

import abc
import datetime
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
    async def hand_over(
        self, conversation_id: str, from_volunteer: int, to_volunteer: int
    ) -> Conversation | None:
        """Give a conversation under way held by `from_volunteer` to `to_volunteer` (a
        transfer), in one atomic step: None if it is not under way or not theirs (ended
        meanwhile, or handed over already). Nobody's console holds it until the new
        volunteer's does."""

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
        self,
        conversation_id: str,
        side: str,
        entry: dict[str, Any],
        message_id: str | None,
        *,
        only_if: dict[str, list[Any]] | None = None,
    ) -> tuple[int, bool, int]:
        """Put an entry (a message, a referral) in `side`'s outbox under the next sequence
        number: returns (the number, True, the oldest number still in the outbox — everything
        below it has been acknowledged by the receiver). A message whose own `message_id` was
        posted before is not put again (a client resending what it had no `sent` for):
        (its first sequence number, False, the oldest). Nothing is put for a conversation the
        store does not have (forgotten, or lost with Redis' state since the sender read it):
        (0, False, 0); nor if one of the conversation's fields named in `only_if` has none of
        the values listed for it (the sender's check, in the same step as the post: the
        conversation under way and the sender's): (-1, False, 0)."""

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


MEMORY_STORE = "samverkan.chat.memory_store.MemoryChatStore"
_store: ChatStore | None = None


def get_store() -> ChatStore:
    """The process's store, of the class named by SAMVERKAN_CHAT_STORE (memory by default)."""
    global _store
    if _store is None:
        name = getattr(settings, "SAMVERKAN_CHAT_STORE", MEMORY_STORE)
        _store = import_string(name)()
    return _store
