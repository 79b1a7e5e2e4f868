"""Renditions: their sizes, formats, cache reuse and invalidation, and no metadata."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from PIL import Image

from folio.gallery.images import ImageRefused, inspect
from folio.gallery.thumbnails import Rendition, Thumbnails, fallback_ext, find, renditions
from tests.gallery.pictures import GPS_MARK, photo, png, truncated


def test_widths_never_exceed_the_source(tmp_path: Path) -> None:
    big = inspect(photo(tmp_path / "big.jpg", (2400, 1600)))
    small = inspect(photo(tmp_path / "small.jpg", (700, 350)))
    assert [(r.width, r.height) for r in renditions(big, "w", "webp")] == [
        (480, 320),
        (960, 640),
        (1600, 1067),
    ]
    assert [r.width for r in renditions(small, "w", "jpg")] == [480, 700]
    assert [r.width for r in renditions(small, "s", "jpg")] == [160, 320, 350]


def test_the_fallback_keeps_transparency(tmp_path: Path) -> None:
    assert fallback_ext(inspect(png(tmp_path / "a.png", alpha=True))) == "png"
    assert fallback_ext(inspect(png(tmp_path / "b.png"))) == "jpg"


def test_find_only_knows_this_pictures_renditions(tmp_path: Path) -> None:
    picture = inspect(photo(tmp_path / "walk.jpg", (2400, 1600)))
    assert find(picture, "walk-w960.webp") == Rendition("w", 960, 640, "webp")
    assert find(picture, "walk-s320.jpg") == Rendition("s", 320, 320, "jpg")
    for name in ("walk-w961.webp", "walk-w960.png", "other-w960.webp", "walk-w960.gif", "../x"):
        assert find(picture, name) is None


@pytest.mark.parametrize(
    ("kind", "ext", "size", "format"),
    [("w", "webp", (960, 640), "WEBP"), ("s", "jpg", (320, 320), "JPEG")],
)
def test_a_rendition_has_its_size_and_format(
    tmp_path: Path, kind: str, ext: str, size: tuple[int, int], format: str
) -> None:
    picture = inspect(photo(tmp_path / "content" / "a.jpg", (2400, 1600)))
    rendition = next(r for r in renditions(picture, kind, ext) if r.width == size[0])
    path = Thumbnails(tmp_path / "cache").ensure(picture, rendition)
    with Image.open(path) as made:
        assert made.size == size and made.format == format


def test_renditions_of_a_phone_photo_are_upright_and_carry_no_metadata(tmp_path: Path) -> None:
    picture = inspect(photo(tmp_path / "a.jpg", (1200, 800), orientation=6, gps=True))
    thumbnails = Thumbnails(tmp_path / "cache")
    for ext in ("jpg", "webp"):
        for rendition in (*renditions(picture, "w", ext), *renditions(picture, "s", ext)):
            path = thumbnails.ensure(picture, rendition)
            data = path.read_bytes()
            assert GPS_MARK.encode() not in data
            assert b"Exif\x00\x00" not in data
            with Image.open(path) as made:
                assert len(made.getexif()) == 0
                assert not {"exif", "icc_profile", "xmp", "comment"} & set(made.info)
                if rendition.kind == "w":
                    assert made.width > made.height  # upright: landscape, as taken


def test_a_rendition_is_made_once_and_reused(tmp_path: Path) -> None:
    picture = inspect(photo(tmp_path / "a.jpg"))
    thumbnails = Thumbnails(tmp_path / "cache")
    rendition = renditions(picture, "s", "webp")[0]
    first = thumbnails.ensure(picture, rendition)
    stamp = first.stat().st_mtime_ns
    assert thumbnails.ensure(picture, rendition) == first
    assert first.stat().st_mtime_ns == stamp and thumbnails.made == 1


def test_a_changed_source_gets_new_renditions(tmp_path: Path) -> None:
    path = photo(tmp_path / "a.jpg", colour=(200, 60, 40))
    thumbnails = Thumbnails(tmp_path / "cache")
    before = inspect(path)
    old = thumbnails.ensure(before, renditions(before, "w", "jpg")[0])
    photo(path, colour=(20, 200, 40))
    after = inspect(path)
    new = thumbnails.ensure(after, renditions(after, "w", "jpg")[0])
    assert new != old and after.digest in str(new)
    with Image.open(new) as made:
        red, green, _ = made.getpixel((10, 10))  # type: ignore[misc]
        assert green > red


def test_workers_asking_at_once_make_a_rendition_once(tmp_path: Path) -> None:
    picture = inspect(photo(tmp_path / "a.jpg", (2400, 1600)))
    rendition = renditions(picture, "w", "webp")[-1]
    shelves = [Thumbnails(tmp_path / "cache") for _ in range(4)]  # one per worker
    threads = [threading.Thread(target=s.ensure, args=(picture, rendition)) for s in shelves]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(s.made for s in shelves) == 1


def test_a_source_that_cannot_be_decoded_is_remembered(tmp_path: Path) -> None:
    picture = inspect(truncated(tmp_path / "cut.jpg"))
    thumbnails = Thumbnails(tmp_path / "cache")
    with pytest.raises(ImageRefused):
        thumbnails.ensure(picture, renditions(picture, "w", "jpg")[0])
    assert thumbnails.refusal(picture) is not None
    with pytest.raises(ImageRefused):  # at once, without decoding again
        thumbnails.ensure(picture, renditions(picture, "s", "webp")[0])
    assert thumbnails.made == 0
