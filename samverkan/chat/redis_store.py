"""The chat's state in Redis, shared by every worker process (production mode).

Same interface and meaning as `MemoryChatStore` (store.py): the queue, the conversations under
way, resume tokens, who is online, blocks and rate-limit windows, and the outboxes of what is on
its way to each side (until the receiver acknowledges it). Any worker can then serve any
participant, and a worker that dies
takes nothing with it: the young person resumes with their token on another worker, the
volunteer's console reconnects and finds its conversations.

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

Changes that two workers could race on (take, end, the rate limit, a console's going, the sweep
after a dead worker) are Lua scripts, atomic in Redis. `save` writes only the fields the caller
changed since it read the conversation, so a young person's reconnect cannot undo a volunteer's
take made meanwhile.
"""

import asyncio
import datetime
import hashlib
import hmac
import json
import secrets
import weakref
from dataclasses import fields
from typing import Any

import redis.asyncio as redis
from django.conf import settings
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.maint_notifications import MaintNotificationsConfig

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

# redis-py 8 asks every new connection of a RESP3 client to turn on "maintenance notifications"
# (a Redis Enterprise feature); against Redis 7 that handshake stalled a new connection for two to
# three seconds, in which the socket waiting for it (a message's delivery) waited too. Off.
NO_MAINT_NOTIFICATIONS = MaintNotificationsConfig(enabled=False)

# Connections of one worker's store to Redis (each command holds one for a round trip).
POOL_SIZE = 200
# A conversation and the indexes live at most this long after their last change.
KEPT = int(ENDED_KEPT.total_seconds())
_TIMES = {"created_at", "taken_at", "ended_at", "young_away_since"}
_FIELDS = [f.name for f in fields(Conversation)]
_LOADED = "_redis_loaded"  # the encoded fields as read, kept on the instance for `save`

# KEYS: outbox, its last number, its ids, the conversation. Nothing is posted for a
# conversation that is not there (forgotten, or lost with a restart of Redis between the
# sender's reading it and this): the sender is answered (0, 0), and no `sent`.
_POST = """
if redis.call('EXISTS', KEYS[4]) == 0 then return {0, 0} end
if ARGV[1] ~= '' then
  local known = redis.call('HGET', KEYS[3], ARGV[1])
  if known then return {tonumber(known), 0} end
end
local seq = redis.call('INCR', KEYS[2])
redis.call('ZADD', KEYS[1], seq, seq .. ':' .. ARGV[2])
if ARGV[1] ~= '' then redis.call('HSET', KEYS[3], ARGV[1], seq) end
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[3]) end
return {seq, 1}
"""

_TAKE = """
local state = redis.call('HGET', KEYS[1], 'state')
if state ~= ARGV[1] then return false end
redis.call('HSET', KEYS[1], 'state', ARGV[2], 'volunteer_id', ARGV[3], 'taken_at', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[6])
redis.call('ZREM', KEYS[2], ARGV[5])
redis.call('SADD', KEYS[3], ARGV[5])
redis.call('EXPIRE', KEYS[3], ARGV[6])
return redis.call('HGETALL', KEYS[1])
"""

# KEYS: conv, waiting, all, away, vol-prefix, resume-prefix; ARGV: ended state, null, by, now,
# id, kept. An untaken conversation has no record to write: it is forgotten at once.
_END = """
local state = redis.call('HGET', KEYS[1], 'state')
if (not state) or state == ARGV[1] then return false end
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'ended_at', ARGV[4], 'ended_by', ARGV[3])
local found = redis.call('HGETALL', KEYS[1])
local token = cjson.decode(redis.call('HGET', KEYS[1], 'resume_token'))
redis.call('DEL', KEYS[6] .. token)
redis.call('ZREM', KEYS[2], ARGV[5])
redis.call('ZREM', KEYS[4], ARGV[5])
if redis.call('HGET', KEYS[1], 'volunteer_id') == ARGV[2] then
  redis.call('DEL', KEYS[1])
  redis.call('ZREM', KEYS[3], ARGV[5])
else
  redis.call('EXPIRE', KEYS[1], ARGV[6])
end
return found
"""

# KEYS: window; ARGV: now, window start, limit, window seconds, a unique member.
_ALLOW = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[5])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1
"""

# KEYS: consoles of the volunteer, online; ARGV: channel, volunteer id.
_OFFLINE = """
redis.call('SREM', KEYS[1], ARGV[1])
if redis.call('SCARD', KEYS[1]) == 0 then
  redis.call('SREM', KEYS[2], ARGV[2])
  return 1
end
return 0
"""

# KEYS: workers, all, away, online; ARGV: prefix, ended state, now, now's score, kept, no
# channel. A worker whose key has expired is dead (its heartbeat stopped): it leaves `workers`,
# so it is swept once, and what its sockets held is let go as their `disconnect` would have.
# Nothing dead (the usual case) costs one EXISTS per worker; a death, one look at each
# conversation and each online volunteer's consoles.
_SWEEP = """
local dead, any = {}, false
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if redis.call('EXISTS', ARGV[1] .. 'worker:' .. worker) == 0 then
    dead[worker], any = true, true
    redis.call('SREM', KEYS[1], worker)
  end
end
if not any then return {{}, {}} end
local function held_by_dead(channel)
  local bang = string.find(channel, '!', 1, true)
  return bang ~= nil and dead[string.sub(channel, 1, bang - 1)] == true
end
local away = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[2], 0, -1)) do
  local conv = ARGV[1] .. 'conv:' .. id
  local found = redis.call('HMGET', conv, 'state', 'young_channel')
  if found[1] and found[1] ~= ARGV[2] and found[2] then
    local channel = cjson.decode(found[2])
    if type(channel) == 'string' and held_by_dead(channel) then
      redis.call('HSET', conv, 'young_channel', ARGV[6], 'young_away_since', ARGV[3])
      redis.call('EXPIRE', conv, ARGV[5])
      redis.call('ZADD', KEYS[3], ARGV[4], id)
      redis.call('EXPIRE', KEYS[3], ARGV[5])
      table.insert(away, id)
    end
  end
end
local offline = {}
for _, volunteer in ipairs(redis.call('SMEMBERS', KEYS[4])) do
  local consoles = ARGV[1] .. 'consoles:' .. volunteer
  for _, channel in ipairs(redis.call('SMEMBERS', consoles)) do
    if held_by_dead(channel) then redis.call('SREM', consoles, channel) end
  end
  if redis.call('SCARD', consoles) == 0 then
    redis.call('SREM', KEYS[4], volunteer)
    table.insert(offline, volunteer)
  end
end
return {away, offline}
"""

# KEYS: old token's key, new token's key; ARGV: conv prefix, ended state, new token (JSON),
# kept. The old token is gone whatever the answer: it is good for one resume.
_REDEEM = """
local id = redis.call('GET', KEYS[1])
if not id then return false end
redis.call('DEL', KEYS[1])
local conv = ARGV[1] .. id
local state = redis.call('HGET', conv, 'state')
if (not state) or state == ARGV[2] then return false end
redis.call('HSET', conv, 'resume_token', ARGV[3])
redis.call('SET', KEYS[2], id, 'EX', ARGV[4])
return redis.call('HGETALL', conv)
"""

# KEYS: conv, waiting, all, vol of its volunteer (or ""), its resume key (or ""); ARGV: kept,
# id, arrival score, waiting (1/0), then field, value pairs. Only when the conversation is gone.
_RESTORE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('EXPIRE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[2])
redis.call('EXPIRE', KEYS[3], ARGV[1])
if ARGV[4] == '1' then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
  redis.call('EXPIRE', KEYS[2], ARGV[1])
end
if KEYS[4] ~= '' then
  redis.call('SADD', KEYS[4], ARGV[2])
  redis.call('EXPIRE', KEYS[4], ARGV[1])
end
if KEYS[5] ~= '' then redis.call('SET', KEYS[5], ARGV[2], 'EX', ARGV[1]) end
return 1
"""

# KEYS: conv; ARGV: kept, then field, value pairs. Writes only to a conversation that still
# exists (one ended and forgotten meanwhile stays forgotten).
_SAVE = """
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
redis.call('EXPIRE', KEYS[1], ARGV[1])
return 1
"""


def _encode_value(name: str, value: Any) -> str:
    if name in _TIMES and value is not None:
        value = value.isoformat()
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _encode(conversation: Conversation) -> dict[str, str]:
    return {name: _encode_value(name, getattr(conversation, name)) for name in _FIELDS}


def _decode(raw: dict[str, str]) -> Conversation:
    values = {}
    for name in _FIELDS:
        if name not in raw:  # a field added since the conversation was written: its default
            continue
        value = json.loads(raw[name])
        if name in _TIMES and value is not None:
            value = datetime.datetime.fromisoformat(value)
        values[name] = value
    conversation = Conversation(**values)
    setattr(conversation, _LOADED, {name: raw[name] for name in _FIELDS if name in raw})
    return conversation


def _pairs(flat: list[str] | None) -> dict[str, str] | None:
    """HGETALL's answer from a Lua script (a flat list) as a dict."""
    if not flat:
        return None
    return dict(zip(flat[0::2], flat[1::2], strict=True))


def _score(moment: datetime.datetime) -> float:
    return moment.timestamp()


class RedisChatStore(ChatStore):
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
                name: client.register_script(source)
                for name, source in {
                    "take": _TAKE,
                    "end": _END,
                    "allow": _ALLOW,
                    "offline": _OFFLINE,
                    "save": _SAVE,
                    "sweep": _SWEEP,
                    "redeem": _REDEEM,
                    "restore": _RESTORE,
                    "post": _POST,
                }.items()
            }
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
        start = _score(now) - window
        allowed = await self._script(
            "allow",
            [self._key("window", client)],
            [_score(now), start, limit, window, f"{_score(now)}:{secrets.token_hex(4)}"],
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
        encoded = _encode(conversation)
        async with self._redis().pipeline(transaction=True) as pipe:
            pipe.hset(self._key("conv", conversation.id), mapping=encoded)
            pipe.expire(self._key("conv", conversation.id), KEPT)
            pipe.zadd(self._key("waiting"), {conversation.id: _score(now)})
            pipe.expire(self._key("waiting"), KEPT)
            pipe.zadd(self._key("all"), {conversation.id: _score(now)})
            pipe.expire(self._key("all"), KEPT)
            pipe.set(self._key("resume", conversation.resume_token), conversation.id, ex=KEPT)
            await pipe.execute()
        setattr(conversation, _LOADED, encoded)
        return conversation

    async def get(self, conversation_id: str) -> Conversation | None:
        raw = await self._redis().hgetall(self._key("conv", conversation_id))
        return _decode(raw) if raw else None

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
        return [_decode(raw) for raw in found if raw]

    async def by_resume_token(self, token: str) -> Conversation | None:
        conversation_id = await self._redis().get(self._key("resume", token))
        return await self.get(conversation_id) if conversation_id else None

    async def redeem_resume_token(self, token: str, new_token: str) -> Conversation | None:
        found = await self._script(
            "redeem",
            [self._key("resume", token), self._key("resume", new_token)],
            [self._key("conv", ""), _encode_value("state", ENDED), json.dumps(new_token), KEPT],
        )
        raw = _pairs(found)
        return _decode(raw) if raw else None

    async def restore(self, conversation: Conversation) -> bool:
        encoded = _encode(conversation)
        args: list[Any] = [
            KEPT,
            conversation.id,
            _score(conversation.created_at),
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
        setattr(conversation, _LOADED, encoded)
        return bool(restored)

    async def save(self, conversation: Conversation) -> None:
        loaded = getattr(conversation, _LOADED, {})
        encoded = _encode(conversation)
        changed = {name: value for name, value in encoded.items() if loaded.get(name) != value}
        if not changed:
            return
        args: list[Any] = [KEPT]
        for name, value in changed.items():
            args += [name, value]
        saved = await self._script("save", [self._key("conv", conversation.id)], args)
        if not saved:
            return
        setattr(conversation, _LOADED, encoded)
        if "young_away_since" in changed:
            away = self._key("away")
            if conversation.young_away_since is None:
                await self._redis().zrem(away, conversation.id)
            else:
                await self._redis().zadd(
                    away, {conversation.id: _score(conversation.young_away_since)}
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
                _encode_value("state", WAITING),
                _encode_value("state", ACTIVE),
                _encode_value("volunteer_id", volunteer_id),
                _encode_value("taken_at", now),
                conversation_id,
                KEPT,
            ],
        )
        raw = _pairs(found)
        return _decode(raw) if raw else None

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
                _encode_value("state", ENDED),
                _encode_value("volunteer_id", None),
                _encode_value("ended_by", by),
                _encode_value("ended_at", now),
                conversation_id,
                KEPT,
            ],
        )
        raw = _pairs(found)
        return _decode(raw) if raw else None

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
        ids = await self._redis().zrangebyscore(index, "-inf", _score(now - grace))
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
                _encode_value("state", ENDED),
                _encode_value("young_away_since", now),
                _score(now),
                KEPT,
                _encode_value("young_channel", ""),
            ],
        )
        return Swept(young_away=list(away), volunteers_offline=[int(v) for v in offline])

    # Outboxes

    def _outbox_keys(self, conversation_id: str, side: str) -> list[str]:
        return [
            self._key("out", conversation_id, side),
            self._key("outseq", conversation_id, side),
            self._key("outids", conversation_id, side),
        ]

    async def post(
        self, conversation_id: str, side: str, entry: dict[str, Any], message_id: str | None
    ) -> tuple[int, bool]:
        seq, new = await self._script(
            "post",
            [*self._outbox_keys(conversation_id, side), self._key("conv", conversation_id)],
            [message_id or "", json.dumps(entry), int(OUTBOX_KEPT.total_seconds())],
        )
        return int(seq), bool(new)

    async def pending(self, conversation_id: str, side: str, after: int) -> list[dict[str, Any]]:
        members = await self._redis().zrangebyscore(
            self._key("out", conversation_id, side), f"({after}", "+inf"
        )
        entries = []
        for member in members:
            seq, _, raw = member.partition(":")
            entries.append({**json.loads(raw), "seq": int(seq)})
        return entries

    async def acknowledge(self, conversation_id: str, side: str, upto: int) -> None:
        await self._redis().zremrangebyscore(self._key("out", conversation_id, side), "-inf", upto)

    async def drop_outbox(
        self, conversation_id: str, side: str | None = None, *, within: float = 0
    ) -> None:
        keys = [
            key
            for each in ([side] if side else ["young", "volunteer"])
            for key in self._outbox_keys(conversation_id, each)
        ]
        if within <= 0:
            await self._redis().delete(*keys)
            return
        async with self._redis().pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.expire(key, max(1, round(within)))
            await pipe.execute()

    async def clear(self) -> None:
        r = self._redis()
        keys = [key async for key in r.scan_iter(match=self.prefix + "*", count=500)]
        if keys:
            await r.delete(*keys)
