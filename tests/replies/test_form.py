from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from werkzeug.datastructures import MultiDict

from folio.content.entries import Post
from folio.replies.form import ReplyForm, cross_site, replies_open

GOOD = {"author": "Ann", "email": "ann@example.com", "comment": "Thanks!", "elapsed": "30"}


def form(**changes: str) -> ReplyForm:
    return ReplyForm(MultiDict({**GOOD, **changes}))


def test_a_good_reply_validates() -> None:
    assert form(url="https://ann.example").validate()
    assert form().validate()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("author", "", "Please enter your name."),
        ("author", "   ", "Please enter your name."),
        ("author", "x" * 246, "under 245 characters"),
        ("email", "", "Please enter your email address."),
        ("email", "not-an-address", "valid email address"),
        ("email", "a" * 95 + "@example.com", "under 100 characters"),
        ("url", "javascript:alert(1)", "starting with http:// or https://"),
        ("url", "ftp://example.org", "starting with http:// or https://"),
        ("url", "https://example.org/" + "x" * 190, "under 200 characters"),
        ("comment", "", "Please write your comment."),
        ("comment", "x" * 65_526, "under 65,525 characters"),
    ],
)
def test_each_bad_field_gets_its_message(field: str, value: str, message: str) -> None:
    bad = form(**{field: value})
    assert not bad.validate()
    assert message in " ".join(bad.errors[field])


def test_the_longest_allowed_values_pass() -> None:
    assert form(author="x" * 245, comment="y" * 65_525).validate()


@pytest.mark.parametrize(
    ("changes", "automated"),
    [
        ({}, False),
        ({"elapsed": ""}, False),  # no JavaScript: no timing, not held against anyone
        ({"homepage": "http://spam.example"}, True),
        ({"elapsed": "0.4"}, True),
        ({"elapsed": "soon"}, True),
    ],
)
def test_bots_are_recognised(changes: dict[str, str], automated: bool) -> None:
    assert form(**changes).looks_automated() is automated


@pytest.mark.parametrize(
    ("fetch_site", "origin", "refused"),
    [
        ("cross-site", None, True),
        ("cross-site", "http://site.test", True),
        (None, "http://evil.test", True),
        ("same-origin", "https://site.test", True),  # the scheme is part of the origin
        ("same-origin", "http://site.test", False),
        ("same-site", "http://site.test", False),
        ("none", None, False),
        (None, None, False),
    ],
)
def test_cross_site_posts(fetch_site: str | None, origin: str | None, refused: bool) -> None:
    assert cross_site(fetch_site, origin, "http://site.test/") is refused


def test_replies_close_when_turned_off_or_after_some_days() -> None:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    post = Post(
        slug="p",
        title="P",
        summary="",
        reading_minutes=1,
        source="p.md",
        date=now - timedelta(days=40),
    )
    assert replies_open(post, now, None)
    assert replies_open(post, now, 60)
    assert not replies_open(post, now, 30)
    assert not replies_open(replace(post, comments=False), now, None)
