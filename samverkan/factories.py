"""Test data with factory_boy: organisations, units, partnerships, staff users and records.

Only for tests and benchmarks; every value is synthetic. Records are made through the records'
services (`records.services`), never by saving a model, so the anonymous daily counts are written
in the same transaction as they are in the application: a test that makes records with these
factories sees the same figures the engine would.

    chat = UnitFactory(kind=Unit.Kind.CHAT)
    PartnershipFactory(units=[chat])
    coordinator = UserFactory(role=Role.COORDINATOR, unit=chat)
    ChatConversationFactory(unit=chat, concern="perpetrator")
"""

import datetime
from zoneinfo import ZoneInfo

import factory

from samverkan.accounts.models import Role, User
from samverkan.partnership.models import Organisation, Partnership, Unit
from samverkan.records import services
from samverkan.records.models import ChatConversation, ClinicClient, SupportCentreCase

STOCKHOLM = ZoneInfo("Europe/Stockholm")
PASSWORD = "correct horse battery staple"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"organisation-{n}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.NON_PROFIT


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"unit-{n}")
    name = factory.Sequence(lambda n: f"Unit {n}")
    kind = Unit.Kind.CHAT
    organisation = factory.SubFactory(OrganisationFactory)


class PartnershipFactory(factory.django.DjangoModelFactory):
    """A partnership of the given units: `PartnershipFactory(units=[chat, clinic])`."""

    class Meta:
        model = Partnership
        django_get_or_create = ("key",)
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"partnership-{n}")
    name = factory.Sequence(lambda n: f"Partnership {n}")
    municipality = "Stockholm"

    @factory.post_generation
    def units(self, create: bool, units: list[Unit] | None, **kwargs) -> None:  # noqa: ANN003
        if create and units:
            self.units.add(*units)


class UserFactory(factory.django.DjangoModelFactory):
    """A staff user with a usable password (`PASSWORD`); sign in with conftest.sign_in."""

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    role = Role.UNIT_MANAGER
    unit = factory.SubFactory(UnitFactory)
    password = factory.django.Password(PASSWORD)


class _ServiceFactory(factory.Factory):
    """Records go through their create service, which writes the counts beside them."""

    class Meta:
        abstract = True

    @classmethod
    def _build(cls, model_class, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN206
        raise TypeError("records are only made through their services: use create()")


class ChatConversationFactory(_ServiceFactory):
    class Meta:
        model = ChatConversation

    unit = factory.SubFactory(UnitFactory, kind=Unit.Kind.CHAT)
    started_at = factory.Sequence(
        lambda n: datetime.datetime(2022, 3, 1, 19, tzinfo=STOCKHOLM) + datetime.timedelta(hours=n)
    )
    concern = "victim"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN206
        return services.chat_conversation_create(**kwargs)


class SupportCentreCaseFactory(_ServiceFactory):
    class Meta:
        model = SupportCentreCase

    unit = factory.SubFactory(UnitFactory, kind=Unit.Kind.SUPPORT_CENTRE)
    received_on = datetime.date(2022, 3, 1)
    category = "victim"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN206
        return services.support_centre_case_create(**kwargs)


class ClinicClientFactory(_ServiceFactory):
    class Meta:
        model = ClinicClient

    unit = factory.SubFactory(UnitFactory, kind=Unit.Kind.CLINIC)
    ref = factory.Sequence(lambda n: f"K{n:04d}")
    first_visit = datetime.date(2022, 3, 1)
    concern = "victim"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN206
        return services.clinic_client_create(**kwargs)
