"""The chat's cast: a volunteer of the chat unit signed in with both factors, and helpers that
open real WebSocket connections to the whole ASGI application (origin check, sessions and all)."""

from dataclasses import dataclass

import pytest
import pytest_asyncio
from asgiref.sync import async_to_sync
from channels.layers import DEFAULT_CHANNEL_LAYER, channel_layers
from channels.testing import WebsocketCommunicator
from django.test import Client

from samverkan.accounts.models import Role, User
from samverkan.asgi import application
from samverkan.chat.actions import counted
from samverkan.chat.store import get_store
from samverkan.conftest import sign_in

ORIGIN = (b"origin", b"http://localhost")
# Addresses from the documentation ranges: the tests look for them afterwards.
YOUNG_ADDRESS = "203.0.113.77"
OTHER_ADDRESS = "198.51.100.23"


@dataclass
class Staff:
    user: User
    cookie: str
    client: Client


def _from(address: str):
    """The application as reached from `address` (the communicator sets no client)."""

    async def app(scope, receive, send):  # noqa: ANN001, ANN202
        return await application({**scope, "client": [address, 50123]}, receive, send)

    return app


def young(address: str = YOUNG_ADDRESS) -> WebsocketCommunicator:
    return WebsocketCommunicator(_from(address), "/ws/chatt/", headers=[ORIGIN])


def console(staff: Staff) -> WebsocketCommunicator:
    headers = [ORIGIN, (b"cookie", f"sessionid={staff.cookie}".encode())]
    return WebsocketCommunicator(_from("192.0.2.10"), "/ws/chatt/konsol/", headers=headers)


@pytest_asyncio.fixture(autouse=True)
async def counts_written():
    """The service's counts are written in tasks of their own (actions.count): each test's are
    written in its own event loop, before its database is emptied, and none lands in the next
    test's database from the sync thread."""
    yield
    await counted()


@pytest.fixture(autouse=True)
def fresh_store():
    async_to_sync(get_store().clear)()
    yield
    async_to_sync(get_store().clear)()


@pytest.fixture(autouse=True)
def fresh_channel_layer():
    """A channel layer of each test's own. Each test runs in an event loop of its own, and
    channels-redis keeps state between reads that belongs to the loop it was made in (its read
    lock, the per-socket buffers, the loop receiving): a layer shared with an earlier test's
    loop could answer "bound to a different event loop" or wait on a lock nobody will release
    (the suite once hung so). A server has one loop and one layer."""
    channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)
    yield
    channel_layers.backends.pop(DEFAULT_CHANNEL_LAYER, None)


def _staff(name: str, role: str, unit) -> Staff:  # noqa: ANN001
    user = User.objects.create_user(name, password="x" * 16, role=role, unit=unit)
    client = Client()
    sign_in(client, user)
    return Staff(user=user, cookie=client.cookies["sessionid"].value, client=client)


@pytest.fixture
def volunteer(small) -> Staff:  # noqa: ANN001
    return _staff("volunteer", Role.VOLUNTEER, small.chat)


@pytest.fixture
def colleague(small) -> Staff:  # noqa: ANN001
    return _staff("colleague", Role.VOLUNTEER, small.chat)


@pytest.fixture
def counsellor(small) -> Staff:  # noqa: ANN001
    return _staff("counsellor", Role.COUNSELLOR, small.clinic)


async def receive_type(
    communicator: WebsocketCommunicator, kind: str, timeout: float = 2, *, skip_all: bool = False
):
    """The next message of this type, skipping queue and position updates on the way (or any
    other message, with skip_all)."""
    while True:
        message = await communicator.receive_json_from(timeout=timeout)
        if message["type"] == kind:
            return message
        if not skip_all and message["type"] not in {"queue", "position"}:
            raise AssertionError(f"expected {kind}, got {message}")
