"""Searching the index: ranked hits with highlighted snippets, facets, "did you mean"."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from markupsafe import Markup, escape
from whoosh.classify import Expander

from folio.content.catalogue import Catalogue
from folio.content.entries import Page, Post
from folio.content.tags import Tag
from folio.search.passages import Marker, Passage
from folio.search.query import RANKED_FIELDS, WORDS_FIELD, Part, clean, parts, plan
from folio.search.ranking import Ranker

log = logging.getLogger(__name__)

PER_PAGE = 10
#: The most results a client may ask for at once (`per_page`).
MAX_PER_PAGE = 50
FEW_RESULTS = 3
SUGGESTED_TAGS = 8
#: Tags offered to narrow a search by.
MAX_FACETS = 12
#: Shorter words are not corrected: too many words are two letters from them.
MIN_CORRECTED = 4
#: Term frequencies a searcher remembers for related posts before it starts again.
REMEMBERED_FREQUENCIES = 100_000
Sort = Literal["relevance", "date"]


@dataclass(frozen=True)
class SectionHit:
    """A further section of a result that matches: its link, heading and passage."""

    link: str
    heading: Markup
    snippet: Markup


@dataclass(frozen=True)
class SearchHit:
    """One result: where it is, what it is called, and the words that matched."""

    url: str
    title: Markup
    kind: str
    date: datetime | None
    tags: tuple[Tag, ...]
    snippet: Markup
    #: The article at the section of its best passage (the URL when that has no heading).
    link: str = ""
    sections: tuple[SectionHit, ...] = ()


@dataclass(frozen=True)
class SearchResults:
    """A page of results with everything the results page shows around them."""

    query: str
    hits: tuple[SearchHit, ...] = ()
    total: int = 0
    page: int = 1
    pages: int = 1
    per_page: int = PER_PAGE
    sort: Sort = "relevance"
    tag: Tag | None = None
    facets: tuple[tuple[Tag, int], ...] = ()
    suggestion: str | None = None
    #: The unfinished last word completed from the index, when it matched nothing whole.
    completed: str = ""
    popular: tuple[Tag, ...] = ()
    rebuilding: bool = False


def run_query(
    ranker: Ranker | None,
    catalogue: Catalogue,
    raw_query: object,
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    tag: str | None = None,
    sort: str = "relevance",
    typing: bool = False,
) -> SearchResults:
    """Search; never raises for anything a visitor can type.

    A page past the last is empty. `typing`: the query is still being typed, so its
    last word may be unfinished.
    """
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    text = clean(raw_query)
    order: Sort = "date" if sort == "date" else "relevance"
    chosen = catalogue.tags.get(tag) if tag else None
    popular = catalogue.popular[:SUGGESTED_TAGS]
    base = SearchResults(
        query=text, sort=order, tag=chosen, popular=popular, per_page=per_page, page=max(1, page)
    )
    if ranker is None:
        return replace(base, rebuilding=True)
    wanted = plan(text, ranker.schema, typing=typing)
    if not wanted:
        return base
    ranked = ranker.rank(wanted)
    completed = ""
    if not typing and not ranked.matched.any():
        # No article has the last word whole: perhaps it was left unfinished ("stret").
        typed = plan(text, ranker.schema, typing=True)
        if typed.prefix and (again := ranker.rank(typed)).matched.any():
            wanted, ranked, completed = typed, again, typed.prefix
    # Facets count the whole query, so each tag shows what choosing it would give.
    counts = ranker.tag_counts(ranked.matched)
    selected = ranked.matched & ranker.tagged(chosen.slug) if chosen else ranked.matched
    total = int(selected.sum())
    pages = max(1, math.ceil(total / per_page))
    number = max(1, page)
    docs = ranker.order(
        selected,
        ranked.scores,
        by_date=order == "date",
        start=(number - 1) * per_page,
        count=per_page,
    )
    weights = {term: ranker.idf("body", term) for term in ranked.terms}
    marker = Marker(ranker.schema[RANKED_FIELDS[-1]].analyzer, weights, wanted.phrases)
    hits = tuple(_hit(ranker.stored(doc), catalogue, marker) for doc in docs)
    return replace(
        base,
        hits=hits,
        total=total,
        page=number,
        pages=pages,
        facets=_facets(counts, catalogue, chosen),
        completed=completed,
        suggestion=_suggest(ranker, text) if total < FEW_RESULTS and not completed else None,
    )


def _facets(
    counts: Mapping[str, int], catalogue: Catalogue, chosen: Tag | None
) -> tuple[tuple[Tag, int], ...]:
    """The tags most of the matches carry (and the chosen one): a wall of every tag that
    any match has helps nobody, and each is a link to make."""
    counted = [(catalogue.tags[slug], n) for slug, n in counts.items() if slug in catalogue.tags]
    ranked = sorted(counted, key=lambda pair: (-pair[1], pair[0].name.casefold()))
    shown = ranked[:MAX_FACETS]
    if chosen is not None and all(tag.slug != chosen.slug for tag, _ in shown):
        shown += [pair for pair in ranked if pair[0].slug == chosen.slug]
    return tuple(shown)


def _hit(stored: Mapping[str, Any], catalogue: Catalogue, marker: Marker) -> SearchHit:
    """One result from the index's stored fields; bad data in them degrades this hit only."""
    url, title = str(stored.get("url", "")), str(stored.get("title", ""))
    try:
        names = dict(zip(stored["tags"].split(","), stored.get("tagnames", ()), strict=False))
        tags = tuple(catalogue.tags.get(slug) or Tag(slug, name) for slug, name in names.items())
        date = stored.get("date") if stored.get("kind") == "post" else None
        sections = [tuple(s) for s in stored.get("sections") or ()]
        found = marker.finder.find(stored.get("text", ""), sections)

        def link(passage: Passage | None) -> str:
            return (
                f"{url}#{sections[passage.section][0]}" if passage and passage.section >= 0 else url
            )

        return SearchHit(
            url=url,
            title=marker.mark(title),
            kind=stored.get("kind", "post"),
            date=date.replace(tzinfo=UTC).astimezone(catalogue.site.timezone) if date else None,
            tags=tags,
            snippet=marker.passage(found.best) if found.best else escape(stored.get("summary", "")),
            link=link(found.best),
            sections=tuple(
                SectionHit(link(p), marker.mark(sections[p.section][1]), marker.passage(p))
                for p in found.others
            ),
        )
    except Exception:
        log.exception("search hit %s shown without its details", url)
        return SearchHit(url, escape(title), "post", None, (), Markup(""), url)


def _suggest(ranker: Ranker, text: str) -> str | None:
    """A correction from the index's own words, if the corrected query finds something."""
    reader = ranker.searcher.reader()
    corrector = reader.corrector(WORDS_FIELD)
    analyzer: Any = ranker.schema[WORDS_FIELD].analyzer
    corrected = []
    for part in parts(text):
        words = [token.text for token in analyzer(part.text)]
        if part.sign != "-" and not part.phrase and len(words) == 1:
            word = words[0]
            if len(word) >= MIN_CORRECTED and (WORDS_FIELD, word) not in reader:
                found = corrector.suggest(word, limit=1, maxdist=2, prefix=1)
                part = Part(found[0], part.sign) if found else part
        corrected.append(str(part))
    suggestion = " ".join(corrected)
    if suggestion.lower() == text.lower():
        return None
    return suggestion if ranker.rank(plan(suggestion, ranker.schema)).matched.any() else None


class _Remembered:
    """The parts of a searcher's reader Whoosh's Expander uses, each term's frequency
    looked up once per searcher: it looked every word of an article up twice in every
    segment, 190 ms of an edited article's first page at 1k posts (6 segments)."""

    def __init__(self, ranker: Ranker) -> None:
        self.reader = ranker.searcher.reader()
        self.schema = self.reader.schema
        self._known = ranker.frequencies

    def doc_count_all(self) -> int:
        return int(self.reader.doc_count_all())

    def field_length(self, fieldname: str) -> int:
        return int(self.reader.field_length(fieldname))

    def frequency(self, fieldname: str, text: bytes) -> float:
        key = (fieldname, text)
        if (found := self._known.get(key)) is None:
            if len(self._known) >= REMEMBERED_FREQUENCIES:
                self._known.clear()
            found = self._known[key] = float(self.reader.frequency(fieldname, text))
        return found

    def __contains__(self, term: tuple[str, bytes]) -> bool:
        return self.frequency(*term) > 0


def related_urls(ranker: Ranker, entry: Page, text: str, limit: int) -> list[str]:
    """Other posts whose body and tags are most like this one's (Whoosh's key terms)."""
    # Whoosh's key terms (Bo1 model); the Expander reads only what _Remembered has.
    expander = Expander(_Remembered(ranker), "body")  # type: ignore[arg-type]
    expander.add_text(text)
    terms = expander.expanded_terms(12)
    weighted = [("body", word, weight) for word, weight in terms]
    if isinstance(entry, Post):
        weighted += [("tags", tag.slug, 2.0) for tag in entry.tags]
    scores = ranker.weighted(weighted)
    found = ranker.order(scores > 0, scores, by_date=False, start=0, count=limit + 4)
    urls = [ranker.url(doc) for doc in found]
    return [url for url in urls if url != entry.url and url.startswith("/posts/")][:limit]
