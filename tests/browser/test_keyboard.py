"""The whole site by keyboard alone: every stop shows where focus is; live search, a refused
reply and the gallery viewer work without a mouse."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Served
from tests.browser.pages import ARTICLE

pytestmark = pytest.mark.browser

#: What the focused element is and whether a visitor can see that it has focus.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const shadow = style.boxShadow !== "none";
  const box = el.getBoundingClientRect();
  const seen = box.bottom > 0 && box.top < innerHeight && box.right > 0 && box.left < innerWidth;
  const name = (el.id ? "#" + el.id : "") || el.getAttribute("aria-label") || el.textContent;
  return { tag: el.tagName, name: name.trim().slice(0, 40), shown: outline || shadow, seen };
}"""


def tab_stops(page: Page, limit: int = 300) -> list[dict[str, object]]:
    """Every stop Tab makes on the page, from its top, once round."""
    stops: list[dict[str, object]] = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        here = page.evaluate(FOCUSED)
        if here is None or (stops and here == stops[0]):
            break  # out of the page (to the browser's own controls) or round again
        stops.append(here)
    return stops


def tab_to(page: Page, selector: str, limit: int = 300) -> None:
    """Tab from where focus is until the element is focused (as a visitor would)."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} is not reached by Tab")


def test_tabbing_through_the_home_page_shows_focus_at_every_stop(
    page: Page, served: Served
) -> None:
    page.goto(served.url + "/")
    stops = tab_stops(page)
    names = [stop["name"] for stop in stops]
    assert names[0] == "Skip to content"
    assert "#header-search" not in names  # hidden on a desktop, so not a stop
    assert "#sidebar-search" in names
    assert len(stops) > 20, names  # posts, menu, sidebar: the whole page, not a trap
    assert [s for s in stops if not s["shown"]] == [], "focus must be visible at each stop"
    assert [s for s in stops if not s["seen"]] == [], "each stop is scrolled into view"


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("path", [ARTICLE, "/search?q=walking", "/tags/", "/gallery/", "/about/"])
def test_every_stop_shows_focus_on_each_page_type(
    page: Page, served: Served, path: str, width: int
) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(served.url + path)
    stops = tab_stops(page)
    assert len(stops) > 5, stops
    assert stops[0]["name"] == "Skip to content"
    assert [s for s in stops if not s["shown"]] == [], "focus must be visible at each stop"
    assert [s for s in stops if not s["seen"]] == [], "each stop is scrolled into view"


def test_live_search_by_keyboard(page: Page, served: Served) -> None:
    page.goto(served.url + "/")
    box = page.locator("#sidebar-search")
    while not page.evaluate("document.activeElement.id === 'sidebar-search'"):
        page.keyboard.press("Tab")
    page.keyboard.type("walking", delay=20)
    listbox = page.get_by_role("listbox", name="Matching articles")
    expect(listbox).to_be_visible()
    first = listbox.get_by_role("option").first
    page.keyboard.press("ArrowDown")
    expect(first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "live-result-0")
    expect(box).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/posts/[a-z0-9-]+/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("walk", re.I))


def test_a_refused_reply_by_keyboard_lands_on_its_error_summary(page: Page, served: Served) -> None:
    page.goto(served.url + ARTICLE)
    tab_to(page, "#reply-comment")
    page.keyboard.type("Kept words, typed by hand.")
    page.keyboard.press("Tab")
    page.keyboard.type("Tom")
    page.keyboard.press("Tab")
    page.keyboard.type("tom@gmail")  # the browser lets it through; the server does not
    expect(page.get_by_label("Email")).to_be_focused()
    page.wait_for_timeout(3100)  # a person takes a few seconds; the form knows
    page.keyboard.press("Enter")  # Enter in a field submits its form
    expect(page).to_have_url(served.url + ARTICLE + "comments#respond")
    summary = page.locator("#reply-errors")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    assert page.evaluate(FOCUSED)["shown"]
    page.keyboard.press("Tab")  # the summary's link to the field
    expect(summary.get_by_role("link", name="Email")).to_be_focused()
    page.keyboard.press("Enter")
    email = page.get_by_label("Email")
    expect(email).to_be_focused()
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_attribute("aria-describedby", re.compile("reply-email-error"))
    expect(page.get_by_label("Comment")).to_have_value("Kept words, typed by hand.")


def test_the_gallery_viewer_opens_and_closes_by_keyboard(page: Page, served: Served) -> None:
    page.goto(served.url + "/gallery/")
    first = page.locator("[data-viewer-item]").first
    while not first.evaluate("el => el === document.activeElement"):
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    viewer = page.get_by_role("dialog")
    expect(viewer).to_be_visible()
    expect(page.get_by_role("button", name="Close")).to_be_focused()
    assert page.evaluate(FOCUSED)["shown"]
    page.keyboard.press("ArrowRight")
    expect(viewer.locator(".viewer__count")).to_have_text("Picture 2 of 6")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(first).to_be_focused()
