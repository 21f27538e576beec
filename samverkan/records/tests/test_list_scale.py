"""Record lists that stay fast with a million records: a bounded count and a reference search
that uses the index (their speed is measured in benchmarks/web.py, not here)."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse

from samverkan.accounts.models import Role, User
from samverkan.conftest import sign_in
from samverkan.records import pagination
from samverkan.records.models import ChatConversation, SupportCentreCase
from samverkan.records.pagination import BoundedPaginator

pytestmark = pytest.mark.django_db

START = datetime.datetime(2022, 3, 1, 12, tzinfo=datetime.UTC)


def conversations(small, count: int, **values) -> list[ChatConversation]:
    return ChatConversation.objects.bulk_create(
        ChatConversation(
            unit=small.chat,
            started_at=START + datetime.timedelta(minutes=i),
            concern="victim",
            **values,
        )
        for i in range(count)
    )


def ordered(small):
    return ChatConversation.objects.filter(unit=small.chat).order_by("-started_at", "-pk")


def test_a_small_list_is_counted_exactly(small):
    conversations(small, 7)
    paginator = BoundedPaginator(ordered(small), 3, "1", count_limit=10)
    page = paginator.get_page("1")
    assert (paginator.count, paginator.num_pages, paginator.more) == (7, 3, False)
    assert page.has_next()


def test_a_long_list_is_counted_up_to_a_bound_and_every_page_stays_reachable(small):
    made = conversations(small, 25)
    newest_first = [c.pk for c in reversed(made)]
    paginator = BoundedPaginator(ordered(small), 3, "1", count_limit=10)
    paginator.get_page("1")
    assert (paginator.count, paginator.more) == (10, True)
    # Paging on past the bound: the count reaches further, so page 4 has a page after it.
    seen = []
    number = 1
    while True:
        paginator = BoundedPaginator(ordered(small), 3, str(number), count_limit=10)
        page = paginator.get_page(str(number))
        assert page.number == number
        seen += [c.pk for c in page.object_list]
        if not page.has_next():
            break
        number = page.next_page_number()
    assert seen == newest_first
    assert (paginator.count, paginator.more) == (25, False)


@pytest.mark.parametrize("number", [None, "", "x", "2.5"])
def test_a_page_number_that_is_no_number_gives_the_first_page(small, number):
    conversations(small, 4)
    page = BoundedPaginator(ordered(small), 3, number, count_limit=10).get_page(number)
    assert page.number == 1


def test_every_page_holds_the_records_one_query_would_and_only_the_units_own(small):
    """Pages past the first are read ids first (BoundedPaginator.page): the same records in the
    same order as a slice of the list, records of the same moment ordered by id, and none of
    another unit's, although the second step selects by id alone."""
    same_moment = []
    for i in range(23):
        # Three records a minute: the list orders those of one moment by id, newest first.
        for unit in (small.chat, small.chat, small.support_centre, small.chat):
            same_moment.append(
                ChatConversation(
                    unit=unit, started_at=START + datetime.timedelta(minutes=i), concern="victim"
                )
            )
    ChatConversation.objects.bulk_create(same_moment)
    listed = ordered(small)
    expected = list(listed.values_list("pk", "started_at"))
    assert len(expected) == 69
    shown = []
    for number in range(1, 8):
        paginator = BoundedPaginator(listed, 10, str(number), fields=("pk", "started_at"))
        page = paginator.get_page(str(number))
        assert list(page.object_list) == expected[(number - 1) * 10 : number * 10]
        shown += list(page.object_list)
    assert shown == expected
    # As model instances when no fields are named: the same records.
    page = BoundedPaginator(listed, 10, "3").get_page("3")
    assert [record.pk for record in page.object_list] == [pk for pk, _at in expected[20:30]]


def test_a_list_without_an_order_is_refused(small):
    with pytest.raises(ValueError, match="needs an order"):
        BoundedPaginator(ChatConversation.objects.order_by(), 10, "1")


def volunteer(small):
    user = User.objects.create_user(
        "volunteer", password="x" * 16, role=Role.VOLUNTEER, unit=small.chat
    )
    return user


def test_the_list_says_more_than_when_the_count_stops(client, small, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_LIMIT", 60)
    conversations(small, 61)
    sign_in(client, volunteer(small))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    # A filter the anonymous counts cannot answer (gender is counted for residents only): the
    # records themselves are counted, up to the bound.
    uncounted = {"gender": "unknown"}
    content = client.get(reverse("records:chat_list"), uncounted).content.decode()
    assert "More than 60 conversations" in content
    assert "Page 1 of more than 2" in content
    # The second page's count reaches further: all 61 are counted, exactly.
    second = client.get(reverse("records:chat_list"), {**uncounted, "sida": "2"}).content.decode()
    assert "61 conversations" in second
    assert "Page 2 of 2" in second


def test_the_reference_search_lists_references_that_start_with_it_in_order(client, small):
    for ref in ["A-100", "A-1001", "A-2100", "a-100", "B-A-100"]:
        SupportCentreCase.objects.create(
            unit=small.support_centre,
            ref=ref,
            received_on=datetime.date(2022, 3, 1),
            category="victim",
        )
    officer = User.objects.create_user(
        "officer", password="x" * 16, role=Role.SUPPORT_CENTRE_OFFICER, unit=small.support_centre
    )
    sign_in(client, officer)
    content = client.get(reverse("records:support_list"), {"ref": " A-100 "}).content.decode()
    shown = re.findall(r'href="/registrering/arenden/(\d+)/"', content)
    # In reference order, found on the reference index.
    expected = [SupportCentreCase.objects.get(ref=ref).pk for ref in ["A-100", "A-1001"]]
    assert shown == [str(pk) for pk in expected]
