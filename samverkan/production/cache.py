"""Django's Redis cache that rides through a Redis outage.

What the cache holds in production is worth keeping but never worth a failure: the API's rate
limits and refused-token counts, drawn charts, an import's file between preview and
confirmation. With Django's own backend every `cache.get` raised while Redis was down, so every
API request and the overview were 500s (issue 14). Here a call that cannot reach Redis is
answered from a small cache in the worker's own memory instead, and Redis is not tried again
for a few seconds (no connection attempt per request while it is gone). Rate limits then count
per worker until Redis is back: several workers let a client a few times the limit, never
unlimited. Connections time out quickly, so a Redis that hangs costs a request at most a
second, once per RETRY_SECONDS.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("samverkan.cache")

RETRY_SECONDS = 2.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = {"socket_connect_timeout": 1, "socket_timeout": 1, **params.get("OPTIONS", {})}
        super().__init__(server, {**params, "OPTIONS": options})
        self._memory = LocMemCache(
            f"samverkan-fallback-{id(self)}",
            {"TIMEOUT": params.get("TIMEOUT", 300), "OPTIONS": {"MAX_ENTRIES": 5000}},
        )
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def redis_reachable(self) -> bool:
        return time.monotonic() >= self._down_until

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self._down_until:
            return getattr(self._memory, name)(*args, **kwargs)
        try:
            return getattr(super(), name)(*args, **kwargs)
        except UNREACHABLE as error:
            with self._lock:
                if self.redis_reachable:
                    logger.warning(
                        "Redis unreachable (%s): the cache is kept in this worker's memory for now",
                        type(error).__name__,
                    )
                self._down_until = time.monotonic() + RETRY_SECONDS
            return getattr(self._memory, name)(*args, **kwargs)

    def add(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("add", *args, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("get", *args, **kwargs)

    def set(self, *args: Any, **kwargs: Any) -> Any:
        return self._call("set", *args, **kwargs)

    def touch(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("touch", *args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("delete", *args, **kwargs)

    def get_many(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return self._call("get_many", *args, **kwargs)

    def has_key(self, *args: Any, **kwargs: Any) -> bool:
        return self._call("has_key", *args, **kwargs)

    def incr(self, *args: Any, **kwargs: Any) -> int:
        return self._call("incr", *args, **kwargs)

    def set_many(self, *args: Any, **kwargs: Any) -> list[str]:
        return self._call("set_many", *args, **kwargs)

    def delete_many(self, *args: Any, **kwargs: Any) -> None:
        return self._call("delete_many", *args, **kwargs)

    def clear(self) -> None:
        self._memory.clear()
        return self._call("clear")
