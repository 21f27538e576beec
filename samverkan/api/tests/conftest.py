import pytest
from django.conf import settings
from django.core.cache import cache

from samverkan.accounts.models import Role, User
from samverkan.api.tokens import api_token_create


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The rate limit counts in the cache, which outlives a test's database rollback.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def client(client):
    # Problems are compared in English (the Swedish comes from the catalogue).
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def manager_of(unit, name=None):
    # Without a password: hashing one (Argon2) would cost each test more than the rest.
    return User.objects.create(
        username=name or f"manager-{unit.key}", role=Role.UNIT_MANAGER, unit=unit
    )


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def tokens(small):
    """A write and a read token for each record-keeping unit of the small partnership."""
    found = {}
    for unit in (small.chat, small.support_centre, small.clinic):
        manager = manager_of(unit)
        for scope in ("write", "read"):
            found[(unit.key, scope)] = api_token_create(
                by=manager, name=f"{unit.key} {scope}", scope=scope
            ).secret
    return found
