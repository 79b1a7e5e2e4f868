from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from folio.content.entries import Page, Post, read_entry, slug_for
from tests.conftest import write_file

UTC = ZoneInfo("UTC")


def read_post(path: Path) -> Post:
    reading = read_entry(path, "post", UTC)
    assert isinstance(reading.entry, Post), reading.problems
    return reading.entry


def test_slug_drops_the_date_prefix() -> None:
    assert slug_for(Path("2025-01-10-first-post.md")) == "first-post"
    assert slug_for(Path("plain.md")) == "plain"


def test_a_post_is_rendered_once_with_all_its_fields(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "posts/2025-01-10-x.md",
        """
        title: A "quoted" title
        date: 2025-01-10
        updated: 2025-02-01
        tags: [Back  Pain, back pain, Sleep]
        author: Ann
        image: /images/a.svg
        image_alt: A picture
        comments: false
        mood: cheerful
        """,
        "First paragraph here.\n\nSecond.",
    )
    post = read_post(path)
    assert post.slug == "x"
    assert post.url == "/posts/x/"
    assert post.title == 'A "quoted" title'
    assert [t.slug for t in post.tags] == ["back-pain", "sleep"]
    assert post.summary == "First paragraph here."
    assert post.updated is not None and post.updated.month == 2
    assert post.author == "Ann"
    assert post.image == "/images/a.svg" and "/images/a.svg" in post.images
    assert post.comments is False and post.draft is False
    assert post.extra == {"mood": "cheerful"}
    assert post.__html__() == post.body and "<p>First paragraph here.</p>" in post.body


def test_written_summary_and_slug_win(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "posts/a.md",
        "title: T\ndate: 2025-01-01\nslug: custom\nsummary: It's written.",
        "Body.",
    )
    post = read_post(path)
    assert post.slug == "custom"
    assert post.summary == "It’s written."


@pytest.mark.parametrize(
    ("front", "reason"),
    [
        ("date: 2025-01-01", "missing 'title'"),
        ("title: T", "missing 'date'"),
        ("title: T\ndate: someday", "'date' is not a date"),
        ("title: [T\ndate: 2025-01-01", "invalid YAML front matter"),
        ("title: T\ndate: 2025-01-01\ndraft: perhaps", "'draft' must be true or false"),
        ("title: T\ndate: 2025-01-01\nslug: ../../app", "must not contain '/'"),
        ("- just\n- a list", "front matter must be a mapping"),
    ],
)
def test_bad_front_matter_is_reported_not_raised(tmp_path: Path, front: str, reason: str) -> None:
    reading = read_entry(write_file(tmp_path, "posts/bad.md", front, "Body."), "post", UTC)
    assert reading.entry is None
    assert any(reason in problem for problem in reading.problems), reading.problems


def test_unreadable_bytes_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "posts" / "latin1.md"
    path.parent.mkdir()
    path.write_bytes(b"---\ntitle: Caf\xe9\ndate: 2025-01-01\n---\n")
    reading = read_entry(path, "post", UTC)
    assert reading.entry is None and "cannot read file" in reading.problems[0]


def test_unknown_tag_types_are_reported_but_the_post_stays(tmp_path: Path) -> None:
    path = write_file(tmp_path, "posts/t.md", "title: T\ndate: 2025-01-01\ntags: [ok, 7, {a: b}]")
    reading = read_entry(path, "post", UTC)
    assert isinstance(reading.entry, Post)
    assert [t.name for t in reading.entry.tags] == ["ok"]
    assert len(reading.problems) == 2


def test_pages_need_no_date(tmp_path: Path) -> None:
    reading = read_entry(write_file(tmp_path, "pages/p.md", "title: P", "Hello."), "page", UTC)
    assert isinstance(reading.entry, Page) and not isinstance(reading.entry, Post)
    assert reading.entry.url == "/p/"
