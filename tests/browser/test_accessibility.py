"""axe-core finds no WCAG 2.1 A or AA violation on any page of the application, in Swedish or in
English. The pages come from the URL configuration (as in the access matrix), so a new page is
checked as soon as it exists; each is visited as a user who may see it."""

import pytest
from browsing import accessibility_violations, signed_in_context, switch_language
from django.urls import get_resolver, reverse

from samverkan.accounts.models import Role, User
from samverkan.core.tests.test_access_matrix import CAST, EXPECTED, OK, _names

# URLs that are no page of their own: actions answered with a redirect, and downloads.
NOT_PAGES = {
    "accounts:logout": "a POST that signs out",
    "set_language": "a POST that sets the language",
    "records:clinic_session_add": "a POST from the client's page",
    "records:clinic_close": "a POST from the client's page",
    "records:clinic_edit": "a client's details are not changed after registration",
    "records:chat_export": "a download (tested in test_workflows)",
    "records:support_export": "a download",
    "records:clinic_export": "a download",
}
# Pages nobody in the access matrix's cast reaches, with the visitor who does.
SPECIAL_VISITORS = {"accounts:setup": "newcomer"}  # a user without an authenticator yet


def _pages() -> list[str]:
    return sorted(name for name in _names(get_resolver()) if name not in NOT_PAGES)


def _visitor(name: str) -> str:
    if name in SPECIAL_VISITORS:
        return SPECIAL_VISITORS[name]
    allowed = [who for who in CAST if EXPECTED.get(name, {}).get(who) == OK]
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
        response = page.goto(url)
        switch_language(page, language)
        assert response.status == 200 and page.url == url, f"{name} as {who}: {page.url}"
        visited.append(name)
        violations = accessibility_violations(page)
        if violations:
            found[name] = violations
        # A form is seen with its errors too: they must be as accessible as the form.
        submit = page.locator("main form[method=post] button[type=submit]")
        if name.endswith(("_create", "_edit", ":register", ":login", ":verify", ":setup")):
            if name.endswith("_edit"):
                page.locator("main form[method=post] input[type=number]").first.fill("-1")
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
    report = "\n".join(f"{name}: {line}" for name, lines in sorted(found.items()) for line in lines)
    assert not found, f"accessibility violations ({language}):\n{report}"


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
