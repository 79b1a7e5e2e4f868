"""The index's mark: what it was last in line with, kept across restarts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from folio.content.entries import Page, Post
from folio.search import inline


def post(slug: str, version: str) -> Post:
    when = datetime(2025, 1, 1, tzinfo=UTC)
    return Post(
        slug=slug, title=slug, summary="", reading_minutes=1, source="", version=version, date=when
    )


def test_the_digest_is_of_the_urls_and_versions_in_any_order() -> None:
    a, b = post("a", "1"), post("b", "2")
    assert inline.digest([a, b]) == inline.digest([b, a])
    assert inline.digest([a, b]) != inline.digest([a, post("b", "3")])
    assert inline.digest([a]) != inline.digest([a, b])
    page = Page(slug="a", title="A", summary="", reading_minutes=1, source="", version="1")
    assert inline.digest([page]) != inline.digest([a])  # /a/ is not /posts/a/


def test_a_mark_is_kept_and_read_back(tmp_path: Path) -> None:
    mark = inline.InLine(("gen-1-v9", 4), "abc", frozenset({"/posts/a/"}))
    inline.save(tmp_path / "IN_LINE", mark)
    assert inline.load(tmp_path / "IN_LINE") == mark


def test_a_mark_that_cannot_be_used_is_none(tmp_path: Path) -> None:
    path = tmp_path / "IN_LINE"
    assert inline.load(path) is None
    for text in (
        "",
        "{",
        "[]",
        '{"commit": ["g", "4"], "catalogue": "x", "waiting": []}',
        '{"commit": ["g", 4], "catalogue": "x", "waiting": [1]}',
        '{"commit": 3}',
    ):
        path.write_text(text)
        assert inline.load(path) is None, text
