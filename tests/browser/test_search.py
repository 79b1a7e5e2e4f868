"""A visitor searches: live results under the box, chosen with the keyboard; the plain form."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

pytestmark = pytest.mark.browser


def type_into_the_box(page: Page, live_server: str, text: str) -> tuple[Locator, Locator]:
    """Type on the home page's search box until live results show; the box and the list."""
    page.goto(live_server + "/")
    box = page.get_by_role("combobox", name="Search articles")
    box.press_sequentially(text, delay=20)
    listbox = page.get_by_role("listbox", name="Matching articles")
    expect(listbox).to_be_visible()
    return box, listbox


def test_typing_shows_live_results_and_the_keyboard_picks_one(page: Page, live_server: str) -> None:
    box, listbox = type_into_the_box(page, live_server, "teleph")  # an unfinished word
    options = listbox.get_by_role("option")
    expect(options.first).to_contain_text("Contact")
    expect(options.first.locator("mark")).to_have_text("telephone")
    expect(box).to_have_attribute("aria-expanded", "true")
    box.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", "live-result-0")
    box.press("Enter")
    expect(page).to_have_url(live_server + "/contact/")


def test_escape_closes_the_list_and_enter_submits_the_form(page: Page, live_server: str) -> None:
    box, listbox = type_into_the_box(page, live_server, "body")
    box.press("Escape")
    expect(listbox).to_be_hidden()
    box.press("Enter")
    expect(page).to_have_url(live_server + "/search?q=body")
    expect(page.get_by_role("heading", level=1)).to_have_text("Results for “body”")


def test_a_second_escape_clears_the_box_as_a_search_field_does(
    page: Page, live_server: str
) -> None:
    box, listbox = type_into_the_box(page, live_server, "body")
    expect(box).to_have_attribute("type", "text")  # a combobox is a text field, not type=search
    box.press("Escape")
    expect(listbox).to_be_hidden()
    expect(box).to_have_value("body")
    box.press("Escape")
    expect(box).to_have_value("")


def test_the_form_works_without_javascript(browser: Browser, live_server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server + "/")
    page.get_by_role("searchbox", name="Search articles").fill("telephone")
    page.get_by_role("button", name="Search").first.click()
    expect(page).to_have_url(live_server + "/search?q=telephone")
    expect(page.locator(".search-result__title")).to_have_text("Contact")
    context.close()


def test_did_you_mean_is_an_option_that_leads_to_the_corrected_search(
    page: Page, live_server: str
) -> None:
    box, listbox = type_into_the_box(page, live_server, "contct ")
    suggestion = listbox.get_by_role("option", name="Did you mean contact?")
    expect(suggestion).to_be_visible()
    box.press("ArrowDown")
    expect(suggestion).to_have_attribute("aria-selected", "true")
    # The chosen option has an outline, not only a tint.
    assert suggestion.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    box.press("Enter")
    expect(page).to_have_url(live_server + "/search?q=contact")


def test_no_results_is_a_message_not_an_empty_listbox(page: Page, live_server: str) -> None:
    page.goto(live_server + "/")
    box = page.get_by_role("combobox", name="Search articles")
    box.press_sequentially("xylophone ", delay=20)
    expect(page.locator(".live-results--empty")).to_have_text("No results.")
    expect(page.locator("#live-results")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    assert page.locator('[role="listbox"]:visible').count() == 0


def test_see_all_stays_in_view_in_a_short_window(browser: Browser, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 420})
    page = context.new_page()
    page.goto(live_server + "/")
    box = page.get_by_role("combobox", name="Search articles")
    box.press_sequentially("post body text", delay=20)
    every = page.get_by_role("option", name=re.compile(r"See all \d+ results"))
    expect(every).to_be_visible()
    expect(every).to_be_in_viewport()
    context.close()
