"""Fixtures of the overview's tests."""

import pytest

from samverkan.accounts.models import Role, User
from samverkan.conftest import local
from samverkan.records import services


@pytest.fixture
def readers(small, department):
    """The overview's readers: the coordinator and a steering-group member of a department in
    the partnership, and the chat unit's manager; three chat conversations in March 2022."""
    for day in (3, 9, 17):
        services.chat_conversation_create(
            unit=small.chat, started_at=local(2022, 3, day, 18), concern="victim"
        )

    def user(name, role, unit):
        return User.objects.create_user(name, password="x" * 16, role=role, unit=unit)

    return {
        "coordinator": user("coordinator", Role.COORDINATOR, department),
        "steering": user("steering", Role.STEERING_MEMBER, department),
        "unit-manager": user("manager", Role.UNIT_MANAGER, small.chat),
    }
