"""The routes: look things up in the catalogue and render a template."""

from __future__ import annotations

from datetime import date

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
from werkzeug.wrappers import Response as BaseResponse

from .catalogue import Catalogue
from .content import Page, Post
from .paging import Pagination, paginate
from .render import highlight_css
from .search import SearchResults
from .sitesearch import SiteSearch
from .store import ContentStore
from .tags import tag_slug

bp = Blueprint("site", __name__)


def catalogue() -> Catalogue:
    """The catalogue as it is now, picking up content changes."""
    store: ContentStore = current_app.extensions["folio.content"]
    return store.catalogue()


def site_search() -> SiteSearch:
    """This worker's search index."""
    search: SiteSearch = current_app.extensions["folio.search"]
    return search


@bp.app_context_processor
def site_context() -> dict[str, object]:
    """What every page needs: the site settings and the sidebar's data."""
    current = catalogue()
    return {"site": current.site, "catalogue": current}


@bp.app_template_filter("longdate")
def longdate(moment: date) -> str:
    """12 September 2025."""
    return f"{moment.day} {moment:%B %Y}"


@bp.app_template_filter("monthname")
def monthname(moment: date) -> str:
    """September."""
    return f"{moment:%B}"


def _page_of(items: tuple[Post, ...], number: int) -> Pagination[Post]:
    page = paginate(items, number, current_app.config["POSTS_PER_PAGE"])
    if page is None:
        abort(404)
    return page


@bp.get("/")
@bp.get("/page/<int:number>/")
def index(number: int = 1) -> str | BaseResponse:
    """The latest posts, newest first."""
    if number == 1 and request.path != "/":
        return redirect(url_for(".index"), 301)
    return render_template("index.html", page=_page_of(catalogue().posts, number))


@bp.get("/posts/<slug>/")
def post(slug: str) -> str:
    """One article with its neighbours and related reading."""
    current = catalogue()
    found = current.post(slug) or abort(404)
    older, newer = current.neighbours(found)
    related = site_search().related(current, found)
    return render_template("post.html", post=found, older=older, newer=newer, related=related)


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
    if number == 1 and request.path.rstrip("/").endswith("/page/1"):
        return redirect(url_for(".tag", slug=slug), 301)
    return render_template("tag.html", tag=found, page=_page_of(current.tagged(slug), number))


@bp.get("/archive/")
def archive() -> str:
    """All posts by year and month."""
    return render_template("archive.html", years=catalogue().archive())


def _search() -> SearchResults:
    args = request.args
    return site_search().search(
        catalogue(),
        args.get("q", ""),
        page=args.get("page", 1, type=int) or 1,
        tag=args.get("tag") or None,
        sort=args.get("sort", "relevance"),
    )


@bp.get("/search")
def search() -> tuple[str, int, dict[str, str]]:
    """Search results (the search form is on every page)."""
    results = _search()
    if results.rebuilding:
        return (
            render_template("search.html", results=results, query=results.query),
            503,
            {"Retry-After": "5"},
        )
    return render_template("search.html", results=results, query=results.query), 200, {}


@bp.get("/search.json")
def search_json() -> tuple[Response, int, dict[str, str]]:
    """The same results as JSON, for search-as-you-type."""
    results = _search()
    body = {
        "query": results.query,
        "total": results.total,
        "page": results.page,
        "pages": results.pages,
        "rebuilding": results.rebuilding,
        "suggestion": results.suggestion,
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
    return (
        jsonify(body),
        503 if results.rebuilding else 200,
        {"Retry-After": "5"} if results.rebuilding else {},
    )


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
