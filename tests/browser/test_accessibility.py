"""axe-core finds no WCAG 2.1 A or AA violation on any page of the application, in Swedish or in
English, and keyboard focus shows on every element of every page. The pages come from the URL configuration (as in the access matrix), so a new page is
checked as soon as it exists; each is visited as a user who may see it."""

import pytest
from browsing import accessibility_violations, signed_in_context, switch_language, tab_through
from django.urls import get_resolver, reverse

from samverkan.accounts.models import Role, User
from samverkan.core.tests.test_access_matrix import (
    CAST,
    EXPECTED,
    NOT_ALLOWED,
    OK,
    UNAUTHENTICATED,
    _names,
)

# Which URLs are pages a person reads is derived where it can be: an action that refuses a GET
# from everyone signed in (405 in the access matrix) is a POST from another page, one that
# answers them all 401 is for partners' systems, and a URL whose answer is not HTML (a
# download, JSON) is seen at run time. The
# rest that nobody in the matrix's cast sees is named here, with the reason.
NOT_PAGES = {
    "home": "sends each user on to their first page",
    "set_language": "a POST that sets the language and goes back",
    "records:clinic_edit": "a client's details are not changed after registration",
    "statistics:history_choose": "sends the coordinator on to the chosen unit's history",
    "accounts:oidc_login": "sends the browser on to the identity provider (test_oidc.py)",
    "accounts:oidc_callback": "where the identity provider sends the browser back (tests/browser/test_oidc.py)",
    "chat:supervisor_events": "the supervisor page's live events, a stream that stays open (test_chat_transfer.py)",
}
# Pages known to fail, kept in sight: the test fails when one of them passes (strike it off) and
# when any other page fails. Not for the application's own templates: fix those.
KNOWN_FAILURES: dict[str, str] = {}  # page name -> why it may fail for now (none)
# Pages nobody in the access matrix's cast reaches, with the visitor who does.
SPECIAL_VISITORS = {"accounts:setup": "newcomer"}  # a user without an authenticator yet


def _not_for_people(name: str) -> bool:
    """A POST from another page (GET refused: 405), or an interface for partners' systems that
    answers a signed-in person's session with 401."""
    statuses = {EXPECTED[name][who] for who in CAST if who != "anonymous"}
    return statuses <= {NOT_ALLOWED, UNAUTHENTICATED}


def _pages() -> list[str]:
    """Every page of the URL configuration. One without its row in the access matrix is left
    to the access matrix's own test, which fails until the row is written."""
    return sorted(
        name
        for name in _names(get_resolver())
        if name in EXPECTED and name not in NOT_PAGES and not _not_for_people(name)
    )


def _visitor(name: str) -> str:
    if name in SPECIAL_VISITORS:
        return SPECIAL_VISITORS[name]
    allowed = [who for who in CAST if EXPECTED[name][who] == OK]
    assert allowed, f"{name}: nobody may see it; add it to NOT_PAGES or SPECIAL_VISITORS"
    return allowed[0]


def test_every_page_has_a_visitor():
    for name in _pages():
        _visitor(name)
    assert set(NOT_PAGES) <= set(_names(get_resolver()))


@pytest.mark.parametrize("language", ["sv", "en"])
def test_no_page_has_accessibility_violations(browser, site, world, small, language):
    users, arguments = world
    users["newcomer"] = User.objects.create_user(
        "newcomer", password="x" * 16, role=Role.VOLUNTEER, unit=small.chat
    )
    contexts = {}
    found = {}
    visited = []
    for name in _pages():
        who = _visitor(name)
        if who not in contexts:
            if who == "anonymous":
                contexts[who] = browser.new_context()
            elif who == "newcomer":
                contexts[who] = _password_only_context(browser, site, users[who])
            else:
                contexts[who] = signed_in_context(browser, site, users[who])
        page = contexts[who].pages[0] if contexts[who].pages else contexts[who].new_page()
        url = site.url(reverse(name, args=arguments.get(name, [])))
        visited.append(name)
        answer = contexts[who].request.get(url, max_redirects=0)
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue  # a download or JSON, not a page (exports: see test_workflows)
        response = page.goto(url)
        in_layout = page.locator("header form.language").count() > 0
        if in_layout:
            switch_language(page, language)
        elif language != "sv":
            continue  # a page outside the layout (the API's documentation): one language only
        else:
            page.wait_for_load_state("networkidle")  # drawn by its script: wait till it is
        assert response.status == 200 and page.url == url, f"{name} as {who}: {page.url}"
        violations = accessibility_violations(page)
        if in_layout and language == "sv":  # focus styles do not depend on the language
            violations += [
                f"focus not visible: {what}" for what, visible in tab_through(page) if not visible
            ]
        if violations:
            found[name] = violations
        # A form is seen with its errors too: they must be as accessible as the form.
        submit = page.locator("main form[method=post] button[type=submit]")
        action = name.rsplit(":", 1)[-1].rsplit("_", 1)[-1]
        if action in {"create", "register", "login", "verify", "setup"} or (
            action == "edit" and _make_invalid(page)
        ):
            if name == "accounts:login":
                page.locator("input[name=username]").fill("nobody")
                page.locator("input[name=password]").fill("not the password")
            submit.first.click()
            page.wait_for_load_state()
            assert page.locator(".error, [role=alert]").count(), f"{name}: no errors shown"
            violations = accessibility_violations(page)
            if violations:
                found[f"{name} (with errors)"] = violations
    for context in contexts.values():
        context.close()
    assert visited == _pages()
    known = {name for name in KNOWN_FAILURES if name in visited}
    if language == "sv":  # pages outside the layout are seen in the Swedish run only
        assert known <= set(found), f"passes now, strike off KNOWN_FAILURES: {known - set(found)}"
    found = {name: lines for name, lines in found.items() if name not in KNOWN_FAILURES}
    report = "\n".join(f"{name}: {line}" for name, lines in sorted(found.items()) for line in lines)
    assert not found, f"accessibility violations ({language}):\n{report}"


def _make_invalid(page) -> bool:  # noqa: ANN001
    """A change that the form refuses: a negative number, or else a required field emptied;
    False for a form where every field may be left empty."""
    form = page.locator("main form[method=post]")
    number = form.locator("input[type=number]")
    if number.count():
        number.first.fill("-1")
        return True
    required = form.locator(
        "input[required]:not([type=hidden]):not([type=radio]):not([type=checkbox])"
    )
    if required.count():
        required.first.fill("")
        return True
    return False


def _password_only_context(browser, site, user):  # noqa: ANN001, ANN201
    """Signed in with the password only: the second factor is still to be set up."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    context = browser.new_context()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": site.url("/"),
            }
        ]
    )
    return context


def test_the_checker_finds_what_it_should(browser):
    """axe-core really runs: a page with an unlabelled field and an image without text fails."""
    page = browser.new_page()
    page.set_content(
        '<html lang="sv"><title>x</title><main><img src="x.png"><input name="age"></main></html>'
    )
    rules = {line.split(" ", 1)[0] for line in accessibility_violations(page)}
    assert {"image-alt", "label"} <= rules
    page.close()
