"""The routes: look things up in the catalogue and render a template."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from markupsafe import Markup
from werkzeug.wrappers import Response as BaseResponse

from folio.content.catalogue import Catalogue
from folio.content.entries import Page, Post
from folio.content.render import highlight_css
from folio.content.store import ContentStore
from folio.content.tags import tag_slug
from folio.replies.form import ReplyForm, cross_site, replies_open
from folio.replies.receiving import receive
from folio.replies.store import ReplyStore, thread, utcnow
from folio.replies.text import reply_html
from folio.search.results import SearchResults
from folio.search.service import SiteSearch
from folio.web.paging import Pagination, paginate

bp = Blueprint("site", __name__)


def catalogue() -> Catalogue:
    """The catalogue as it is now, picking up content changes."""
    store: ContentStore = current_app.extensions["folio.content"]
    return store.catalogue()


def replies() -> ReplyStore:
    """Visitor replies, under COMMENTS_DIR."""
    store: ReplyStore = current_app.extensions["folio.replies"]
    return store


def site_search() -> SiteSearch:
    """This worker's search index."""
    search: SiteSearch = current_app.extensions["folio.search"]
    return search


@bp.app_context_processor
def site_context() -> dict[str, object]:
    """What every page needs: the site settings and the sidebar's data."""
    current = catalogue()
    return {"site": current.site, "catalogue": current, "reply_count": replies().count}


@bp.app_template_global("tag_cloud")
def tag_cloud(large: bool = False) -> Markup:
    """The tag cloud, the same on every page until the content changes: rendered once."""
    return _rendered_cloud(catalogue(), large=large)


@lru_cache(maxsize=2)
def _rendered_cloud(current: Catalogue, *, large: bool) -> Markup:
    return Markup(render_template("partials/_tag_cloud.html", cloud=current.cloud, large=large))  # noqa: S704 (our template's output)


@bp.app_template_filter("longdate")
def longdate(moment: date) -> str:
    """12 September 2025."""
    return f"{moment.day} {moment:%B %Y}"


bp.add_app_template_filter(reply_html, "reply_html")


@bp.app_template_filter("monthname")
def monthname(moment: date) -> str:
    """September."""
    return f"{moment:%B}"


def _page_of(items: tuple[Post, ...], number: int) -> Pagination[Post]:
    page = paginate(items, number, current_app.config["POSTS_PER_PAGE"])
    if page is None:
        abort(404)
    return page


def _second_address_of_page_one(number: int) -> bool:
    """Whether this is .../page/1/, which answers with a redirect to the listing itself."""
    rule = request.url_rule
    return number == 1 and rule is not None and "<int:number>" in rule.rule


@bp.get("/")
@bp.get("/page/<int:number>/")
def index(number: int = 1) -> str | BaseResponse:
    """The latest posts, newest first."""
    if _second_address_of_page_one(number):
        return redirect(url_for(".index"), 301)
    return render_template("index.html", page=_page_of(catalogue().posts, number))


@bp.get("/posts/<slug>/")
def post(slug: str) -> str:
    """One article with its neighbours, related reading, replies and the reply form."""
    found = catalogue().post(slug) or abort(404)
    return _article(found, ReplyForm())


def _article(found: Post, form: ReplyForm, message: str = "") -> str:
    current = catalogue()
    older, newer = current.neighbours(found)
    approved = replies().replies(found.slug)
    # ?replytocom=<id> (a plain link, so it works without JavaScript) answers a reply.
    answering = next((r for r in approved if r.id == request.args.get("replytocom")), None)
    if answering and not form.parent.data:
        form.parent.data = answering.id
    return render_template(
        "post.html",
        post=found,
        older=older,
        newer=newer,
        related=site_search().related(current, found),
        replies=thread(approved),
        answering=answering,
        form=form,
        form_message=message,
        replies_open=_open(found),
        awaiting=request.args.get("reply") == "pending",
    )


def _open(found: Post) -> bool:
    return replies_open(found, utcnow(), current_app.config["COMMENTS_CLOSE_AFTER_DAYS"])


@bp.post("/posts/<slug>/comments")
def reply(slug: str) -> BaseResponse | tuple[str, int, dict[str, str]]:
    """Receive a reply: redirect when stored, or show the form again with what is wrong."""
    found = catalogue().post(slug) or abort(404)
    headers = request.headers
    if cross_site(headers.get("Sec-Fetch-Site"), headers.get("Origin"), request.host_url):
        abort(403, "Replies can only be sent from this site’s own form.")
    if not _open(found):
        abort(403, "Replies are closed on this article.")
    form = ReplyForm(request.form)
    outcome = receive(
        form,
        found,
        store=replies(),
        limiter=current_app.extensions["folio.ratelimit"],
        client=request.remote_addr or "unknown",
        now=utcnow(),
    )
    if outcome.kind in {"stored", "ignored"}:  # bots get the same answer as people
        target = url_for(".post", slug=found.slug, reply="pending", _anchor="replies")
        return redirect(target, 303)
    private = {"Cache-Control": "no-store"}
    if outcome.kind == "limited":
        wait = max(1, round(outcome.wait))
        message = f"You have sent several replies in a short time. Please wait {wait} seconds."
        return _article(found, form, message), 429, private | {"Retry-After": str(wait)}
    return _article(found, form, "Please check the highlighted fields."), 422, private


@bp.get("/tags/")
def tags() -> str:
    """Every tag, as a large cloud."""
    return render_template("tags.html")


@bp.get("/tags/<slug>/")
@bp.get("/tags/<slug>/page/<int:number>/")
def tag(slug: str, number: int = 1) -> str | BaseResponse:
    """Posts with one tag, newest first."""
    current = catalogue()
    found = current.tags.get(slug)
    if found is None:
        canonical = tag_slug(slug)
        if canonical in current.tags:  # /tags/Back Pain/ finds /tags/back-pain/
            return redirect(url_for(".tag", slug=canonical), 301)
        abort(404)
    if _second_address_of_page_one(number):
        return redirect(url_for(".tag", slug=slug), 301)
    return render_template("tag.html", tag=found, page=_page_of(current.tagged(slug), number))


@bp.get("/archive/")
def archive() -> str:
    """All posts by year and month."""
    return render_template("archive.html", years=catalogue().archive())


def _search() -> tuple[SearchResults, int, dict[str, str]]:
    """The results with the status and headers both search routes answer with."""
    args = request.args
    results = site_search().search(
        catalogue(),
        args.get("q", ""),
        page=args.get("page", 1, type=int) or 1,
        tag=args.get("tag") or None,
        sort=args.get("sort", "relevance"),
        typing=args.get("typing") == "1",
    )
    # While the index is being rebuilt, say so and when to try again.
    return (results, 503, {"Retry-After": "5"}) if results.rebuilding else (results, 200, {})


@bp.get("/search")
def search() -> tuple[str, int, dict[str, str]]:
    """Search results (the search form is on every page)."""
    results, status, headers = _search()
    return render_template("search.html", results=results, query=results.query), status, headers


@bp.get("/search.json")
def search_json() -> tuple[Response, int, dict[str, str]]:
    """The same results as JSON, for search-as-you-type."""
    results, status, headers = _search()
    body = {
        "query": results.query,
        "total": results.total,
        "page": results.page,
        "pages": results.pages,
        "rebuilding": results.rebuilding,
        "suggestion": results.suggestion,
        "completed": results.completed,
        "results": [
            {
                "title": hit.title.striptags(),
                "title_html": str(hit.title),
                "url": hit.url,
                "date": hit.date.date().isoformat() if hit.date else None,
                "tags": [tag.name for tag in hit.tags],
                "snippet": str(hit.snippet),
            }
            for hit in results.hits
        ],
    }
    return jsonify(body), status, headers


@bp.get("/images/<path:filename>")
def image(filename: str) -> Response:
    """Images stored beside the content; send_from_directory refuses to leave the folder."""
    return send_from_directory(current_app.config["CONTENT_DIR"] / "images", filename)


@bp.get("/highlight.css")
def highlight_stylesheet() -> Response:
    """Code colours from Pygments, for light and dark schemes."""
    response = Response(highlight_css(), mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response


@bp.get("/about/")
def about() -> str:
    """The about page, whose summary is also the sidebar's about panel."""
    found = catalogue().about or abort(404)
    return render_template("page.html", page=found)


@bp.get("/<slug>/")
def page(slug: str) -> str:
    """A standalone page from content/pages/."""
    found: Page = catalogue().page(slug) or abort(404)
    return render_template("page.html", page=found)


@bp.after_app_request
def cache_headers(response: BaseResponse) -> BaseResponse:
    """Pages are the same for everyone: let browsers and proxies revalidate by ETag."""
    if (
        request.method in {"GET", "HEAD"}
        and response.status_code == 200
        and response.mimetype == "text/html"
        and not response.direct_passthrough
    ):
        response.cache_control.public = True
        response.cache_control.no_cache = True
        response.add_etag()
        response.make_conditional(request)
    return response
