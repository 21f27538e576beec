"""The channel layer of the single-process default: Channels' in-memory layer, made to scale
with conversations.

Channels' `InMemoryChannelLayer` looks through every channel and every group membership for
expired entries on each `send` and `receive`. With a thousand conversations under way (two
inboxes and a group each) that is thousands of steps per message, and one worker falls behind
(benchmarks/RESULTS.md). Expiry is about minutes (a message waits at most a minute, a
membership a day), so looking once a second is as good and costs nothing per message.
"""

import time

from channels.layers import InMemoryChannelLayer
from channels_redis.core import RedisChannelLayer as _RedisChannelLayer


class MemoryChannelLayer(InMemoryChannelLayer):
    clean_every = 1.0  # seconds

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
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
    must exceed this."""

    brpop_timeout = 55
