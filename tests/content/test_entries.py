from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from folio.content import render as render_module
from folio.content.entries import Kind, Page, Post, Reading, read_entry, read_summary, slug_for
from tests.conftest import write_file

UTC = ZoneInfo("UTC")
LIMIT = 1024 * 1024


def read(path: Path, kind: Kind = "post", zone: ZoneInfo = UTC, limit: int = LIMIT) -> Reading:
    return read_entry(str(path), kind, zone, "v1", limit)


def read_post(path: Path) -> Post:
    reading = read(path)
    assert isinstance(reading.entry, Post), reading.problems
    return reading.entry


def test_slug_drops_the_date_prefix() -> None:
    assert slug_for(Path("2025-01-10-first-post.md")) == "first-post"
    assert slug_for(Path("plain.md")) == "plain"


def test_a_post_is_read_with_all_its_fields_without_rendering_its_body(tmp_path: Path) -> None:
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
    assert post.summary is None  # worked out when the body is rendered
    assert read_summary(str(path), LIMIT) == "First paragraph here."
    assert post.updated is not None and post.updated.month == 2
    assert post.author == "Ann"
    assert post.image == "/images/a.svg"
    assert post.comments is False and post.draft is False
    assert post.extra == {"mood": "cheerful"}
    assert post.version == "v1" and post.source == str(path)
    assert not hasattr(post, "body")  # bodies are rendered apart, in bounded time


def test_written_summary_and_slug_win(tmp_path: Path) -> None:
    path = write_file(
        tmp_path,
        "posts/a.md",
        "title: T\ndate: 2025-01-01\nslug: custom\nsummary: It's written.",
        "Body.",
    )
    post = read_post(path)
    assert post.slug == "custom"
    assert read_summary(str(path), LIMIT) == "It’s written."


def test_reading_front_matter_renders_no_markdown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("rendered while reading front matter")

    monkeypatch.setattr(render_module, "render", refuse)
    path = write_file(tmp_path, "posts/a.md", "title: T\ndate: 2025-01-01\nsummary: Hi.", "Body.")
    assert read_post(path).summary is None


def test_a_summary_of_a_bad_or_missing_file_is_empty(tmp_path: Path) -> None:
    assert read_summary(str(tmp_path / "gone.md"), LIMIT) == ""
    path = write_file(tmp_path, "posts/a.md", "title: T\nsummary: [1, 2]", "Body.")
    assert read_summary(str(path), LIMIT) == ""


@pytest.mark.parametrize(
    ("front", "reason"),
    [
        ("date: 2025-01-01", "missing 'title'"),
        ("title: T", "missing 'date'"),
        ("title: T\ndate: someday", "'date' is not a date"),
        ("title: [T\ndate: 2025-01-01", "invalid YAML in front matter"),
        ("title: T\ndate: 2024-02-30", "day is out of range for month"),
        ("title: T\ndate: 0001-01-01", "cannot be shown in the site's timezone"),
        ("title: T\ndate: 9999-12-31", "cannot be shown in the site's timezone"),
        ("title: T\ndate: 2025-01-01\nx: " + "[" * 1000 + "]" * 1000, "nested"),
        ("title: T\ndate: 2025-01-01\nx: " + "[" * 50000 + "]" * 50000, "limit is 16 KB"),
        ("title: T\ndate: 2025-01-01\ndraft: perhaps", "'draft' must be true or false"),
        ("title: T\ndate: 2025-01-01\nslug: ../../app", "must not contain '/'"),
        ("- just\n- a list", "front matter must be a mapping"),
    ],
)
def test_bad_front_matter_is_reported_not_raised(tmp_path: Path, front: str, reason: str) -> None:
    path = write_file(tmp_path, "posts/bad.md", front, "Body.")
    reading = read(path, zone=ZoneInfo("Asia/Tokyo"))
    assert reading.entry is None
    assert any(reason in problem for problem in reading.problems), reading.problems


def test_unreadable_bytes_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "posts" / "latin1.md"
    path.parent.mkdir()
    path.write_bytes(b"---\ntitle: Caf\xe9\ndate: 2025-01-01\n---\n")
    reading = read(path)
    assert reading.entry is None and "not UTF-8 text" in reading.problems[0]


def test_front_matter_without_its_closing_fence_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "open.md"
    path.write_text("---\ntitle: Open\ndate: 2025-01-01\n\nThe body.\n")
    assert "no closing '---'" in read(path).problems[0]


def test_a_file_over_the_size_limit_is_not_read(tmp_path: Path) -> None:
    path = write_file(tmp_path, "big.md", "title: Big\ndate: 2025-01-01", "word " * 300)
    reading = read(path, limit=1000)
    assert reading.entry is None and "the limit is 1,000" in reading.problems[0]


def test_a_missing_file_is_a_problem_not_an_error(tmp_path: Path) -> None:
    assert "cannot read file" in read(tmp_path / "gone.md").problems[0]


def test_the_summary_comes_from_the_opening_only(tmp_path: Path) -> None:
    body = "![a picture](/images/x.png)\n\nThe [first][ref] words.\n\n" + "More. " * 100_000
    front = "title: T\ndate: 2025-01-01"
    path = write_file(tmp_path, "posts/long.md", front, body + "\n\n[ref]: /x")
    post = read_post(path)
    assert read_summary(str(path), LIMIT) == "The first words."
    assert post.reading_minutes > 400


def test_unknown_tag_types_are_reported_but_the_post_stays(tmp_path: Path) -> None:
    path = write_file(tmp_path, "posts/t.md", "title: T\ndate: 2025-01-01\ntags: [ok, 7, {a: b}]")
    reading = read(path)
    assert isinstance(reading.entry, Post)
    assert [t.name for t in reading.entry.tags] == ["ok"]
    assert len(reading.problems) == 2


def test_pages_need_no_date(tmp_path: Path) -> None:
    reading = read(write_file(tmp_path, "pages/p.md", "title: P", "Hello."), "page")
    assert isinstance(reading.entry, Page) and not isinstance(reading.entry, Post)
    assert reading.entry.url == "/p/"


def test_a_summary_renders_only_the_opening_of_a_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[int] = []
    real = render_module.render

    def measured(source: str, **options: bool) -> render_module.Rendered:
        rendered.append(len(source))
        return real(source, **options)

    monkeypatch.setattr(render_module, "render", measured)
    path = write_file(tmp_path, "posts/b.md", "title: T\ndate: 2025-01-01", "[" * 200_000)
    assert read_post(path).title == "T"
    read_summary(str(path), LIMIT)
    # Some Markdown renders in time that grows with its square: the body itself renders
    # in a child process, with a deadline; a summary renders no more than its opening.
    assert rendered and max(rendered) <= render_module.LEAD_CHARS + 2
