"""Caching headers by kind of response, so browsers, proxies and CDNs carry repeat traffic.

Pages and JSON are the same for everyone: public, kept a short while by shared caches,
revalidated by browsers each time with a strong ETag (and Last-Modified where the content
knows its time). Static files are WhiteNoise's
(see static.py). Failures are never stored; forms with a visitor's
own words in them never are either (their views say `no-store` themselves).
"""

from __future__ import annotations

from flask import current_app, g, request
from werkzeug.wrappers import Response as BaseResponse

#: Content types of documents that are the same for everyone and follow the content
#: (the page cache keeps these too, and nothing else).
DOCUMENTS = frozenset(
    (
        *("text/html", "application/json", "application/atom+xml", "application/rss+xml"),
        *("application/xml", "text/xml", "text/plain"),
    )
)


def cache_headers(response: BaseResponse) -> BaseResponse:
    """Cache-Control (and validators) fitting the response; 304 when they match."""
    if request.method not in {"GET", "HEAD"}:
        return response
    status = response.status_code
    if "Cache-Control" in response.headers:
        return response  # the view decided
    if status >= 500 or status == 429:
        response.cache_control.no_store = True
    elif 300 <= status < 400 and status != 304:
        response.cache_control.public = True
        response.cache_control.max_age = 3600 if status in {301, 308} else 0
    elif response.mimetype in DOCUMENTS and not response.direct_passthrough:
        response.cache_control.public = True
        # Browsers ask again each time (a cheap 304 by ETag), so a visitor sees an
        # approved reply or an edit at once; shared caches keep the page PAGE_MAX_AGE.
        response.cache_control.max_age = 0
        response.cache_control.s_maxage = int(current_app.config["PAGE_MAX_AGE"])
        if status == 200:
            response.add_etag()
            if (modified := g.get("modified")) is not None:
                response.last_modified = modified
            response.make_conditional(request)
    return response
