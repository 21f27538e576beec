"""A list's size from the anonymous daily and monthly counts: the same number as counting the
records, for every filter the counts can answer, before and after a disposal; the records
themselves counted where they cannot."""

import datetime
import itertools
import random

import pytest
from django.http import QueryDict
from django.urls import reverse

from samverkan.accounts.models import Role, User
from samverkan.conftest import local, sign_in
from samverkan.records import selectors, services
from samverkan.records.filters import ChatFilterForm, SupportFilterForm
from samverkan.records.models import (
    ChatConcern,
    ChatConversation,
    Gender,
    Resident,
    SupportCategory,
    SupportCentreCase,
)
from samverkan.retention.disposal import dispose

pytestmark = pytest.mark.django_db
D = datetime.date

# Periods over the records' three months (January to March 2022, a few in December 2021),
# with whole months, part months at either edge, one day, open ends, across the year.
PERIODS = [
    (None, None),
    (D(2022, 1, 1), None),
    (None, D(2022, 1, 31)),
    (D(2022, 1, 1), D(2022, 2, 28)),
    (D(2022, 1, 15), D(2022, 3, 10)),
    (D(2022, 1, 31), D(2022, 2, 1)),
    (D(2022, 2, 1), D(2022, 2, 1)),
    (D(2022, 2, 3), D(2022, 2, 20)),
    (D(2022, 1, 20), None),
    (None, D(2022, 2, 14)),
    (D(2021, 12, 31), D(2022, 1, 1)),
    (D(2021, 11, 2), D(2022, 3, 31)),
    (D(2023, 1, 1), None),
]


@pytest.fixture
def records(small):
    """Chat conversations and cases written through the services (which keep the counts), some
    at the edges of Stockholm days and months."""
    rng = random.Random(7)
    moments = [local(2021, 12, 31, 23, 59), local(2022, 1, 1, 0, 0), local(2022, 2, 28, 23, 30)]
    moments += [
        local(2022, 1, 1, 0) + datetime.timedelta(minutes=rng.randrange(90 * 24 * 60))
        for _ in range(150)
    ]
    for moment in moments:
        services.chat_conversation_create(
            unit=small.chat,
            started_at=moment,
            concern=rng.choice(ChatConcern.values),
            resident=rng.choice(Resident.values),
            gender=rng.choice(Gender.values),
        )
        services.support_centre_case_create(
            unit=small.support_centre,
            received_on=moment.date(),
            category=rng.choice(SupportCategory.values),
            gender=rng.choice(Gender.values),
        )
    return small


def period_data(start, end, **choices):
    data = QueryDict(mutable=True)
    if start:
        data["date_from"] = start.isoformat()
    if end:
        data["date_to"] = end.isoformat()
    data.update({name: value for name, value in choices.items() if value})
    return data


def chat_filters():
    for (start, end), concern, resident, gender in itertools.product(
        PERIODS, ["", *ChatConcern.values], ["", "yes"], ["", *Gender.values]
    ):
        if gender and resident != "yes":
            continue
        yield period_data(start, end, concern=concern, resident=resident, gender=gender)


def support_filters():
    for (start, end), category, gender in itertools.product(
        PERIODS, ["", *SupportCategory.values], ["", *Gender.values]
    ):
        yield period_data(start, end, category=category, gender=gender)


def check(form_class, data, records, unit):
    form = form_class(data)
    counted = form.count(records, unit)
    assert counted is not None, data
    assert counted == form.apply(records).count(), data


def test_the_counts_give_the_number_of_records_of_each_filter(records):
    chats = ChatConversation.objects.filter(unit=records.chat)
    cases = SupportCentreCase.objects.filter(unit=records.support_centre)
    for data in chat_filters():
        check(ChatFilterForm, data, chats, records.chat)
    for data in support_filters():
        check(SupportFilterForm, data, cases, records.support_centre)
    # No filter, and a filter that does not validate (the whole list is shown): all of them.
    assert ChatFilterForm().count(chats, records.chat) == chats.count() == 153
    invalid = ChatFilterForm(period_data(D(2022, 2, 1), D(2022, 1, 1)))
    assert invalid.count(chats, records.chat) == 153


def test_a_change_and_a_deletion_move_the_count(records):
    chats = ChatConversation.objects.filter(unit=records.chat)
    first = chats.order_by("pk").first()
    services.chat_conversation_update(conversation=first, concern="other", resident="yes")
    services.chat_conversation_delete(conversation=chats.order_by("pk").last())
    for data in chat_filters():
        check(ChatFilterForm, data, chats, records.chat)


def test_where_the_counts_cannot_tell_the_records_are_counted(records):
    chats = ChatConversation.objects.filter(unit=records.chat)
    for data in [
        {"gender": "girl"},  # a gender is counted for residents only
        {"resident": "no"},  # "not resident" is not counted apart from "unknown"
        {"resident": "unknown", "concern": "victim"},
        {"ref": "c1"},  # a reference search
    ]:
        assert ChatFilterForm(data).count(chats, records.chat) is None
    assert selectors.count_metrics("clinic", {}) is None


def test_after_a_disposal_the_days_it_reached_are_counted_from_the_records(records):
    chats = ChatConversation.objects.filter(unit=records.chat)
    cases = SupportCentreCase.objects.filter(unit=records.support_centre)
    # Five years after 31 January 2022: December and January go, the counts stay.
    outcomes = dispose(today=D(2027, 2, 1))
    assert {outcome.last_entry for outcome in outcomes} == {D(2022, 1, 31)}
    assert not chats.filter(started_at__lt=local(2022, 2, 1)).exists()
    # A record of a disposed day written afterwards (an import of old records) is counted too.
    services.chat_conversation_create(
        unit=records.chat, started_at=local(2022, 1, 10, 12), concern="victim", resident="yes"
    )
    services.support_centre_case_create(
        unit=records.support_centre, received_on=D(2022, 1, 10), category="witness"
    )
    for data in chat_filters():
        form = ChatFilterForm(data)
        counted = form.count(chats, records.chat)
        if counted is None:  # wholly within the disposed days: the records are counted
            assert form.cleaned_data["date_to"] <= D(2022, 1, 31)
            continue
        assert counted == form.apply(chats).count(), data
    for data in support_filters():
        form = SupportFilterForm(data)
        counted = form.count(cases, records.support_centre)
        if counted is not None:
            assert counted == form.apply(cases).count(), data


def test_the_list_shows_the_count_of_a_million_as_it_is(client, records):
    """The page says the number the counts give: no "more than" for a list they can count."""
    volunteer = User.objects.create_user(
        "volunteer", password="x" * 16, role=Role.VOLUNTEER, unit=records.chat
    )
    sign_in(client, volunteer)
    client.cookies["django_language"] = "en"
    content = client.get(reverse("records:chat_list")).content.decode()
    assert "<caption>153 conversations</caption>" in content
    assert "Page 1 of 4" in content


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"date_from": "2022-03-01", "date_to": "2022-03-31", "concern": "victim"},
        {"resident": "yes", "gender": "girl"},
        {"ref": "<b>c1</b>"},
        {"date_from": "2022-03-31", "date_to": "2022-03-01"},  # an error on date_to
        {"date_from": "yesterday", "concern": "nonsense"},  # errors on both
    ],
)
@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_remembered_filter_field_reads_as_one_rendered_anew(data, language):
    from django.forms.boundfield import BoundField
    from django.utils import translation

    from samverkan.records import filters

    with translation.override(language):
        for _ in range(2):  # the second time from what was remembered
            form = ChatFilterForm(data or None)
            remembered = [str(field.as_field_group()) for field in form]
            fresh = [
                str(BoundField(form, form.fields[name], name).as_field_group())
                for name in form.fields
            ]
            assert remembered == fresh
    # Free text and fields with errors are not remembered.
    assert not any(
        "&lt;b&gt;" in html or "errorlist" in html for html in filters._FIELD_HTML.values()
    )


def test_parts_rendered_once_read_as_rendered_anew_in_each_language(client, records):
    import re

    from samverkan.records.templatetags import lists

    volunteer = User.objects.create_user(
        "volunteer", password="x" * 16, role=Role.VOLUNTEER, unit=records.chat
    )
    sign_in(client, volunteer)
    pages = {}
    for language in ("sv", "en", "sv"):
        client.cookies["django_language"] = language
        lists._RENDERED.clear()
        anew = client.get(reverse("records:chat_list")).content.decode()
        remembered = client.get(reverse("records:chat_list")).content.decode()
        token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
        assert token.sub("", anew) == token.sub("", remembered)
        assert {key[1] for key in lists._RENDERED} == {language}
        pages[language] = remembered
    assert "Exportera" in pages["sv"] and "Export your unit's records" in pages["en"]
