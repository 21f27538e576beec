"""What each role's browser test checks on every page of its job (issue 16): no sideways
scrolling at 320 CSS px, and no axe-core violation at 200 % zoom."""

from browsing import accessibility_violations

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
NARROW = {"width": 320, "height": 640}
# 200 % zoom of a 1280 px window: the page lays out in 640 CSS px, drawn at twice the size.
ZOOMED = {"width": 640, "height": 400}

_OVERFLOW = """() => {
    const root = document.documentElement;
    const wide = [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
        .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
    return [root.scrollWidth - root.clientWidth, wide.slice(0, 5)];
}"""


def sideways_scroll(page) -> tuple[int, list[str]]:  # noqa: ANN001
    """How many CSS px the page scrolls sideways, and the first elements that stick out."""
    return page.evaluate(_OVERFLOW)


def check_reflow_and_axe(page, where: str) -> list[str]:  # noqa: ANN001
    """The page at 320 px (no sideways scroll) and at 200 % zoom (no axe violation), then back
    to the viewport it had; problems as lines, for one assertion at the end of a test."""
    problems = []
    size = page.viewport_size
    page.set_viewport_size(NARROW)
    overflow, wide = sideways_scroll(page)
    if overflow > 0:
        problems.append(f"{where}: scrolls {overflow}px sideways at 320px ({', '.join(wide)})")
    page.set_viewport_size(ZOOMED)
    problems += [f"{where} at 200%: {line}" for line in accessibility_violations(page)]
    page.set_viewport_size(size)
    return problems
