"""The live chat in Chromium, over daphne (the ASGI live server): a young person and a volunteer
in two browser contexts, from the optional question to the post-chat record and the feedback,
with markup sent as a message arriving as text; and the quick exit, by Escape twice and by the
button, that leaves for the neutral site and takes the chat out of the back history.

Every step waits for a visible state of the page (Playwright's expect), never for a time. The
neutral site is answered by Playwright's routing, and any other address off loopback is refused,
so nothing leaves the machine. axe-core checks the pages in each state they pass through, in
Swedish (the default language)."""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from browsing import accessibility_violations, sign_in_by_form
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from samverkan.chat.models import DirectoryEntry, FeedbackCount, OpeningHours
from samverkan.records.models import ChatConversation
from samverkan.referrals.models import Referral

# A visible state may take a while on a busy machine (daphne and Chromium share two cores with
# the rest of the run): wait up to 20 seconds for it rather than Playwright's 5.
expect.set_options(timeout=20_000)

PASSWORD = "x" * 16  # the access matrix's cast has this password
MARKUP = "<b>bold</b><script>window.pwned=1</script>"
NEUTRAL = "<!doctype html><html lang='sv'><title>Neutral</title><p id='neutral'>Neutral</p></html>"


def _keep_on_loopback(context) -> None:  # noqa: ANN001
    """The quick exit's neutral site is stubbed; any other address off loopback is refused."""
    exit_url = settings.SAMVERKAN_CHAT_EXIT_URL

    def answer(route) -> None:  # noqa: ANN001
        url = route.request.url
        if url.split("#")[0] == exit_url:
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=NEUTRAL)
        elif urlsplit(url).hostname in {"127.0.0.1", "localhost"}:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", answer)


def _accept_dialogs(page) -> None:  # noqa: ANN001
    """Both sides confirm before ending (window.confirm): say yes, as the person would."""
    page.on("dialog", lambda dialog: dialog.accept())


def _no_violations(page, state: str) -> None:  # noqa: ANN001
    assert page.locator("html").get_attribute("lang") == "sv"
    assert accessibility_violations(page) == [], state


def test_a_young_person_and_a_volunteer_chat(browser, asgi_site, world, small):
    users, _arguments = world
    volunteer = users["volunteer"]
    TOTPDevice.objects.create(user=volunteer, name="authenticator", confirmed=True)
    DirectoryEntry.objects.create(
        service=small.clinic_service,
        address="Exempelgatan 1, Stockholm",
        opening_hours="Mån–fre 9–17",
        contact="Drop-in tisdagar 15–18",
    )
    records_before = ChatConversation.objects.count()

    young_context = browser.new_context()
    _keep_on_loopback(young_context)
    young = young_context.new_page()
    _accept_dialogs(young)
    staff_context = browser.new_context()
    _keep_on_loopback(staff_context)
    console = staff_context.new_page()
    _accept_dialogs(console)

    # The volunteer signs in (password and code) and opens the console: an empty queue.
    sign_in_by_form(console, asgi_site, volunteer, PASSWORD)
    console.goto(asgi_site.url(reverse("chat:console")))
    expect(console.locator("#queue-empty")).to_be_visible()
    expect(console.locator("#connection")).not_to_have_text(re.compile("…$"))
    _no_violations(console, "console, empty queue")

    # The young person answers the optional question and starts the chat.
    young.goto(asgi_site.url(reverse("chat:start")))
    expect(young.locator("#intro")).to_be_visible()
    _no_violations(young, "young person, before the chat")
    young.locator("input[name=age]").fill("16")
    young.locator("input[name=gender][value=boy]").check()
    young.locator("input[name=concern][value=perpetrator]").check()
    young.locator("#start-button").click()
    expect(young.locator("#waiting")).to_be_visible()
    expect(young.locator("#position")).to_contain_text("1")
    _no_violations(young, "young person, in the queue")

    # The volunteer sees them in the queue, with the answers, and takes the conversation.
    waiting = console.locator("#queue li")
    expect(waiting).to_have_count(1)
    expect(console.locator("#queue-count")).to_have_text("1")
    _no_violations(console, "console, someone waiting")
    waiting.get_by_role("button").click()
    expect(console.locator("#queue-empty")).to_be_visible()
    panel = console.locator("article.conversation")
    expect(panel).to_have_count(1)
    expect(panel.locator("[data-field=intake]")).to_contain_text("16")
    expect(young.locator("#conversation")).to_be_visible()
    expect(young.locator("#messages .notice-line")).to_have_count(1)  # a volunteer joined

    # The young person writes: the volunteer sees the typing, then the message, as text.
    young.locator("#message").press_sequentially("Hej")
    expect(panel.locator("[data-field=typing]")).not_to_be_empty()
    young.locator("#message").fill(MARKUP)
    young.locator("#composer button[type=submit]").click()
    received = panel.locator(".message.them .text")
    expect(received).to_have_text(MARKUP)
    expect(panel.locator("[data-field=typing]")).to_be_empty()
    assert panel.locator("[data-field=messages] b, [data-field=messages] script").count() == 0
    assert console.evaluate("typeof window.pwned") == "undefined"
    _no_violations(console, "console, a conversation under way")

    # The volunteer answers: typing seen, then the reply, and markup as text the other way too.
    panel.locator("[data-field=text]").press_sequentially("Hej")
    expect(young.locator("#typing")).not_to_be_empty()
    panel.locator("[data-field=text]").fill("Hej! " + MARKUP)
    panel.locator("[data-form=message] button[type=submit]").click()
    reply = young.locator("#messages .message.them .text")
    expect(reply).to_have_text("Hej! " + MARKUP)
    assert young.locator("#messages b, #messages script").count() == 0
    assert young.evaluate("typeof window.pwned") == "undefined"
    expect(young.locator("#messages .message.me .text")).to_have_text(MARKUP)
    _no_violations(young, "young person, in the conversation")

    # A referral code for the clinic: the young person sees it with the clinic's details.
    panel.locator("[data-field=service]").select_option(str(small.clinic_service.pk))
    panel.locator("[data-action=refer]").click()
    code = young.locator("#messages .referral .code")
    expect(code).to_have_text(re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}$"))
    expect(young.locator("#messages .referral")).to_contain_text("Exempelgatan 1")
    shown = code.inner_text()
    expect(panel.locator("[data-field=codes]")).to_contain_text(shown)
    referral = Referral.objects.get(destination=small.clinic_service)
    assert referral.display_code == shown and referral.conversation is None
    _no_violations(young, "young person, with a referral code")

    # The volunteer ends the conversation; the young person sees the end and keeps the code.
    panel.locator("[data-field=controls] [data-action=end]").click()
    expect(young.locator("#ended")).to_be_visible()
    expect(young.locator("#codes .code")).to_have_text(shown)
    record_link = panel.locator("[data-field=record]")
    expect(record_link).to_be_visible()
    _no_violations(young, "young person, after the end")
    _no_violations(console, "console, the conversation ended")

    # The post-chat record opens in a new tab, prefilled with the answers and the code's service.
    with staff_context.expect_page() as opened:
        record_link.click()
    form = opened.value
    form.wait_for_load_state()
    assert "samtal=" in form.url
    expect(form.locator("input[name=concern][value=perpetrator]")).to_be_checked()
    expect(form.locator("input[name=gender][value=boy]")).to_be_checked()
    expect(form.locator("input[name=age]")).to_have_value("16")
    expect(form.locator("select[name=referred_to]")).to_have_value(str(small.clinic_service.pk))
    assert form.locator("input[name=started_at]").input_value()
    _no_violations(form, "the post-chat record, prefilled")
    form.locator("main form button[type=submit]").click()
    form.wait_for_url(f"**{reverse('chat:console')}")

    assert ChatConversation.objects.count() == records_before + 1
    record = ChatConversation.objects.latest("pk")
    assert (record.unit, record.concern, record.gender, record.age) == (
        small.chat,
        "perpetrator",
        "boy",
        16,
    )
    assert record.referred_to == small.clinic_service
    referral.refresh_from_db()
    assert referral.conversation == record
    # Once recorded, the conversation is forgotten: the console's panel goes on reconnect.
    form.close()

    # The young person's optional answer to "did this help?" is counted, and nothing else.
    young.locator("#feedback input[name=answer][value=yes]").check()
    young.locator("#feedback button[type=submit]").click()
    expect(young.locator("#thanks")).to_be_visible()
    assert list(FeedbackCount.objects.values_list("answer", "n")) == [("yes", 1)]
    _no_violations(young, "young person, feedback sent")

    assert young.evaluate("typeof window.pwned") == "undefined"
    assert console.evaluate("typeof window.pwned") == "undefined"
    young_context.close()
    staff_context.close()


@pytest.mark.parametrize("how", ["escape", "button"])
def test_the_quick_exit_leaves_at_once_and_not_in_the_history(browser, asgi_site, how):
    context = browser.new_context()
    _keep_on_loopback(context)
    page = context.new_page()
    before = asgi_site.url(reverse("accounts:login"))  # the page the young person came from
    page.goto(before)
    chat = asgi_site.url(reverse("chat:start"))
    page.goto(chat)
    expect(page.locator("#intro")).to_be_visible()
    if how == "escape":
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")
    else:
        page.locator("#quick-exit").click()
    page.wait_for_url(settings.SAMVERKAN_CHAT_EXIT_URL)
    expect(page.locator("#neutral")).to_be_visible()

    # Back leads to where the young person was before the chat, never to the chat.
    page.go_back()
    page.wait_for_url(before)
    assert page.url != chat
    assert page.evaluate("sessionStorage.length") == 0
    context.close()


def test_outside_the_opening_hours_the_page_says_where_else_to_turn(browser, site, small):
    """The state of the young person's page outside the hours (the demo's evenings, a real
    chat's daytime): closed, 112, the hours, the services with their details, and no start."""
    tomorrow = (timezone.localdate().weekday() + 1) % 7
    OpeningHours.objects.create(weekday=tomorrow, opens=datetime.time(18), closes=datetime.time(21))
    DirectoryEntry.objects.create(
        service=small.clinic_service,
        description="Samtal för unga",
        contact="Drop-in tisdagar 15–18",
        opening_hours="Mån–fre 9–17",
    )
    context = browser.new_context()
    _keep_on_loopback(context)
    page = context.new_page()
    page.goto(site.url(reverse("chat:start")))
    expect(page.locator("#closed-title")).to_be_visible()
    expect(page.locator("main")).to_contain_text("112")
    expect(page.locator("ul.hours li")).to_have_count(1)
    expect(page.locator("ul.elsewhere")).to_contain_text("Drop-in tisdagar 15–18")
    assert page.locator("#intake, #start-button").count() == 0
    _no_violations(page, "young person, the chat closed")
    context.close()
