from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import eventually, write_file


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def test_home_lists_latest_posts_paginated(client: FlaskClient) -> None:
    html = page(client, "/")
    assert html.index("Third post") < html.index("Second post")
    assert "First post" not in html  # two per page in the tests
    assert "A written summary." in html and "min read" in html
    assert 'href="/page/2/"' in html
    second = page(client, "/page/2/")
    assert "First post" in second and 'href="/"' in second
    assert "Unfinished draft" not in html + second
    assert "From the future" not in html + second


def test_page_one_redirects_and_past_the_end_is_404(client: FlaskClient) -> None:
    response = client.get("/page/1/")
    assert response.status_code == 301 and response.headers["Location"] == "/"
    tagged = client.get("/tags/back-pain/page/1/")
    assert tagged.status_code == 301 and tagged.headers["Location"] == "/tags/back-pain/"
    page(client, "/page/3/", 404)
    page(client, "/page/0/", 404)


def test_drafts_visible_with_show_drafts(make_app: Callable[..., Flask]) -> None:
    client = make_app(SHOW_DRAFTS=True, POSTS_PER_PAGE=10).test_client()
    html = page(client, "/")
    assert "Unfinished draft" in html and "Draft</span>" in html
    assert "From the future" not in html
    page(client, "/posts/a-draft/")


def test_article_page(client: FlaskClient) -> None:
    html = page(client, "/posts/first-post/")
    assert '<h1 class="post__title">First post</h1>' in html
    assert '<h2 id="section-one">Section one' in html
    assert 'datetime="2025-01-10T00:00:00+00:00"' in html
    assert "by Ann Author" in html
    assert 'href="/tags/back-pain/"' in html and 'href="/tags/sleep/"' in html
    assert 'rel="next"' in html and "Second post" in html  # the newer neighbour
    assert "Learn more" in html
    third = page(client, "/posts/third-post/")
    assert "Updated <time" in third and 'rel="prev"' in third


@pytest.mark.parametrize(
    "url",
    [
        "/posts/a-draft/",
        "/posts/scheduled/",
        "/posts/nope/",
        "/tags/nope/",
        "/nope/",
        "/posts/../app.py",
        "/posts/..%2Fapp.py/",
        "/posts/%2e%2e%2fapp.py/",
        "/posts/..%252Fapp.py/",
        "/..%2Fapp.py/",
        "/images/../app.py",
        "/images/..%2F..%2Fapp.py",
        "/images/%2e%2e/site.yml",
        "/static/../app.py",
        "/static/..%2Fapp.py",
    ],
)
def test_unknown_and_traversal_paths_get_the_designed_404(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404, url
    html = response.get_data(as_text=True)
    assert "couldn’t find that page" in html
    assert "create_app" not in html and "Traceback" not in html


def test_tags_pages(client: FlaskClient) -> None:
    cloud = page(client, "/tags/")
    # "Back Pain" and "back pain" are used once each: the tie goes to the first by name.
    assert re.search(r'class="tag-cloud__tag tag-w5" href="/tags/back-pain/">Back Pain', cloud)
    assert re.search(r'class="tag-cloud__tag tag-w1" href="/tags/sleep/">sleep', cloud)
    tagged = page(client, "/tags/back-pain/")
    assert "Posts tagged “Back Pain”" in tagged and "2 posts" in tagged
    assert "Second post" in tagged and "First post" in tagged
    response = client.get("/tags/Back Pain/")
    assert response.status_code == 301
    assert response.headers["Location"] == "/tags/back-pain/"


def test_sidebar_on_every_page(client: FlaskClient) -> None:
    for url in ["/", "/posts/first-post/", "/tags/", "/archive/", "/about/", "/contact/", "/x/"]:
        html = client.get(url).get_data(as_text=True)
        assert '<form class="search-form" role="search" action="/search" method="get"' in html
        assert 'name="q"' in html
        assert "We test things carefully." in html and 'href="/about/"' in html
        assert 'href="/tags/exercise/"' in html


def test_the_tag_cloud_follows_the_content(client: FlaskClient, content: Path) -> None:
    assert 'href="/tags/otters/"' not in client.get("/").get_data(as_text=True)
    write_file(
        content,
        "posts/2025-05-01-otters.md",
        "title: Otters\ndate: 2025-05-01\ntags: [Otters]",
        "Hi.",
    )
    # The publisher's thread picks the new file up within moments.
    eventually(lambda: 'href="/tags/otters/">Otters' in page(client, "/"))
    assert 'href="/tags/otters/">Otters' in page(client, "/tags/")


def test_raw_html_in_a_post_cannot_break_the_page(client: FlaskClient, content: Path) -> None:
    write_file(
        content,
        "posts/2025-05-03-hostile.md",
        "title: Hostile\ndate: 2025-05-03",
        "Kept words.\n\n<script>steal()</script>\n\n"
        '<img src="/x.png" onerror="steal()">\n\n<textarea>\n\nSwallowed.\n',
    )
    eventually(lambda: client.get("/posts/hostile/").status_code == 200)
    html = page(client, "/posts/hostile/")
    article = html[html.index('<div class="prose">') : html.index("</article>")]
    assert "Kept words." in article
    assert "steal()" not in html and "<script>" not in article and "<textarea" not in article
    # What follows the article is still there, and still markup.
    assert "Leave a Reply" in html and '<footer class="site-footer">' in html


def test_archive_and_pages(client: FlaskClient) -> None:
    archive = page(client, "/archive/")
    assert archive.index("2025") < archive.index("March") < archive.index("January")
    assert "Unfinished draft" not in archive
    assert "We are the test team." in page(client, "/about/")
    assert "Call us on the telephone." in page(client, "/contact/")


def test_landmarks_language_and_skip_link(client: FlaskClient) -> None:
    html = page(client, "/")
    assert '<html lang="en-GB">' in html
    assert 'href="#content">Skip to content' in html
    for landmark in ("<header", "<nav", "<main", "<aside", "<footer"):
        assert landmark in html


def test_plain_gets_set_no_cookie_and_are_revalidated(client: FlaskClient) -> None:
    response = client.get("/posts/first-post/")
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "public, max-age=0, s-maxage=60"
    etag = response.headers["ETag"]
    again = client.get("/posts/first-post/", headers={"If-None-Match": etag})
    assert again.status_code == 304
    since = {"If-Modified-Since": response.headers["Last-Modified"]}
    assert client.get("/posts/first-post/", headers=since).status_code == 304


def test_same_bytes_for_every_visitor(client: FlaskClient) -> None:
    first = client.get("/posts/first-post/").data
    other = client.get("/posts/first-post/", headers={"User-Agent": "other"}).data
    assert first == other


def test_search_box_keeps_the_query_escaped(client: FlaskClient) -> None:
    html = page(client, "/search?q=<script>alert(1)</script>")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_images_and_highlight_css_are_served(client: FlaskClient) -> None:
    images = client.application.config["CONTENT_DIR"] / "images"
    images.mkdir()
    (images / "a.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    response = client.get("/images/a.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    response.close()
    css = client.get("/highlight.css")
    assert css.status_code == 200 and css.mimetype == "text/css"


def test_an_unexpected_error_is_a_designed_500(make_app: Callable[..., Flask]) -> None:
    app = make_app(TESTING=False)

    @app.get("/boom/")
    def boom() -> str:
        raise RuntimeError("secret detail")

    response = app.test_client().get("/boom/")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Something went wrong" in html and "secret detail" not in html


def test_method_not_allowed_is_designed(client: FlaskClient) -> None:
    response = client.post("/")
    assert response.status_code == 405 and "isn’t allowed" in response.get_data(as_text=True)


def test_error_pages_keep_their_headers(client: FlaskClient) -> None:
    response = client.post("/archive/")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
    assert "isn’t allowed" in response.get_data(as_text=True)


def test_an_article_still_rendering_answers_503_with_retry_after(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("folio.content.library.Library.body", lambda self, entry: None)
    response = client.get("/posts/first-post/")
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    assert "being prepared" in response.get_data(as_text=True)
    assert client.get("/").status_code == 200  # listings need no bodies
