"""Both chat stores keep the same promises: the Redis one is what several workers share, so it
is held to everything the memory one does, and to what only sharing needs (atomic take, one
salt for every worker, expiry on every key)."""

import asyncio
import datetime

import pytest
import pytest_asyncio
import redis.asyncio as redis

from samverkan.chat.memory_store import MemoryChatStore
from samverkan.chat.redis_store import RedisChatStore
from samverkan.chat.store import ACTIVE, ENDED, RESUME_GRACE, Swept

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


async def test_the_memory_store_has_no_workers_to_lose():
    """One process: if it dies, the store dies with it, so nothing is ever swept."""
    store = MemoryChatStore()
    assert await store.worker_alive("specific.any", expires_in=0.1)
    await store.volunteer_online(7, "specific.any!c")
    assert await store.sweep_dead_workers(NOW) == Swept()
    assert (await store.overview(NOW)).volunteers_online == 1


async def test_redis_sweep_lets_go_of_what_a_dead_worker_held(redis_url):
    """Two stores stand for two workers: "live" keeps announcing itself, "dead" stops (its
    process was killed). What the dead one's sockets held is let go once, as their `disconnect`s
    would have; nothing of the live one's is touched, before the death or after."""
    live = RedisChatStore(url=redis_url, prefix="test:sweep:")
    other = RedisChatStore(url=redis_url, prefix="test:sweep:")
    await live.clear()
    assert not await live.worker_alive("specific.live", expires_in=60)  # new, not yet known
    assert not await other.worker_alive("specific.dead", expires_in=0.3)

    async def held(young_channel: str, volunteer: int) -> str:
        conversation = await live.create(client="k", intake={}, now=NOW)
        conversation.young_channel = young_channel
        await live.save(conversation)
        await live.take(conversation.id, volunteer, NOW)
        return conversation.id

    on_dead = await held("specific.dead!y1", 7)
    on_live = await held("specific.live!y2", 8)
    already_ended = await held("specific.dead!y3", 8)
    await live.end(already_ended, by="volunteer", now=NOW)
    waiting = await live.create(client="k", intake={}, now=NOW)
    waiting.young_channel = "specific.dead!y4"
    await live.save(waiting)
    await live.volunteer_online(7, "specific.dead!c1")  # volunteer 7's only console
    await live.volunteer_online(8, "specific.dead!c2")
    await live.volunteer_online(8, "specific.live!c3")  # volunteer 8 has another on "live"
    before = await live.overview(NOW)
    assert (before.volunteers_online, before.active, before.away, before.waiting) == (2, 2, 0, 1)

    # Both alive: a sweep changes nothing.
    assert await live.sweep_dead_workers(NOW) == Swept()
    assert await live.overview(NOW) == before
    assert (await live.get(on_dead)).young_channel == "specific.dead!y1"

    await asyncio.sleep(0.5)  # "dead" announces no more; its announcement lapses
    later = NOW + datetime.timedelta(seconds=5)
    assert await live.worker_alive("specific.live", expires_in=60)
    swept = await live.sweep_dead_workers(later)
    assert sorted(swept.young_away) == sorted([on_dead, waiting.id])
    assert swept.volunteers_offline == [7]
    gone = await live.get(on_dead)
    assert gone.young_channel == "" and gone.young_away_since == later
    assert gone.state == ACTIVE  # away, not ended: the young person may still resume
    kept = await live.get(on_live)
    assert kept.young_channel == "specific.live!y2" and kept.young_away_since is None
    assert (await live.get(already_ended)).young_channel == "specific.dead!y3"
    after = await live.overview(later)
    assert (after.volunteers_online, after.active, after.away) == (1, 2, 1)
    assert await live.volunteer_offline(8, "specific.live!c3") is True  # c2 went with "dead"

    # Swept once: the other worker's sweep finds nothing more.
    assert await other.sweep_dead_workers(later) == Swept()
    # The abandoned timeout then ends it as after any drop.
    assert await live.abandoned(later + RESUME_GRACE / 2) == []
    abandoned = await live.abandoned(later + RESUME_GRACE)
    assert sorted(c.id for c in abandoned) == sorted([on_dead, waiting.id])
    # A worker swept while it lived learns it at its next announcement.
    assert not await other.worker_alive("specific.dead", expires_in=60)
    await live.clear()
