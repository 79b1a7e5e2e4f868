"""With JavaScript off, every journey still works: browse, search, reply (and a refused
reply lands at its error summary), the gallery as links."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Served
from tests.browser.pages import ARTICLE

pytestmark = pytest.mark.browser


@pytest.fixture
def plain(browser: Browser) -> Iterator[Page]:
    """A phone-sized page with JavaScript disabled."""
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 800})
    yield context.new_page()
    context.close()


def test_browse_by_posts_pages_tags_and_archive(plain: Page, served: Served) -> None:
    plain.goto(served.url + "/")
    plain.get_by_role("link", name="Older posts").click()
    expect(plain).to_have_url(served.url + "/page/2/")
    plain.locator(".card__title a").first.click()
    expect(plain).to_have_url(re.compile(r"/posts/[a-z0-9-]+/$"))
    plain.locator(".post__header .tag").first.click()
    expect(plain).to_have_url(re.compile(r"/tags/[a-z0-9-]+/$"))
    expect(plain.get_by_role("heading", level=1)).to_contain_text("Posts tagged")
    plain.get_by_role("navigation", name="Main").get_by_role("link", name="Archive").click()
    expect(plain.get_by_role("heading", level=1)).to_have_text("Archive")


def test_search_from_the_top_of_the_page(plain: Page, served: Served) -> None:
    plain.goto(served.url + ARTICLE)
    box = plain.locator("#header-search")
    expect(box).to_be_in_viewport()
    box.fill("walking")
    box.press("Enter")
    expect(plain).to_have_url(served.url + "/search?q=walking")
    plain.locator(".search-result__title a").first.click()
    expect(plain.get_by_role("heading", level=1)).to_contain_text(re.compile("walk", re.I))


def test_reply_and_a_refused_reply(plain: Page, served: Served) -> None:
    plain.goto(served.url + ARTICLE)
    plain.get_by_label("Comment").fill("Written without scripts.")
    plain.get_by_label("Name").fill("Nora")
    plain.get_by_label("Email").fill("tom@gmail")  # the browser lets it through; we do not
    plain.get_by_role("button", name="Post Reply").click()
    expect(plain).to_have_url(served.url + ARTICLE + "comments#respond")
    summary = plain.locator("#reply-errors")
    expect(summary).to_be_in_viewport()  # the form posts to #respond: no scrolling needed
    expect(summary).to_contain_text("Email")
    plain.get_by_label("Email").fill("nora@example.com")
    expect(plain.get_by_label("Comment")).to_have_value("Written without scripts.")
    plain.get_by_role("button", name="Post Reply").click()
    expect(plain).to_have_url(served.url + ARTICLE + "?reply=pending#replies")
    expect(plain.locator("#replies").get_by_role("status")).to_contain_text("awaiting moderation")


def test_the_gallery_as_links(plain: Page, served: Served) -> None:
    plain.goto(served.url + "/gallery/")
    first = plain.locator(".gallery-grid__link").first
    href = first.get_attribute("href")
    first.click()
    expect(plain).to_have_url(served.url + str(href))
    title = plain.get_by_role("heading", level=1)
    before = title.text_content()
    plain.get_by_role("link", name=re.compile("^Next")).click()
    expect(title).not_to_have_text(str(before))
