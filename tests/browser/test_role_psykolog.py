"""The counselling clinic's psychologist (`psykolog`), their most frequent job end to end in
Chromium, on a phone (390x844) and a desktop: register a new client with the first session,
register the next session, correct a wrong one (delete it, register the right date), correct
the client, close the series; then delete a client registered by mistake. Every page of the
job is checked for sideways scrolling at 320 px and for axe violations at 200 % zoom
(docs/jobs/psykolog.md counts the steps)."""

import datetime

import pytest
from browsing import signed_in_context
from django.urls import reverse
from django.utils import timezone
from role_checks import DESKTOP, PHONE, check_reflow_and_axe

from samverkan.accounts.models import AuditEntry, Role, User
from samverkan.records.models import ClinicClient

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_psychologist_registers_follows_corrects_and_closes_a_series(
    browser, site, small, device
):
    psychologist = User.objects.create_user(
        "psykolog", password="x" * 16, role=Role.COUNSELLOR, unit=small.clinic
    )
    context = signed_in_context(browser, site, psychologist, **device)
    page = context.new_page()
    problems = []
    today = timezone.localdate()
    first, second = today - datetime.timedelta(days=14), today - datetime.timedelta(days=7)

    # The list, and "Registrera en klient".
    page.goto(site.url(reverse("records:clinic_list")))
    problems += check_reflow_and_axe(page, "the empty list")
    page.get_by_role("link", name="Registrera en klient").click()
    problems += check_reflow_and_axe(page, "the client form")

    # A mistake first: the form says where (and the summary links to the field).
    page.locator("input[name=ref]").fill("SM-2026-001")
    page.locator("input[name=first_visit]").fill(first.isoformat())
    page.locator("input[name=age]").fill("45")
    page.get_by_role("button", name="Registrera").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.get_by_role("link").count() == 2  # the concern, the age
    assert page.locator("input[name=age]").get_attribute("aria-invalid") == "true"
    problems += check_reflow_and_axe(page, "the client form with errors")
    summary.get_by_role("link").first.click()
    assert page.evaluate("document.activeElement.name") == "concern"

    page.locator("input[name=concern][value=victim]").check()
    page.locator("input[name=gender][value=girl]").check()
    page.locator("input[name=age]").fill("16")
    page.get_by_role("button", name="Registrera").click()

    # On the client at once: the first visit is session 1, the next session offered.
    client = ClinicClient.objects.get()
    assert page.url.split("#")[0] == site.url(reverse("records:clinic_detail", args=[client.pk]))
    assert page.get_by_text(f"Samtal 1: {first.isoformat()}").is_visible()
    problems += check_reflow_and_axe(page, "the client")

    # The next session, with a wrong date first (a year ahead): refused where it is typed.
    page.locator("input[name=date]").fill((today + datetime.timedelta(days=365)).isoformat())
    page.get_by_role("button", name="Registrera samtalet").click()
    assert page.get_by_text("Ett samtal kan inte ligga i framtiden.").first.is_visible()
    assert page.locator("input[name=date]").get_attribute("aria-invalid") == "true"
    page.locator("input[name=date]").fill(today.isoformat())
    page.get_by_role("button", name="Registrera samtalet").click()
    assert page.get_by_text(f"Samtal 2: {today.isoformat()}").is_visible()

    # A correction: that visit was a week ago. Delete the session, register the right date.
    page.get_by_role("button", name=f"Ta bort samtalet den {today.isoformat()}").click()
    assert page.get_by_text(f"Samtalet den {today.isoformat()} är borttaget.").is_visible()
    page.locator("input[name=date]").fill(second.isoformat())
    page.get_by_role("button", name="Registrera samtalet").click()
    assert page.get_by_text(f"Samtal 2: {second.isoformat()}").is_visible()

    # A correction of the client: the age was 17.
    page.get_by_role("link", name="Ändra").click()
    problems += check_reflow_and_axe(page, "the client's edit form")
    page.locator("input[name=age]").fill("17")
    page.get_by_role("button", name="Spara ändringen").click()
    assert page.get_by_text("Ändringen är sparad.").is_visible()

    # The series closed on its real day (the last session).
    page.locator("input[name=closed_on]").fill(second.isoformat())
    page.locator("input[name=closure][value=completed]").check()
    page.get_by_role("button", name="Avsluta serien").click()
    assert page.get_by_text(f"avslutad {second.isoformat()}").first.is_visible()
    client.refresh_from_db()
    assert (client.age, client.closed_on) == (17, second)
    assert [s.date for s in client.sessions.all()] == [first, second]

    # The list on a narrow screen, and a client registered by mistake deleted.
    page.goto(site.url(reverse("records:clinic_list")))
    problems += check_reflow_and_axe(page, "the list")
    page.get_by_role("link", name="Registrera en klient").click()
    page.locator("input[name=ref]").fill("SM-2026-002")
    page.locator("input[name=concern][value=perpetrator]").check()
    page.get_by_role("button", name="Registrera").click()
    page.get_by_role("link", name="Ta bort klienten").click()
    problems += check_reflow_and_axe(page, "the deletion's question")
    page.get_by_role("button", name="Ta bort").click()
    assert page.get_by_text("Klienten är borttagen, med sina samtal.").is_visible()
    assert list(ClinicClient.objects.values_list("ref", flat=True)) == ["SM-2026-001"]
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"records.clinic_session.deleted", "records.clinic_client.deleted"} <= actions
    context.close()
    assert not problems, "\n".join(problems)
