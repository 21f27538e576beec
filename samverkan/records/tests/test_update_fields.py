"""A record's change names only the record's own values (issue 18 step 5): a typo, the import
batch or the record's times are refused before anything is written, instead of being set
silently (a typo used to become a Python attribute that was never saved)."""

import pytest

from samverkan.core.errors import SamverkanError
from samverkan.factories import (
    ChatConversationFactory,
    ClinicClientFactory,
    SupportCentreCaseFactory,
)
from samverkan.records import services
from samverkan.records.models import ChatConversation, ClinicClient, SupportCentreCase

pytestmark = pytest.mark.django_db

UPDATES = [
    (ChatConversationFactory, ChatConversation, services.chat_conversation_update, "conversation"),
    (SupportCentreCaseFactory, SupportCentreCase, services.support_centre_case_update, "case"),
    (ClinicClientFactory, ClinicClient, services.clinic_client_update, "client"),
]


@pytest.mark.parametrize(("factory", "model", "update", "argument"), UPDATES)
@pytest.mark.parametrize("name", ["agee", "import_batch", "created_at", "id"])
def test_a_name_that_is_not_the_records_own_value_is_refused(
    small, factory, model, update, argument, name
):
    record = factory(unit=_unit(small, model))
    before = model.objects.values().get(pk=record.pk)
    with pytest.raises(TypeError, match=name):
        update(**{argument: record, name: 1, "age": 15})
    assert model.objects.values().get(pk=record.pk) == before


@pytest.mark.parametrize(("factory", "model", "update", "argument"), UPDATES)
def test_a_record_stays_in_its_unit(small, factory, model, update, argument):
    record = factory(unit=_unit(small, model))
    with pytest.raises(SamverkanError):
        update(**{argument: record, "unit": small.clinic})


@pytest.mark.parametrize(("factory", "model", "update", "argument"), UPDATES)
def test_the_records_own_values_are_changed(small, factory, model, update, argument):
    record = factory(unit=_unit(small, model), age=15)
    update(**{argument: record, "age": 16})
    assert model.objects.get(pk=record.pk).age == 16


def test_a_chat_records_forms_of_violence_are_its_own(small):
    conversation = ChatConversationFactory(unit=small.chat)
    services.chat_conversation_update(conversation=conversation, violence=["digital"])
    services.chat_conversation_update(conversation=conversation, violence_sexual=True)
    assert ChatConversation.objects.get(pk=conversation.pk).violence_forms == ["sexual", "digital"]


def _unit(small, model):
    return {
        ChatConversation: small.chat,
        SupportCentreCase: small.support_centre,
        ClinicClient: small.clinic,
    }[model]
