"""What the browser tests do again and again: sign in, switch language, ask axe-core."""

import re

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from samverkan.accounts.security import confirmed_device
from samverkan.conftest import sign_in

# The success criteria of WCAG 2.1 levels A and AA (axe-core's tags for them).
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_axe = Axe()


def current_code(user) -> str:  # noqa: ANN001
    """The code the user's authenticator app shows now."""
    device = confirmed_device(user)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:0{device.digits}d}"


def sign_in_by_form(page, site, user, password: str) -> None:  # noqa: ANN001
    """Sign in as a person does: password, then the code of the authenticator app."""
    page.goto(site.url(reverse("accounts:login")))
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"**{reverse('accounts:verify')}")
    page.locator("input[name=code]").fill(current_code(user))
    page.locator("main button[type=submit]").click()
    page.wait_for_url(lambda url: reverse("accounts:verify") not in url)


def signed_in_context(browser, site, user, **options):  # noqa: ANN001, ANN201
    """A browser context already past both factors (the session made on the server side, as
    the main suite's sign_in does): for tests about pages rather than about signing in."""
    client = Client()
    sign_in(client, user)
    context = browser.new_context(**options)
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


def switch_language(page, language: str) -> None:  # noqa: ANN001
    """Use the switch in the header (a POST to set_language) unless the page is in it already."""
    if page.locator("html").get_attribute("lang") == language:
        return
    page.locator(f"header form.language button[value={language}]").click()
    page.wait_for_function(f"document.documentElement.lang === '{language}'")


def accessibility_violations(page) -> list[str]:  # noqa: ANN001
    """axe-core's WCAG 2.1 A and AA violations on the page, one line per rule and element."""
    results = _axe.run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_21_AA},
            "resultTypes": ["violations"],
        },
    )
    lines = []
    for violation in results.response["violations"]:
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(
                f"{violation['id']} ({violation['impact']}): {target}: {violation['help']}"
            )
    return lines


# The focused element, and whether its focus shows: an outline 2px or wider whose colour has
# 3:1 contrast with the white page (WCAG 2.4.7 and 1.4.11).
_FOCUS = r"""() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const [r, g, b] = style.outlineColor.match(/\d+/g).slice(0, 3).map(Number);
    const linear = (c) => {
        c /= 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    };
    const luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
    return [
        el.outerHTML.slice(0, 80),
        style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2
            && 1.05 / (luminance + 0.05) >= 3,
    ];
}"""


def tab_through(page, presses: int = 80) -> list[tuple[str, bool]]:  # noqa: ANN001
    """Press Tab: each element reached (the start of its HTML) and whether its focus shows,
    until the focus leaves the page or comes round to the first again."""
    reached = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        what, visible = page.evaluate(_FOCUS)
        if what.startswith("<body") or (reached and what == reached[0][0]):
            break
        if (what, visible) not in reached:
            reached.append((what, visible))
    return reached


def first_number(text: str) -> int:
    """The first whole number in a text, its thousands separated by spaces or not."""
    match = re.search(r"\d[\d\s\u00a0\u202f]*", text)
    assert match, f"no number in {text!r}"
    return int(re.sub(r"\D", "", match.group()))
