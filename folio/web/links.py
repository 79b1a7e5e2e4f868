"""Links built once: templates build the same URLs (a tag's page, a feed, a fingerprinted
stylesheet) on page after page, and Flask's url_for costs 20-40 µs each time."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import lru_cache
from typing import Any

from flask import has_request_context, request

#: Links a worker remembers per builder: visitors' queries make new ones, so it is bounded.
REMEMBERED = 4096

Builder = Callable[..., str]


def remembered(build: Builder) -> Builder:
    """`build` (url_for or one like it) remembering what it built, per request prefix."""

    @lru_cache(maxsize=REMEMBERED)
    def built(endpoint: str, where: tuple[str, ...], values: tuple[tuple[str, Any], ...]) -> str:
        return build(endpoint, **dict(values))

    def link(endpoint: str, **values: Any) -> str:
        if not has_request_context() or not all(isinstance(v, Hashable) for v in values.values()):
            return build(endpoint, **values)
        # What a link depends on besides its arguments: the prefix the site is served
        # under, the host (for a full URL) and, for a relative endpoint, the blueprint.
        where: tuple[str, ...] = (request.script_root,)
        if values.get("_external"):
            where += (request.host_url,)
        if endpoint.startswith("."):
            where += (request.blueprint or "",)
        return built(endpoint, where, tuple(sorted(values.items())))

    link.cache_clear = built.cache_clear  # type: ignore[attr-defined]
    return link
