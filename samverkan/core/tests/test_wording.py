"""Swedish that reads as administrative prose where names are put into sentences."""

import pytest
from django.urls import reverse

from samverkan.accounts.models import Role, User
from samverkan.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_the_api_token_page_does_not_glue_the_units_name_before_anonyma_poster(client, small):
    """Seen: "registrera Stödcentrum för unga brottsutsatta och vittnen anonyma poster" (a
    name cannot take the genitive -s, so the sentence read as broken Swedish)."""
    small.support_centre.name = "Stödcentrum för unga brottsutsatta och vittnen"
    small.support_centre.save()
    manager = User.objects.create_user(
        "chef", password="x" * 16, role=Role.UNIT_MANAGER, unit=small.support_centre
    )
    sign_in(client, manager)
    text = client.get(reverse("api_tokens:list")).content.decode()
    assert "vittnen anonyma poster" not in text
    assert "anonyma uppgifter för Stödcentrum för unga brottsutsatta och vittnen" in text
