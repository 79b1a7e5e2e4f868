"""Every kind of page works under the site's Content-Security-Policy: no console error,
no violation, in a real browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/page/2/",
    "/posts/first-post/",
    "/posts/first-post/?replytocom=none",
    "/tags/",
    "/tags/back-pain/",
    "/archive/",
    "/search?q=sleep",
    "/search?q=zzzqqq",
    "/about/",
    "/contact/",
    "/gallery/",
    "/no-such-page/",
]


@pytest.mark.parametrize("path", PAGES)
def test_each_page_loads_without_console_errors_or_policy_violations(
    page: Page, live_server: str, path: str
) -> None:
    errors: list[str] = []

    def noted(message: ConsoleMessage) -> None:
        if message.type == "error" and not _expected(path, message.text):
            errors.append(message.text)

    page.on("console", noted)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto(live_server + path)
    page.wait_for_load_state("networkidle")
    page.keyboard.press("Tab")  # focus styles and scripts that wake on interaction
    assert page.evaluate("window.__violations") == []
    assert errors == []


def _expected(path: str, text: str) -> bool:
    # The 404 page's own status is reported by Chromium as a failed resource load.
    return path == "/no-such-page/" and "404" in text


def test_the_policy_is_enforced_so_the_checks_above_mean_something(
    page: Page, live_server: str
) -> None:
    page.add_init_script(
        "window.__violations = [];"
        "document.addEventListener('securitypolicyviolation',"
        " e => window.__violations.push(e.violatedDirective));"
    )
    page.goto(live_server + "/")
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("window.__violations")[0].startswith("style-src")
