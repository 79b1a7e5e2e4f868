"""Headers every response carries, errors and redirects included: a strict security policy,
and redirects that never repeat the request's Host header."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from werkzeug.wrappers import Response as BaseResponse

#: Everything from this site only; no inline script or style, no framing, no plugins.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def security_headers(response: BaseResponse) -> BaseResponse:
    """Add the security headers (a view may set its own first) and relative redirects."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if response.location:
        response.location = same_site(response.location)
    return response


def same_site(location: str) -> str:
    """A redirect target as a path: Werkzeug's trailing-slash redirects are built from the
    Host header, which a client chooses (`Host: evil.example`)."""
    parts = urlsplit(location)
    if not parts.netloc:
        return location
    return urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
