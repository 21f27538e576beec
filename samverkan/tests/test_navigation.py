"""The main menu kept per process (samverkan.navigation): the same links as deciding it anew, in the
page's language, and a change to what decides it seen at once in the process that made it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from samverkan import navigation
from samverkan.accounts.models import Role, User
from samverkan.partnership.models import Service

pytestmark = pytest.mark.django_db


def _verified(user: User) -> User:
    user.is_verified = lambda: True
    return user


def _links(items: list[navigation.MenuItem]) -> list[tuple[str, str]]:
    return [(str(item.label), item.url) for item in items]


def test_a_kept_menu_is_the_menu_and_costs_no_query(small):
    counsellor = _verified(
        User.objects.create_user("p", password="x" * 16, role=Role.COUNSELLOR, unit=small.clinic)
    )
    first = navigation.cached_menu_for(counsellor)
    assert _links(first) == _links(navigation.menu_for(counsellor))
    assert "/remisskoder/ankomst/" in [url for _label, url in _links(first)]
    with CaptureQueriesContext(connection) as queries:
        again = navigation.cached_menu_for(counsellor)
    assert len(queries) == 0 and again == first


def test_each_language_keeps_its_own_menu(small):
    counsellor = _verified(
        User.objects.create_user("p", password="x" * 16, role=Role.COUNSELLOR, unit=small.clinic)
    )
    with translation.override("sv"):
        swedish = _links(navigation.cached_menu_for(counsellor))
    with translation.override("en"):
        english = _links(navigation.cached_menu_for(counsellor))
        assert english == _links(navigation.menu_for(counsellor))
    assert swedish != english and [u for _l, u in swedish] == [u for _l, u in english]


def test_a_change_to_the_partnership_is_seen_at_once(small):
    counsellor = _verified(
        User.objects.create_user("p", password="x" * 16, role=Role.COUNSELLOR, unit=small.clinic)
    )
    assert "/remisskoder/ankomst/" in [item.url for item in navigation.cached_menu_for(counsellor)]
    # The clinic no longer receives the service: no arrivals to register there.
    service = Service.objects.get(unit=small.clinic)
    service.unit = None
    service.save()
    assert "/remisskoder/ankomst/" not in [
        item.url for item in navigation.cached_menu_for(counsellor)
    ]


def test_a_menu_is_kept_at_most_a_minute(small, monkeypatch):
    counsellor = _verified(
        User.objects.create_user("p", password="x" * 16, role=Role.COUNSELLOR, unit=small.clinic)
    )
    navigation.cached_menu_for(counsellor)
    # A change made by another process sends no signal here: a queryset update stands for it.
    Service.objects.filter(unit=small.clinic).update(unit=None)
    assert "/remisskoder/ankomst/" in [item.url for item in navigation.cached_menu_for(counsellor)]
    later = navigation.monotonic() + navigation.MENU_SECONDS
    monkeypatch.setattr(navigation, "monotonic", lambda: later)
    assert "/remisskoder/ankomst/" not in [
        item.url for item in navigation.cached_menu_for(counsellor)
    ]


def test_an_unverified_user_has_no_menu(small):
    counsellor = User.objects.create_user(
        "p", password="x" * 16, role=Role.COUNSELLOR, unit=small.clinic
    )
    counsellor.is_verified = lambda: False
    assert navigation.cached_menu_for(counsellor) == []
