"""Redis gone: the cache answers from the worker's memory, so the API authenticates, counts
its rate limits and the overview draws its charts as before (they were 500s: issue 14), and
when Redis is back the cache is shared again."""

import tempfile
import time

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from samverkan.api.tests.conftest import bearer, manager_of
from samverkan.api.tokens import api_token_create
from samverkan.conftest import local, sign_in
from samverkan.dashboard.tests.test_dashboard import _chats, people  # noqa: F401 (fixture)
from samverkan.production import cache as resilient
from samverkan.production.redis_server import RedisProcess, free_port, redis_binary


@pytest.fixture
def redis():
    if redis_binary() is None:
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    with tempfile.TemporaryDirectory(prefix="samverkan-redis-") as folder:
        server = RedisProcess(free_port(), folder)
        server.start()
        caches = {
            "default": {
                "BACKEND": "samverkan.production.cache.ResilientRedisCache",
                "LOCATION": server.url,
                "KEY_PREFIX": "cache",
            }
        }
        try:
            with override_settings(CACHES=caches):
                yield server
        finally:
            server.stop()


def test_the_cache_answers_from_memory_while_redis_is_gone_and_shares_again_after(
    redis, monkeypatch
):
    monkeypatch.setattr(resilient, "RETRY_SECONDS", 0.5)
    cache.set("kept", 1)
    assert redis.command("EXISTS", "cache:1:kept").startswith(":1")
    redis.stop()

    started = time.monotonic()
    assert cache.get("kept") is None  # Redis's content is out of reach, not an error
    cache.set("while-gone", 2)
    assert cache.get("while-gone") == 2
    assert cache.add("counter", 0) and cache.incr("counter") == 1
    assert time.monotonic() - started < 2

    redis.start()  # empty, as a Redis without persistence restarts
    time.sleep(0.6)
    cache.set("after", 3)
    assert redis.command("EXISTS", "cache:1:after").startswith(":1")
    assert cache.get("after") == 3


@pytest.mark.django_db
def test_the_api_authenticates_and_limits_refusals_with_redis_gone(client, small, redis, settings):
    secret = api_token_create(by=manager_of(small.chat), name="partner", scope="read").secret
    redis.stop()
    answer = client.get("/api/v1/chat-conversations/", **bearer(secret))
    assert answer.status_code == 200, answer.content
    settings.SAMVERKAN_API_REFUSALS = 3
    refused = [
        client.get("/api/v1/chat-conversations/", **bearer("svk_wrong_guess")).status_code
        for _ in range(4)
    ]
    assert refused == [401, 401, 401, 429]  # counted in the worker's memory meanwhile


@pytest.mark.django_db
def test_the_overview_draws_its_charts_with_redis_gone(client, small, people, redis):  # noqa: F811
    _chats(small, local(2022, 3, 5, 18), 7)
    sign_in(client, people["coordinator"])
    redis.stop()
    response = client.get(
        reverse("dashboard:overview"), {"date_from": "2022-03-01", "date_to": "2022-03-31"}
    )
    assert response.status_code == 200
    assert "<svg" in response.content.decode()
