"""The channel layer of the single-process default: Channels' in-memory layer, made to scale
with conversations.

Channels' `InMemoryChannelLayer` looks through every channel and every group membership for
expired entries on each `send` and `receive`. With a thousand conversations under way (two
inboxes and a group each) that is thousands of steps per message, and one worker falls behind
(benchmarks/RESULTS.md). Expiry is about minutes (a message waits at most a minute, a
membership a day), so looking once a second is as good and costs nothing per message.
"""

import asyncio
import hashlib
import logging
import random
import time

import msgpack
from channels.layers import InMemoryChannelLayer
from channels_redis.core import RedisChannelLayer as _RedisChannelLayer
from channels_redis.utils import create_pool
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.maint_notifications import MaintNotificationsConfig

logger = logging.getLogger("samverkan.chat")

# See redis_store.NO_MAINT_NOTIFICATIONS: a new connection's handshake stalled seconds.
NO_MAINT_NOTIFICATIONS = MaintNotificationsConfig(enabled=False)


# A message waits in an absent side's inbox at most this long (seconds). Longer than the
# resume grace (2 minutes) and a reconnect's retries: a young person who resumes within the
# grace receives everything acknowledged to the volunteer with `sent` meanwhile (Channels'
# default, a minute, dropped what was sent in the first minute of a longer absence).
INBOX_EXPIRY = 180


# KEYS: the channels' keys; ARGV: a message per key, a capacity per key, now, expiry, the
# score below which a message has expired.
_GROUP_SEND = """
local n = #KEYS
local over = 0
for i = 1, n do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, ARGV[2 * n + 3])
  if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[n + i]) then
    redis.call('ZADD', KEYS[i], ARGV[2 * n + 1], ARGV[i])
    redis.call('EXPIRE', KEYS[i], ARGV[2 * n + 2])
  else
    over = over + 1
  end
end
return over
"""


# A group send in one round trip. KEYS: the group; ARGV: the prefix of the channels' keys, the
# message packed (msgpack) up to its last value, the list of channels that a key's message is
# for (its "__asgi_channel__", packed here per key), a random prefix (the members of a key's
# sorted set must differ), the keys' capacity, now, expiry, the score below which a message has
# expired, the score below which a membership has. The channels-redis layout: a channel
# "specific.<process>!<socket>" is read from the key "<prefix>specific.<process>!".
_GROUP_SEND_ONE_TRIP = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], 0, ARGV[8])
local members = redis.call('ZRANGE', KEYS[1], 0, -1)
local by_key, order = {}, {}
for _, channel in ipairs(members) do
  local bang = string.find(channel, '!', 1, true)
  local key = ARGV[1] .. (bang and string.sub(channel, 1, bang) or channel)
  if not by_key[key] then
    by_key[key] = {}
    table.insert(order, key)
  end
  table.insert(by_key[key], channel)
end
local over = 0
for _, key in ipairs(order) do
  redis.call('ZREMRANGEBYSCORE', key, 0, ARGV[7])
  if redis.call('ZCARD', key) < tonumber(ARGV[4]) then
    redis.call('ZADD', key, ARGV[5], ARGV[3] .. ARGV[2] .. cmsgpack.pack(by_key[key]))
    redis.call('EXPIRE', key, ARGV[6])
  else
    over = over + 1
  end
end
return over
"""
_GROUP_SEND_ONE_TRIP_SHA = hashlib.sha1(_GROUP_SEND_ONE_TRIP.encode()).hexdigest()  # noqa: S324


class MemoryChannelLayer(InMemoryChannelLayer):
    clean_every = 1.0  # seconds

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        kwargs.setdefault("expiry", INBOX_EXPIRY)
        super().__init__(*args, **kwargs)
        self._cleaned_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._cleaned_at < self.clean_every:
            return
        self._cleaned_at = now
        super()._clean_expired()


class RedisChannelLayer(_RedisChannelLayer):
    """channels-redis's layer, reading a worker's news in batches (`receive_single`), sending
    to a group in two round trips, and ending a blocking read whose socket has gone even when
    the cancellation was lost on the way (`_brpop_with_clean`).

    One blocking read per worker: only the sockets' own channels are read, and channels-redis
    lets one socket at a time read the worker's one key for all of them. It wakes every
    `brpop_timeout` seconds when nothing comes (a round trip per worker per 5 s), which also
    bounds how long a read can outlive its socket. (Each inbox had a reader of its own before
    the outboxes, and 55 s kept 2,000 conversations' idle wake-ups down; no longer needed.)
    The socket's read timeout (settings) must exceed it.

    And riding through a restart of Redis: a command that meets a dead pooled connection is
    tried again on a new one, and a socket's wait for its next message outlives Redis being
    away (it waits for Redis to come back) instead of failing, which ended every chat socket
    of the worker (issue 14). What happens to the chat's state then is liveness.py's part."""

    brpop_timeout = 5
    # Longest pause between attempts to read while Redis is away.
    reconnect_pause = 1.0

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        kwargs.setdefault("expiry", INBOX_EXPIRY)
        super().__init__(*args, **kwargs)

    def create_pool(self, index: int):  # noqa: ANN201
        host = dict(self.hosts[index])
        if "address" in host:
            host.setdefault("retry", Retry(ExponentialBackoff(cap=0.5, base=0.05), 4))
            host.setdefault("retry_on_error", [RedisConnectionError])
            host.setdefault("health_check_interval", 10)
            host.setdefault("maint_notifications_config", NO_MAINT_NOTIFICATIONS)
        return create_pool(host)

    # Messages taken from a worker's key in one round trip when several are waiting.
    drain_batch = 500

    async def receive_single(self, channel: str) -> tuple:
        """As channels-redis's, but taking every message waiting for the worker's sockets in
        one round trip (ZPOPMIN with a count) before waiting for the next one. channels-redis
        takes one message per four round trips to Redis, one after the other for the whole
        worker: with the API's requests holding the interpreter between them, a worker read
        a few dozen messages a second and its sockets' news fell seconds, then minutes,
        behind (issue 14: the fault suite's "lost" messages were news that never got read
        before Redis restarted). Only when nothing waits is the original careful wait used.

        The non-blocking pop runs to its end even if the socket whose read it serves goes
        meanwhile (what it took belongs to the other sockets of the worker): then what it
        took is put into their buffers when it returns."""
        if "!" not in channel:
            return await super().receive_single(channel)
        key = self.prefix + channel
        pop = asyncio.ensure_future(
            self.connection(self.consistent_hash(channel)).zpopmin(key, self.drain_batch)
        )
        try:
            popped = await asyncio.shield(pop)
        except asyncio.CancelledError:
            pop.add_done_callback(self._buffer_orphaned)
            raise
        if not popped:
            return await super().receive_single(channel)
        first = self._unpack(popped[0][0], channel)
        for member, _score in popped[1:]:
            self._buffer(*self._unpack(member, channel))
        return first

    def _unpack(self, member: bytes, channel: str) -> tuple:
        message = self.deserialize(member)
        return message.pop("__asgi_channel__", channel), message

    def _buffer(self, target: str | list[str], message: dict) -> None:
        for name in target if isinstance(target, list) else [target]:
            self.receive_buffer[name].put_nowait(message)

    def _buffer_orphaned(self, pop: asyncio.Future) -> None:
        if pop.cancelled() or pop.exception() is not None:
            return
        for member, _score in pop.result() or []:
            self._buffer(*self._unpack(member, ""))

    async def _brpop_with_clean(self, index: int, channel: str, timeout: float):  # noqa: ANN202
        """As channels-redis's, but a read for a socket that has gone ends (issue 14's leaked
        reads). On Python 3.11 redis-py writes each command inside `asyncio.wait_for` (the
        connection has a socket timeout), and `wait_for` swallows a cancellation that arrives
        once the write is done: it returns the write's result instead (python/cpython#86296,
        fixed in 3.12). The socket's read of its channel then went on to BZPOPMIN, and
        channels-redis's receive loop read again after every timeout, for good; the socket's
        consumer waited for that read to end and never ended either. So the task's pending
        cancellation is looked at around each blocking read: a socket gone ends its read
        within `brpop_timeout`. A message popped meanwhile stays in channels-redis's backup
        queue, which the next read puts back first: nothing is lost."""
        _end_if_cancelled()
        member = await super()._brpop_with_clean(index, channel, timeout)
        _end_if_cancelled()
        return member

    async def group_send(self, group: str, message: dict) -> None:
        """As channels-redis's, in one round trip instead of four: the group's members read,
        grouped by the key each is read from, and the message added to each key (dropping the
        key's expired messages first; beyond the key's capacity it is dropped, as channels-redis
        does), all in one script. The message is packed here as channels-redis packs it, less
        the list of its channels, which the script packs per key (Redis has msgpack). Every
        message to a side's sockets (a message's news, typing, presence) is a group send: it
        was two round trips, one after the other, on each message's way (benchmarks/RESULTS.md,
        2026-12-04). A layout this does not know (several Redis servers, capacities per
        channel, encryption) takes `_group_send_two_trips`."""
        assert self.require_valid_group_name(group), "Group name not valid"
        if not self._one_trip_layout():
            await self._group_send_two_trips(group, message)
            return
        packed = msgpack.packb({**message, "__asgi_channel__": None})
        assert packed[-1:] == b"\xc0"  # the last value, nil: the script puts the list there
        now = time.time()
        args = [
            self.prefix,
            packed[:-1],
            random.getrandbits(8 * self.PREFIX_LENGTH).to_bytes(self.PREFIX_LENGTH, "big"),
            self.capacity,
            now,
            self.expiry,
            int(now) - int(self.expiry),
            int(now) - self.group_expiry,
        ]
        connection = self.connection(0)
        key = self._group_key(group)
        try:
            over = await connection.evalsha(_GROUP_SEND_ONE_TRIP_SHA, 1, key, *args)
        except NoScriptError:  # the first time, or after a restart of Redis
            over = await connection.eval(_GROUP_SEND_ONE_TRIP, 1, key, *args)
        if over:
            logger.warning("chat channel layer: %s channels over capacity", over)

    PREFIX_LENGTH = 12  # channels-redis's random prefix of each message (its default)

    def _one_trip_layout(self) -> bool:
        serializer = self._serializer
        return (
            self.ring_size == 1
            and not self.channel_capacity
            and serializer.random_prefix_length == self.PREFIX_LENGTH
            and not serializer.crypter
            and serializer.as_bytes is msgpack.packb
        )

    async def _group_send_two_trips(self, group: str, message: dict) -> None:
        """As channels-redis's, in two round trips instead of four: the group's members read
        (after dropping expired ones) in one pipeline, and each key's expired messages dropped
        in the same script that adds the new one (up to the key's capacity; more is dropped,
        as channels-redis does)."""
        key = self._group_key(group)
        connection = self.connection(self.consistent_hash(group))
        now = time.time()
        async with connection.pipeline(transaction=False) as pipe:
            pipe.zremrangebyscore(key, min=0, max=int(now) - self.group_expiry)
            pipe.zrange(key, 0, -1)
            _, members = await pipe.execute()
        names = [member.decode("utf8") for member in members]
        if not names:
            return
        by_connection, messages, capacities = self._map_channel_keys_to_connection(names, message)
        for index, keys in by_connection.items():
            args = [messages[k] for k in keys] + [capacities[k] for k in keys]
            args += [now, self.expiry, int(now) - int(self.expiry)]
            over = await self.connection(index).eval(_GROUP_SEND, len(keys), *keys, *args)
            if over:
                logger.warning("chat channel layer: %s channels over capacity", over)

    async def receive(self, channel: str) -> dict:
        pause = 0.05
        while True:
            try:
                return await super().receive(channel)
            except (RedisConnectionError, RedisTimeoutError, ConnectionError) as error:
                logger.warning("chat channel layer: %s; reading again", type(error).__name__)
                await asyncio.sleep(pause)
                pause = min(pause * 2, self.reconnect_pause)


def _end_if_cancelled() -> None:
    """Raise the cancellation this task was asked for, if something on the way swallowed it
    (see `RedisChannelLayer._brpop_with_clean`)."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
