"""gallery.yml: entries, defaults for unlisted files, and problems named."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from folio.gallery.items import Entry, read_entries, title_from, unlisted


def write(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "gallery.yml").write_text(text, encoding="utf-8")
    return folder


def test_entries_are_read_with_every_key(tmp_path: Path) -> None:
    folder = write(
        tmp_path,
        """
- file: walk.jpg
  title: A walk
  caption: Out at dawn.
  alt: A path between hills
  order: 2
  post: /posts/walking/
- spine.png
""",
    )
    entries, problems = read_entries(folder)
    assert problems == []
    assert entries == [
        Entry("walk.jpg", "A walk", "Out at dawn.", "A path between hills", 2.0, "walking"),
        Entry("spine.png", "Spine"),
    ]
    assert entries[0].slug == "walk" and entries[1].order == math.inf


def test_a_mapping_with_images_is_read_too(tmp_path: Path) -> None:
    entries, _ = read_entries(write(tmp_path, "images:\n  - file: a.jpg\n"))
    assert [e.file for e in entries] == ["a.jpg"]


def test_no_file_means_no_entries(tmp_path: Path) -> None:
    assert read_entries(tmp_path) == ([], [])


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- file: a.jpg\n  order: first\n", "'order' must be a number"),
        ("- title: no file\n", "missing 'file'"),
        ("- file: ../secret.jpg\n", "must be a file name"),
        ("- file: a.jpg\n- file: a.jpg\n", "listed twice"),
        ("- [1, 2]\n", "must be a mapping"),
        ("- file: [a]\n", "'file' must be text"),
    ],
)
def test_bad_entries_are_named_and_the_rest_kept(tmp_path: Path, text: str, problem: str) -> None:
    entries, problems = read_entries(write(tmp_path, text + "- file: good.jpg\n"))
    assert [e.file for e in entries][-1] == "good.jpg"
    assert len(problems) == 1 and problem in problems[0] and "gallery.yml, image" in problems[0]


@pytest.mark.parametrize("text", ["key: [unclosed\n", "just text\n", "a: b: c\n"])
def test_unreadable_yaml_is_a_problem_not_a_crash(tmp_path: Path, text: str) -> None:
    entries, problems = read_entries(write(tmp_path, text))
    assert entries == [] and len(problems) == 1 and "gallery.yml" in problems[0]


def test_titles_come_from_file_names() -> None:
    assert title_from("sunrise_walk-2.jpg") == "Sunrise walk 2"
    assert unlisted("x.png") == Entry("x.png", "X", listed=False)
