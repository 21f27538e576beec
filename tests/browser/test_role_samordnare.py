"""The coordinator's most frequent job, end to end in Chromium (issue 16): edit the committee
report — change two sections, see them in the preview, save once, correct a mistake, download —
on a phone (390x844) and on a desktop, with the keyboard for the correction; the same without
JavaScript; and the editor's pages at 320 px (no sideways scrolling) and at 200 % zoom (no axe
violation). The steps are counted in docs/jobs/samordnare.md."""

import pytest
from browsing import accessibility_violations, signed_in_context
from django.urls import reverse
from playwright.sync_api import expect

from samverkan.accounts.models import User
from samverkan.demo.services import demo_build
from samverkan.reports.models import Report

expect.set_options(timeout=30_000)

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def demo(transactional_db):  # noqa: ANN001, ANN201
    built, _created = demo_build(seed=2022)
    return built


def _interim() -> Report:
    return Report.objects.get(kind="interim", date_from="2022-01-01", date_to="2022-05-31")


def _fits(page, state: str) -> None:  # noqa: ANN001
    """Nothing sticks out sideways: the page is no wider than the screen."""
    width = page.evaluate("window.innerWidth")
    wide = page.evaluate("document.scrollingElement.scrollWidth")
    culprits = page.evaluate(
        """(width) => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > width + 1)
            .filter(e => !e.closest('.table-scroll') || e.matches('.table-scroll'))
            .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)""",
        width,
    )
    assert wide <= width, f"{state}: {wide} px wide on a {width} px screen: {culprits}"


def _preview(page):  # noqa: ANN001, ANN202
    return page.frame_locator("iframe[name=report-preview]")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_coordinator_edits_the_report_previews_saves_corrects_and_downloads(
    browser, site, demo, viewport
):
    coordinator = User.objects.get(username="samordnare")
    context = signed_in_context(browser, site, coordinator, viewport=viewport)
    page = context.new_page()
    # 1. The committee documents, then the interim report.
    page.goto(site.url(reverse("reports:list")))
    page.get_by_role("link", name="Delrapportering 2022-01-01–2022-05-31").click()
    expect(page.locator("h1")).to_contain_text("Delrapportering")
    expect(_preview(page).locator("h1")).to_contain_text("Idéburet offentligt partnerskap")
    # What the figures will say is on the page beside the texts.
    expect(page.locator("#section-report_intro .report-figures")).to_contain_text(
        "Övriga uppgav inte sådan information."
    )
    # 2. Two sections changed, typed as a person types.
    summary = page.locator("textarea[name=summary]")
    summary.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n\nFörvaltningen följer upp partnerskapet i december.")
    views = page.locator("textarea[name=views_and_proposal]")
    views.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\n\nNästa delrapport lämnas i februari 2023.")
    expect(page.locator("#report-status")).to_contain_text("inte sparade")
    # 3. The preview follows: both changes in the document's own HTML, nothing saved yet.
    preview = _preview(page)
    expect(preview.locator("#text-summary")).to_contain_text("följer upp partnerskapet i december")
    expect(preview.locator("#text-views_and_proposal")).to_contain_text("februari 2023")
    assert "december." not in _interim().sections.get(key="summary").text
    # Leaving now asks first (the browser's own question before unload).
    asked = []

    def dismiss(dialog):  # noqa: ANN001, ANN202
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", dismiss)
    page.get_by_role("link", name="Översikt").first.click()
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"]
    assert "/namndhandlingar/" in page.url
    page.remove_listener("dialog", dismiss)
    # 4. One save keeps both.
    page.get_by_role("button", name="Spara texterna").click()
    expect(page.locator(".notice")).to_contain_text("2 avsnitt ändrade")
    texts = dict(_interim().sections.values_list("key", "text"))
    assert texts["summary"].endswith("Förvaltningen följer upp partnerskapet i december.")
    assert texts["views_and_proposal"].endswith("Nästa delrapport lämnas i februari 2023.")
    # 5. A mistake corrected with the keyboard alone: the month was wrong.
    views = page.locator("textarea[name=views_and_proposal]")
    views.focus()
    page.keyboard.press("Control+End")
    for _ in range(len("februari 2023.")):
        page.keyboard.press("Backspace")
    page.keyboard.type("mars 2023.")
    expect(_preview(page).locator("#text-views_and_proposal")).to_contain_text("mars 2023")
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.value") == "save":
            break
    assert page.evaluate("document.activeElement.value") == "save"
    page.keyboard.press("Enter")
    expect(page.locator(".notice")).to_contain_text("1 avsnitt ändrat")
    assert _interim().sections.get(key="views_and_proposal").text.endswith("mars 2023.")
    page.locator("#section-views_and_proposal details summary").click()
    expect(page.locator("#section-views_and_proposal details")).to_contain_text("februari 2023")
    # 6. Download: the PDF (the default format) with the saved texts.
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Hämta", exact=True).click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert download.value.suggested_filename.endswith("-public.pdf")
    context.close()


def test_the_editor_works_without_javascript(browser, site, demo):
    coordinator = User.objects.get(username="samordnare")
    context = signed_in_context(browser, site, coordinator, java_script_enabled=False)
    page = context.new_page()
    report = _interim()
    page.goto(site.url(reverse("reports:detail", args=[report.pk])))
    page.locator("textarea[name=background]").fill("Ett nytt stycke om bakgrunden.")
    page.locator("textarea[name=preparation]").fill("Ärendet har beretts på avdelningen.")
    page.get_by_role("button", name="Förhandsgranska").click()
    expect(_preview(page).locator("#text-background")).to_contain_text("Ett nytt stycke")
    expect(page.locator("textarea[name=background]")).to_have_value(
        "Ett nytt stycke om bakgrunden."
    )
    page.get_by_role("button", name="Spara texterna").click()
    expect(page.locator(".notice")).to_contain_text("2 avsnitt ändrade")
    texts = dict(_interim().sections.values_list("key", "text"))
    assert texts["background"] == "Ett nytt stycke om bakgrunden."
    assert texts["preparation"] == "Ärendet har beretts på avdelningen."
    context.close()


def test_a_new_report_for_january_to_may_2022_starts_with_the_earlier_texts(browser, site, demo):
    coordinator = User.objects.get(username="samordnare")
    context = signed_in_context(browser, site, coordinator, viewport=PHONE)
    page = context.new_page()
    page.goto(site.url(reverse("reports:new")))
    page.locator("#id_kind").select_option("interim")
    page.locator("#id_date_from").fill("2022-01-01")
    page.locator("#id_date_to").fill("2022-05-31")
    page.locator("#id_document_date").fill("2022-09-15")
    # Proposed: the latest report, the demo's interim report of the same period.
    expect(page.locator("#id_based_on option:checked")).to_have_text(
        "Delrapportering 2022-01-01–2022-05-31"
    )
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".notice")).to_contain_text("texterna utgår från")
    expect(page.locator("textarea[name=summary]")).to_contain_text(
        "Socialförvaltningen ingick i december 2021"
    )
    context.close()


def _editor_pages(demo) -> list[str]:  # noqa: ANN001
    return [
        reverse("reports:list"),
        reverse("reports:new"),
        reverse("reports:detail", args=[_interim().pk]),
        reverse("activities:register"),
        reverse("activities:list"),
    ]


def test_the_editor_fits_320_px_without_sideways_scrolling(browser, site, demo):
    coordinator = User.objects.get(username="samordnare")
    context = signed_in_context(browser, site, coordinator, viewport={"width": 320, "height": 640})
    page = context.new_page()
    for path in _editor_pages(demo):
        page.goto(site.url(path))
        _fits(page, f"{path} at 320 px")
    context.close()


def test_the_editor_at_200_percent_zoom_has_no_axe_violation(browser, site, demo):
    """200 % zoom of a 1280 px wide window: 640 CSS px at twice the pixels."""
    coordinator = User.objects.get(username="samordnare")
    context = signed_in_context(
        browser,
        site,
        coordinator,
        viewport={"width": 640, "height": 450},
        device_scale_factor=2,
    )
    page = context.new_page()
    found = {}
    for path in _editor_pages(demo):
        page.goto(site.url(path))
        page.wait_for_load_state("networkidle")
        _fits(page, f"{path} at 200 %")
        violations = accessibility_violations(page)
        if violations:
            found[path] = violations
    assert not found, found
    context.close()
