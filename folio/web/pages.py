"""Pages a visitor reads: the latest posts, articles, tags, the archive, standalone pages."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from werkzeug.exceptions import ServiceUnavailable
from werkzeug.wrappers import Response as BaseResponse

from folio.content.entries import Page, Post
from folio.content.render import Rendered
from folio.content.slugs import slugify
from folio.replies.form import ReplyForm, replies_open
from folio.replies.store import thread, utcnow
from folio.web.context import catalogue, last_modified, site
from folio.web.paging import Pagination, paginate

bp = Blueprint("pages", __name__)


def _page_of(items: tuple[Post, ...], number: int) -> Pagination[Post]:
    page = paginate(items, number, current_app.config["POSTS_PER_PAGE"])
    if page is None:
        abort(404)
    return page


def _second_address_of_page_one(number: int) -> bool:
    """Whether this is .../page/1/, which answers with a redirect to the listing itself."""
    rule = request.url_rule
    return number == 1 and rule is not None and "<int:number>" in rule.rule


def body_of(entry: Page) -> Rendered:
    """The entry's rendered body, or a 503 while it is still being rendered."""
    body = site().library.body(entry)
    if body is None:
        raise ServiceUnavailable(
            "This article is being prepared. Please try again in a moment.",
            retry_after=2,
        )
    return body


@bp.get("/")
@bp.get("/page/<int:number>/")
def index(number: int = 1) -> str | BaseResponse:
    """The latest posts, newest first."""
    if _second_address_of_page_one(number):
        return redirect(url_for(".index"), 301)
    last_modified(catalogue().modified)
    return render_template("index.html", page=_page_of(catalogue().posts, number))


@bp.get("/posts/<slug>/")
def post(slug: str) -> str:
    """One article with its neighbours, related reading, replies and the reply form."""
    found = catalogue().post(slug) or abort(404)
    return article(found, ReplyForm())


def article(found: Post, form: ReplyForm, message: str = "") -> str:
    """An article page; with a refused reply's form and message when there is one."""
    current = catalogue()
    body = body_of(found)
    last_modified(found.modified, site().replies.modified(found.slug))
    older, newer = current.neighbours(found)
    approved = site().replies.replies(found.slug)
    # ?replytocom=<id> (a plain link, so it works without JavaScript) answers a reply.
    answering = next((r for r in approved if r.id == request.args.get("replytocom")), None)
    if answering and not form.parent.data:
        form.parent.data = answering.id
    return render_template(
        "post.html",
        post=found,
        body=body,
        older=older,
        newer=newer,
        related=site().search.related(current, found, body.text),
        replies=thread(approved),
        answering=answering,
        form=form,
        form_message=message,
        replies_open=replies_are_open(found),
        awaiting=request.args.get("reply") == "pending",
    )


def replies_are_open(found: Post) -> bool:
    """Whether the article takes replies now."""
    return replies_open(found, utcnow(), current_app.config["COMMENTS_CLOSE_AFTER_DAYS"])


@bp.get("/tags/")
def tags() -> str:
    """Every tag, as a large cloud."""
    last_modified(catalogue().modified)
    return render_template("tags.html")


@bp.get("/tags/<slug>/")
@bp.get("/tags/<slug>/page/<int:number>/")
def tag(slug: str, number: int = 1) -> str | BaseResponse:
    """Posts with one tag, newest first."""
    current = catalogue()
    found = current.tags.get(slug)
    if found is None:
        canonical = slugify(slug)
        if canonical in current.tags:  # /tags/Back Pain/ finds /tags/back-pain/
            return redirect(url_for(".tag", slug=canonical), 301)
        abort(404)
    if _second_address_of_page_one(number):
        return redirect(url_for(".tag", slug=slug), 301)
    last_modified(current.modified)
    return render_template("tag.html", tag=found, page=_page_of(current.tagged(slug), number))


@bp.get("/archive/")
def archive() -> str:
    """All posts by year and month."""
    last_modified(catalogue().modified)
    return render_template("archive.html", years=catalogue().archive())


@bp.get("/about/")
def about() -> str:
    """The about page, whose summary is also the sidebar's about panel."""
    found = catalogue().about or abort(404)
    last_modified(found.modified)
    return render_template("page.html", page=found, body=body_of(found))


@bp.get("/<slug>/")
def page(slug: str) -> str:
    """A standalone page from content/pages/."""
    found: Page = catalogue().page(slug) or abort(404)
    last_modified(found.modified)
    return render_template("page.html", page=found, body=body_of(found))
