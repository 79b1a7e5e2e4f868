"""`flask check` warns about the gallery: alt text, missing files, files that are not images."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner

from tests.conftest import write_file
from tests.gallery.pictures import SVG_WITH_SCRIPT, bomb, photo, png, truncated


def test_check_warns_about_each_gallery_fault(runner: FlaskCliRunner, content: Path) -> None:
    folder = content / "gallery"
    photo(folder / "walk.jpg")
    png(folder / "spine.png")
    photo(folder / "unlisted.jpg")
    truncated(folder / "cut.jpg")
    bomb(folder / "bomb.png")
    (folder / "fake.jpg").write_bytes(b"<html>not a picture</html>")
    (folder / "drawing.svg").write_text(SVG_WITH_SCRIPT, encoding="utf-8")
    (folder / "gallery.yml").write_text(
        "- {file: walk.jpg, alt: A path, post: first-post}\n"
        "- {file: spine.png, post: no-such-post}\n"
        "- {file: gone.jpg, alt: Nothing}\n- {file: walk.jpg}\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["check"])
    out = result.output
    assert "warning: gallery/gallery.yml: lists gone.jpg, which does not exist" in out
    assert "spine.png links to a post that does not exist: no-such-post" in out
    assert "gallery.yml, image 4: walk.jpg is listed twice" in out
    assert "warning: gallery/spine.png: has no alt text" in out
    assert "warning: gallery/unlisted.jpg: has no alt text" in out
    assert "gallery/walk.jpg: has no alt" not in out
    assert "warning: gallery/cut.jpg: cannot be decoded" in out
    assert (
        "warning: gallery/bomb.png: is 20000×20000 pixels" in out
        or "gallery/bomb.png: claims" in out
    )
    assert "warning: gallery/fake.jpg: is not a JPEG, PNG, WebP or GIF image" in out
    assert "warning: gallery/drawing.svg: is not a JPEG, PNG, WebP or GIF image" in out
    assert result.exit_code == 0  # the site shows the rest: warnings, not failures


def test_posts_may_use_gallery_images(runner: FlaskCliRunner, content: Path) -> None:
    photo(content / "gallery" / "walk.jpg")
    write_file(
        content,
        "posts/2025-05-01-pictures.md",
        "title: Pictures\ndate: 2025-05-01\nimage: /gallery/walk.jpg",
        "![A walk](/gallery/walk.jpg) ![Gone](/gallery/gone.jpg)\n",
    )
    result = runner.invoke(args=["check"])
    assert "image that does not exist: /gallery/gone.jpg" in result.output
    assert "/gallery/walk.jpg" not in result.output
