"""Leaving a reply under an article: every rule a visitor or a bot can meet."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from folio.replies.store import Reply, ReplyStore, new_id, utcnow
from tests.conftest import eventually

URL = "/posts/first-post/"
POST = "/posts/first-post/comments"
EMAIL = "ann.private@example.com"
GOOD = {"author": "Ann", "email": EMAIL, "comment": "Very helpful, thank you.", "elapsed": "25"}


def store(app: Flask) -> ReplyStore:
    replies: ReplyStore = app.extensions["folio"].replies
    return replies


def submit(client: FlaskClient, **changes: str) -> object:
    return client.post(POST, data={**GOOD, **changes}, headers={"Origin": "http://localhost"})


def approve_all(app: Flask) -> None:
    for reply in store(app).everything():
        store(app).set_status(reply.id, "approved")


def test_the_form_is_under_every_article(client: FlaskClient) -> None:
    html = client.get(URL).get_data(as_text=True)
    assert "Leave a Reply" in html
    assert "Your email address will not be published. Required fields are marked" in html
    for name, label in [
        ("comment", "Comment"),
        ("author", "Name"),
        ("email", "Email"),
        ("url", "Website"),
    ]:
        assert f'<label for="reply-{name}">{label}' in html
        assert f'id="reply-{name}" name="{name}"' in html
    assert 'method="post" action="/posts/first-post/comments#respond"' in html
    assert "No replies yet." in html  # not a "Replies" heading over nothing


def test_a_reply_is_stored_pending_and_the_visitor_redirected(
    app: Flask, client: FlaskClient
) -> None:
    response = submit(client)
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert response.headers["Location"] == "/posts/first-post/?reply=pending#replies"  # type: ignore[attr-defined]
    notice = client.get("/posts/first-post/?reply=pending").get_data(as_text=True)
    assert "awaiting moderation" in notice
    assert "Very helpful" not in notice  # pending: shown to nobody
    [stored] = store(app).everything()
    assert stored.status == "pending" and stored.email == EMAIL


def test_approved_replies_are_shown_threaded_and_counted(app: Flask, client: FlaskClient) -> None:
    submit(client, url="https://ann.example/")
    approve_all(app)
    [first] = store(app).replies("first-post")
    page = client.get(f"{URL}?replytocom={first.id}").get_data(as_text=True)
    assert "Reply to Ann" in page and f'name="parent" value="{first.id}"' in page
    submit(client, author="Ben", comment="Replying to Ann.", parent=first.id)
    approve_all(app)
    html = client.get(URL).get_data(as_text=True)
    assert "2 replies" in html
    assert '<a href="https://ann.example/" rel="nofollow ugc noopener external">Ann</a>' in html
    assert re.search(r'class="reply reply--depth-2" id="reply-[0-9a-f-]+">', html)
    assert "2 replies" in client.get("/page/2/").get_data(as_text=True)  # on the post card


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"author": ""}, "Please enter your name."),
        ({"email": "nope"}, "Please enter a valid email address."),
        ({"url": "javascript:alert(1)"}, "starting with http:// or https://"),
        ({"comment": ""}, "Please write your comment."),
        ({"author": "x" * 246}, "under 245 characters"),
        ({"comment": "y" * 65_526}, "under 65,525 characters"),
    ],
)
def test_invalid_replies_show_the_form_again_with_the_text_kept(
    app: Flask, client: FlaskClient, changes: dict[str, str], error: str
) -> None:
    response = submit(client, **{"comment": "My <kept> words", **changes})
    assert response.status_code == 422  # type: ignore[attr-defined]
    html = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert error in html and 'aria-invalid="true"' in html
    if "comment" not in changes:
        assert "My &lt;kept&gt; words</textarea>" in html
    assert response.headers["Cache-Control"] == "no-store"  # type: ignore[attr-defined]
    assert store(app).everything() == []


def test_cross_site_posts_are_refused(app: Flask, client: FlaskClient) -> None:
    for headers in [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "https://evil.example"}]:
        response = client.post(POST, data=GOOD, headers=headers)
        assert response.status_code == 403
        assert "only be sent from this site" in response.get_data(as_text=True)
    assert (
        client.post(POST, data=GOOD, headers={"Sec-Fetch-Site": "same-origin"}).status_code == 303
    )
    assert len(store(app).everything()) == 1


@pytest.mark.parametrize("changes", [{"homepage": "http://spam.example"}, {"elapsed": "0.5"}])
def test_bots_are_refused_quietly(app: Flask, client: FlaskClient, changes: dict[str, str]) -> None:
    response = submit(client, **changes)
    assert response.status_code == 303  # type: ignore[attr-defined]
    assert store(app).everything() == []


def test_duplicates_are_refused(app: Flask, client: FlaskClient) -> None:
    assert submit(client).status_code == 303  # type: ignore[attr-defined]
    again = submit(client)
    assert again.status_code == 422  # type: ignore[attr-defined]
    assert "already posted this comment" in again.get_data(as_text=True)  # type: ignore[attr-defined]
    assert len(store(app).everything()) == 1


def test_rate_limit_per_address(make_app: Callable[..., Flask]) -> None:
    app = make_app(COMMENT_RATE_GAP=15, COMMENT_RATE_PER_HOUR=5)
    client = app.test_client()
    assert submit(client).status_code == 303  # type: ignore[attr-defined]
    limited = submit(client, comment="A second thought.")
    assert limited.status_code == 429  # type: ignore[attr-defined]
    assert "Please wait" in limited.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "A second thought.</textarea>" in limited.get_data(as_text=True)  # type: ignore[attr-defined]
    assert int(limited.headers["Retry-After"]) > 0  # type: ignore[attr-defined]
    other = app.test_client()
    response = other.post(
        POST, data={**GOOD, "comment": "From elsewhere"}, environ_base={"REMOTE_ADDR": "10.9.8.7"}
    )
    assert response.status_code == 303


def test_a_request_too_large_is_refused(client: FlaskClient) -> None:
    response = submit(client, comment="z" * 300_000)
    assert response.status_code == 413  # type: ignore[attr-defined]


def test_unknown_posts_and_methods(client: FlaskClient) -> None:
    assert client.post("/posts/nope/comments", data=GOOD).status_code == 404
    assert client.post("/posts/a-draft/comments", data=GOOD).status_code == 404
    assert client.get(POST).status_code == 405


def test_posts_without_comments_show_replies_but_no_form(
    app: Flask, client: FlaskClient, content: Path
) -> None:
    submit(client)
    approve_all(app)
    path = content / "posts/2025-01-10-first-post.md"
    path.write_text(path.read_text().replace("author: Ann Author", "author: Ann\ncomments: false"))
    eventually(lambda: "Replies are turned off" in client.get(URL).get_data(as_text=True))
    html = client.get(URL).get_data(as_text=True)
    assert "Very helpful" in html and "Leave a Reply" not in html
    assert "Replies are turned off" in html
    assert client.post(POST, data=GOOD).status_code == 403


def test_replies_close_after_the_configured_days(make_app: Callable[..., Flask]) -> None:
    client = make_app(COMMENTS_CLOSE_AFTER_DAYS=30).test_client()
    html = client.get(URL).get_data(as_text=True)
    assert "Leave a Reply" not in html and "Replies are closed" in html
    assert client.post(POST, data=GOOD).status_code == 403


def test_the_email_is_never_in_any_public_response(
    app: Flask, client: FlaskClient, content: Path
) -> None:
    submit(client, url="https://ann.example/")
    approve_all(app)
    current = app.extensions["folio"].library.catalogue()
    urls = [
        "/",
        "/page/2/",
        "/tags/",
        "/archive/",
        "/about/",
        "/contact/",
        URL,
        f"{URL}?reply=pending",
        "/search?q=helpful",
        "/search.json?q=helpful",
        "/search?q=ann",
        "/search.json?q=private",
    ]
    urls += [f"/tags/{slug}/" for slug in current.tags]
    [reply] = store(app).replies("first-post")
    urls.append(f"{URL}?replytocom={reply.id}")
    local = EMAIL.split("@")[0]
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        assert EMAIL not in body and local not in body, url
    assert client.get("/search.json?q=helpful").get_json()["total"] == 0  # replies are not indexed


def test_plain_gets_stay_cacheable_with_replies(app: Flask, client: FlaskClient) -> None:
    submit(client)
    approve_all(app)
    response = client.get(URL)
    assert "Set-Cookie" not in response.headers
    assert response.data == client.get(URL, headers={"User-Agent": "x"}).data


def test_a_host_that_does_not_write_replies_refuses_them(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    reader = make_app(REPLIES_WRITABLE=False)
    response = reader.test_client().post(POST, data=GOOD)
    assert response.status_code == 403
    assert "does not receive them" in response.get_data(as_text=True)
    assert not (tmp_path / "comments").exists()  # nothing written, not even a folder


def test_reply_times_are_valid_html_datetimes(app: Flask) -> None:
    approve = store(app)
    reply_at = Reply(new_id(), "first-post", "Ann", EMAIL, "Timed", utcnow())
    approve.add(reply_at)
    approve.set_status(reply_at.id, "approved")
    html = app.test_client().get(URL).get_data(as_text=True)
    stamps = re.findall(r'<time datetime="([^"]+)"', html)
    assert stamps and all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", s) for s in stamps
    )


def test_a_refused_reply_leads_back_to_the_form_with_a_summary(client: FlaskClient) -> None:
    html = client.get(URL).get_data(as_text=True)
    assert 'action="/posts/first-post/comments#respond"' in html
    response = submit(client, email="tom@")
    assert response.status_code == 422  # type: ignore[attr-defined]
    page = response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert 'id="reply-errors" role="alert" tabindex="-1"' in page
    assert '<a href="#reply-email">Email: Please enter a valid email address.</a>' in page
