"""Responsive markup for heroes and for images in rendered bodies."""

from __future__ import annotations

from pathlib import Path

import pytest

from folio.content.render import render
from folio.gallery import shelf as shelf_module
from folio.gallery.markup import picture_html, responsive_body
from folio.gallery.shelf import Images, Shelf
from tests.gallery.pictures import photo, png


@pytest.fixture
def images(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Images:
    monkeypatch.setattr(shelf_module, "LOOK_INTERVAL", 0.0)
    root = tmp_path / "content"
    photo(root / "gallery" / "walk.jpg", (2400, 1600))
    png(root / "images" / "chart.png", (600, 400), alpha=True)
    return Shelf(root, tmp_path / "cache").current()


def test_a_picture_offers_webp_and_a_fallback_with_its_size(images: Images) -> None:
    walk = images.by_url["/gallery/walk.jpg"]
    html = str(picture_html("/media", walk, 'A "walk"', eager=False))
    assert html.startswith('<picture><source type="image/webp" srcset="/media/')
    assert f"/media/{walk.digest}/walk-w480.webp 480w" in html
    assert f"/media/{walk.digest}/walk-w1600.jpg 1600w" in html
    assert 'width="1600" height="1067"' in html
    assert 'loading="lazy"' in html and 'alt="A &#34;walk&#34;"' in html
    assert "walk.jpg" not in html.replace("walk-", "")  # never the original's address


def test_an_eager_picture_asks_for_priority_not_laziness(images: Images) -> None:
    html = str(picture_html("/media", images.by_url["/gallery/walk.jpg"], "", eager=True))
    assert 'fetchpriority="high"' in html and "loading=" not in html


def test_a_transparent_image_falls_back_to_png(images: Images) -> None:
    html = str(picture_html("/media", images.by_url["/images/chart.png"], "Chart"))
    assert "chart-w600.png 600w" in html and ".jpg" not in html


def test_known_images_in_a_body_become_pictures(images: Images) -> None:
    body = render(
        'Intro paragraph.\n\n![A walk *at dawn*](/gallery/walk.jpg "Dawn"){: .wide }\n\n'
        "![Elsewhere](https://example.org/x.jpg)\n\n![Unknown](/gallery/nope.jpg)\n"
    )
    html = str(responsive_body(body.html, images, "/media", has_hero=True))
    assert html.count("<picture>") == 1
    assert 'alt="A walk *at dawn*"' in html
    assert 'title="Dawn"' in html and 'class="wide"' in html
    assert 'src="https://example.org/x.jpg"' in html and 'src="/gallery/nope.jpg"' in html
    assert 'loading="lazy"' in html


def test_an_opening_image_without_a_hero_loads_at_once(images: Images) -> None:
    body = render("![A walk](/gallery/walk.jpg)\n\nText.\n\n![Again](/gallery/walk.jpg)\n")
    html = str(responsive_body(body.html, images, "/media", has_hero=False))
    assert html.count('fetchpriority="high"') == 1
    assert html.index('fetchpriority="high"') < html.index('loading="lazy"')
    with_hero = str(responsive_body(body.html, images, "/media", has_hero=True))
    assert "fetchpriority" not in with_hero


def test_an_image_already_in_a_picture_is_left_alone(images: Images) -> None:
    html = '<picture><source srcset="/x.webp"><img src="/gallery/walk.jpg" alt=""></picture>'
    assert str(responsive_body(html, images, "/media", has_hero=False)) == html


def test_attribute_values_with_angle_brackets_are_read_whole(images: Images) -> None:
    html = '<p><img alt="a > b" src="/gallery/walk.jpg"></p>'
    out = str(responsive_body(html, images, "/media", has_hero=True))
    assert 'alt="a &gt; b"' in out and out.endswith("</picture></p>")
