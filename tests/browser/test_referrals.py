"""The arrival of a referral code, in Chromium: a refused code is explained at the field, an
accepted one is confirmed and listed, and no state of the page breaks WCAG 2.1 AA. (The page has
no script at all: the main suite checks that.)"""

import pytest
from browsing import accessibility_violations, signed_in_context, switch_language
from django.urls import reverse

from samverkan.referrals.models import Referral
from samverkan.referrals.services import issue_referral


@pytest.mark.parametrize("language", ["sv", "en"])
def test_a_counsellor_registers_an_arrival(browser, site, world, small, language):
    users, _arguments = world
    referral = issue_referral(destination=small.clinic_service, by=users["volunteer"])
    context = signed_in_context(browser, site, users["counsellor"])
    page = context.new_page()
    page.goto(site.url(reverse("referrals:arrive")))
    switch_language(page, language)
    assert page.locator("nav.menu a[aria-current=page]").count() == 1
    assert accessibility_violations(page) == []

    field = page.locator("input[name=code]")
    wrong = ("3" if referral.code[0] != "3" else "4") + referral.code[1:]
    field.fill(wrong)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    error = page.locator("#id_code_error")
    assert error.count() == 1
    assert "id_code_error" in field.get_attribute("aria-describedby")
    assert field.get_attribute("aria-invalid") == "true"
    assert accessibility_violations(page) == []

    page.locator("input[name=code]").fill(referral.display_code.lower())
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("[role=status]").count() == 1
    assert referral.display_code in page.locator("[role=status]").inner_text()
    assert page.locator("main table tbody tr").count() == 1
    assert accessibility_violations(page) == []
    assert Referral.objects.get(pk=referral.pk).arrival_unit == small.clinic
    context.close()
