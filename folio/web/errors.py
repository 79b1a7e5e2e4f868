"""Designed error pages: a visitor never sees a stack trace."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException, SecurityError

MESSAGES = {
    403: "That request was refused.",
    404: "We couldn’t find that page. It may have moved, or the address may be mistyped.",
    405: "That kind of request isn’t allowed here.",
    413: "That was more than this site accepts in one request.",
    429: "Too many requests in a short time. Please wait a moment and try again.",
    500: "Something went wrong on our side. Please try again in a moment.",
}


def register(app: Flask) -> None:
    """Render every HTTP error with the site's own error page.

    An unexpected exception reaches this as a 500 after Flask has logged it.
    """
    app.register_error_handler(HTTPException, _http_error)


def _http_error(error: HTTPException) -> tuple[str, int, dict[str, str]]:
    code = error.code or 500
    if isinstance(error, SecurityError):
        # An untrusted Host header (TRUSTED_HOSTS): no URL can be built for this request,
        # so not the site's page either.
        return "Bad request: this host is not served here.\n", code, {"Content-Type": "text/plain"}
    # Our own aborts carry a sentence for visitors; Werkzeug's defaults are replaced.
    default = type(error).description
    described = error.description if error.description != default else None
    message = described or MESSAGES.get(code, default or "")
    # The error's own headers go along: Retry-After on a 503, Allow on a 405.
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    page = render_template("error.html", code=code, title=error.name, message=message)
    return page, code, headers
