"""Feeds and the sitemap parse as XML, validate, and agree with the catalogue."""

from __future__ import annotations

import json
import re
from datetime import datetime
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree as ET

from flask.testing import FlaskClient

from folio.feeds.absolute import absolute_links

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "http://example.test"


def xml(client: FlaskClient, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200, url
    return ET.fromstring(response.data)  # noqa: S314 (our own response)


def test_the_atom_feed_has_the_latest_posts_in_full_with_absolute_links(
    client: FlaskClient,
) -> None:
    feed = xml(client, "/feed.xml")
    assert feed.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert feed.find(f"{ATOM}{required}") is not None
    assert datetime.fromisoformat(feed.findtext(f"{ATOM}updated") or "")  # RFC 3339
    entries = feed.findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert titles == ["Third post", "Second post", "First post"]  # no draft, no future post
    third = entries[0]
    assert third.findtext(f"{ATOM}id") == f"{BASE}/posts/third-post/"
    content = third.findtext(f"{ATOM}content") or ""
    assert f'href="{BASE}/posts/first-post/"' in content  # made absolute
    assert {c.get("term") for c in third.findall(f"{ATOM}category")} == {"exercise"}
    self_link = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link[0].get("href") == f"{BASE}/feed.xml"


def test_the_rss_feed_has_rfc_822_dates(client: FlaskClient) -> None:
    rss = xml(client, "/rss.xml")
    channel = rss.find("channel")
    assert rss.tag == "rss" and rss.get("version") == "2.0" and channel is not None
    for required in ("title", "link", "description"):
        assert channel.findtext(required)
    assert channel.findtext("link") == f"{BASE}/"  # the site, not the feed
    items = channel.findall("item")
    assert items[0].findtext("title") == "Third post"
    assert parsedate_to_datetime(items[0].findtext("pubDate") or "").year == 2025


def test_a_tag_has_its_own_feed(client: FlaskClient) -> None:
    feed = xml(client, "/tags/back-pain/feed.xml")
    titles = [entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry")]
    assert titles == ["Second post", "First post"]
    assert client.get("/tags/nothing/feed.xml").status_code == 404


def test_feeds_never_carry_drafts_even_when_drafts_are_shown(make_app: object) -> None:
    app = make_app(SHOW_DRAFTS=True)  # type: ignore[operator]
    client = app.test_client()
    assert "Unfinished draft" in client.get("/").get_data(as_text=True)
    assert "Unfinished draft" not in client.get("/feed.xml").get_data(as_text=True)
    assert "Unfinished draft" not in client.get("/sitemap.xml").get_data(as_text=True)


def test_every_page_links_its_feeds(client: FlaskClient) -> None:
    html = client.get("/tags/").get_data(as_text=True)
    assert '<link rel="alternate" type="application/atom+xml"' in html
    assert '<link rel="alternate" type="application/rss+xml"' in html


def test_the_sitemap_lists_every_public_address_with_lastmod(client: FlaskClient) -> None:
    urls = xml(client, "/sitemap.xml").findall(f"{SITEMAP}url")
    found = {url.findtext(f"{SITEMAP}loc") or "": url.findtext(f"{SITEMAP}lastmod") for url in urls}
    for path in ["/", "/posts/first-post/", "/contact/", "/about/", "/tags/back-pain/"]:
        assert f"{BASE}{path}" in found, path
        assert found[f"{BASE}{path}"], path
    assert not any("draft" in url or "scheduled" in url for url in found)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m or "") for m in found.values())


def test_robots_points_to_the_sitemap(client: FlaskClient) -> None:
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert f"Sitemap: {BASE}/sitemap.xml" in robots and "Disallow: /search" in robots


def test_there_is_a_favicon(client: FlaskClient) -> None:
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and (icon.mimetype or "").startswith("image/")
    with client.get("/static/favicon.svg") as svg:
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"


def test_articles_describe_themselves_to_search_engines(client: FlaskClient) -> None:
    html = client.get("/posts/first-post/").get_data(as_text=True)
    assert f'<link rel="canonical" href="{BASE}/posts/first-post/">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="twitter:card"' in html
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found
    data = json.loads(found.group(1))
    assert data["@type"] == "BlogPosting" and data["headline"] == "First post"
    assert data["author"]["name"] == "Ann Author" and "Back Pain" in data["keywords"]
    assert data["datePublished"].startswith("2025-01-10")


def test_titles_are_unique_and_search_stays_out_of_indexes(client: FlaskClient) -> None:
    titles = set()
    for url in ["/", "/page/2/", "/posts/first-post/", "/tags/", "/tags/sleep/", "/archive/"]:
        html = client.get(url).get_data(as_text=True)
        titles.add(re.search(r"<title>(.*?)</title>", html, re.S).group(1))  # type: ignore[union-attr]
    assert len(titles) == 6
    assert '<meta name="robots" content="noindex">' in client.get("/search?q=x").get_data(
        as_text=True
    )


def test_links_and_images_are_made_absolute() -> None:
    html = '<p><a href="/x/">x</a> <a href="#part">p</a> <img src="/i.png" srcset="j.png 2x"></p>'
    out = absolute_links(html, "https://site.example/posts/a/")
    assert 'href="https://site.example/x/"' in out
    assert 'href="https://site.example/posts/a/#part"' in out  # into the article
    assert 'src="https://site.example/i.png"' in out
    assert "https://site.example/posts/a/j.png 2x" in out
