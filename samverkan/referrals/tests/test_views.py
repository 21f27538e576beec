import re

import pytest
from django.urls import reverse

from samverkan.accounts.models import AuditEntry
from samverkan.conftest import local, sign_in
from samverkan.referrals.services import issue_referral, register_arrival

pytestmark = pytest.mark.django_db
URL = "/remisskoder/ankomst/"


def test_the_url_name():
    assert reverse("referrals:arrive") == URL


@pytest.mark.parametrize("who", ["volunteer", "officer", "outsider"])
def test_units_that_receive_nothing_find_no_page(client, cast, who):
    sign_in(client, cast[who])
    assert client.get(URL).status_code == 404
    assert client.post(URL, {"code": "2222-2222"}).status_code == 404


def test_the_form_is_labelled_and_needs_no_script(client, cast):
    sign_in(client, cast["counsellor"])
    page = client.get(URL).content.decode()
    assert '<label for="id_code">' in page
    assert 'aria-describedby="id_code_helptext"' in page
    # No script of its own: only the site's layout script (menu and tables), which the form
    # does not need.
    assert re.findall(r"<script[^>]*>", page) == [
        '<script src="/static/samverkan/layout.js" defer>'
    ]
    assert "No arrivals registered yet." in page


def test_an_error_is_tied_to_the_field(client, small, cast):
    sign_in(client, cast["counsellor"])
    referral = issue_referral(destination=small.rvc_service, by=cast["volunteer"])
    response = client.post(URL, {"code": referral.display_code})
    page = response.content.decode()
    assert response.status_code == 400
    assert re.search(r'aria-describedby="id_code_helptext id_code_error"', page)
    assert 'aria-invalid="true"' in page
    assert 'id="id_code_error"' in page
    assert "is for RVC" in page
    response = client.post(URL, {"code": "K7QP-0XMC"})
    assert "“0” (character 6)" in response.content.decode()


def test_an_arrival_is_registered_and_listed(client, small, cast):
    counsellor = cast["counsellor"]
    sign_in(client, counsellor)
    referral = issue_referral(
        destination=small.clinic_service, by=cast["volunteer"], now=local(2026, 11, 2, 20)
    )
    response = client.post(URL, {"code": referral.code.lower()}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain == [(URL, 302)]
    assert (
        f"Arrival registered: {referral.display_code}, to Clinic, issued on Nov. 2, 2026." in page
    )
    assert referral.code not in page.replace(referral.display_code, "")  # shown once, in full
    assert f"{referral.code[:3]}•-••{referral.code[-2:]}" in page
    referral.refresh_from_db()
    assert referral.arrival_unit == small.clinic
    assert AuditEntry.objects.filter(
        action="referrals.referral.arrived", user=counsellor, target_id=referral.pk
    ).exists()
    assert AuditEntry.objects.filter(action="referrals.arrivals.listed", user=counsellor).exists()


def test_the_list_shows_only_the_units_own_arrivals(client, small, cast):
    from samverkan.accounts.models import Role, User
    from samverkan.partnership.models import Unit

    rvc = Unit.objects.create(
        key="rvc", name="RVC unit", kind=Unit.Kind.RVC, organisation=small.chat.organisation
    )
    small.rvc_service.unit = rvc
    small.rvc_service.save()
    rvc_staff = User.objects.create(username="rvc", role=Role.UNIT_MANAGER, unit=rvc)
    theirs = issue_referral(destination=small.rvc_service, by=cast["volunteer"])
    register_arrival(theirs.code, by=rvc_staff)
    sign_in(client, cast["counsellor"])
    page = client.get(URL).content.decode()
    assert theirs.masked_code not in page
    assert "No arrivals registered yet." in page


def test_the_menu_links_the_page_for_receiving_units_only(client, cast):
    link = f'href="{URL}"'
    sign_in(client, cast["counsellor"])
    assert link in client.get(URL).content.decode()
    client.logout()
    sign_in(client, cast["volunteer"])
    assert link not in client.get(reverse("records:chat_list")).content.decode()
