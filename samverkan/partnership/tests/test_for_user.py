"""Which partnerships a staff user works in: one answer for every page (issue 18)."""

import pytest

from samverkan.accounts.models import Role, User
from samverkan.partnership.models import Organisation, Partnership, Unit

pytestmark = pytest.mark.django_db


def _user(name, unit, **extra):
    return User.objects.create_user(
        name, password="x" * 16, role=Role.COORDINATOR, unit=unit, **extra
    )


def test_a_unit_takes_part_itself_or_through_its_organisation(small):
    department = Unit.objects.create(
        key="department",
        name="Department",
        kind=Unit.Kind.OTHER,
        organisation=small.chat.organisation,
    )
    small.partnership.organisations.add(small.chat.organisation)
    stranger_org = Organisation.objects.create(key="x", name="Elsewhere", kind="public")
    stranger = Unit.objects.create(
        key="elsewhere", name="Elsewhere", kind=Unit.Kind.OTHER, organisation=stranger_org
    )

    assert list(Partnership.objects.for_user(_user("chat", small.chat))) == [small.partnership]
    assert list(Partnership.objects.for_user(_user("dept", department))) == [small.partnership]
    assert list(Partnership.objects.for_user(_user("out", stranger))) == []
    assert Partnership.objects.first_for_user(_user("out2", stranger)) is None


def test_an_inactive_user_or_one_without_a_unit_works_in_none(small):
    assert not Partnership.objects.for_user(_user("gone", small.chat, is_active=False)).exists()
    assert Partnership.objects.first_for_user(_user("nowhere", None)) is None


def test_a_unit_of_several_partnerships_works_in_the_oldest_on_every_page(small):
    # Named so that the model's order (by name) and the order of creation disagree.
    newer = Partnership.objects.create(key="a-newer", name="A newer", municipality="Town")
    newer.units.add(small.chat)
    user = _user("both", small.chat)

    assert set(Partnership.objects.for_user(user)) == {small.partnership, newer}
    assert Partnership.objects.first_for_user(user) == small.partnership
    # The organisation's and the unit's membership together still give each partnership once.
    small.partnership.organisations.add(small.chat.organisation)
    assert sorted(p.key for p in Partnership.objects.for_user(user)) == ["a-newer", "p"]
