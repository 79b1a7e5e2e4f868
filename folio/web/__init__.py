"""The web layer: routes by area, errors, caching headers, what templates see."""

from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import ServiceUnavailable

from folio.web import (
    assets,
    caching,
    context,
    errors,
    feeds,
    gallery,
    headers,
    pages,
    replies,
    search,
)
from folio.web.links import remember_links

STARTING = "This site is starting and its articles are being read. Please try again shortly."


def register(app: Flask) -> None:
    """Attach the routes, the error pages and the headers; start the site on first use."""
    blueprints = (context.bp, feeds.bp, pages.bp, replies.bp, search.bp, assets.bp, gallery.bp)
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    errors.register(app)
    remember_links(app)  # after the blueprints: their templates' url_for is Flask's until then
    # Run in reverse order: validators are made from the page as rendered, before
    # Flask-Compress (registered earlier) compresses it and marks its ETag.
    app.after_request(headers.security_headers)
    app.after_request(caching.cache_headers)
    app.before_request(_started)


def _started() -> None:
    """Under gunicorn, app.warm has started the site before any request; a development
    server or a test client starts it here, at its first request. A worker that gave up
    waiting for the first publication (a cold start reading 100k files from a cold disk
    took 53 s) says so rather than serving an empty site that proxies would keep."""
    site = context.site()
    site.start()
    if not site.library.published:
        raise ServiceUnavailable(STARTING, retry_after=5)
