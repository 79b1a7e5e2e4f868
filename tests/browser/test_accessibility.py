"""axe-core finds no WCAG 2.1 A/AA violation on any page type, phone or desktop, light or
dark, nor in any state of the live search."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.axe import LOOKS, axe_page, look, violations
from tests.browser.conftest import Served
from tests.browser.pages import PAGE_TYPES, STATES, PageType, live_search

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("kind", PAGE_TYPES, ids=lambda kind: kind.name)
def test_no_violations_on_each_page_type(browser: Browser, served: Served, kind: PageType) -> None:
    found: dict[str, list[str]] = {}
    with axe_page(browser) as page:
        kind.visit(page, served.url)
        for width, scheme in LOOKS:
            look(page, width, scheme)
            found[f"{width}px {scheme}"] = violations(page)
    assert not any(found.values()), report(found)


def report(found: dict[str, list[str]]) -> str:
    """The violations, a line each, under the look they were found in."""
    return "\n".join(f"{look}: {line}" for look, lines in found.items() for line in lines)


@pytest.mark.parametrize("state", STATES)
def test_no_violations_with_the_live_search_open(
    browser: Browser, served: Served, state: str
) -> None:
    found: dict[str, list[str]] = {}
    with axe_page(browser) as page:
        page.goto(served.url + "/")
        for width, scheme in LOOKS:
            look(page, width, scheme)
            live_search(page, state)
            found[f"{width}px {scheme}, open"] = violations(page)
            page.keyboard.press("ArrowDown")  # an option chosen, as a keyboard user would
            found[f"{width}px {scheme}, chosen"] = violations(page)
    assert not any(found.values()), report(found)
