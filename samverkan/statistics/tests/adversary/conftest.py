"""The demo, built once for the package, and the readers' accounts."""

import pytest
from django.conf import settings
from django.core.cache import cache

from samverkan.accounts.models import User
from samverkan.api.tokens import api_token_create
from samverkan.conftest import sign_in
from samverkan.statistics.tests.adversary.attacker import knowledge_of_the_public_level


@pytest.fixture(scope="package")
def demo(django_db_setup, django_db_blocker):
    from samverkan.demo.services import demo_build, demo_remove

    with django_db_blocker.unblock():
        demo, _created = demo_build(seed=2022)
        yield demo
        demo_remove()


@pytest.fixture(scope="package")
def readings_cache():
    """Readings of the command on the demo, shared by the tests (the demo does not change)."""
    return {}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The API's rate limits count in the cache, which outlives a test's rollback.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def threshold():
    return settings.SAMVERKAN_DISCLOSURE_THRESHOLD


@pytest.fixture
def knowledge(threshold):
    return knowledge_of_the_public_level(threshold)


@pytest.fixture
def steering_client(client, demo, db):
    """Signed in as the demo's steering-group member (`styrgrupp`)."""
    sign_in(client, User.objects.get(username="styrgrupp"))
    return client


@pytest.fixture
def support_manager_client(client, demo, db):
    """Signed in as the support centre's unit manager (`enhetschef`, the city)."""
    sign_in(client, User.objects.get(username="enhetschef"))
    return client


@pytest.fixture
def support_manager_token(demo, db):
    """A read token issued by the support centre's unit manager (the city): a partner system
    of the other organisation than the chat's."""
    return api_token_create(
        by=User.objects.get(username="enhetschef"), name="Stadens statistik", scope="read"
    ).secret


@pytest.fixture
def chat_manager_token(demo, db):
    return api_token_create(
        by=User.objects.get(username="verksamhetschef"), name="Stiftelsens system", scope="read"
    ).secret
