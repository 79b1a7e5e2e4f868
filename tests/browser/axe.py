"""axe-core (from node_modules/) run inside Chromium: WCAG 2.1 A and AA violations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from playwright.sync_api import Browser, Page

from tests.browser.conftest import NODE_MODULES

AXE = NODE_MODULES / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
Scheme = Literal["light", "dark"]
#: Phone and desktop, light and dark: every page is checked in each.
LOOKS: list[tuple[int, Scheme]] = [(390, "light"), (390, "dark"), (1280, "light"), (1280, "dark")]

RUN = """async (tags) => {
  const result = await axe.run(document, { runOnly: { type: "tag", values: tags } });
  return result.violations.map((v) =>
    `${v.id} (${v.impact}): ${v.help} at ` +
    v.nodes.map((n) => n.target.join(" ") + (n.failureSummary ? ` [${n.failureSummary}]` : ""))
      .join("; "));
}"""


@contextmanager
def axe_page(browser: Browser) -> Iterator[Page]:
    """A page that can take axe's script: the site's CSP refuses injected scripts."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    try:
        yield context.new_page()
    finally:
        context.close()


def look(page: Page, width: int, scheme: Scheme) -> None:
    """Resize the window and switch the colour scheme, without reloading."""
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)


def violations(page: Page) -> list[str]:
    """Each WCAG 2.1 A/AA violation on the page as it is now, in a line."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=AXE)
    found: list[str] = page.evaluate(RUN, WCAG_21_AA)
    return found
