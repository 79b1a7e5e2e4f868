"""Safe decoding: orientation applied, metadata dropped, hostile files refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from folio.gallery.images import ImageRefused, decode, inspect
from tests.gallery.pictures import SVG_WITH_SCRIPT, bomb, photo, png, truncated


def test_inspect_reports_the_upright_size_and_a_content_digest(tmp_path: Path) -> None:
    upright = inspect(photo(tmp_path / "a.jpg", (1200, 800)))
    turned = inspect(photo(tmp_path / "b.jpg", (1200, 800), orientation=6))
    assert (upright.width, upright.height) == (1200, 800)
    assert (turned.width, turned.height) == (1200, 800)
    assert upright.format == "JPEG" and not upright.alpha
    assert len(upright.digest) == 20 and upright.digest != turned.digest


def test_the_digest_follows_the_bytes_not_the_name(tmp_path: Path) -> None:
    first = inspect(photo(tmp_path / "a.jpg"))
    (tmp_path / "b.jpg").write_bytes((tmp_path / "a.jpg").read_bytes())
    assert inspect(tmp_path / "b.jpg").digest == first.digest
    photo(tmp_path / "a.jpg", colour=(0, 0, 0))
    assert inspect(tmp_path / "a.jpg").digest != first.digest


def test_transparency_is_noticed(tmp_path: Path) -> None:
    assert inspect(png(tmp_path / "a.png", alpha=True)).alpha
    assert not inspect(png(tmp_path / "b.png")).alpha


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_decode_turns_the_picture_upright(tmp_path: Path, orientation: int) -> None:
    # Stored turned, as a phone does; the red half must end up on the left once upright.
    path = photo(tmp_path / "a.jpg", (1200, 800), orientation=orientation)
    image = decode(path, 2000)
    assert image.size == (1200, 800)
    red, _, blue = image.getpixel((100, 400))  # type: ignore[misc]
    assert red > 150 and blue < 100
    red, _, blue = image.getpixel((1100, 400))  # type: ignore[misc]
    assert red < 100 and blue > 150


def test_decode_keeps_no_metadata(tmp_path: Path) -> None:
    image = decode(photo(tmp_path / "a.jpg", gps=True, orientation=6), 2000)
    assert image.info == {}
    assert len(image.getexif()) == 0


def test_a_jpeg_decodes_at_a_reduced_scale_when_asked_for_less(tmp_path: Path) -> None:
    image = decode(photo(tmp_path / "a.jpg", (2400, 1600)), 300)
    assert 300 <= image.width < 2400


@pytest.mark.parametrize("side", [20_000, 8_000])
def test_a_decompression_bomb_is_refused_before_decoding(tmp_path: Path, side: int) -> None:
    # 20,000² is past Pillow's own limit; 8,000² is under it but over ours.
    with pytest.raises(ImageRefused, match="pixels"):
        inspect(bomb(tmp_path / "bomb.png", side))


def test_a_truncated_jpeg_is_refused_when_decoded(tmp_path: Path) -> None:
    path = truncated(tmp_path / "cut.jpg")
    inspect(path)  # its header is whole: only the pixels are missing
    with pytest.raises(ImageRefused, match="decoded"):
        decode(path, 500)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("script.jpg", SVG_WITH_SCRIPT.encode()),
        ("page.png", b"<!doctype html><script>alert(1)</script>"),
        ("empty.gif", b""),
        ("notes.webp", b"RIFF\x00\x00\x00\x00WEBPnot really"),
    ],
)
def test_files_that_are_not_our_images_are_refused(tmp_path: Path, name: str, data: bytes) -> None:
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ImageRefused):
        inspect(tmp_path / name)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImageRefused, match="cannot be read"):
        inspect(tmp_path / "gone.jpg")
