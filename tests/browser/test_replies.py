"""A visitor leaves a reply, the owner approves it, and another visitor answers it."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser


def test_reply_moderate_and_answer(page: Page, live_server: str, app: Flask) -> None:
    page.goto(live_server + "/posts/first-post/")
    expect(page.get_by_text("Your email address will not be published.")).to_be_visible()
    page.get_by_label("Comment").fill("This helped me sleep better.\n\nThank you!")
    page.get_by_label("Name").fill("Ann")
    page.get_by_label("Email").fill("ann@example.com")
    page.wait_for_timeout(3100)  # a person takes a few seconds; the form knows
    page.get_by_role("button", name="Post Reply").click()
    expect(page).to_have_url(live_server + "/posts/first-post/?reply=pending#replies")
    expect(page.locator("#replies").get_by_role("status")).to_contain_text("awaiting moderation")

    runner = app.test_cli_runner()
    reply_id = runner.invoke(args=["comments", "list"]).output.split()[0]
    assert runner.invoke(args=["comments", "approve", reply_id]).exit_code == 0

    page.goto(live_server + "/posts/first-post/")
    reply = page.locator(f"#reply-{reply_id}")
    expect(reply).to_contain_text("This helped me sleep better.")
    expect(page.get_by_role("heading", name="1 reply")).to_be_visible()
    reply.get_by_role("link", name="Reply to Ann").click()
    expect(page.get_by_role("heading", name="Reply to Ann")).to_be_visible()
    page.get_by_label("Comment").fill("Glad to hear it!")
    page.get_by_label("Name").fill("Ben")
    page.get_by_label("Email").fill("ben@example.com")
    page.wait_for_timeout(3100)
    page.get_by_role("button", name="Post Reply").click()
    expect(page.locator("#replies").get_by_role("status")).to_contain_text("awaiting moderation")
    answer = [r for r in app.extensions["folio"].replies.everything() if r.author == "Ben"]
    assert len(answer) == 1 and answer[0].parent == reply_id


def test_a_bad_email_is_explained_by_its_field(page: Page, live_server: str) -> None:
    page.goto(live_server + "/posts/first-post/")
    page.get_by_label("Comment").fill("Kept words")
    page.get_by_label("Name").fill("Ann")
    page.get_by_label("Email").fill("ann@")
    page.locator("form[data-reply-form]").evaluate("f => f.noValidate = true")
    page.wait_for_timeout(3100)
    page.get_by_role("button", name="Post Reply").click()
    email = page.get_by_label("Email")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#reply-email-error")).to_have_text("Please enter a valid email address.")
    expect(page.get_by_label("Comment")).to_have_value("Kept words")


def test_a_refused_reply_brings_the_visitor_to_what_needs_fixing(
    page: Page, live_server: str
) -> None:
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server + "/posts/first-post/")
    page.get_by_label("Comment").fill("Kept words")
    page.get_by_label("Name").fill("Tom")
    page.get_by_label("Email").fill("tom@gmail")  # the browser lets it through; we do not
    page.wait_for_timeout(3100)
    page.get_by_role("button", name="Post Reply").click()
    expect(page).to_have_url(live_server + "/posts/first-post/comments#respond")
    summary = page.locator("#reply-errors")
    expect(summary).to_be_focused()
    expect(summary).to_be_in_viewport()
    summary.get_by_role("link", name="Email").click()
    expect(page.get_by_label("Email")).to_be_focused()
