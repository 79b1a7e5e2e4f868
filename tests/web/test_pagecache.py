"""Pages are made once per state of what they show, and served as stored bytes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from folio.replies.store import Reply, new_id, utcnow
from folio.web.pagecache import PageCache
from tests.conftest import eventually


@pytest.fixture
def counted(app: Flask) -> dict[str, int]:
    """How often Flask's view for each endpoint ran."""
    calls: dict[str, int] = {}
    for endpoint, view in list(app.view_functions.items()):

        def counting(
            *args: Any, _view: Callable[..., Any] = view, _name: str = endpoint, **kw: Any
        ) -> Any:
            calls[_name] = calls.get(_name, 0) + 1
            return _view(*args, **kw)

        app.view_functions[endpoint] = counting
    return calls


def test_a_page_is_made_once_and_served_again_as_stored(
    app: Flask, counted: dict[str, int]
) -> None:
    client = app.test_client()
    first = client.get("/posts/first-post/")
    for _ in range(3):
        again = client.get("/posts/first-post/")
        assert again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
        assert again.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert counted["pages.post"] == 1
    not_modified = client.get(
        "/posts/first-post/", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert not_modified.status_code == 304 and counted["pages.post"] == 1


def test_each_encoding_and_query_is_its_own_page(app: Flask, counted: dict[str, int]) -> None:
    client = app.test_client()
    plain = client.get("/").data
    assert client.get("/", headers={"Accept-Encoding": "gzip"}).data != plain
    assert client.get("/?x=1").data
    assert counted["pages.index"] == 3
    assert (
        client.get("/", headers={"Accept-Encoding": "gzip"}).headers["Content-Encoding"] == "gzip"
    )
    assert counted["pages.index"] == 3


def test_an_edit_a_reply_or_a_refused_form_is_never_hidden_by_a_stored_page(
    app: Flask, content: Path, counted: dict[str, int]
) -> None:
    client = app.test_client()
    client.get("/posts/first-post/")
    path = content / "posts/2025-01-10-first-post.md"
    path.write_text(path.read_text().replace("Words about sleep", "Words about otters"))
    eventually(lambda: b"otters" in client.get("/posts/first-post/").data)
    store = app.extensions["folio"].replies
    reply = Reply(new_id(), "first-post", "Ann", "a@example.com", "Stored pages are fine", utcnow())
    store.add(reply)
    store.set_status(reply.id, "approved")
    assert b"Stored pages are fine" in client.get("/posts/first-post/").data
    refused = client.post("/posts/first-post/comments", data={"author": "A"})
    assert refused.status_code == 422
    assert b"Please check" not in client.get("/posts/first-post/").data
    assert client.get("/nowhere/").status_code == 404
    assert client.get("/nowhere/").status_code == 404 and counted["pages.page"] == 2


def test_without_the_cache_every_request_is_made_again(make_app: Callable[..., Flask]) -> None:
    app = make_app(PAGE_CACHE=False)
    client = app.test_client()
    assert client.get("/").status_code == client.get("/").status_code == 200
    assert not isinstance(app.wsgi_app.application, PageCache)  # type: ignore[attr-defined]
    assert isinstance(make_app().wsgi_app.application, PageCache)  # type: ignore[attr-defined]


def test_a_stored_encoding_is_served_only_to_the_same_accept_encoding(app: Flask) -> None:
    client = app.test_client()
    for _ in range(3):
        assert client.get("/archive/", headers={"Accept-Encoding": "*"}).status_code == 200
    plain = client.get("/archive/")
    assert "Content-Encoding" not in plain.headers and plain.data.startswith(b"<!doctype html>")
    shouting = client.get("/tags/", headers={"Accept-Encoding": "GZIP"})
    assert client.get("/tags/").data.startswith(b"<!doctype html>")
    assert shouting.status_code == 200


def test_revalidation_from_the_store_answers_as_flask_would(app: Flask) -> None:
    client = app.test_client()
    first = client.get("/", headers={"Accept-Encoding": "gzip"})
    weak = {"If-None-Match": f"W/{first.headers['ETag']}", "Accept-Encoding": "gzip"}
    assert client.get("/", headers=weak).status_code == 304
    assert client.get("/", headers={"If-None-Match": "*"}).status_code == 304
    since = {"If-Modified-Since": first.headers["Last-Modified"], "Accept-Encoding": "gzip"}
    assert client.get("/", headers=since).status_code == 304


def test_unknown_query_parameters_are_made_but_never_kept(
    app: Flask, counted: dict[str, int]
) -> None:
    client = app.test_client()
    for n in range(3):
        assert client.get(f"/?junk={n}").status_code == 200
        assert client.get("/?junk=same").status_code == 200
    assert counted["pages.index"] == 6


def test_a_fault_in_telling_freshness_still_serves_the_page(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = app.test_client()
    client.get("/about/")

    def broken(self: object) -> int:
        raise OSError(40, "Too many levels of symbolic links")

    monkeypatch.setattr("folio.replies.store.ReplyStore.version", broken)
    response = client.get("/about/")
    assert response.status_code == 200 and b"About" in response.data
