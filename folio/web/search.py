"""The search results page and the same results as JSON (search as you type)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import Blueprint, Response, jsonify, render_template, request

from folio.web.context import catalogue, site

if TYPE_CHECKING:
    from folio.search.results import SearchResults

bp = Blueprint("search", __name__)


@dataclass(frozen=True)
class Coverage:
    """How much of the site search can find: less while the index is still being built."""

    indexed: int
    indexable: int

    @property
    def partial(self) -> bool:
        return self.indexed < self.indexable


def _coverage() -> Coverage:
    return Coverage(site().search.documents(), catalogue().searchable_count)


def _search() -> tuple[SearchResults, int, dict[str, str]]:
    """The results with the status and headers both search routes answer with."""
    from folio.search.results import PER_PAGE  # the search stack: at the first search

    args = request.args
    results = site().search.search(
        catalogue(),
        args.get("q", ""),
        page=args.get("page", 1, type=int) or 1,
        per_page=args.get("per_page", PER_PAGE, type=int) or PER_PAGE,
        tag=args.get("tag") or None,
        sort=args.get("sort", "relevance"),
        typing=args.get("typing") == "1",
    )
    # While no index can be read, say so and when to try again.
    return (results, 503, {"Retry-After": "5"}) if results.rebuilding else (results, 200, {})


@bp.get("/search")
def search() -> tuple[str, int, dict[str, str]]:
    """Search results (the search form is on every page)."""
    results, status, headers = _search()
    page = render_template(
        "search.html", results=results, query=results.query, coverage=_coverage()
    )
    return page, status, headers


@bp.get("/search.json")
def search_json() -> tuple[Response, int, dict[str, str]]:
    """The same results as JSON, for search-as-you-type."""
    results, status, headers = _search()
    body = {
        "query": results.query,
        "total": results.total,
        "page": results.page,
        "pages": results.pages,
        "per_page": results.per_page,
        "rebuilding": results.rebuilding,
        "indexed": (coverage := _coverage()).indexed,
        "indexable": coverage.indexable,
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
                "link": hit.link or hit.url,
                "sections": [
                    {"link": s.link, "heading": str(s.heading), "snippet": str(s.snippet)}
                    for s in hit.sections
                ],
            }
            for hit in results.hits
        ],
    }
    return jsonify(body), status, headers
