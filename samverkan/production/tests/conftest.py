"""A throwaway Redis server for the production tests, started by the test run itself."""

import os

import pytest

from samverkan.production.redis_server import redis_binary, redis_server


@pytest.fixture(scope="session")
def redis_url():
    if redis_binary() is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing in CI (.ci/run installs it)")
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    with redis_server() as url:
        yield url
