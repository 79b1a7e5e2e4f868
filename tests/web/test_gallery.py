"""The gallery's routes: the widget on every page, /gallery/, images served, posts' images."""

from __future__ import annotations

import re
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from tests.conftest import eventually, settle, write_file
from tests.gallery.pictures import GPS_MARK, SVG_WITH_SCRIPT, photo, png, truncated

_MEDIA = re.compile(r"/media/[0-9a-f]{20}/[\w.-]+")


@pytest.fixture
def gallery(content: Path) -> Path:
    folder = content / "gallery"
    photo(folder / "walk.jpg", (2400, 1600), orientation=6, gps=True)
    png(folder / "spine.png", (800, 600))
    photo(folder / "stretch.jpg", (900, 900))
    truncated(folder / "broken.jpg")
    (folder / "script.svg").write_text(SVG_WITH_SCRIPT, encoding="utf-8")
    (folder / "gallery.yml").write_text(
        "- file: walk.jpg\n  title: Dawn walk\n  caption: Out early.\n  alt: A path at dawn\n"
        "  post: first-post\n- file: spine.png\n  alt: The spine's curves\n",
        encoding="utf-8",
    )
    photo(content / "images" / "hero.jpg", (1600, 900))
    write_file(
        content,
        "posts/2025-05-01-pictures.md",
        "title: Pictures\ndate: 2025-05-01\nimage: /images/hero.jpg\nimage_alt: A hero",
        "Words first.\n\n![A walk](/gallery/walk.jpg)\n\n![Old](/images/about.svg)\n",
    )
    return folder


@pytest.fixture
def app(make_app: Callable[..., Flask], gallery: Path) -> Flask:
    app = make_app()
    settle(app)
    return app


def media(html: str) -> list[str]:
    """Every rendition address on a page, but broken.jpg's (refused when first asked for)."""
    return sorted(url for url in set(_MEDIA.findall(html)) if "/broken-" not in url)


def fetch(client: FlaskClient, url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body, with the file the response streams from closed."""
    with client.get(url, headers=headers) as response:
        return response.status_code, dict(response.headers), response.get_data()


@pytest.mark.parametrize("path", ["/", "/posts/first-post/", "/tags/", "/about/", "/gallery/"])
def test_the_widget_is_on_every_page(client: FlaskClient, path: str) -> None:
    html = client.get(path).get_data(as_text=True)
    widget = html[html.index('class="widget widget--gallery"') :]
    assert 'href="/gallery/#walk"' in widget and 'href="/gallery/#spine"' in widget
    assert "-s160.webp 160w" in widget and 'loading="lazy"' in widget


def test_the_gallery_page_lists_items_in_order_with_captions(client: FlaskClient) -> None:
    html = client.get("/gallery/").get_data(as_text=True)
    grid = html[
        html.index('class="gallery-grid"') : html.index("</ul>", html.index("gallery-grid"))
    ]
    # Listed first, in order; then the rest by name (broken.jpg until its pixels are read).
    assert re.findall(r'id="([\w-]+)"', grid) == ["walk", "spine", "broken", "stretch"]
    assert "Dawn walk" in grid and "Out early." in grid and 'alt="A path at dawn"' in grid
    assert 'href="/gallery/walk/"' in grid  # a plain link: the viewer without JavaScript
    assert "data-viewer-item" in grid and "<dialog" in html and "js/gallery-" in html
    assert "script.svg" not in html


def test_an_items_own_page_shows_it_larger_with_neighbours(client: FlaskClient) -> None:
    html = client.get("/gallery/spine/").get_data(as_text=True)
    assert "<h1" in html and "The spine" in html
    assert 'href="/gallery/walk/"' in html and 'href="/gallery/broken/"' in html
    assert 'fetchpriority="high"' in html and "spine-w800.jpg 800w" in html
    walk = client.get("/gallery/walk/").get_data(as_text=True)
    assert 'href="/posts/first-post/"' in walk
    assert client.get("/gallery/nothing/").status_code == 404


def test_every_rendition_on_the_page_is_served_with_its_type_and_size(client: FlaskClient) -> None:
    urls = media(client.get("/gallery/").get_data(as_text=True))
    assert len(urls) >= 20
    for url in urls:
        status, headers, data = fetch(client, url)
        assert status == 200, url
        kind, width = re.search(r"-([ws])(\d+)\.\w+$", url).groups()  # type: ignore[union-attr]
        expected = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}
        assert headers["Content-Type"] == expected[url.rsplit(".", 1)[1]]
        assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert headers["X-Content-Type-Options"] == "nosniff"
        with Image.open(BytesIO(data)) as image:
            assert image.width == int(width)
            assert kind == "w" or image.height == image.width
            assert len(image.getexif()) == 0
        assert GPS_MARK.encode() not in data


def test_the_full_size_view_is_upright_and_carries_no_location(client: FlaskClient) -> None:
    response = client.get("/gallery/walk.jpg")
    assert response.status_code == 302
    status, headers, data = fetch(client, response.headers["Location"])
    assert status == 200 and headers["Content-Type"] == "image/jpeg"
    with Image.open(BytesIO(data)) as image:
        assert image.size == (1600, 1067)  # stored on its side, served upright
        assert len(image.getexif()) == 0 and "exif" not in image.info
    assert GPS_MARK.encode() not in data


def test_a_repeat_request_can_be_answered_from_the_browser_cache(client: FlaskClient) -> None:
    url = media(client.get("/gallery/").get_data(as_text=True))[0]
    _, headers, _ = fetch(client, url)
    assert fetch(client, url, **{"If-None-Match": headers["ETag"]})[0] == 304


@pytest.mark.parametrize(
    "path",
    [
        "/media/00000000000000000000/walk-w480.jpg",
        "/gallery/script.svg",
        "/gallery/gallery.yml",
        "/gallery/..%2Fposts%2F2025-05-01-pictures.md",
        "/media/{digest}/walk-w481.jpg",
        "/media/{digest}/walk-w480.png",
        "/media/{digest}/spine-w480.jpg",
        "/media/{digest}/..%2F..%2Fcontent.sqlite",
    ],
)
def test_only_known_names_resolve(client: FlaskClient, path: str) -> None:
    html = client.get("/gallery/").get_data(as_text=True)
    digest = re.search(r"/media/(\w+)/walk-", html).group(1)  # type: ignore[union-attr]
    assert fetch(client, path.format(digest=digest))[0] == 404


def test_a_broken_image_is_a_404_not_a_500(
    client: FlaskClient, gallery: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # broken.jpg's header is whole, so it is listed until its pixels are decoded.
    html = client.get("/gallery/").get_data(as_text=True)
    broken = [url for url in _MEDIA.findall(html) if "/broken-" in url]
    assert broken
    assert fetch(client, broken[0])[0] == 404
    assert "broken.jpg refused" in caplog.text
    # Once found out (by any worker), it leaves the page and the widget.
    eventually(lambda: "broken" not in client.get("/gallery/").get_data(as_text=True))


def test_a_post_hero_and_body_images_are_responsive(client: FlaskClient) -> None:
    html = client.get("/posts/pictures/").get_data(as_text=True)
    hero = html[html.index('class="post__image"') : html.index("</figure>")]
    assert "hero-w1600.webp 1600w" in hero and 'width="1600" height="900"' in hero
    assert 'fetchpriority="high"' in hero and "loading=" not in hero
    prose = html[html.index('class="prose"') :]
    assert "walk-w960.webp 960w" in prose and 'width="1600" height="1067"' in prose
    assert 'loading="lazy"' in prose and 'alt="A walk"' in prose
    assert 'src="/images/about.svg"' in prose  # not ours to resize: left as written
    article = html[html.index("<article") : html.index("</article>")]
    assert "/gallery/walk.jpg" not in article and "/images/hero.jpg" not in article


def test_a_replaced_image_gets_new_addresses(client: FlaskClient, gallery: Path) -> None:
    before = media(client.get("/gallery/").get_data(as_text=True))
    png(gallery / "spine.png", (800, 600), alpha=True)

    def changed() -> bool:
        return media(client.get("/gallery/").get_data(as_text=True)) != before

    eventually(changed, timeout=5)
    after = media(client.get("/gallery/").get_data(as_text=True))
    assert any("spine-w800.png" in url for url in after)
    old = next(url for url in before if "/spine-w800.jpg" in url)
    assert fetch(client, old)[0] == 404
