"""The channel layer of the single-process default: Channels' in-memory layer, made to scale
with conversations.

Channels' `InMemoryChannelLayer` looks through every channel and every group membership for
expired entries on each `send` and `receive`. With a thousand conversations under way (two
inboxes and a group each) that is thousands of steps per message, and one worker falls behind
(benchmarks/RESULTS.md). Expiry is about minutes (a message waits at most a minute, a
membership a day), so looking once a second is as good and costs nothing per message.
"""

import asyncio
import logging
import time

from channels.layers import InMemoryChannelLayer
from channels_redis.core import RedisChannelLayer as _RedisChannelLayer
from channels_redis.utils import create_pool
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
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
    """channels-redis's layer, waiting longer in each blocking read: every inbox under way has
    a reader (two per conversation), and each wakes once per wait even when nothing comes —
    with channels-redis's 5 s, 2,000 conversations meant 800 idle round trips a second and
    two workers fell behind (benchmarks/RESULTS.md). The socket's read timeout (settings)
    must exceed this.

    And riding through a restart of Redis: a command that meets a dead pooled connection is
    tried again on a new one, and a socket's wait for its next message outlives Redis being
    away (it waits for Redis to come back) instead of failing, which ended every chat socket
    of the worker (issue 14). What happens to the chat's state then is liveness.py's part."""

    brpop_timeout = 55
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

    async def receive(self, channel: str) -> dict:
        pause = 0.05
        while True:
            try:
                return await super().receive(channel)
            except (RedisConnectionError, RedisTimeoutError, ConnectionError) as error:
                logger.warning("chat channel layer: %s; reading again", type(error).__name__)
                await asyncio.sleep(pause)
                pause = min(pause * 2, self.reconnect_pause)
