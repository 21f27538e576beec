"""A worker's announcements (liveness.py), without a second process: a store that answers as
Redis would stands in for the shared one."""

import asyncio

import pytest

from samverkan.chat import liveness
from samverkan.chat.memory_store import MemoryChatStore
from samverkan.chat.store import Swept

pytestmark = pytest.mark.asyncio


class SharedStore(MemoryChatStore):
    """Answers every announcement as the shared store does for a worker it has swept."""

    shared_between_processes = True

    def __init__(self) -> None:
        super().__init__()
        self.announced: list[tuple[str, float]] = []
        self.sweeps = 0

    async def worker_alive(self, worker: str, *, expires_in: float) -> bool:
        self.announced.append((worker, expires_in))
        return False

    async def sweep_dead_workers(self, now) -> Swept:  # noqa: ANN001
        self.sweeps += 1
        return Swept()


class Socket:
    def __init__(self, channel_name: str) -> None:
        self.channel_name = channel_name
        self.reasserted = 0

    async def reassert(self) -> None:
        self.reasserted += 1


async def _stop_heartbeat() -> None:
    for task in asyncio.all_tasks():
        if task.get_coro().__name__ == "_keep_announcing":
            task.cancel()


async def test_the_worker_is_announced_before_its_first_socket_goes_on(settings, monkeypatch):
    settings.SAMVERKAN_CHAT_HEARTBEAT_SECONDS = 0.05
    store = SharedStore()
    monkeypatch.setattr(liveness, "get_store", lambda: store)
    first, second = Socket("specific.abc!1"), Socket("specific.abc!2")
    try:
        await asyncio.gather(liveness.announce(first), liveness.announce(second))
        # Once for the process, named by the channels' prefix, before either socket goes on.
        assert store.announced == [("specific.abc", 3 * 0.05)]
        await asyncio.sleep(0.3)
        # Every announcement since found the worker missing: its sockets re-registered what
        # they hold (rather than being closed), and it swept after others all the same.
        assert len(store.announced) > 1 and store.sweeps >= 1
        assert first.reasserted >= 1 and second.reasserted >= 1
        liveness.gone(first)
        await asyncio.sleep(0.06)
        before = first.reasserted
        await asyncio.sleep(0.1)
        assert first.reasserted == before  # a socket gone is asked no more
    finally:
        await _stop_heartbeat()


async def test_a_single_process_announces_nothing(monkeypatch):
    store = MemoryChatStore()
    monkeypatch.setattr(liveness, "get_store", lambda: store)
    await liveness.announce(Socket("specific.inmemory!1"))
    assert await store.sweep_dead_workers(None) == Swept()
    assert not [t for t in asyncio.all_tasks() if t.get_coro().__name__ == "_keep_announcing"]
