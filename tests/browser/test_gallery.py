"""The gallery's viewer, driven by keyboard: open, step with arrows, Escape, focus back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, expect

from tests.conftest import settle
from tests.gallery.pictures import photo, png

pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app: Callable[..., Flask], content: Path) -> Flask:
    folder = content / "gallery"
    photo(folder / "walk.jpg", (1200, 800))
    png(folder / "spine.png", (800, 600))
    photo(folder / "stretch.jpg", (900, 900), orientation=6)
    (folder / "gallery.yml").write_text(
        "- {file: walk.jpg, title: Dawn walk, caption: Out early., alt: A path at dawn}\n"
        "- {file: spine.png, title: The spine, alt: A spine's curves}\n",
        encoding="utf-8",
    )
    app = make_app()
    settle(app)
    return app


@pytest.fixture
def browser_without_js(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1280, "height": 900}
    )
    yield context.new_page()
    context.close()


def test_the_viewer_opens_steps_and_closes_from_the_keyboard(page: Page, live_server: str) -> None:
    page.goto(live_server + "/gallery/")
    first = page.locator("[data-viewer-item]").first
    first.focus()
    page.keyboard.press("Enter")
    viewer = page.get_by_role("dialog")
    expect(viewer).to_be_visible()
    expect(viewer.get_by_role("heading")).to_have_text("Dawn walk")
    expect(viewer.locator(".viewer__image")).to_have_attribute("alt", "A path at dawn")
    expect(page.get_by_role("button", name="Close")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(viewer.get_by_role("heading")).to_have_text("The spine")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")  # round to the last
    expect(viewer.get_by_role("heading")).to_have_text("Stretch")
    loaded = viewer.locator(".viewer__image").evaluate("img => img.complete && img.naturalWidth")
    assert loaded is not None
    for _ in range(6):  # Tab stays inside the open viewer
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.closest('dialog') !== null")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    expect(first).to_be_focused()


def test_without_javascript_a_thumbnail_is_a_link_to_the_images_page(
    browser_without_js: Page, live_server: str
) -> None:
    page = browser_without_js
    page.goto(live_server + "/gallery/")
    page.locator("main").get_by_role("link", name="A path at dawn").click()
    expect(page).to_have_url(live_server + "/gallery/walk/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dawn walk")
    page.get_by_role("link", name="Next → The spine").click()
    expect(page).to_have_url(live_server + "/gallery/spine/")


def test_thumbnails_load_and_nothing_scrolls_sideways_on_a_phone(
    page: Page, live_server: str
) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server + "/gallery/")
    images = page.locator(".gallery-grid img")
    expect(images).to_have_count(3)
    for index in range(3):
        image = images.nth(index)
        image.scroll_into_view_if_needed()
        expect(image).to_have_js_property("complete", True)
        assert image.evaluate("img => img.naturalWidth") > 0
        box = image.bounding_box()
        assert box and abs(box["width"] - box["height"]) < 1  # square
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
