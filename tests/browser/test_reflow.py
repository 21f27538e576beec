"""Reflow (WCAG 2.1, 1.4.10): every page of every role reads at 320 CSS px, on a 390 px phone
and at 200 % zoom (a 1280 px window at zoom 2 lays out 640 CSS px) without scrolling sideways,
and axe-core finds no violation at 200 % zoom.

A data table may scroll inside its own region (the success criterion's exception for content
that needs two dimensions): the page around it may not. The pages are those of the
accessibility walk (test_accessibility.py), each seen by every role that may see it.
"""

import os

import pytest
from browsing import accessibility_violations, signed_in_context
from django.urls import reverse
from test_accessibility import _not_for_people, _pages, _password_only_context

from samverkan.accounts.models import Role, User
from samverkan.core.tests.test_access_matrix import CAST, EXPECTED, OK

# (name, CSS width, height): the narrowest the criterion names, a phone, 200 % of 1280 px.
WIDTHS = [("200 % zoom", 640, 400), ("phone", 390, 844), ("320 px", 320, 640)]

# The page's own width against the window's, and the outermost elements that stick out (a
# table in a scrolling region is inside the page's width, and so is not one).
_OVERFLOW = r"""() => {
    const root = document.documentElement;
    const width = root.clientWidth;
    if (root.scrollWidth <= width) return [];
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.right <= width + 1) continue;
        let inner = el.parentElement, nested = false;
        while (inner && inner !== document.body) {
            // Inside an element already found, or inside one that scrolls or clips by itself.
            if (out.includes(inner) || getComputedStyle(inner).overflowX !== 'visible') {
                nested = true;
                break;
            }
            inner = inner.parentElement;
        }
        if (!nested) out.push(el);
    }
    return [`${root.scrollWidth}px wide`].concat(out.slice(0, 6).map(
        (el) => `${el.outerHTML.slice(0, 70)} (right edge ${Math.round(el.getBoundingClientRect().right)}px)`));
}"""

# Words cut over lines (a date broken at its hyphens, a heading letter by letter): a date, a
# number or a short word whose text takes more than one line. Longer strings (a file's header
# row, an address, a long compound word on 320 px) may break where they must.
_BROKEN_WORDS = r"""() => {
    const found = [];
    const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest('.visually-hidden, [hidden], script, style, select, textarea')) continue;
        for (const word of node.textContent.matchAll(/(?<![^\s])[^\s]{4,20}(?![^\s])/g)) {
            // A date or a figure, or a short word: never cut. A long compound word may break
            // where it cannot fit the line (the criterion allows it), and a word at its hyphen.
            const figure = /\d/.test(word[0]) && /^[\d\-–:.,/()%]+$/.test(word[0]);
            if (!figure && (word[0].length > 10 || word[0].includes('-'))) continue;
            const range = document.createRange();
            range.setStart(node, word.index);
            range.setEnd(node, word.index + word[0].length);
            const tops = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
            if (tops.size > 1) found.push(word[0].slice(0, 30));
        }
    }
    return found.slice(0, 4);
}"""


def _visits() -> list[tuple[str, str]]:
    """(role, page) for every page of every role that may see it; the set-up of a first
    authenticator as a newcomer."""
    visits = []
    only = os.environ.get("REFLOW_ONLY", "")
    for who in CAST:
        for name in _pages():
            if only and not name.startswith(only):
                continue
            if name == "accounts:setup" or _not_for_people(name):
                continue
            if EXPECTED[name][who] == OK:
                visits.append((who, name))
    visits.append(("newcomer", "accounts:setup"))
    return visits


def test_every_page_of_every_role_reflows_at_320_px_and_200_percent_zoom(
    browser, site, world, small
):
    users, arguments = world
    users["newcomer"] = User.objects.create_user(
        "newcomer", password="x" * 16, role=Role.VOLUNTEER, unit=small.chat
    )
    found: dict[str, list[str]] = {}
    checked_by_axe: set[str] = set()
    pages_seen = 0
    contexts = {}
    options = {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}
    for who, name in _visits():
        if who not in contexts:
            if who == "anonymous":
                contexts[who] = browser.new_context(**options)
            elif who == "newcomer":
                contexts[who] = _password_only_context(browser, site, users[who])
            else:
                contexts[who] = signed_in_context(browser, site, users[who], **options)
        context = contexts[who]
        page = context.pages[0] if context.pages else context.new_page()
        url = site.url(reverse(name, args=arguments.get(name, [])))
        answer = context.request.get(url, max_redirects=0)
        if not answer.headers.get("content-type", "").startswith("text/html"):
            continue  # a download or JSON
        page.set_viewport_size({"width": 640, "height": 400})
        page.goto(url)
        if page.locator("header.site").count() == 0:
            continue  # outside the layout (the API's own documentation pages)
        pages_seen += 1
        for label, width, height in WIDTHS:
            page.set_viewport_size({"width": width, "height": height})
            problems = page.evaluate(_OVERFLOW)
            problems += [
                f"a word broken over lines: {word}" for word in page.evaluate(_BROKEN_WORDS)
            ]
            if label == "200 % zoom" and name not in checked_by_axe:
                checked_by_axe.add(name)
                problems += accessibility_violations(page)
            if problems:
                found[f"{name} as {who} at {label}"] = problems
    for context in contexts.values():
        context.close()
    assert pages_seen > 40 or os.environ.get("REFLOW_ONLY"), pages_seen
    report = "\n".join(
        f"{where}: {line}" for where, lines in sorted(found.items()) for line in lines
    )
    assert not found, f"pages that scroll sideways or break words:\n{report}"


@pytest.mark.parametrize("width", [320, 640, 1280])
def test_the_main_menu_of_the_role_with_most_pages_stays_one_line(browser, site, world, width):
    """Seen at 200 % zoom: the coordinator's menu took three lines before the page began (and two
    on a desktop)."""
    users, _arguments = world
    context = signed_in_context(
        browser, site, users["coordinator"], viewport={"width": width, "height": 600}
    )
    page = context.new_page()
    page.goto(site.url(reverse("dashboard:overview")))
    links = page.locator("nav.menu a")
    assert links.count() >= 6
    tops = {round(box["y"]) for box in (links.nth(i).bounding_box() for i in range(links.count()))}
    assert len(tops) == 1, f"the menu takes {len(tops)} lines"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # Every item is still reached: by the keyboard, which scrolls the strip, not the page.
    last = links.nth(links.count() - 1)
    last.focus()
    box = last.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= width + 1
    context.close()


@pytest.mark.parametrize(
    ("name", "who"), [("governance:overview", "coordinator"), ("accounts:audit_log", "coordinator")]
)
def test_governance_and_the_audit_log_do_not_scroll_sideways_at_200_percent_zoom(
    browser, site, world, name, who
):
    """Seen at 200 % zoom: /styrning/ and /konto/logg/ scrolled sideways."""
    users, _arguments = world
    context = signed_in_context(
        browser, site, users[who], viewport={"width": 640, "height": 400}, device_scale_factor=2
    )
    page = context.new_page()
    page.goto(site.url(reverse(name)))
    for width in (640, 320):
        page.set_viewport_size({"width": width, "height": 400})
        assert page.evaluate(_OVERFLOW) == [], f"{name} at {width}px"
    context.close()


def test_the_dates_of_reports_due_stay_on_one_line_at_200_percent_zoom(browser, site, world):
    """Seen at 200 % zoom: the dates in "Rapporter att lämna" wrapped letter by letter."""
    users, _arguments = world
    context = signed_in_context(
        browser,
        site,
        users["coordinator"],
        viewport={"width": 640, "height": 400},
        device_scale_factor=2,
    )
    page = context.new_page()
    page.goto(site.url(reverse("governance:overview")))
    dates = page.locator("main table time")
    assert dates.count() >= 3
    for width in (640, 390, 320):
        page.set_viewport_size({"width": width, "height": 400})
        heights = dates.evaluate_all("(all) => all.map((el) => el.getClientRects().length)")
        assert set(heights) == {1}, f"a date over {max(heights)} lines at {width}px"
    assert page.evaluate(_BROKEN_WORDS) == []
    context.close()
