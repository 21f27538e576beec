"""A chat socket's read of the channel layer ends with the socket (issue 14's leaked reads).

On Python 3.11 redis-py writes each command inside `asyncio.wait_for`, which swallows a
cancellation arriving once the write is done; channels-redis then read again and again for a
socket that had gone, and the socket's consumer, waiting for that read, never ended (the fault
suite saw one such read in about one run in three). Here sockets' reads are cancelled at random
moments, many times over, as sockets that close do: every read must end, and no read may be
left blocked in Redis.
"""

import asyncio
import random

import pytest
import redis as sync_redis

from samverkan.chat.layers import RedisChannelLayer
from samverkan.production.redis_server import redis_binary, redis_server

pytestmark = pytest.mark.skipif(redis_binary() is None, reason="redis-server not installed")

ROUNDS = 60
SOCKETS = 5


def _blocked(url: str) -> list[str]:
    client = sync_redis.Redis.from_url(url, decode_responses=True)
    try:
        lines = client.execute_command("CLIENT", "LIST").splitlines()
    finally:
        client.close()
    return [line for line in lines if " flags=b" in line]


async def _cancel_reads_at_random(url: str) -> tuple[list[asyncio.Task], list[asyncio.Task]]:
    # As settings configure the layer (a socket timeout on its connections).
    layer = RedisChannelLayer(hosts=[{"address": url, "socket_timeout": 90}])
    random.seed(14)
    every: list[asyncio.Task] = []
    for _ in range(ROUNDS):
        names = [await layer.new_channel() for _ in range(SOCKETS)]
        reads = [asyncio.ensure_future(layer.receive(name)) for name in names]
        every += reads
        await asyncio.sleep(random.random() * 0.05)
        for name in random.sample(names, 2):
            await layer.send(name, {"type": "chat.pending"})
        await asyncio.sleep(random.random() * 0.02)
        for read in reads:
            read.cancel()
        await asyncio.sleep(0.01)
    # Every read ends within the layer's wait (5 s) and a little.
    await asyncio.wait(every, timeout=layer.brpop_timeout + 5)
    return [task for task in every if not task.done()], every


def test_every_cancelled_read_ends_and_none_is_left_blocked():
    with redis_server() as url:
        left, every = asyncio.run(_cancel_reads_at_random(url))
        assert left == [], f"{len(left)} of {len(every)} reads went on after their socket went"
        assert _blocked(url) == []
