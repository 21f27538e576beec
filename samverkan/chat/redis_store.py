"""The chat's state in Redis, shared by every worker process (production mode).

Same interface and meaning as `MemoryChatStore` (memory_store.py): the queue, the conversations
under way, resume tokens, who is online, blocks and rate-limit windows, and the outboxes of what
is on its way to each side (until the receiver acknowledges it). Any worker can then serve any
participant, and a worker that dies takes nothing with it: the young person resumes with their
token on another worker, the volunteer's console reconnects and finds its conversations.

Every key has an expiry, so the state forgets itself even if nobody cleans up, and the Redis
server must run without persistence (`save ""`, `appendonly no`; docs/deploy.md): nothing here
may reach a disk.

Keys, under the prefix (SAMVERKAN_CHAT_REDIS_PREFIX, default "samverkan:chat:"):
- conv:<id>      hash, one JSON value per field of `Conversation`
- waiting        sorted set of waiting ids by arrival time (the queue)
- all            sorted set of every conversation's id by arrival (supervisor's counts)
- away           sorted set of ids whose young person is away, by the time they left
- resume:<token> the conversation's id while it may be resumed
- vol:<user>     set of the volunteer's conversation ids
- consoles:<user> set of the volunteer's console channels; online: set of volunteers online
- salt:<day>     the day's salt for client keys (shared, so every worker computes the same key)
- window:<key>   sorted set of a client's new chats within the rate-limit window
- blocked:<key>  present while the client is blocked
- out:<id>:<side> sorted set: what is on its way to that side, by sequence number (each
                 member "<seq>:<JSON entry>"); outseq:<id>:<side> the last number given;
                 outids:<id>:<side> hash of the message ids posted there, to their numbers.
                 Emptied by the receiver's acknowledgements and at the end; expiring
                 OUTBOX_KEPT after the last message (store.py). The only place a message's
                 text is, in memory, for the time it takes to deliver it.
- worker:<name>  present while the worker process of that name lives (a few seconds' expiry,
                 renewed by its heartbeat); workers: set of the names announced and not swept

Changes that two workers could race on (take, a transfer, end, the rate limit, a console's
going, the sweep after a dead worker) are Lua scripts, atomic in Redis (redis_scripts.py).
`save` writes only the fields the caller changed since it read the conversation, so a young
person's reconnect cannot undo a volunteer's take made meanwhile. The outboxes' methods are in
redis_outboxes.py.
"""

import asyncio
import datetime
import hashlib
import hmac
import json
import secrets
import weakref
from typing import Any

import redis.asyncio as redis
from django.conf import settings
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.maint_notifications import MaintNotificationsConfig

from samverkan.chat.redis_outboxes import RedisOutboxes
from samverkan.chat.redis_scripts import (
    KEPT,
    LOADED,
    SCRIPTS,
    decode,
    encode,
    encode_value,
    pairs,
    score,
)
from samverkan.chat.store import (
    ACTIVE,
    BLOCK_FOR,
    ENDED,
    WAITING,
    ChatStore,
    Conversation,
    Overview,
    Swept,
    resume_grace,
)

# redis-py 8 asks every new connection of a RESP3 client to turn on "maintenance notifications"
# (a Redis Enterprise feature); against Redis 7 that handshake stalled a new connection for two to
# three seconds, in which the socket waiting for it (a message's delivery) waited too. Off.
NO_MAINT_NOTIFICATIONS = MaintNotificationsConfig(enabled=False)

# Connections of one worker's store to Redis (each command holds one for a round trip).
POOL_SIZE = 200


class RedisChatStore(RedisOutboxes, ChatStore):
    shared_between_processes = True

    def __init__(self, url: str | None = None, prefix: str | None = None) -> None:
        self.url = url or settings.SAMVERKAN_REDIS_URL
        self.prefix = prefix or getattr(settings, "SAMVERKAN_CHAT_REDIS_PREFIX", "samverkan:chat:")
        # One client per event loop: a connection belongs to the loop that opened it (tests
        # run each in a loop of their own; a server has one).
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = (
            weakref.WeakKeyDictionary()
        )

    # Connection

    def _redis(self) -> redis.Redis:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            # Waits for a free connection rather than failing: every message's reader asks the
            # store who holds the conversation, and redis-py's default pool of 100 refuses the
            # 101st at once under load.
            # After a restart of Redis every pooled connection is dead: a command that meets one
            # is tried again on a new connection (the server ran nothing of it), and idle ones
            # are checked before use.
            pool = redis.BlockingConnectionPool.from_url(
                self.url,
                decode_responses=True,
                max_connections=POOL_SIZE,
                timeout=20,
                retry=Retry(ExponentialBackoff(cap=0.5, base=0.05), 4),
                retry_on_error=[RedisConnectionError],
                health_check_interval=10,
                maint_notifications_config=NO_MAINT_NOTIFICATIONS,
            )
            client = redis.Redis(connection_pool=pool)
            client.samverkan_scripts = {
                name: client.register_script(source) for name, source in SCRIPTS.items()
            }
            client.samverkan_acks = {}
            client.samverkan_ack_task = None
            self._clients[loop] = client
        return client

    async def _script(self, name: str, keys: list[str], args: list[Any]) -> Any:
        return await self._redis().samverkan_scripts[name](keys=keys, args=args)

    def _key(self, *parts: Any) -> str:
        return self.prefix + ":".join(str(part) for part in parts)

    # Clients: keys, rate limits, blocks

    async def client_key(self, address: str, now: datetime.datetime) -> str:
        r = self._redis()
        key = self._key("salt", now.date().isoformat())
        # The first worker of the day makes the salt; the rest read it. Two days at most, so
        # yesterday's keys cannot be recomputed once it is gone.
        await r.set(key, secrets.token_hex(32), nx=True, ex=2 * 24 * 3600)
        salt = await r.get(key)
        return hmac.new(bytes.fromhex(salt), address.encode(), hashlib.sha256).hexdigest()

    async def allow_new_chat(
        self, client: str, now: datetime.datetime, *, limit: int, window: int
    ) -> bool:
        start = score(now) - window
        allowed = await self._script(
            "allow",
            [self._key("window", client)],
            [score(now), start, limit, window, f"{score(now)}:{secrets.token_hex(4)}"],
        )
        return bool(allowed)

    async def block(self, client: str, now: datetime.datetime) -> None:
        await self._redis().set(
            self._key("blocked", client), "1", ex=int(BLOCK_FOR.total_seconds())
        )

    async def is_blocked(self, client: str, now: datetime.datetime) -> bool:
        return bool(await self._redis().exists(self._key("blocked", client)))

    # Conversations

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
        encoded = encode(conversation)
        async with self._redis().pipeline(transaction=True) as pipe:
            pipe.hset(self._key("conv", conversation.id), mapping=encoded)
            pipe.expire(self._key("conv", conversation.id), KEPT)
            pipe.zadd(self._key("waiting"), {conversation.id: score(now)})
            pipe.expire(self._key("waiting"), KEPT)
            pipe.zadd(self._key("all"), {conversation.id: score(now)})
            pipe.expire(self._key("all"), KEPT)
            pipe.set(self._key("resume", conversation.resume_token), conversation.id, ex=KEPT)
            await pipe.execute()
        setattr(conversation, LOADED, encoded)
        return conversation

    async def get(self, conversation_id: str) -> Conversation | None:
        raw = await self._redis().hgetall(self._key("conv", conversation_id))
        return decode(raw) if raw else None

    async def _many(self, ids: list[str], index: str) -> list[Conversation]:
        """The conversations of these ids that still exist; the rest leave the index."""
        if not ids:
            return []
        r = self._redis()
        async with r.pipeline(transaction=False) as pipe:
            for conversation_id in ids:
                pipe.hgetall(self._key("conv", conversation_id))
            found = await pipe.execute()
        gone = [i for i, raw in zip(ids, found, strict=True) if not raw]
        if gone:
            if index.endswith(("waiting", "all", "away")):
                await r.zrem(index, *gone)
            else:
                await r.srem(index, *gone)
        return [decode(raw) for raw in found if raw]

    async def by_resume_token(self, token: str) -> Conversation | None:
        conversation_id = await self._redis().get(self._key("resume", token))
        return await self.get(conversation_id) if conversation_id else None

    async def redeem_resume_token(self, token: str, new_token: str) -> Conversation | None:
        found = await self._script(
            "redeem",
            [self._key("resume", token), self._key("resume", new_token)],
            [self._key("conv", ""), encode_value("state", ENDED), json.dumps(new_token), KEPT],
        )
        raw = pairs(found)
        return decode(raw) if raw else None

    async def restore(self, conversation: Conversation) -> bool:
        encoded = encode(conversation)
        args: list[Any] = [
            KEPT,
            conversation.id,
            score(conversation.created_at),
            "1" if conversation.state == WAITING else "0",
        ]
        for name, value in encoded.items():
            args += [name, value]
        restored = await self._script(
            "restore",
            [
                self._key("conv", conversation.id),
                self._key("waiting"),
                self._key("all"),
                self._key("vol", conversation.volunteer_id)
                if conversation.volunteer_id is not None
                else "",
                self._key("resume", conversation.resume_token)
                if conversation.state != ENDED
                else "",
            ],
            args,
        )
        setattr(conversation, LOADED, encoded)
        return bool(restored)

    async def save(self, conversation: Conversation) -> None:
        loaded = getattr(conversation, LOADED, {})
        encoded = encode(conversation)
        changed = {name: value for name, value in encoded.items() if loaded.get(name) != value}
        if not changed:
            return
        args: list[Any] = [KEPT]
        for name, value in changed.items():
            args += [name, value]
        saved = await self._script("save", [self._key("conv", conversation.id)], args)
        if not saved:
            return
        setattr(conversation, LOADED, encoded)
        if "young_away_since" in changed:
            away = self._key("away")
            if conversation.young_away_since is None:
                await self._redis().zrem(away, conversation.id)
            else:
                await self._redis().zadd(
                    away, {conversation.id: score(conversation.young_away_since)}
                )
                await self._redis().expire(away, KEPT)

    async def take(
        self, conversation_id: str, volunteer_id: int, now: datetime.datetime
    ) -> Conversation | None:
        found = await self._script(
            "take",
            [
                self._key("conv", conversation_id),
                self._key("waiting"),
                self._key("vol", volunteer_id),
            ],
            [
                encode_value("state", WAITING),
                encode_value("state", ACTIVE),
                encode_value("volunteer_id", volunteer_id),
                encode_value("taken_at", now),
                conversation_id,
                KEPT,
            ],
        )
        raw = pairs(found)
        return decode(raw) if raw else None

    async def hand_over(
        self, conversation_id: str, from_volunteer: int, to_volunteer: int
    ) -> Conversation | None:
        found = await self._script(
            "hand_over",
            [
                self._key("conv", conversation_id),
                self._key("vol", from_volunteer),
                self._key("vol", to_volunteer),
            ],
            [
                encode_value("state", ACTIVE),
                encode_value("volunteer_id", from_volunteer),
                encode_value("volunteer_id", to_volunteer),
                encode_value("volunteer_channel", ""),
                conversation_id,
                KEPT,
            ],
        )
        raw = pairs(found)
        return decode(raw) if raw else None

    async def end(
        self, conversation_id: str, *, by: str, now: datetime.datetime
    ) -> Conversation | None:
        found = await self._script(
            "end",
            [
                self._key("conv", conversation_id),
                self._key("waiting"),
                self._key("all"),
                self._key("away"),
                self._key("vol", ""),
                self._key("resume", ""),
            ],
            [
                encode_value("state", ENDED),
                encode_value("volunteer_id", None),
                encode_value("ended_by", by),
                encode_value("ended_at", now),
                conversation_id,
                KEPT,
            ],
        )
        raw = pairs(found)
        return decode(raw) if raw else None

    async def queue(self) -> list[Conversation]:
        index = self._key("waiting")
        ids = await self._redis().zrange(index, 0, -1)
        return [c for c in await self._many(ids, index) if c.state == WAITING]

    async def of_volunteer(self, volunteer_id: int) -> list[Conversation]:
        index = self._key("vol", volunteer_id)
        ids = list(await self._redis().smembers(index))
        mine = [c for c in await self._many(ids, index) if c.volunteer_id == volunteer_id]
        return sorted(mine, key=lambda c: c.created_at)

    async def forget(self, conversation_id: str) -> None:
        conversation = await self.get(conversation_id)
        async with self._redis().pipeline(transaction=True) as pipe:
            pipe.delete(self._key("conv", conversation_id))
            for index in ("waiting", "all", "away"):
                pipe.zrem(self._key(index), conversation_id)
            for side in ("young", "volunteer"):
                pipe.delete(*self._outbox_keys(conversation_id, side))
            if conversation is not None:
                pipe.delete(self._key("resume", conversation.resume_token))
                if conversation.volunteer_id is not None:
                    pipe.srem(self._key("vol", conversation.volunteer_id), conversation_id)
            await pipe.execute()

    async def abandoned(self, now: datetime.datetime) -> list[Conversation]:
        index = self._key("away")
        grace = resume_grace()
        ids = await self._redis().zrangebyscore(index, "-inf", score(now - grace))
        return [
            c
            for c in await self._many(ids, index)
            if c.state != ENDED
            and c.young_away_since is not None
            and now - c.young_away_since >= grace
        ]

    # Volunteers

    async def volunteer_online(self, volunteer_id: int, channel: str) -> list[str]:
        async with self._redis().pipeline(transaction=True) as pipe:
            pipe.smembers(self._key("consoles", volunteer_id))
            pipe.sadd(self._key("consoles", volunteer_id), channel)
            pipe.expire(self._key("consoles", volunteer_id), KEPT)
            pipe.sadd(self._key("online"), volunteer_id)
            pipe.expire(self._key("online"), KEPT)
            before, *_ = await pipe.execute()
        return sorted(set(before) - {channel})

    async def volunteer_offline(self, volunteer_id: int, channel: str) -> bool:
        last = await self._script(
            "offline",
            [self._key("consoles", volunteer_id), self._key("online")],
            [channel, volunteer_id],
        )
        return bool(last)

    async def overview(self, now: datetime.datetime) -> Overview:
        waits = [(now - c.created_at).total_seconds() for c in await self.queue()]
        index = self._key("all")
        everyone = await self._many(await self._redis().zrange(index, 0, -1), index)
        under_way = [c for c in everyone if c.state == ACTIVE]
        return Overview(
            waiting=len(waits),
            longest_wait_seconds=int(max(waits, default=0)),
            mean_wait_seconds=int(sum(waits) / len(waits)) if waits else 0,
            active=len(under_way),
            away=sum(1 for c in under_way if c.young_away_since is not None),
            volunteers_online=int(await self._redis().scard(self._key("online"))),
            ended_unrecorded=sum(1 for c in everyone if c.state == ENDED),
        )

    # Workers

    async def worker_alive(self, worker: str, *, expires_in: float) -> bool:
        workers = self._key("workers")
        async with self._redis().pipeline(transaction=True) as pipe:
            # Not among the workers: new, or swept as dead while its heartbeat was late.
            pipe.sismember(workers, worker)
            pipe.set(self._key("worker", worker), "1", px=max(1, round(expires_in * 1000)))
            pipe.sadd(workers, worker)
            pipe.expire(workers, KEPT)
            known, *_ = await pipe.execute()
        return bool(known)

    async def sweep_dead_workers(self, now: datetime.datetime) -> Swept:
        away, offline = await self._script(
            "sweep",
            [self._key("workers"), self._key("all"), self._key("away"), self._key("online")],
            [
                self.prefix,
                encode_value("state", ENDED),
                encode_value("young_away_since", now),
                score(now),
                KEPT,
                encode_value("young_channel", ""),
            ],
        )
        return Swept(young_away=list(away), volunteers_offline=[int(v) for v in offline])

    async def clear(self) -> None:
        r = self._redis()
        keys = [key async for key in r.scan_iter(match=self.prefix + "*", count=500)]
        if keys:
            await r.delete(*keys)
