"""Addresses for machines: Atom and RSS feeds, the sitemap, robots.txt, the favicon."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, request, send_from_directory

from folio.content.entries import Post
from folio.feeds.sitemap import robots_txt, sitemap_urls, sitemap_xml
from folio.web.context import catalogue, last_modified, site_url, summary
from folio.web.pages import body_of

bp = Blueprint("feeds", __name__)
ATOM = "application/atom+xml"
RSS = "application/rss+xml"


def _feed(posts: tuple[Post, ...], title: str, path: str, *, rss: bool) -> Response:
    # feedgen and lxml load at the first feed asked for, not in every worker's start.
    from folio.feeds.feed import build_feed, latest

    chosen = latest(posts)
    current = catalogue()
    last_modified(*(post.modified for post in chosen))
    feed = build_feed(
        current.site,
        site_url(),
        chosen,
        lambda post: str(body_of(post).html),
        summary,
        title=title,
        path=path,
        feed_path=request.path,
    )
    data = feed.rss_str(pretty=True) if rss else feed.atom_str(pretty=True)
    return Response(data, mimetype=RSS if rss else ATOM)


@bp.get("/feed.xml")
def atom() -> Response:
    """The latest posts as Atom."""
    return _feed(catalogue().posts, catalogue().site.title, "/", rss=False)


@bp.get("/rss.xml")
def rss() -> Response:
    """The latest posts as RSS 2.0."""
    return _feed(catalogue().posts, catalogue().site.title, "/", rss=True)


@bp.get("/tags/<slug>/feed.xml")
def tag_feed(slug: str) -> Response:
    """The latest posts with one tag, as Atom."""
    current = catalogue()
    tag = current.tags.get(slug) or abort(404)
    title = f"{current.site.title}: {tag.name}"
    return _feed(current.tagged(slug), title, f"/tags/{slug}/", rss=False)


@bp.get("/sitemap.xml")
def sitemap() -> Response:
    """Every public address with its last change."""
    current = catalogue()
    last_modified(current.modified)
    extra = ["/gallery/"] if "gallery.index" in current_app.view_functions else []
    xml = sitemap_xml(site_url(), sitemap_urls(current, extra))
    return Response(xml, mimetype="application/xml")


@bp.get("/robots.txt")
def robots() -> Response:
    """Crawl everything but search results; the sitemap's address."""
    return Response(robots_txt(site_url()), mimetype="text/plain")


@bp.get("/favicon.ico")
def favicon() -> Response:
    """The icon browsers ask for at the root, whatever the page says."""
    folder = current_app.static_folder or "static"
    response = send_from_directory(folder, "favicon.ico", max_age=86400)
    response.cache_control.public = True
    return response
