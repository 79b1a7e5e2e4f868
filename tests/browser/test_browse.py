"""A visitor browses: home page, tag cloud, tag page, article; and a phone-sized screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_home_to_tag_to_article(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    expect(page).to_have_title("Test Clinic – Notes for testing")
    cloud = page.locator(".widget--tags")
    cloud.get_by_role("link", name="exercise").click()
    expect(page).to_have_url(live_server + "/tags/exercise/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Posts tagged “exercise”")
    page.get_by_role("link", name="Third post").click()
    expect(page).to_have_url(live_server + "/posts/third-post/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Third post")
    page.locator(".prose").get_by_role("link", name="the first").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("First post")


def test_skip_link_moves_focus_to_the_content(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page).to_have_url(live_server + "/#content")


def test_sidebar_sits_beside_on_desktop_and_below_on_phones(page: Page, live_server: str) -> None:
    page.goto(live_server + "/posts/first-post/")
    main, aside = page.locator("main").bounding_box(), page.locator("aside").bounding_box()
    assert main and aside and aside["x"] > main["x"] + main["width"] - 1
    page.set_viewport_size({"width": 390, "height": 800})
    main, aside = page.locator("main").bounding_box(), page.locator("aside").bounding_box()
    assert main and aside and aside["y"] >= main["y"] + main["height"] - 1
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "nothing may scroll sideways on a phone"


def test_on_a_phone_search_is_at_the_top_and_on_a_desktop_in_the_sidebar(
    page: Page, live_server: str
) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server + "/")
    header_box = page.locator("#header-search")
    expect(header_box).to_be_visible()
    box = header_box.bounding_box()
    assert box is not None and box["y"] < 250  # in the first screen, not after every post
    header_box.fill("walking")
    header_box.press("Enter")
    expect(page).to_have_url(live_server + "/search?q=walking")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server + "/")
    expect(page.locator("#header-search")).to_be_hidden()
    expect(page.locator("#sidebar-search")).to_be_visible()
