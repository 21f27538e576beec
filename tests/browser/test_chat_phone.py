"""The chat on a phone: a whole conversation at 390x844 for both sides, and the console at
320 px. Nothing wider than the screen (no sideways scrolling), and what must be reached is on
the screen and not covered: the queue's "Ta samtalet", the conversation, the canned replies,
the directory, the connection notice in full."""

import re

import pytest
from browsing import signed_in_context
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect
from test_chat import _accept_dialogs, _keep_on_loopback

from samverkan.chat.models import DirectoryEntry

expect.set_options(timeout=20_000)


def _fits(page, state: str) -> None:  # noqa: ANN001
    """Nothing sticks out sideways: the page is no wider than the screen."""
    width = page.evaluate("window.innerWidth")
    wide = page.evaluate("document.scrollingElement.scrollWidth")
    culprits = page.evaluate(
        """(width) => Array.from(document.querySelectorAll('body *'))
            .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > width + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className + '#' + e.id)""",
        width,
    )
    assert wide <= width, f"{state}: {wide} px wide on a {width} px screen: {culprits}"


def _reachable(locator, state: str) -> None:  # noqa: ANN001
    """Scrolled to, it is on the screen in full and not covered by anything else."""
    locator.scroll_into_view_if_needed()
    expect(locator).to_be_visible()
    box = locator.bounding_box()
    page = locator.page
    width = page.evaluate("window.innerWidth")
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (state, box)
    on_top = locator.evaluate(
        """(e) => { const r = e.getBoundingClientRect();
            const top = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
            return top === e || e.contains(top); }"""
    )
    assert on_top, f"{state}: covered"


def _whole_text_shown(locator, state: str) -> None:  # noqa: ANN001
    """A notice not cut off: no text overflowing its box, the box on the screen."""
    _reachable(locator, state)
    assert locator.evaluate("(e) => e.scrollWidth <= e.clientWidth + 1"), state


@pytest.fixture
def volunteer_on_a_phone(browser, asgi_site, world, small):  # noqa: ANN001
    users, _arguments = world
    volunteer = users["volunteer"]
    TOTPDevice.objects.get_or_create(user=volunteer, confirmed=True, defaults={"name": "app"})
    DirectoryEntry.objects.create(
        service=small.clinic_service,
        address="Exempelgatan 1, Stockholm, en adress som är lång nog att brytas på en telefon",
        opening_hours="Mån–fre 9–17",
    )

    def open_console(width: int, height: int):  # noqa: ANN202
        context = signed_in_context(
            browser, asgi_site, volunteer, viewport={"width": width, "height": height}
        )
        _keep_on_loopback(context)
        page = context.new_page()
        _accept_dialogs(page)
        page.goto(asgi_site.url(reverse("chat:console")))
        expect(page.locator("#connection")).not_to_have_text(re.compile("…$"))
        return context, page

    return open_console


def _young_person(browser, asgi_site, width: int, height: int):  # noqa: ANN001, ANN202
    context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=True)
    _keep_on_loopback(context)
    page = context.new_page()
    _accept_dialogs(page)
    page.goto(asgi_site.url(reverse("chat:start")))
    expect(page.locator("#intro")).to_be_visible()
    return context, page


def test_a_whole_conversation_on_phones(browser, asgi_site, volunteer_on_a_phone, small):
    staff_context, console = volunteer_on_a_phone(390, 844)
    _fits(console, "console, empty queue")
    _whole_text_shown(console.locator("#connection"), "console, connected")

    young_context, young = _young_person(browser, asgi_site, 390, 844)
    _fits(young, "young person, before the chat")
    young.locator("input[name=age]").fill("15")
    young.locator("#start-button").click()
    expect(young.locator("#waiting")).to_be_visible()
    _fits(young, "young person, waiting")

    take = console.locator("#queue li button")
    expect(take).to_have_text("Ta samtalet")
    _fits(console, "console, someone waiting")
    _reachable(take, "console, Ta samtalet")
    take.click()
    panel = console.locator("article.conversation")
    expect(panel).to_have_count(1)
    expect(young.locator("#conversation")).to_be_visible()
    _fits(console, "console, a conversation under way")
    _fits(young, "young person, in the conversation")

    young.locator("#message").fill("Hej, jag behöver prata med någon")
    _reachable(young.locator("#composer button[type=submit]"), "young person, send")
    young.locator("#composer button[type=submit]").click()
    expect(panel.locator(".message.them .text")).to_have_text("Hej, jag behöver prata med någon")

    # A canned reply, chosen and sent from the phone.
    canned = panel.locator("[data-field=canned]")
    _reachable(canned, "console, canned replies")
    canned.select_option(index=1)
    _reachable(panel.locator("[data-action=canned]"), "console, insert")
    panel.locator("[data-action=canned]").click()
    expect(panel.locator("[data-field=text]")).not_to_have_value("")
    chosen = panel.locator("[data-field=text]").input_value()
    _reachable(panel.locator("[data-form=message] button[type=submit]"), "console, send")
    panel.locator("[data-form=message] button[type=submit]").click()
    expect(young.locator("#messages .message.them .text")).to_have_text(chosen)
    _fits(console, "console, after a canned reply")
    _fits(young, "young person, a long reply")

    # The directory and a referral code.
    directory = console.locator("details.directory-panel summary")
    _reachable(directory, "console, the directory")
    directory.click()
    expect(console.locator("dl.directory")).to_contain_text("Exempelgatan 1")
    _fits(console, "console, the directory open")
    panel.locator("[data-field=service]").select_option(str(small.clinic_service.pk))
    _reachable(panel.locator("[data-action=refer]"), "console, refer")
    panel.locator("[data-action=refer]").click()
    expect(young.locator("#messages .referral .code")).to_be_visible()
    _fits(young, "young person, a referral code")

    # The volunteer ends; the form is offered once.
    end = panel.locator("[data-field=controls] [data-action=end]")
    _reachable(end, "console, end")
    end.click()
    expect(young.locator("#ended")).to_be_visible()
    _fits(young, "young person, ended")
    record = panel.locator("[data-field=record]")
    _reachable(record, "console, the post-chat form")
    _fits(console, "console, ended")
    young_context.close()
    staff_context.close()


def test_the_console_at_320_px(browser, asgi_site, volunteer_on_a_phone):
    staff_context, console = volunteer_on_a_phone(320, 640)
    _fits(console, "console at 320, empty")
    young_context, young = _young_person(browser, asgi_site, 320, 640)
    young.locator("#start-button").click()
    expect(young.locator("#waiting")).to_be_visible()
    take = console.locator("#queue li button")
    _reachable(take, "console at 320, Ta samtalet")
    _fits(console, "console at 320, someone waiting")
    take.click()
    panel = console.locator("article.conversation")
    expect(panel).to_have_count(1)
    _fits(console, "console at 320, a conversation")
    for part in ("[data-field=canned]", "[data-field=service]", "[data-field=text]"):
        _reachable(panel.locator(part), f"console at 320, {part}")
    _reachable(console.locator("details.directory-panel summary"), "console at 320, directory")
    # The connection lost: the notice is shown in full.
    console.evaluate(
        "document.getElementById('connection').textContent = "
        "document.getElementById('console-strings') && "
        "JSON.parse(document.getElementById('console-strings').textContent)"
        ".disconnected"
    )
    _whole_text_shown(console.locator("#connection"), "console at 320, connection lost")
    _fits(console, "console at 320, connection lost")
    young_context.close()
    staff_context.close()
