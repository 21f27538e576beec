"""The steering member's and the unit manager's most frequent job, in Chromium, on a phone
(390x844) and a desktop: open the overview, change the period, filter, export the tables. Every
step's page must reflow at 320 CSS px (WCAG 1.4.10) and pass axe-core at 200 % zoom.

The steps are counted in docs/jobs/styrgrupp.md."""

import csv
import datetime
import io

import openpyxl
import pytest
from browsing import accessibility_violations, signed_in_context
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from samverkan.conftest import local
from samverkan.records import services
from samverkan.records.models import SupportCentreCase

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
# 200 % zoom of a 1280 px wide window: a layout viewport of 640 CSS px, drawn at twice the size.
ZOOMED = {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}
NARROW = {"width": 320, "height": 640}


@pytest.fixture
def figures(small, world):  # noqa: ANN001
    """A spring and an autumn of 2022 with enough records to publish. The access matrix's world
    has the reporting periods: the activity report of January-June 2022 and the interim report
    of January-May 2022."""
    users, _arguments = world
    for user in users.values():
        TOTPDevice.objects.get_or_create(user=user, name="authenticator", confirmed=True)
    for month in (3, 4, 9):
        for day in range(1, 13):
            services.chat_conversation_create(
                unit=small.chat,
                started_at=local(2022, month, day, 18),
                concern="victim" if day % 3 else "perpetrator",
                resident="yes" if day % 2 else "no",
                gender="girl" if day % 4 else "boy",
                age=15 + day % 4,
                district=small.district,
            )
        for day in range(1, 9):
            services.support_centre_case_create(
                unit=small.support_centre,
                received_on=datetime.date(2022, month, day),
                category="victim",
                gender="boy" if day % 2 else "girl",
                age=14 + day % 3,
            )
    return users


def _no_sideways_scroll(page, where: str) -> None:  # noqa: ANN001
    """At 320 CSS px the page scrolls only up and down (a wide table scrolls in its own box)."""
    size = page.viewport_size
    page.set_viewport_size(NARROW)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    page.set_viewport_size(size)
    assert overflow <= 0, f"{where}: the page scrolls sideways by {overflow}px at 320 px"


def _accessible_at_200(browser, site, user, url: str, where: str) -> None:  # noqa: ANN001
    context = signed_in_context(browser, site, user, **ZOOMED)
    page = context.new_page()
    page.goto(url)
    violations = accessibility_violations(page)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    context.close()
    assert not violations, f"{where} at 200 %:\n" + "\n".join(violations)
    assert overflow <= 0, f"{where}: scrolls sideways at 200 % zoom"


def _check(browser, site, user, page, where: str) -> None:  # noqa: ANN001
    _no_sideways_scroll(page, where)
    _accessible_at_200(browser, site, user, page.url, where)


def _figure(page, path: str) -> str:  # noqa: ANN001
    return page.locator(f'[data-figure="{path}"]').first.inner_text().strip()


def _the_job(browser, site, user, device: dict, *, own_unit: bool) -> None:  # noqa: ANN001
    context = signed_in_context(browser, site, user, accept_downloads=True, **device)
    page = context.new_page()
    # 1. Open the overview: it opens on the latest reporting period that has ended.
    page.goto(site.url(reverse("dashboard:overview")))
    assert page.locator("#id_date_from").input_value() == "2022-01-01"
    assert page.locator("#id_date_to").input_value() == "2022-06-30"
    assert page.locator("#section-chat-residents").is_visible()
    if own_unit:
        # The unit manager's own unit, exactly; the others as released.
        exact = SupportCentreCase.objects.filter(
            received_on__range=(datetime.date(2022, 1, 1), datetime.date(2022, 6, 30))
        ).count()
        assert _figure(page, "support_centre.cases") == str(exact)
        assert page.get_by_text("Din egen enhet: exakta uppgifter").count() == 1
    _check(browser, site, user, page, "the overview")
    # 2. Change the period: the interim report's, one click among the reporting periods.
    page.get_by_role("link", name="Delrapportering").click()
    page.wait_for_load_state()
    assert page.locator("#id_date_from").input_value() == "2022-01-01"
    assert page.locator("#id_date_to").input_value() == "2022-05-31"
    assert _figure(page, "chat.conversations").isdigit()  # published (perturbed) for the spring
    # 3. Filter by a unit, then show.
    page.locator("#id_unit").select_option(label="Support centre")
    page.locator("form.period button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("#section-support-centre").is_visible()
    assert page.locator("#section-chat").count() == 0
    _check(browser, site, user, page, "the overview filtered by unit")
    # 4. Export the tables: the workbook holds the numbers on the page.
    shown = _figure(page, "support_centre.cases")
    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX)").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as file:  # noqa: PTH123
        workbook = openpyxl.load_workbook(io.BytesIO(file.read()), read_only=True)
    rows = [row for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True)]
    cases = next(row for row in rows if row and row[0] == "Ärenden på Stödcentrum")
    assert str(cases[1]) == shown
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: PTH123, SIM115
    assert any(
        row[:2] == ["Ärenden på Stödcentrum", shown] for row in csv.reader(io.StringIO(text))
    )
    context.close()


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_steering_member_reads_filters_and_exports_the_overview(browser, site, figures, device):
    _the_job(browser, site, figures["steering"], device, own_unit=False)


@pytest.mark.parametrize("device", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_a_unit_manager_reads_their_unit_exactly_filters_and_exports(
    browser, site, figures, device
):
    _the_job(browser, site, figures["manager"], device, own_unit=True)
