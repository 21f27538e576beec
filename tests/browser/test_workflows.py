"""What a person does in the application, in Chromium: sign in with the second factor, register,
see the dashboard follow, close a clinic series, export a list, all without JavaScript too."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from browsing import (
    current_code,
    first_number,
    sign_in_by_form,
    signed_in_context,
    switch_language,
    tab_through,
)
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.records import services
from samverkan.records.models import ChatConversation, ClinicClient

PASSWORD = "x" * 16  # the access matrix's cast has this password


@pytest.fixture
def cast(world):  # noqa: ANN001
    users, arguments = world
    for user in users.values():
        TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return users, arguments


def test_sign_in_asks_for_the_second_factor(browser, site, cast):
    users, _arguments = cast
    context = browser.new_context()
    page = context.new_page()
    page.goto(site.url(reverse("records:chat_list")))
    assert reverse("accounts:login") in page.url  # no page before signing in
    sign_in_by_form(page, site, users["volunteer"], PASSWORD)
    assert reverse("accounts:login") not in page.url
    assert page.locator("header form.logout").count() == 1  # signed in, and past both factors
    page.goto(site.url(reverse("records:chat_list")))
    assert page.url == site.url(reverse("records:chat_list"))
    context.close()


def test_a_wrong_code_is_refused(browser, site, cast):
    users, _arguments = cast
    page = browser.new_page()
    page.goto(site.url(reverse("accounts:login")))
    page.locator("input[name=username]").fill("volunteer")
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**{reverse('accounts:verify')}")
    wrong = (int(current_code(users["volunteer"])) + 1) % 1_000_000
    page.locator("input[name=code]").fill(f"{wrong:06d}")
    page.locator("main button[type=submit]").click()
    assert page.locator("input[name=code][aria-invalid=true]").count() == 1
    page.goto(site.url(reverse("records:chat_list")))
    assert reverse("accounts:verify") in page.url  # still stopped at the second factor
    page.close()


def test_the_language_switch_in_the_header(browser, site):
    page = browser.new_page()
    page.goto(site.url(reverse("accounts:login")))
    assert page.locator("html").get_attribute("lang") == "sv"
    swedish = page.locator("h1").inner_text()
    switch_language(page, "en")
    assert page.url == site.url(reverse("accounts:login"))
    assert page.locator("h1").inner_text() == "Sign in"
    switch_language(page, "sv")
    assert page.locator("h1").inner_text() == swedish
    page.close()


def _dashboard_conversations(page, site) -> int:  # noqa: ANN001
    page.goto(site.url(reverse("dashboard:overview")))
    return first_number(page.locator('[data-figure="chat.conversations"]').first.inner_text())


def _saved_and_next(site):  # noqa: ANN001, ANN202
    """Where saving a chat record leads: the form for the next one (`?sparat=<id>`)."""
    return re.compile(re.escape(site.url(reverse("records:chat_create"))) + r"\?sparat=\d+$")


def test_a_registered_conversation_shows_on_the_dashboard(browser, site, cast, small):
    users, _arguments = cast
    earlier = timezone.localtime() - datetime.timedelta(minutes=30)
    for _ in range(11):
        services.chat_conversation_create(unit=small.chat, started_at=earlier, concern="victim")
    coordinator = signed_in_context(browser, site, users["coordinator"]).new_page()
    before = _dashboard_conversations(coordinator, site)

    volunteer = browser.new_context().new_page()
    sign_in_by_form(volunteer, site, users["volunteer"], PASSWORD)
    volunteer.goto(site.url(reverse("records:chat_create")))
    volunteer.locator("input[name=concern]").first.check()
    volunteer.locator("form.record button[type=submit]").click()
    # Saved: a fresh form for the next conversation, with a link to the one just saved.
    volunteer.wait_for_url(_saved_and_next(site))
    assert volunteer.locator("[role=status]").count() == 1

    assert _dashboard_conversations(coordinator, site) == before + 1


def test_a_counsellor_closes_a_series(browser, site, cast):
    users, arguments = cast
    client_id = arguments["records:clinic_detail"][0]
    page = signed_in_context(browser, site, users["counsellor"]).new_page()
    page.goto(site.url(reverse("records:clinic_detail", args=[client_id])))
    close = page.locator(f"form[action='{reverse('records:clinic_close', args=[client_id])}']")
    close.locator("input[name=closed_on]").fill("2022-05-31")
    close.locator("input[name=closure]").first.check()
    close.locator("button[type=submit]").click()
    page.wait_for_url(site.url(reverse("records:clinic_detail", args=[client_id])))
    assert page.locator("[role=status]").count() == 1
    # Closed: the closing can still be corrected, or the series opened again.
    assert (
        page.locator(
            f"form[action$='{reverse('records:clinic_reopen', args=[client_id])}']"
        ).count()
        == 1
    )
    assert "2022-05-31" in page.locator("dl.record").inner_text()
    assert ClinicClient.objects.get(pk=client_id).closed_on == datetime.date(2022, 5, 31)


def _export(page, file_format: str):  # noqa: ANN001, ANN202
    """Download the list's export in a format, with the export form (a POST: a password may
    come with it) or, where the page still has them, its links."""
    form = page.locator("form.export")
    with page.expect_download() as download:
        if form.count():
            form.locator(f"input[name=format][value={file_format}]").check()
            form.locator("button[type=submit]").click()
        else:
            page.get_by_role("link", name=file_format.upper()).click()
    return download.value


def test_a_volunteer_exports_the_list(browser, site, cast):
    users, _arguments = cast
    page = signed_in_context(browser, site, users["volunteer"], accept_downloads=True).new_page()
    page.goto(site.url(reverse("records:chat_list")))
    csv_download = _export(page, "csv")
    assert csv_download.suggested_filename.endswith(".csv")
    with open(csv_download.path(), encoding="utf-8-sig") as file:
        rows = list(csv.reader(io.StringIO(file.read())))
    assert len(rows) == 1 + ChatConversation.objects.filter(unit=users["volunteer"].unit).count()
    assert rows[1][rows[0].index("concern")] == "victim"

    xlsx_download = _export(page, "xlsx")
    assert xlsx_download.suggested_filename.endswith(".xlsx")
    with open(xlsx_download.path(), "rb") as file:
        sheet = openpyxl.load_workbook(io.BytesIO(file.read())).active
    assert [cell.value for cell in sheet[1]] == rows[0]
    assert sheet.max_row == len(rows)


def test_forms_work_without_javascript(browser, site, cast):
    users, _arguments = cast
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in_by_form(page, site, users["volunteer"], PASSWORD)
    switch_language(page, "en")
    before = ChatConversation.objects.count()
    page.goto(site.url(reverse("records:chat_create")))
    page.locator("form.record button[type=submit]").click()  # nothing chosen: errors, no record
    assert page.locator("[role=alert]").count() == 1
    assert ChatConversation.objects.count() == before
    page.locator("input[name=concern]").first.check()
    page.locator("input[name=age]").fill("16")
    page.locator("form.record button[type=submit]").click()
    page.wait_for_url(_saved_and_next(site))
    assert page.locator("html").get_attribute("lang") == "en"
    assert ChatConversation.objects.count() == before + 1
    assert ChatConversation.objects.latest("pk").age == 16
    context.close()


def test_keyboard_focus_is_always_visible(browser, site, cast):
    users, _arguments = cast
    page = signed_in_context(browser, site, users["volunteer"]).new_page()
    page.goto(site.url(reverse("records:chat_create")))
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert page.evaluate("document.activeElement.classList.contains('skip')")
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0  # shown on screen once focused
    reached = tab_through(page)
    assert not [what for what, visible in reached if not visible]
    seen = [what for what, _visible in reached]
    # The header, every field of the form and its button were reached, each visibly.
    assert any("started_at" in what for what in seen)
    assert any('name="concern"' in what for what in seen)
    assert any('type="submit"' in what for what in seen[-3:])
