"""Searching the index: ranked hits with highlighted snippets, facets, "did you mean"."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from markupsafe import Markup, escape
from whoosh.highlight import ContextFragmenter, HtmlFormatter, WholeFragmenter
from whoosh.query import NullQuery, Or, Query, Term
from whoosh.searching import Hit, Searcher
from whoosh.sorting import FieldFacet

from .catalogue import Catalogue
from .content import Page, Post
from .query import clean, parse, spelling_query
from .tags import Tag

log = logging.getLogger(__name__)

PER_PAGE = 10
FEW_RESULTS = 3
SUGGESTED_TAGS = 8
Sort = Literal["relevance", "date"]


@dataclass(frozen=True)
class SearchHit:
    """One result: where it is, what it is called, and the words that matched."""

    url: str
    title: Markup
    kind: str
    date: datetime | None
    tags: tuple[Tag, ...]
    snippet: Markup


@dataclass(frozen=True)
class SearchResults:
    """A page of results with everything the results page shows around them."""

    query: str
    hits: tuple[SearchHit, ...] = ()
    total: int = 0
    page: int = 1
    pages: int = 1
    sort: Sort = "relevance"
    tag: Tag | None = None
    facets: tuple[tuple[Tag, int], ...] = ()
    suggestion: str | None = None
    popular: tuple[Tag, ...] = ()
    rebuilding: bool = False


def run_query(
    searcher: Searcher | None,
    catalogue: Catalogue,
    raw_query: object,
    *,
    page: int = 1,
    tag: str | None = None,
    sort: str = "relevance",
) -> SearchResults:
    """Search; never raises for anything a visitor can type."""
    text = clean(raw_query)
    order: Sort = "date" if sort == "date" else "relevance"
    chosen = catalogue.tags.get(tag) if tag else None
    popular = tuple(e.tag for e in sorted(catalogue.cloud, key=lambda e: -e.count))
    base = SearchResults(query=text, sort=order, tag=chosen, popular=popular[:SUGGESTED_TAGS])
    if searcher is None:
        return _replace(base, rebuilding=True)
    if not text:
        return base
    query = parse(text, searcher.schema)
    if query is NullQuery:
        return base
    options: dict[str, object] = {"terms": True}
    if order == "date":
        options.update(sortedby="date", reverse=True)
    everything = searcher.search(
        query, limit=None, groupedby=FieldFacet("tags", allow_overlap=True)
    )
    facets = _facets(everything.groups("tags"), catalogue)
    if chosen is not None:
        options["filter"] = Term("tags", chosen.slug)
    total = len(everything) if chosen is None else _count(searcher, query, chosen)
    pages = max(1, math.ceil(total / PER_PAGE))
    number = min(max(1, page), pages)
    found = searcher.search_page(query, number, pagelen=PER_PAGE, **options)
    found.results.fragmenter = ContextFragmenter(maxchars=220, surround=60)
    found.results.formatter = HtmlFormatter(tagname="mark", between=" … ")
    hits = tuple(_hit(hit, catalogue) for hit in found)
    suggestion = _suggest(searcher, text) if total < FEW_RESULTS else None
    return _replace(
        base,
        hits=hits,
        total=total,
        page=number,
        pages=pages,
        facets=facets,
        suggestion=suggestion,
    )


def _replace(results: SearchResults, **changes: object) -> SearchResults:
    from dataclasses import replace

    return replace(results, **changes)  # type: ignore[arg-type]


def _count(searcher: Searcher, query: Query, tag: Tag) -> int:
    return len(searcher.search(query, limit=None, filter=Term("tags", tag.slug)))


def _facets(groups: dict[str, list[int]], catalogue: Catalogue) -> tuple[tuple[Tag, int], ...]:
    counted = [
        (catalogue.tags[slug], len(docs)) for slug, docs in groups.items() if slug in catalogue.tags
    ]
    return tuple(sorted(counted, key=lambda pair: (-pair[1], pair[0].name.casefold())))


def _hit(hit: Hit, catalogue: Catalogue) -> SearchHit:
    stored = hit.fields()
    entry = catalogue.entry(stored["url"])
    title = stored["title"]
    snippet: Markup = Markup("")
    if entry is not None:
        hit.results.fragmenter, fragmenter = WholeFragmenter(), hit.results.fragmenter
        marked_title = hit.highlights("title", text=title)
        hit.results.fragmenter = fragmenter
        snippet = Markup(hit.highlights("body", text=entry.text, top=2))  # noqa: S704 (escaped by Whoosh)
        if not snippet:
            snippet = escape(entry.summary)
    else:
        marked_title = ""
    tags = tuple(
        catalogue.tags[s] for s in stored.get("tags", "").split(",") if s in catalogue.tags
    )
    date = stored.get("date")
    return SearchHit(
        url=stored["url"],
        title=Markup(marked_title) if marked_title else escape(title),  # noqa: S704
        kind=stored.get("kind", "post"),
        date=date.replace(tzinfo=UTC).astimezone(catalogue.site.timezone)
        if isinstance(date, datetime) and stored.get("kind") == "post"
        else None,
        tags=tags,
        snippet=snippet,
    )


def _suggest(searcher: Searcher, text: str) -> str | None:
    """A correction from the index's own (unstemmed) words, if it finds more."""
    query = spelling_query(text, searcher.schema)
    corrected = searcher.correct_query(query, text, prefix=1, maxdist=2)
    if corrected.query == query or corrected.string.lower() == text.lower():
        return None
    better = parse(corrected.string, searcher.schema)
    return corrected.string if len(searcher.search(better, limit=1)) else None


def related_urls(searcher: Searcher, entry: Page, limit: int) -> list[str]:
    """Posts whose body and tags are most like this one's (Whoosh's key terms)."""
    terms = searcher.key_terms_from_text("body", entry.text, numterms=12)
    clauses: list[Query] = [Term("body", word, boost=weight) for word, weight in terms]
    if isinstance(entry, Post):
        clauses += [Term("tags", tag.slug, boost=2.0) for tag in entry.tags]
    if not clauses:
        return []
    results = searcher.search(
        Or(clauses), limit=limit, filter=Term("kind", "post"), mask=Term("url", entry.url)
    )
    return [hit["url"] for hit in results]
