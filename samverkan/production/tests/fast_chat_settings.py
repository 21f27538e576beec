"""The production settings with the chat's clocks in seconds rather than minutes, for the
servers of the worker-death test (test_chat_worker_death.py): a worker announces itself every
second, so a dead one is noticed within about four, and a young person away for three seconds
has abandoned the conversation. Its own Redis prefix keeps the other fault tests' state apart."""

from samverkan.settings import *  # noqa: F403

SAMVERKAN_CHAT_HEARTBEAT_SECONDS = 1.0
SAMVERKAN_CHAT_RESUME_GRACE_SECONDS = 3
SAMVERKAN_CHAT_REDIS_PREFIX = "test:deaths:"
