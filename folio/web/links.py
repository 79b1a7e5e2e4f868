"""Links built once: templates build the same URLs (a tag's page, a feed, a fingerprinted
stylesheet) on page after page, and Flask's url_for costs 20-40 µs each time."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from flask import Flask, has_request_context, request

#: Links an app remembers per builder: visitors' queries make new ones, so it is bounded.
REMEMBERED = 4096
#: The template globals that build links: Flask's, and flask-static-digest's.
BUILDERS = ("url_for", "static_url_for")

Builder = Callable[..., str]


def remember_links(app: Flask) -> None:
    """Make the app's templates remember the links they build (once both are in place)."""
    for name in BUILDERS:
        build: Builder = app.jinja_env.globals[name]  # type: ignore[assignment]
        app.jinja_env.globals[name] = remembered(build)


def remembered(build: Builder) -> Builder:
    """`build` (url_for or one like it) remembering what it built, per request prefix."""

    @lru_cache(maxsize=REMEMBERED)
    def built(endpoint: str, where: tuple[str, ...], values: tuple[tuple[str, Any], ...]) -> str:
        return build(endpoint, **dict(values))

    def link(endpoint: str, **values: Any) -> str:
        if not has_request_context():
            return build(endpoint, **values)
        # What a link depends on besides its arguments: the prefix the site is served
        # under, the host (for a full URL) and, for a relative endpoint, the blueprint.
        where: tuple[str, ...] = (request.script_root,)
        if values.get("_external"):
            where += (request.host_url,)
        if endpoint.startswith("."):
            where += (request.blueprint or "",)
        arguments = tuple(sorted(values.items()))
        try:
            hash(arguments)
        except TypeError:  # a list of values (?q=a&q=b): built each time
            return build(endpoint, **values)
        return built(endpoint, where, arguments)

    return link
