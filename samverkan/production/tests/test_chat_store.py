"""Both chat stores keep the same promises: the Redis one is what several workers share, so it
is held to everything the memory one does, and to what only sharing needs (atomic take, one
salt for every worker, expiry on every key)."""

import asyncio
import datetime

import pytest
import pytest_asyncio
import redis.asyncio as redis

from samverkan.chat.redis_store import RedisChatStore
from samverkan.chat.store import ACTIVE, ENDED, RESUME_GRACE, MemoryChatStore

pytestmark = pytest.mark.asyncio

NOW = datetime.datetime(2026, 11, 27, 19, 0, tzinfo=datetime.UTC)


@pytest_asyncio.fixture(params=["memory", "redis"])
async def store(request):
    if request.param == "memory":
        yield MemoryChatStore()
        return
    url = request.getfixturevalue("redis_url")
    shared = RedisChatStore(url=url, prefix="test:chat:")
    await shared.clear()
    yield shared
    await shared.clear()


async def test_queue_take_end_and_forget(store):
    first = await store.create(client="a", intake={"age": 16}, now=NOW)
    second = await store.create(client="b", intake={}, now=NOW + datetime.timedelta(seconds=1))
    assert [c.id for c in await store.queue()] == [first.id, second.id]
    assert (await store.by_resume_token(first.resume_token)).id == first.id

    taken = await store.take(first.id, 7, NOW)
    assert taken.state == ACTIVE and taken.volunteer_id == 7 and taken.intake == {"age": 16}
    assert await store.take(first.id, 8, NOW) is None
    assert [c.id for c in await store.queue()] == [second.id]
    assert [c.id for c in await store.of_volunteer(7)] == [first.id]

    ended = await store.end(first.id, by="young", now=NOW)
    assert ended.state == ENDED and ended.ended_by == "young"
    assert await store.end(first.id, by="young", now=NOW) is None
    assert await store.by_resume_token(first.resume_token) is None
    assert (await store.get(first.id)).state == ENDED  # kept for its record

    # Nobody took the second: ending it leaves nothing.
    await store.end(second.id, by="young", now=NOW)
    assert await store.get(second.id) is None
    assert await store.queue() == []

    await store.forget(first.id)
    assert await store.get(first.id) is None
    assert await store.of_volunteer(7) == []


async def test_saves_keep_notes_codes_and_absence(store):
    conversation = await store.create(client="a", intake={}, now=NOW)
    await store.take(conversation.id, 7, NOW)
    mine = await store.get(conversation.id)
    mine.notes = {"concern": "victim"}
    mine.codes.append({"code": "ABCD-EFGH", "destination": "Clinic"})
    await store.save(mine)
    again = await store.get(conversation.id)
    assert again.notes == {"concern": "victim"} and again.codes[0]["code"] == "ABCD-EFGH"

    again.young_away_since = NOW
    await store.save(again)
    assert await store.abandoned(NOW + RESUME_GRACE / 2) == []
    assert [c.id for c in await store.abandoned(NOW + RESUME_GRACE)] == [conversation.id]
    overview = await store.overview(NOW)
    assert (overview.active, overview.away, overview.waiting) == (1, 1, 0)


async def test_a_stale_copy_cannot_undo_a_take(store):
    """The young person's worker read the conversation while waiting; a volunteer on another
    worker takes it; the young person's save of its own fields must not put it back in the
    queue."""
    conversation = await store.create(client="a", intake={}, now=NOW)
    stale = await store.get(conversation.id)
    await store.take(conversation.id, 7, NOW)
    stale.young_channel = "specific.other!1"
    await store.save(stale)
    fresh = await store.get(conversation.id)
    assert fresh.state == ACTIVE and fresh.volunteer_id == 7
    assert fresh.young_channel == "specific.other!1"
    assert await store.queue() == []


async def test_rate_limit_blocks_and_consoles(store):
    key = await store.client_key("203.0.113.5", NOW)
    assert key == await store.client_key("203.0.113.5", NOW)
    assert "203.0.113.5" not in key
    results = [
        await store.allow_new_chat(key, NOW + datetime.timedelta(seconds=i), limit=2, window=60)
        for i in range(3)
    ]
    assert results == [True, True, False]
    assert await store.allow_new_chat(key, NOW + datetime.timedelta(seconds=61), limit=2, window=60)
    assert not await store.is_blocked(key, NOW)
    await store.block(key, NOW)
    assert await store.is_blocked(key, NOW)

    await store.volunteer_online(7, "c1")
    await store.volunteer_online(7, "c2")
    assert (await store.overview(NOW)).volunteers_online == 1
    assert await store.volunteer_offline(7, "c1") is False
    assert await store.volunteer_offline(7, "c2") is True
    assert (await store.overview(NOW)).volunteers_online == 0


async def test_redis_take_is_atomic_and_salt_shared_between_workers(redis_url):
    """Two stores stand for two worker processes: one salt, and one winner of a take."""
    one = RedisChatStore(url=redis_url, prefix="test:race:")
    two = RedisChatStore(url=redis_url, prefix="test:race:")
    await one.clear()
    assert await one.client_key("198.51.100.1", NOW) == await two.client_key("198.51.100.1", NOW)
    for _ in range(20):
        conversation = await one.create(client="x", intake={}, now=NOW)
        results = await asyncio.gather(
            one.take(conversation.id, 1, NOW), two.take(conversation.id, 2, NOW)
        )
        assert sum(r is not None for r in results) == 1
    await one.clear()


async def test_redis_keys_all_expire(redis_url):
    """Nothing of the chat outlives its purpose in Redis even if nobody cleans up."""
    store = RedisChatStore(url=redis_url, prefix="test:ttl:")
    await store.clear()
    conversation = await store.create(client="k", intake={}, now=NOW)
    await store.take(conversation.id, 3, NOW)
    conversation = await store.get(conversation.id)
    conversation.young_away_since = NOW
    await store.save(conversation)
    await store.allow_new_chat("k", NOW, limit=5, window=600)
    await store.block("k", NOW)
    await store.volunteer_online(3, "c")
    await store.client_key("192.0.2.1", NOW)
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    keys = [key async for key in client.scan_iter(match="test:ttl:*")]
    assert len(keys) >= 9
    for key in keys:
        assert await client.ttl(key) > 0, key
    await store.clear()
    await client.aclose()
