"""The chat unit's pages: register a post-chat record, list and read the unit's own."""

import re

import pytest
from django.urls import reverse

from samverkan.accounts.models import AuditEntry, Role, User
from samverkan.conftest import local, sign_in
from samverkan.partnership.models import Unit
from samverkan.records import services
from samverkan.records.models import ChatConversation
from samverkan.statistics.models import DailyCount

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(small):
    other_chat = Unit.objects.create(
        key="chat-2", name="Other chat", kind=Unit.Kind.CHAT, organisation=small.chat.organisation
    )

    def user(name, role, unit):
        return User.objects.create_user(name, password="x" * 16, role=role, unit=unit)

    return {
        "volunteer": user("volunteer", Role.VOLUNTEER, small.chat),
        "steering": user("steering", Role.STEERING_MEMBER, small.chat),
        "outsider": user("outsider", Role.VOLUNTEER, other_chat),
        "counsellor": user("counsellor", Role.COUNSELLOR, small.clinic),
    }


def valid_post(small, **changes):
    data = {
        "started_at": "2022-03-01T19:30",
        "concern": "perpetrator",
        "resident": "yes",
        "district": str(small.district.pk),
        "gender": "boy",
        "age": "17",
        "violence": ["psychological", "digital"],
        "referred_to": str(small.clinic_service.pk),
    }
    data.update(changes)
    return data


def test_a_volunteer_registers_a_conversation_and_it_counts(client, small, cast):
    sign_in(client, cast["volunteer"])
    form = client.get(reverse("records:chat_create"))
    assert form.status_code == 200
    content = form.content.decode()
    assert "<fieldset" in content and "<legend" in content  # choices grouped for screen readers
    response = client.post(reverse("records:chat_create"), valid_post(small))
    assert response.status_code == 302
    conversation = ChatConversation.objects.get()
    assert conversation.started_at == local(2022, 3, 1, 19, 30)
    assert conversation.violence_forms == ["psychological", "digital"]
    assert (conversation.unit, conversation.referred_to) == (small.chat, small.clinic_service)
    assert DailyCount.objects.filter(metric="chat.by_concern.perpetrator").get().n == 1
    # The next conversation's form at once, with a way to the one just saved.
    assert response.url.startswith(reverse("records:chat_create"))
    following = client.get(response.url).content.decode()
    assert "Samtalet är registrerat." in following
    assert reverse("records:chat_detail", args=[conversation.pk]) in following
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "records.chat_conversation.created",
    ]


def test_bad_input_is_shown_next_to_its_field_and_nothing_is_saved(client, small, cast):
    sign_in(client, cast["volunteer"])
    response = client.post(
        reverse("records:chat_create"),
        valid_post(small, age="140", concern="", started_at="2999-01-01T10:00"),
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'aria-invalid="true"' in content
    assert content.count('class="errorlist') >= 3
    assert not ChatConversation.objects.exists()
    assert not DailyCount.objects.exists()


def test_another_partnerships_service_cannot_be_chosen(client, small, cast):
    from samverkan.partnership.models import Partnership, Service

    other = Partnership.objects.create(key="other", name="Other", municipality="X")
    foreign = Service.objects.create(partnership=other, key="x", name="Foreign")
    sign_in(client, cast["volunteer"])
    response = client.post(
        reverse("records:chat_create"), valid_post(small, referred_to=str(foreign.pk))
    )
    assert response.status_code == 200
    assert not ChatConversation.objects.exists()


def test_the_list_shows_the_units_own_conversations_and_is_audited(client, small, cast):
    own = services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim"
    )
    theirs = services.chat_conversation_create(
        unit=Unit.objects.get(key="chat-2"), started_at=local(2022, 3, 2, 19), concern="friend"
    )
    sign_in(client, cast["volunteer"])
    content = client.get(reverse("records:chat_list")).content.decode()
    assert reverse("records:chat_detail", args=[own.pk]) in content
    assert reverse("records:chat_detail", args=[theirs.pk]) not in content
    entry = AuditEntry.objects.get(action="records.listed")
    assert entry.count == 1
    detail = client.get(reverse("records:chat_detail", args=[own.pk]))
    assert detail.status_code == 200
    assert client.get(reverse("records:chat_detail", args=[theirs.pk])).status_code == 404


@pytest.mark.parametrize("who", ["steering", "outsider", "counsellor"])
def test_others_find_no_chat_pages_for_this_unit(client, small, cast, who):
    own = services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim"
    )
    sign_in(client, cast[who])
    detail = client.get(reverse("records:chat_detail", args=[own.pk]))
    assert detail.status_code == 404
    if who != "outsider":  # the outsider has chat pages of their own unit, empty ones
        assert client.get(reverse("records:chat_list")).status_code == 404
        assert client.post(reverse("records:chat_create"), valid_post(small)).status_code == 404
    assert ChatConversation.objects.count() == 1
    assert not AuditEntry.objects.filter(action="records.chat_conversation.viewed").exists()


def test_chat_pages_need_both_factors(client, small, cast):
    client.force_login(cast["volunteer"], backend="django.contrib.auth.backends.ModelBackend")
    response = client.get(reverse("records:chat_create"))
    assert response.status_code == 302
    assert response.url.split("?")[0] == reverse("accounts:setup")


def test_a_change_moves_the_counts_and_shows_in_the_history(client, small, cast):
    volunteer = cast["volunteer"]
    sign_in(client, volunteer)
    client.post(reverse("records:chat_create"), valid_post(small))
    conversation = ChatConversation.objects.get()
    edit = reverse("records:chat_edit", args=[conversation.pk])
    form = client.get(edit).content.decode()
    assert 'value="17"' in form  # the form opens with the record's values
    response = client.post(edit, valid_post(small, age="16", gender="girl"))
    assert response.status_code == 302
    conversation.refresh_from_db()
    assert (conversation.age, conversation.gender) == (16, "girl")
    counts = dict(DailyCount.objects.filter(n__gt=0).values_list("metric", "n"))
    assert counts.get("chat.residents.by_gender_and_concern.girl.perpetrator") == 1
    assert "chat.residents.by_gender_and_concern.boy.perpetrator" not in counts
    changed = AuditEntry.objects.get(action="records.chat_conversation.changed")
    assert sorted(changed.fields.split(",")) == ["age", "gender"]
    page = client.get(response.url).content.decode()
    assert "Historik" in page and "ändrade ett chattsamtal (kön, ålder)" in page.replace(
        "ålder, kön", "kön, ålder"
    )


def test_others_cannot_open_the_change_form(client, small, cast):
    conversation = services.chat_conversation_create(
        unit=small.chat, started_at=local(2022, 3, 1, 19), concern="victim"
    )
    sign_in(client, cast["outsider"])
    edit = reverse("records:chat_edit", args=[conversation.pk])
    assert client.get(edit).status_code == 404
    assert client.post(edit, valid_post(small, age="20")).status_code == 404
    conversation.refresh_from_db()
    assert conversation.age is None


def test_the_list_filters_by_stockholm_days_and_choices(client, small, cast):
    def make(moment, concern):
        return services.chat_conversation_create(
            unit=small.chat, started_at=moment, concern=concern
        )

    late = make(local(2022, 3, 1, 23, 30), "victim")  # 22:30 UTC, still 1 March here
    make(local(2022, 3, 2, 0, 30), "victim")  # 2 March here, 1 March in UTC
    friend = make(local(2022, 3, 1, 12), "friend")
    sign_in(client, cast["volunteer"])
    url = reverse("records:chat_list")
    content = client.get(url, {"date_from": "2022-03-01", "date_to": "2022-03-01"}).content.decode()
    shown = set(re.findall(r'href="/registrering/chattsamtal/(\d+)/"', content))
    assert shown == {str(late.pk), str(friend.pk)}  # not the one of 2 March, Stockholm time
    assert reverse("records:chat_detail", args=[late.pk]) in content
    only_friends = client.get(url, {"concern": "friend"}).content.decode()
    assert reverse("records:chat_detail", args=[friend.pk]) in only_friends
    assert reverse("records:chat_detail", args=[late.pk]) not in only_friends
    assert AuditEntry.objects.filter(action="records.listed").order_by("pk").last().count == 1


def test_a_period_that_ends_before_it_starts_is_explained(client, small, cast):
    sign_in(client, cast["volunteer"])
    response = client.get(
        reverse("records:chat_list"), {"date_from": "2022-03-02", "date_to": "2022-03-01"}
    )
    assert response.status_code == 200
    assert "Perioden slutar innan den börjar." in response.content.decode()
