"""Pages rendered once per state of what they show, then served as stored bytes.

A page's bytes change only when the content, the index, the gallery or the replies do.
This WSGI layer keeps each finished response (headers, ETag, compressed body) under its
address and the client's encoding, together with the state it was made in, and serves
it again without entering Flask until that state moves on. Only public, cacheable GET
answers are kept: a form with a visitor's words in it is `no-store` and never stored.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from threading import Lock
from typing import Any
from urllib.parse import parse_qsl

from werkzeug.http import is_resource_modified, unquote_etag

from folio.web.caching import DOCUMENTS

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
#: Bytes of pages kept per worker (the most recently served).
REMEMBERED_BYTES = 64 * 1024 * 1024
#: A page larger than this is served, not kept.
LARGEST_PAGE = 1024 * 1024
#: The query parameters pages read; an address with any other is made, never kept (a
#: stream of made-up parameters must not push real pages out).
QUERY_KEYS = frozenset(["page", "q", "tag", "sort", "typing", "per_page", "reply", "replytocom"])


@dataclass(frozen=True)
class Stored:
    """One finished response and the state of the site it was made in."""

    state: object
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str
    last_modified: str


class PageCache:
    """WSGI middleware: a stored page while `state(path)` is unchanged, else the app's."""

    def __init__(self, app: WSGIApp, state: Callable[[str], object]) -> None:
        self.app = app
        self.state = state
        self._pages: OrderedDict[tuple[str, ...], Stored] = OrderedDict()
        self._bytes = 0
        self._lock = Lock()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        if method not in {"GET", "HEAD"} or not _known_query(environ):
            return self.app(environ, start_response)
        key = _key(environ)
        try:
            state = self.state(environ.get("PATH_INFO", "/"))
        # Not knowing whether a stored page is fresh must not cost the visitor the page.
        except Exception:
            log.exception("cannot tell whether stored pages are fresh: making this one")
            return self.app(environ, start_response)
        with self._lock:
            stored = self._pages.get(key)
            if stored is not None:
                self._pages.move_to_end(key)
        if stored is not None and stored.state == state:
            return _serve(stored, environ, start_response, head=method == "HEAD")
        if method == "HEAD":
            return self.app(environ, start_response)
        return self._fill(key, state, environ, start_response)

    def _fill(
        self, key: tuple[str, ...], state: object, environ: dict[str, Any], start_response: Any
    ) -> Iterable[bytes]:
        answer: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            answer.update(status=status, headers=headers)

        # Asked without conditions, so what is stored is the whole page.
        plain = {k: v for k, v in environ.items() if k not in _CONDITIONS}
        chunks = self.app(plain, capture)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
        headers = answer["headers"]
        stored = Stored(
            state,
            answer["status"],
            headers,
            body,
            _header(headers, "etag"),
            _header(headers, "last-modified"),
        )
        if _keepable(stored):
            with self._lock:
                if (old := self._pages.pop(key, None)) is not None:
                    self._bytes -= len(old.body)
                self._pages[key] = stored
                self._bytes += len(body)
                while self._bytes > REMEMBERED_BYTES:
                    self._bytes -= len(self._pages.popitem(last=False)[1].body)
        return _serve(stored, environ, start_response, head=False)


_CONDITIONS = frozenset(["HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE"])


def _key(environ: dict[str, Any]) -> tuple[str, ...]:
    # The whole Accept-Encoding header, normalised: the same header always negotiates the
    # same encoding, whatever its q-values, wildcards or case.
    encoding = "".join(environ.get("HTTP_ACCEPT_ENCODING", "").lower().split())
    return (
        environ.get("wsgi.url_scheme", ""),
        environ.get("HTTP_HOST", ""),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        encoding,
    )


def _known_query(environ: dict[str, Any]) -> bool:
    pairs = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    return all(name in QUERY_KEYS for name, _ in pairs)


def _header(headers: list[tuple[str, str]], name: str) -> str:
    return next((value for key, value in headers if key.lower() == name), "")


def _keepable(stored: Stored) -> bool:
    if not stored.status.startswith("200") or not stored.etag or len(stored.body) > LARGEST_PAGE:
        return False
    headers = {k.lower(): v for k, v in stored.headers}
    kind = headers.get("content-type", "").split(";")[0].strip()
    control = headers.get("cache-control", "")
    public = "public" in control and "no-store" not in control and "set-cookie" not in headers
    return public and kind in DOCUMENTS  # pages and documents, never images or files


def _serve(
    stored: Stored, environ: dict[str, Any], start_response: Any, *, head: bool
) -> Iterable[bytes]:
    conditional = "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MODIFIED_SINCE" in environ
    etag = unquote_etag(stored.etag)[0] if stored.etag else None
    modified = stored.last_modified or None
    if conditional and not is_resource_modified(environ, etag=etag, last_modified=modified):
        kept = [(k, v) for k, v in stored.headers if k.lower() not in {"content-length"}]
        start_response("304 NOT MODIFIED", kept)
        return []
    start_response(stored.status, stored.headers)
    return [] if head else [stored.body]
