"""The demo's live chat: a directory entry for every service the volunteers refer to, and
opening hours that are either none (open at any time, the demo's default) or the evenings."""

import datetime
import re

import pytest
from django.utils import timezone

from samverkan.chat.models import DirectoryEntry, OpeningHours
from samverkan.chat.services import directory_services_of_unit, is_open
from samverkan.demo.chat import ALWAYS, EVENINGS, demo_chat_create
from samverkan.demo.partnership import demo_partnership_create

pytestmark = pytest.mark.django_db


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment in Stockholm in the week of Monday 7 November 2022."""
    return timezone.make_aware(datetime.datetime(2022, 11, 7 + day, hour, minute))


def test_every_service_has_its_directory_entry():
    demo = demo_partnership_create()
    demo_chat_create(demo)
    offered = directory_services_of_unit(demo.chat)
    assert {service.key for service in offered} == set(demo.services)
    for service in offered:
        entry = service.directory_entry
        assert entry.shown_in_chat and entry.description
        assert entry.address and entry.opening_hours and entry.contact
        # Telephone numbers only from the series set aside for fiction.
        numbers = [re.sub(r"\D", "", n) for n in re.findall(r"\b0\d+-[\d ]*\d", entry.contact)]
        assert numbers and all(re.fullmatch(r"08465004\d\d", n) for n in numbers), entry.contact


def test_the_demo_chat_is_open_at_any_time_by_default():
    demo = demo_partnership_create()
    OpeningHours.objects.create(weekday=0, opens=datetime.time(9), closes=datetime.time(10))
    demo_chat_create(demo, hours=ALWAYS)
    assert not OpeningHours.objects.exists()
    assert all(is_open(at(day, hour)) for day in range(7) for hour in (3, 11, 19))


def test_the_evening_hours_of_a_real_chat():
    demo = demo_partnership_create()
    demo_chat_create(demo, hours=EVENINGS)
    demo_chat_create(demo, hours=EVENINGS)  # a rebuild replaces them, it does not add
    assert OpeningHours.objects.count() == 5
    assert DirectoryEntry.objects.count() == 4
    monday, thursday, friday, saturday, sunday = 0, 3, 4, 5, 6
    assert is_open(at(monday, 18)) and is_open(at(thursday, 21, 59))
    assert not is_open(at(monday, 17, 59)) and not is_open(at(thursday, 22))
    assert not is_open(at(friday, 19)) and not is_open(at(saturday, 19))
    assert is_open(at(sunday, 20, 30)) and not is_open(at(sunday, 21))
    with pytest.raises(ValueError):
        demo_chat_create(demo, hours="weekends")
