"""The per-process snapshot: which pictures are known, in what order, and when it changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from folio.gallery import shelf as shelf_module
from folio.gallery.shelf import Shelf
from tests.gallery.pictures import SVG_WITH_SCRIPT, bomb, photo, png


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    photo(root / "gallery" / "walk.jpg")
    png(root / "gallery" / "spine.png")
    photo(root / "gallery" / "zebra.jpg")
    photo(root / "images" / "hero.jpg")
    (root / "images" / "about.svg").write_text(SVG_WITH_SCRIPT, encoding="utf-8")
    (root / "gallery" / "gallery.yml").write_text(
        "- {file: spine.png, order: 2, alt: A spine}\n- {file: walk.jpg, order: 1}\n"
        "- {file: missing.jpg, order: 0}\n",
        encoding="utf-8",
    )
    return root


@pytest.fixture(autouse=True)
def look_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shelf_module, "LOOK_INTERVAL", 0.0)


def test_items_follow_the_listed_order_then_unlisted_by_name(content: Path, tmp_path: Path) -> None:
    images = Shelf(content, tmp_path / "cache").current()
    assert [item.entry.file for item in images.items] == ["walk.jpg", "spine.png", "zebra.jpg"]
    assert images.items[1].alt == "A spine"
    assert images.items[2].alt == "Zebra"  # the title stands in for missing alt text


def test_known_pictures_are_gallery_and_content_images_but_never_svg(
    content: Path, tmp_path: Path
) -> None:
    images = Shelf(content, tmp_path / "cache").current()
    assert set(images.by_url) == {
        "/gallery/walk.jpg",
        "/gallery/spine.png",
        "/gallery/zebra.jpg",
        "/images/hero.jpg",
    }
    assert {p.digest for p in images.by_url.values()} == set(images.by_digest)


def test_hostile_files_are_left_out_with_a_log_line(
    content: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (content / "gallery" / "script.jpg").write_text(SVG_WITH_SCRIPT, encoding="utf-8")
    bomb(content / "gallery" / "bomb.png")
    images = Shelf(content, tmp_path / "cache").current()
    assert "/gallery/script.jpg" not in images.by_url and "/gallery/bomb.png" not in images.by_url
    assert "script.jpg refused" in caplog.text and "bomb.png refused" in caplog.text


def test_a_symbolic_link_is_not_followed(content: Path, tmp_path: Path) -> None:
    outside = photo(tmp_path / "private" / "secret.jpg")
    (content / "gallery" / "linked.jpg").symlink_to(outside)
    assert "/gallery/linked.jpg" not in Shelf(content, tmp_path / "cache").current().by_url


def test_an_unchanged_folder_keeps_its_snapshot(content: Path, tmp_path: Path) -> None:
    shelf = Shelf(content, tmp_path / "cache")
    assert shelf.current() is shelf.current()


def test_changes_show_in_the_next_snapshot(content: Path, tmp_path: Path) -> None:
    shelf = Shelf(content, tmp_path / "cache")
    before = shelf.current()
    photo(content / "gallery" / "walk.jpg", colour=(0, 0, 0))
    os.utime(content / "gallery" / "walk.jpg", ns=(1, 1))  # a new time, whatever the clock
    (content / "gallery" / "zebra.jpg").unlink()
    after = shelf.current()
    assert after is not before
    assert after.by_url["/gallery/walk.jpg"].digest != before.by_url["/gallery/walk.jpg"].digest
    assert "/gallery/zebra.jpg" not in after.by_url


def test_a_snapshot_is_reused_within_the_interval(
    content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shelf_module, "LOOK_INTERVAL", 60.0)
    shelf = Shelf(content, tmp_path / "cache")
    before = shelf.current()
    (content / "gallery" / "zebra.jpg").unlink()
    assert shelf.current() is before


def test_no_folders_means_an_empty_gallery(tmp_path: Path) -> None:
    images = Shelf(tmp_path / "nothing", tmp_path / "cache").current()
    assert images.items == () and images.by_url == {}
