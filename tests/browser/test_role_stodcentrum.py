"""The support centre's officer (`stodcentrum`), their most frequent job end to end in
Chromium, on a phone (390x844) and a desktop: register cases one after another (the next form
comes at once), answer the routine question once, have an age outside the target group caught
and confirmed, correct a case and delete one registered by mistake, with the counts following.
Every page of the job is checked for sideways scrolling at 320 px and for axe violations at
200 % zoom (docs/jobs/stodcentrum.md counts the steps)."""

import datetime

import pytest
from browsing import signed_in_context
from django.urls import reverse
from django.utils import timezone
from role_checks import DESKTOP, PHONE, check_reflow_and_axe

from samverkan.accounts.models import AuditEntry, Role, User
from samverkan.records.models import SupportCentreCase
from samverkan.statistics.models import DailyCount

pytestmark = pytest.mark.django_db(transaction=True)


def _counted(gender: str, category: str) -> int:
    metric = f"support_centre.by_gender_and_category.{gender}.{category}"
    return sum(DailyCount.objects.filter(metric=metric).values_list("n", flat=True))


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_officer_registers_cases_in_a_row_corrects_one_and_deletes_one(
    browser, site, small, device
):
    officer = User.objects.create_user(
        "stodcentrum",
        password="x" * 16,
        role=Role.SUPPORT_CENTRE_OFFICER,
        unit=small.support_centre,
    )
    context = signed_in_context(browser, site, officer, **device)
    page = context.new_page()
    problems = []
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()

    page.goto(site.url(reverse("records:support_list")))
    problems += check_reflow_and_axe(page, "the empty list")
    page.get_by_role("link", name="Registrera ett ärende", exact=True).click()
    problems += check_reflow_and_axe(page, "the case form")
    # One routine question, "Inte ställd" among its answers and chosen from the start.
    assert page.locator("input[name=screened]").count() == 0
    assert page.locator("input[name=screening][value=not-asked]").is_checked()

    # The first case: a typing error in the age (45 for 15) is caught.
    page.locator("input[name=received_on]").fill(yesterday)
    page.locator("input[name=category][value=victim]").check()
    page.locator("input[name=gender][value=girl]").check()
    page.locator("input[name=age]").fill("45")
    page.locator("input[name=screening][value=victim]").check()
    page.get_by_role("button", name="Registrera").click()
    assert page.get_by_text("45 ligger utanför målgruppen (10–21 år)").first.is_visible()
    assert page.locator("input[name=age]").get_attribute("aria-invalid") == "true"
    problems += check_reflow_and_axe(page, "the case form with an age outside the group")
    page.locator("input[name=age]").fill("15")
    page.get_by_role("button", name="Registrera").click()

    # The next case at once, on the form that follows.
    assert page.get_by_text("Ärendet är registrerat.").is_visible()
    page.locator("input[name=category][value=witness]").check()
    page.locator("input[name=gender][value=boy]").check()
    page.locator("input[name=age]").fill("22")
    page.get_by_role("button", name="Registrera").click()
    # 22 is outside 10-21, and right this time (an older sibling): confirmed.
    page.locator("input[name=age_confirmed]").check()
    page.get_by_role("button", name="Registrera").click()
    assert page.get_by_text("Ärendet är registrerat.").is_visible()
    assert SupportCentreCase.objects.count() == 2
    assert _counted("girl", "victim") == 1 and _counted("boy", "witness") == 1

    # The list: every answer capitalised, no sideways scroll on a phone.
    page.goto(site.url(reverse("records:support_list")))
    problems += check_reflow_and_axe(page, "the list")
    assert page.get_by_role("cell", name="Inte ställd").count() == 1
    assert page.get_by_role("cell", name="Utsatt för våld").count() == 1

    # A correction: the witness was a girl.
    witness = SupportCentreCase.objects.get(category="witness")
    page.goto(site.url(reverse("records:support_detail", args=[witness.pk])))
    problems += check_reflow_and_axe(page, "a case")
    page.get_by_role("link", name="Ändra").click()
    page.locator("input[name=gender][value=girl]").check()
    page.locator("input[name=age_confirmed]").check()
    page.get_by_role("button", name="Spara ändringen").click()
    assert page.get_by_text("Ändringen är sparad.").is_visible()
    assert _counted("boy", "witness") == 0 and _counted("girl", "witness") == 1

    # A deletion: the victim's case was registered twice by mistake elsewhere; delete it here.
    victim = SupportCentreCase.objects.get(category="victim")
    page.goto(site.url(reverse("records:support_detail", args=[victim.pk])))
    page.get_by_role("link", name="Ta bort").click()
    problems += check_reflow_and_axe(page, "the deletion's question")
    page.get_by_role("button", name="Ta bort").click()
    assert page.get_by_text("Ärendet är borttaget.").is_visible()
    assert list(SupportCentreCase.objects.values_list("category", flat=True)) == ["witness"]
    assert _counted("girl", "victim") == 0
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"records.support_centre_case.changed", "records.support_centre_case.deleted"} <= actions
    context.close()
    assert not problems, "\n".join(problems)
