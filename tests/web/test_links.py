"""Links templates build are remembered, but never across what they depend on: the
prefix the site is served under and, for full URLs, the host."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient


def test_a_page_under_a_prefix_links_under_it_after_one_without(client: FlaskClient) -> None:
    plain = client.get("/").get_data(as_text=True)
    prefixed = client.get("/", environ_overrides={"SCRIPT_NAME": "/blog"}).get_data(as_text=True)
    assert 'href="/tags/' in plain and 'href="/blog/tags/' not in plain
    assert 'href="/blog/tags/' in prefixed and 'href="/tags/' not in prefixed
    assert 'href="/blog/static/css/site' in prefixed
    again = client.get("/", environ_overrides={"SCRIPT_NAME": ""}).get_data(as_text=True)
    assert 'href="/blog/' not in again


def test_full_urls_are_remembered_per_host(app: Flask) -> None:
    url_for = app.jinja_env.globals["url_for"]
    with app.test_request_context("/", base_url="http://one.example"):
        assert url_for("pages.index", _external=True) == "http://one.example/"  # type: ignore[operator]
    with app.test_request_context("/", base_url="http://two.example"):
        assert url_for("pages.index", _external=True) == "http://two.example/"  # type: ignore[operator]
        assert url_for("search.search", q=["a", "b"]) == "/search?q=a&q=b"  # type: ignore[operator]
