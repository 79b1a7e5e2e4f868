"""Pages rendered once per state of what they show, then served as stored bytes.

A page's bytes change only when the content, the index, the gallery or the replies do.
This WSGI layer keeps each finished response (headers, ETag, compressed body) under its
address and the client's encoding, together with the state it was made in, and serves
it again without entering Flask until that state moves on. Only public, cacheable GET
answers are kept: a form with a visitor's words in it is `no-store` and never stored.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from threading import Lock
from typing import Any

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
#: Pages kept per worker (the most recently served).
REMEMBERED_PAGES = 1024
#: A page larger than this is served, not kept.
LARGEST_PAGE = 1024 * 1024


@dataclass(frozen=True)
class Stored:
    """One finished response and the state of the site it was made in."""

    state: object
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    etag: str


class PageCache:
    """WSGI middleware: a stored page while `state(path)` is unchanged, else the app's."""

    def __init__(self, app: WSGIApp, state: Callable[[str], object]) -> None:
        self.app = app
        self.state = state
        self._pages: OrderedDict[tuple[str, ...], Stored] = OrderedDict()
        self._lock = Lock()

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        if method not in {"GET", "HEAD"}:
            return self.app(environ, start_response)
        key = _key(environ)
        state = self.state(environ.get("PATH_INFO", "/"))
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
        stored = Stored(state, answer["status"], answer["headers"], body, _etag(answer["headers"]))
        if _keepable(stored):
            with self._lock:
                self._pages[key] = stored
                while len(self._pages) > REMEMBERED_PAGES:
                    self._pages.popitem(last=False)
        return _serve(stored, environ, start_response, head=False)


_CONDITIONS = frozenset(["HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE"])
#: What is kept: pages and documents, never images or other files.
_DOCUMENTS = frozenset(
    (
        *("text/html", "application/json", "application/xml", "text/xml", "text/plain"),
        *("application/atom+xml", "application/rss+xml"),
    )
)


def _key(environ: dict[str, Any]) -> tuple[str, ...]:
    encoding = environ.get("HTTP_ACCEPT_ENCODING", "")
    chosen = "br" if "br" in encoding else "gzip" if "gzip" in encoding else ""
    return (
        environ.get("HTTP_HOST", ""),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        chosen,
    )


def _etag(headers: list[tuple[str, str]]) -> str:
    return next((value for name, value in headers if name.lower() == "etag"), "")


def _keepable(stored: Stored) -> bool:
    if not stored.status.startswith("200") or not stored.etag or len(stored.body) > LARGEST_PAGE:
        return False
    headers = {k.lower(): v for k, v in stored.headers}
    kind = headers.get("content-type", "").split(";")[0].strip()
    control = headers.get("cache-control", "")
    public = "public" in control and "no-store" not in control and "set-cookie" not in headers
    return public and kind in _DOCUMENTS


def _serve(
    stored: Stored, environ: dict[str, Any], start_response: Any, *, head: bool
) -> Iterable[bytes]:
    asked = environ.get("HTTP_IF_NONE_MATCH", "")
    if stored.etag and stored.etag in {tag.strip() for tag in asked.split(",")}:
        kept = [(k, v) for k, v in stored.headers if k.lower() not in {"content-length"}]
        start_response("304 NOT MODIFIED", kept)
        return []
    start_response(stored.status, stored.headers)
    return [] if head else [stored.body]
