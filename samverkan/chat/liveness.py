"""Worker liveness (production mode): noticing a worker process that died without a word.

A socket that closes runs its consumer's `disconnect`, which tells the store and the other side.
A worker killed outright (SIGKILL, out of memory) runs none of them, and the shared store would
go on believing its young people present and its consoles online. So every worker with chat
sockets announces itself in the store every HEARTBEAT seconds, the announcement lasting three
heartbeats, and after each announcement sweeps: the store finds the workers whose announcement
has lapsed and lets go of what their sockets held (`ChatStore.sweep_dead_workers`), and
`actions.after_dead_workers` tells the other sides, as the lost `disconnect`s would have.

The store traces a socket to its worker by its channel name (`store.worker_of`). The first
announcement is made before the first socket's channel is recorded anywhere, so no live
worker's channel is ever found without its worker's announcement.

A worker that finds itself missing from the store re-registers what its sockets hold
(`reassert` of each socket) rather than closing them. Missing means one of two things: its
announcement lapsed while it lived (its event loop stalled for three heartbeats) and a sweep
let go of its sockets' holdings, which they now take back (the other side hears `back`); or
the store itself lost everything (Redis restarted): then a waiting young person goes back into
the queue at their place, and a conversation under way is ended for both sides with `by:
"lost"`, put back as ended with the console's notes so that the post-chat record keeps its
prefill. Nobody is left connected and deaf, nor in a conversation nobody else is in.

The single-process store needs none of this (if the process dies, the store dies with it), so
nothing runs there.
"""

import asyncio
import logging
import weakref
from typing import Any

from django.conf import settings
from django.utils import timezone

from samverkan.chat import actions
from samverkan.chat.store import get_store, worker_of

logger = logging.getLogger("samverkan.chat")

# Seconds between a worker's announcements (and sweeps); the announcement lasts three, so a
# worker's death is noticed within four. Cheap when nothing died: one small script per worker.
HEARTBEAT = 5.0
# The chat sockets of this process (to re-register if the process went missing), and those
# still to re-register.
_sockets: "weakref.WeakSet[Any]" = weakref.WeakSet()
_pending: "weakref.WeakSet[Any]" = weakref.WeakSet()
# Per event loop (one in a worker; tests run each in its own): the first announcement, then the
# heartbeat task.
_started: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task]" = (
    weakref.WeakKeyDictionary()
)


def heartbeat_seconds() -> float:
    return float(getattr(settings, "SAMVERKAN_CHAT_HEARTBEAT_SECONDS", HEARTBEAT))


def announcement_lasts() -> float:
    return 3 * heartbeat_seconds()


async def announce(consumer: Any) -> None:
    """Called by each chat socket as it connects, before its channel is recorded in the store:
    the process is announced (once, the first socket waiting for it) and keeps announcing."""
    _sockets.add(consumer)
    store = get_store()
    if not store.shared_between_processes:
        return
    loop = asyncio.get_running_loop()
    started = _started.get(loop)
    failed = (
        started is not None
        and started.done()
        and (started.cancelled() or started.exception() is not None)
    )
    if started is None or failed:  # the first time, or again after Redis failed it
        started = _started[loop] = loop.create_task(_start(worker_of(consumer.channel_name)))
    # Shielded: a socket that closes while waiting must not cancel the announcement for all.
    await asyncio.shield(started)


async def _start(worker: str) -> None:
    await get_store().worker_alive(worker, expires_in=announcement_lasts())
    asyncio.get_running_loop().create_task(_keep_announcing(worker))


async def _keep_announcing(worker: str) -> None:
    store = get_store()
    while True:
        await asyncio.sleep(heartbeat_seconds())
        try:
            if not await store.worker_alive(worker, expires_in=announcement_lasts()):
                logger.warning("chat worker was missing from the store; re-registering")
                _pending.update(_sockets)
            if _pending:
                await reassert_sockets()
            await actions.after_dead_workers(await store.sweep_dead_workers(timezone.now()))
        except Exception as error:  # noqa: BLE001 (the heartbeat must outlive a hiccup)
            # Redis gone a moment, say: the next beat tries again. Only the error's kind.
            logger.warning("chat worker heartbeat: %s", type(error).__name__)


def gone(consumer: Any) -> None:
    """A socket's `disconnect`: nothing more to re-register."""
    _sockets.discard(consumer)
    _pending.discard(consumer)


async def reassert_sockets() -> None:
    """Each socket of this process still to re-register makes the store know again what it
    holds; one that fails (Redis not quite back) tries again at the next heartbeat."""
    for consumer in list(_pending):
        try:
            await consumer.reassert()
        except Exception as error:  # noqa: BLE001 (one socket's trouble is not the others')
            logger.warning("chat socket re-registering: %s", type(error).__name__)
        else:
            _pending.discard(consumer)
