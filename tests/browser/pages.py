"""Every kind of page a visitor meets on the sample site, and how to get each one on screen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from playwright.sync_api import Page, expect

from tests.browser.conftest import THREADED

ARTICLE = f"/posts/{THREADED}/"


def refuse_a_reply(page: Page) -> None:
    """Send the article's reply form with an address the browser passes and we refuse."""
    page.get_by_label("Comment").fill("Kept words")
    page.get_by_label("Name").fill("Tom")
    page.get_by_label("Email").fill("tom@gmail")
    # A person takes a few seconds; say so after reply.js has timed the form.
    form = page.locator("form[data-reply-form]")
    form.evaluate(
        "f => f.addEventListener('submit', () => { f.elements.namedItem('elapsed').value = '30' })"
    )
    with page.expect_navigation() as sent:
        page.get_by_role("button", name="Post Reply").click()
    answer = sent.value
    assert answer is not None and answer.status == 422, answer and answer.status
    expect(page.locator("#reply-errors")).to_be_visible()


def open_the_viewer(page: Page) -> None:
    """Open the gallery's viewer on its first picture, as a click would."""
    page.locator("[data-viewer-item]").first.click()
    viewer = page.get_by_role("dialog")
    expect(viewer).to_be_visible()
    expect(viewer.locator(".viewer__image")).to_have_js_property("complete", True)


#: The live search's states: what to type, and what shows once it has answered.
STATES = {
    "results": ("walking", "#live-results [role=option]"),
    "no-results": ("xylophone", ".live-results--empty"),
    "did-you-mean": ("walkng", "#live-result-suggestion"),
}


def live_search(page: Page, state: str) -> None:
    """Type into the live search box until it shows the state's answer."""
    text, shown = STATES[state]
    box = page.get_by_role("combobox", name="Search articles")
    box.fill("")
    expect(page.locator("#live-results")).to_be_hidden()
    expect(page.locator(".live-results--empty")).to_be_hidden()
    box.press_sequentially(text, delay=10)
    expect(page.locator(shown).first).to_be_visible()


@dataclass(frozen=True)
class PageType:
    """A kind of page: where it is, and what a visitor does there to see it whole."""

    name: str
    path: str
    status: int = 200
    then: Callable[[Page], None] | None = field(default=None, compare=False)

    def visit(self, page: Page, base: str) -> None:
        """Go to the page and bring it to the state it is checked in."""
        answer = page.goto(base + self.path)
        assert answer is not None
        if self.then is None:
            assert answer.status == self.status, f"{self.path}: {answer.status}"
        else:
            page.wait_for_load_state("load")
            self.then(page)
        page.wait_for_load_state("load")


PAGE_TYPES = [
    PageType("home", "/"),
    PageType("page-2", "/page/2/"),
    PageType("article", ARTICLE),
    PageType("refused-reply", ARTICLE, status=422, then=refuse_a_reply),
    PageType("tag", "/tags/back-pain/"),
    PageType("tags", "/tags/"),
    PageType("archive", "/archive/"),
    PageType("search", "/search?q=walking"),
    PageType("search-none", "/search?q=xylophone"),
    PageType("search-did-you-mean", "/search?q=walkng"),
    PageType("about", "/about/"),
    PageType("gallery", "/gallery/"),
    PageType("gallery-viewer", "/gallery/", then=open_the_viewer),
    PageType("gallery-item", "/gallery/sunrise-walk/"),
    PageType("not-found", "/no-such-page/", status=404),
]
BY_NAME = {kind.name: kind for kind in PAGE_TYPES}
