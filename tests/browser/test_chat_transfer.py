"""A transfer between volunteers on phones (390x844), with the supervisor's page following it
live: the first volunteer asks for the console and lands on it after both sign-in steps, takes
the conversation and hands it to a colleague; the young person sees one neutral notice and the
conversation goes on with every message in order; the supervisor's page shows each
volunteer's status change without a reload."""

import re

from browsing import accessibility_violations, current_code, signed_in_context
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect
from test_chat import _accept_dialogs, _keep_on_loopback
from test_chat_phone import _fits, _reachable, _young_person

from samverkan.accounts.models import Role, User

expect.set_options(timeout=20_000)
PASSWORD = "x" * 16
PHONE = {"width": 390, "height": 844}


def _console_signed_in_by_form(browser, asgi_site, user):  # noqa: ANN001, ANN202
    """The volunteer opens the console's address, gives the password and the code, and lands
    on the console (not on the record list)."""
    context = browser.new_context(viewport=PHONE, is_mobile=True)
    _keep_on_loopback(context)
    page = context.new_page()
    _accept_dialogs(page)
    console = reverse("chat:console")
    page.goto(asgi_site.url(console))
    page.wait_for_url(re.compile(re.escape(reverse("accounts:login")) + r"\?next="))
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(re.escape(reverse("accounts:verify")) + r"\?next="))
    page.locator("input[name=code]").fill(current_code(user))
    page.locator("main button[type=submit]").click()
    page.wait_for_url(asgi_site.url(console))
    expect(page.locator("#connection")).not_to_have_text(re.compile("…$"))
    return context, page


def test_a_transfer_on_phones_followed_live_by_the_supervisor(browser, asgi_site, small):
    first_user = User.objects.create_user(
        "anna", password=PASSWORD, role=Role.VOLUNTEER, unit=small.chat, first_name="Anna"
    )
    TOTPDevice.objects.create(user=first_user, name="app", confirmed=True)
    second_user = User.objects.create_user(
        "bertil", password=PASSWORD, role=Role.VOLUNTEER, unit=small.chat, first_name="Bertil"
    )
    manager = User.objects.create_user(
        "chef", password=PASSWORD, role=Role.UNIT_MANAGER, unit=small.chat
    )

    supervisor_context = signed_in_context(browser, asgi_site, manager)
    supervisor = supervisor_context.new_page()
    supervisor.goto(asgi_site.url(reverse("chat:supervisor")))
    live = supervisor.locator("#live")
    expect(live).to_contain_text("Ingen volontär har konsolen öppen.")

    first_context, first = _console_signed_in_by_form(browser, asgi_site, first_user)
    second_context = signed_in_context(browser, asgi_site, second_user, viewport=PHONE)
    _keep_on_loopback(second_context)
    second = second_context.new_page()
    _accept_dialogs(second)
    second.goto(asgi_site.url(reverse("chat:console")))
    expect(second.locator("#connection")).not_to_have_text(re.compile("…$"))
    # Without a reload, the supervisor sees both available.
    expect(live.locator("tr[data-status=available]")).to_have_count(2)

    young_context, young = _young_person(browser, asgi_site, 390, 844)
    young.locator("#start-button").click()
    expect(young.locator("#waiting")).to_be_visible()
    first.locator("#queue li button").click()
    panel = first.locator("article.conversation")
    expect(panel).to_have_count(1)
    expect(young.locator("#conversation")).to_be_visible()
    expect(live.locator("tr[data-status=in_conversation]")).to_contain_text("Anna")
    # WCAG 2.1 AA on the live page as updated (its summary in a polite status region).
    assert accessibility_violations(supervisor) == []
    expect(supervisor.locator("#live-summary[role=status][aria-live=polite]")).to_have_count(1)

    young.locator("#message").fill("Första meddelandet")
    young.locator("#composer button[type=submit]").click()
    expect(panel.locator(".message.them .text")).to_have_text("Första meddelandet")
    panel.locator("[data-field=text]").fill("Hej, jag heter Anna.")
    panel.locator("[data-form=message] button[type=submit]").click()
    expect(young.locator("#messages .message.them .text")).to_have_text("Hej, jag heter Anna.")

    # The transfer, from the phone: the colleagues online, then Bertil.
    transfer = panel.locator("[data-field=controls] [data-action=transfer]")
    _reachable(transfer, "console, transfer")
    transfer.click()
    colleague = panel.locator("[data-field=colleague]")
    expect(colleague.locator("option")).to_have_text(["Bertil (ledig)"])
    _fits(first, "console, choosing a colleague")
    assert accessibility_violations(first) == []
    _reachable(panel.locator("[data-action=transfer-to]"), "console, transfer to")
    panel.locator("[data-action=transfer-to]").click()
    expect(first.locator("article.conversation")).to_have_count(0)
    expect(first.locator("#connection")).to_have_text("Samtalet har lämnats över till Bertil.")

    taken = second.locator("article.conversation")
    expect(taken).to_have_count(1)
    expect(taken.locator(".notice-line")).to_contain_text("Anna har lämnat över samtalet till dig.")
    expect(young.locator("#messages")).to_contain_text(
        "En annan volontär fortsätter chatten med dig."
    )
    _fits(second, "colleague's console, the conversation handed over")
    _fits(young, "young person, after the transfer")
    expect(live.locator("tr[data-status=in_conversation]")).to_contain_text("Bertil")
    expect(live.locator("tr[data-status=available]")).to_contain_text("Anna")

    # The conversation goes on, in order, with the colleague.
    young.locator("#message").fill("Andra meddelandet")
    young.locator("#composer button[type=submit]").click()
    expect(taken.locator(".message.them .text")).to_have_text("Andra meddelandet")
    taken.locator("[data-field=text]").fill("Hej, det är Bertil nu.")
    taken.locator("[data-form=message] button[type=submit]").click()
    expect(young.locator("#messages .message.them .text")).to_have_text(
        ["Hej, jag heter Anna.", "Hej, det är Bertil nu."]
    )
    expect(young.locator("#messages .message.me .text")).to_have_text(
        ["Första meddelandet", "Andra meddelandet"]
    )
    taken.locator("[data-field=controls] [data-action=end]").click()
    expect(young.locator("#ended")).to_be_visible()
    _reachable(taken.locator("[data-field=record]"), "colleague's console, the post-chat form")
    # Today's counts on the supervisor's page: one taken, one ended.
    expect(live.locator("[data-figure=taken]")).to_have_text("1")
    expect(live.locator("[data-figure=ended]")).to_have_text("1")
    for context in (young_context, first_context, second_context, supervisor_context):
        context.close()
