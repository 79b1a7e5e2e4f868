"""Searching the index: ranked hits with highlighted snippets, facets, "did you mean"."""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Literal

from markupsafe import Markup, escape
from whoosh.highlight import ContextFragmenter, HtmlFormatter, WholeFragmenter
from whoosh.query import NullQuery, Or, Query, Term
from whoosh.searching import Hit, Searcher

from .catalogue import Catalogue
from .content import Page, Post
from .query import clean, parse, spelling_query
from .tags import Tag

log = logging.getLogger(__name__)

PER_PAGE = 10
FEW_RESULTS = 3
SUGGESTED_TAGS = 8
MAX_PASSAGES = 4
PASSAGE_CHARS = 320
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
    doc_tags: Mapping[int, tuple[str, ...]] | None = None,
) -> SearchResults:
    """Search; never raises for anything a visitor can type.

    `doc_tags` maps document numbers to tag slugs (kept per searcher) for the facets.
    """
    doc_tags = doc_tags or {}
    text = clean(raw_query)
    order: Sort = "date" if sort == "date" else "relevance"
    chosen = catalogue.tags.get(tag) if tag else None
    popular = catalogue.popular[:SUGGESTED_TAGS]
    base = SearchResults(query=text, sort=order, tag=chosen, popular=popular)
    if searcher is None:
        return replace(base, rebuilding=True)
    if not text:
        return base
    query = parse(text, searcher.schema)
    if query is NullQuery:
        return base
    sorting: dict[str, object] = {"sortedby": "date", "reverse": True} if order == "date" else {}
    # limit=None scores every match in one pass, which also gives the exact total and the
    # documents for the facets; a top-N search would match the query twice more for those.
    if chosen is None:
        found = searcher.search(query, limit=None, **sorting)
        matched = found.docs()
    else:  # facets count the whole query, so each tag shows what choosing it would give
        matched = set(searcher.docs_for_query(query))
        found = searcher.search(query, limit=None, filter=Term("tags", chosen.slug), **sorting)
    counts = Counter(slug for doc in matched for slug in doc_tags.get(doc, ()))
    total = len(found)
    pages = max(1, math.ceil(total / PER_PAGE))
    number = min(max(1, page), pages)
    found.fragmenter = ContextFragmenter(maxchars=200, surround=50)
    found.formatter = HtmlFormatter(tagname="mark", between=" … ")
    start = (number - 1) * PER_PAGE
    needles = _needles(query)
    hits = tuple(_hit(hit, catalogue, needles) for hit in found[start : start + PER_PAGE])
    return replace(
        base,
        hits=hits,
        total=total,
        page=number,
        pages=pages,
        facets=_facets(counts, catalogue),
        suggestion=_suggest(searcher, text) if total < FEW_RESULTS else None,
    )


def _facets(counts: Counter[str], catalogue: Catalogue) -> tuple[tuple[Tag, int], ...]:
    counted = [(catalogue.tags[slug], n) for slug, n in counts.items() if slug in catalogue.tags]
    return tuple(sorted(counted, key=lambda pair: (-pair[1], pair[0].name.casefold())))


def _needles(query: Query) -> tuple[str, ...]:
    """Lower-case fragments of the body terms, to find the lines worth highlighting."""
    stems = {str(text) for field, text in query.all_terms() if field == "body"}
    return tuple(stem[: max(3, len(stem) - 1)] for stem in stems)


def _passages(text: str, needles: tuple[str, ...]) -> str:
    """Windows of text around likely matches: analysing a whole article per hit is slow."""
    windows = []
    for line in text.splitlines():
        lowered = line.lower()
        found = [i for n in needles if (i := lowered.find(n)) >= 0]
        if found:
            start = max(0, min(found) - PASSAGE_CHARS // 2)
            windows.append(line[start : start + PASSAGE_CHARS])
            if len(windows) == MAX_PASSAGES:
                break
    return "\n".join(windows)


def _hit(hit: Hit, catalogue: Catalogue, needles: tuple[str, ...]) -> SearchHit:
    stored = hit.fields()
    entry = catalogue.entry(stored["url"])
    tags = tuple(
        catalogue.tags[s] for s in stored.get("tags", "").split(",") if s in catalogue.tags
    )
    date = stored.get("date") if stored.get("kind") == "post" else None
    # Whoosh escapes the text it highlights; the marks are its only markup.
    title = _highlight(hit, "title", stored["title"], whole=True) or escape(stored["title"])
    snippet = Markup("")
    if entry is not None:
        passages = _passages(entry.text, needles)
        marked = _highlight(hit, "body", passages) if passages else None
        snippet = marked or escape(entry.summary)
    return SearchHit(
        url=stored["url"],
        title=title,
        kind=stored.get("kind", "post"),
        date=date.replace(tzinfo=UTC).astimezone(catalogue.site.timezone) if date else None,
        tags=tags,
        snippet=snippet,
    )


def _highlight(hit: Hit, field: str, text: str, *, whole: bool = False) -> Markup:
    results = hit.results
    fragmenter = results.fragmenter
    if whole:
        results.fragmenter = WholeFragmenter()
    try:
        return Markup(hit.highlights(field, text=text, top=2))  # noqa: S704
    finally:
        results.fragmenter = fragmenter


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
