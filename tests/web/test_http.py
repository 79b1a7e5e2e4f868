"""HTTP for every kind of response: security headers, caching, compression, redirects."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli
import pytest
from flask.testing import FlaskClient
from werkzeug.wrappers import Response

from folio.web.headers import CONTENT_SECURITY_POLICY
from tests.conftest import eventually, write_file

KINDS = {
    "page": ("GET", "/posts/first-post/", 200),
    "json": ("GET", "/search.json?q=first", 200),
    "static": ("GET", "/static/css/site.css", 200),
    "feed": ("GET", "/feed.xml", 200),
    "sitemap": ("GET", "/sitemap.xml", 200),
    "favicon": ("GET", "/favicon.ico", 200),
    "code colours": ("GET", "/highlight.css", 200),
    "not found": ("GET", "/nowhere/", 404),
    "redirect": ("GET", "/archive", 308),
    "not allowed": ("POST", "/archive/", 405),
    "refused reply": ("POST", "/posts/first-post/comments", 422),
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_response_carries_the_security_headers(client: FlaskClient, kind: str) -> None:
    method, url, status = KINDS[kind]
    with client.open(url, method=method, data={"author": "A"}) as response:
        check_security_headers(response, status)


def check_security_headers(response: Response, status: int) -> None:
    assert response.status_code == status
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert response.headers["Permissions-Policy"]


def test_a_redirect_never_repeats_the_host_header(client: FlaskClient) -> None:
    response = client.get("/archive", headers={"Host": "evil.example"})
    assert response.status_code == 308
    assert response.headers["Location"] == "/archive/"
    assert "evil" not in str(response.headers)
    assert client.get("/page/1/", headers={"Host": "evil.example"}).headers["Location"] == "/"


def test_untrusted_hosts_are_refused_when_hosts_are_configured(make_app: object) -> None:
    app = make_app(TRUSTED_HOSTS=["example.test"])  # type: ignore[operator]
    client = app.test_client()
    assert client.get("/", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/", headers={"Host": "example.test"}).status_code == 200


@pytest.mark.parametrize(
    ("url", "control"),
    [
        ("/", "public, max-age=0, s-maxage=60"),
        ("/search.json?q=first", "public, max-age=0, s-maxage=60"),
        ("/nowhere/", "public, max-age=0, s-maxage=60"),
        ("/archive", "public, max-age=3600"),
        ("/highlight.css", "public, max-age=86400"),
    ],
)
def test_each_kind_of_response_has_a_fitting_cache_control(
    client: FlaskClient, url: str, control: str
) -> None:
    assert client.get(url).headers["Cache-Control"] == control


def test_failures_and_refused_forms_are_never_stored(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    refused = client.post("/posts/first-post/comments", data={"author": "A"})
    assert refused.headers["Cache-Control"] == "no-store"
    monkeypatch.setattr("folio.content.library.Library.body", lambda self, entry: None)
    assert client.get("/posts/second-post/").headers["Cache-Control"] == "no-store"


def test_a_304_keeps_the_headers(client: FlaskClient) -> None:
    etag = client.get("/feed.xml").headers["ETag"]
    again = client.get("/feed.xml", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == "public, max-age=0, s-maxage=60"
    assert again.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_pages_revalidate_by_etag_and_last_modified(client: FlaskClient) -> None:
    first = client.get("/")
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert client.get("/", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    since = {"If-Modified-Since": first.headers["Last-Modified"]}
    assert client.get("/", headers=since).status_code == 304


def test_fingerprinted_static_files_are_immutable(client: FlaskClient) -> None:
    static = Path(client.application.static_folder or "static")
    named = sorted((static / "css").glob("site-*.css"))
    if not named:
        pytest.skip("static files not compiled (`flask digest compile`)")
    with client.get(f"/static/css/{named[0].name}") as response:
        control = response.headers["Cache-Control"]
    assert "immutable" in control and "max-age=315360000" in control  # ten years
    assert f"/static/css/{named[0].name}" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("url", ["/", "/search.json?q=first", "/static/css/site.css"])
def test_text_is_compressed_when_the_client_accepts_it(client: FlaskClient, url: str) -> None:
    with client.get(url) as response:
        plain = response.data
    with client.get(url, headers={"Accept-Encoding": "br, gzip"}) as br:
        assert br.headers["Content-Encoding"] == "br"
        assert brotli.decompress(br.data) == plain
    with client.get(url, headers={"Accept-Encoding": "gzip"}) as gz:
        assert gz.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(gz.data) == plain
        assert "Accept-Encoding" in gz.headers["Vary"]


def test_head_works_everywhere(client: FlaskClient) -> None:
    for url in ["/", "/posts/first-post/", "/search?q=first", "/tags/", "/static/css/site.css"]:
        with client.head(url) as response:
            assert response.status_code == 200 and response.data == b"", url


def test_code_colours_load_only_where_there_is_code(client: FlaskClient, content: Path) -> None:
    assert "highlight.css" not in client.get("/posts/first-post/").get_data(as_text=True)
    assert "highlight.css" not in client.get("/").get_data(as_text=True)
    write_file(content, "posts/code.md", "title: Code\ndate: 2025-01-02", "```python\nx = 1\n```")
    eventually(lambda: "highlight.css" in client.get("/posts/code/").get_data(as_text=True))


def test_images_beside_the_content_are_inert(client: FlaskClient, content: Path) -> None:
    images = content / "images"
    images.mkdir(exist_ok=True)
    (images / "evil.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )
    with client.get("/images/evil.svg") as response:
        assert response.status_code == 200
        policy = response.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy


def test_a_photo_beside_the_content_is_never_sent_with_its_metadata(
    client: FlaskClient, content: Path
) -> None:
    from PIL import Image

    images = content / "images"
    images.mkdir(exist_ok=True)
    exif = Image.Exif()
    exif[0x8825] = {2: (51.0, 30.0, 0.0)}  # a GPS position
    Image.new("RGB", (64, 48), "teal").save(images / "photo.jpg", exif=exif)
    eventually(lambda: client.get("/images/photo.jpg").status_code == 302)
    cleaned = client.get("/images/photo.jpg").headers["Location"]
    with client.get(cleaned) as rendition:
        assert rendition.status_code == 200
        assert b"Exif" not in rendition.data
