import pytest
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from samverkan.accounts.models import Role, User
from samverkan.partnership.models import Unit


@pytest.fixture(autouse=True)
def _fresh_arrival_limits():
    # Failed arrivals are counted in the cache, which outlives a test's database rollback.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English here (the Swedish comes from the catalogue); dates in
    them follow the language, which one test checks in Swedish."""
    with translation.override("en"):
        yield


@pytest.fixture
def client(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def cast(small):
    """A volunteer of the chat, a counsellor of the clinic (which receives the clinic service),
    an officer of the support centre (which receives nothing) and a volunteer of another chat."""
    other_chat = Unit.objects.create(
        key="chat-2", name="Other chat", kind=Unit.Kind.CHAT, organisation=small.chat.organisation
    )
    small.partnership.units.add(other_chat)

    def user(name, role, unit):
        return User.objects.create(username=name, role=role, unit=unit)

    return {
        "volunteer": user("volunteer", Role.VOLUNTEER, small.chat),
        "counsellor": user("counsellor", Role.COUNSELLOR, small.clinic),
        "officer": user("officer", Role.SUPPORT_CENTRE_OFFICER, small.support_centre),
        "outsider": user("outsider", Role.VOLUNTEER, other_chat),
    }
