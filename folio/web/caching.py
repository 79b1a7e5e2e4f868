"""Caching headers: pages are the same for everyone, so browsers and proxies revalidate."""

from __future__ import annotations

from flask import request
from werkzeug.wrappers import Response as BaseResponse


def cache_headers(response: BaseResponse) -> BaseResponse:
    """A strong ETag and no-cache on every successful HTML page; 304 when it matches."""
    if (
        request.method in {"GET", "HEAD"}
        and response.status_code == 200
        and response.mimetype == "text/html"
        and not response.direct_passthrough
    ):
        response.cache_control.public = True
        response.cache_control.no_cache = True
        response.add_etag()
        response.make_conditional(request)
    return response
