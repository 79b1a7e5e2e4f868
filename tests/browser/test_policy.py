"""Every kind of page works under the site's Content-Security-Policy: no console error,
no violation, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page

from tests.browser.conftest import Served
from tests.browser.pages import PAGE_TYPES, STATES, PageType, live_search

pytestmark = pytest.mark.browser

WATCH_VIOLATIONS = (
    "window.__violations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
)


@pytest.mark.parametrize("kind", PAGE_TYPES, ids=lambda kind: kind.name)
def test_each_page_loads_without_console_errors_or_policy_violations(
    page: Page, served: Served, kind: PageType
) -> None:
    errors: list[str] = []

    def noted(message: ConsoleMessage) -> None:
        if message.type == "error" and not _expected(kind, message.text):
            errors.append(message.text)

    page.on("console", noted)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(WATCH_VIOLATIONS)
    kind.visit(page, served.url)
    page.wait_for_load_state("networkidle")
    page.keyboard.press("Tab")  # focus styles and scripts that wake on interaction
    assert page.evaluate("window.__violations") == []
    assert errors == []


def test_the_live_search_in_each_state_without_console_errors(page: Page, served: Served) -> None:
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(WATCH_VIOLATIONS)
    page.goto(served.url + "/")
    for state in STATES:
        live_search(page, state)
        page.keyboard.press("ArrowDown")
    assert page.evaluate("window.__violations") == []
    assert errors == []


def _expected(kind: PageType, text: str) -> bool:
    # Chromium reports a page's own error status (404, a refused reply's 422) as a failed
    # resource load; that is the page saying what happened, not a fault in it.
    return kind.status != 200 and f"status of {kind.status}" in text


def test_the_policy_is_enforced_so_the_checks_above_mean_something(
    page: Page, served: Served
) -> None:
    page.add_init_script(WATCH_VIOLATIONS)
    page.goto(served.url + "/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("window.__violations")[0].startswith("style-src")
