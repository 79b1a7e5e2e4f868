"""Ranking in bulk: BM25F over every matching document at once.

Whoosh's matchers score one posting per Python call, about 18 µs a document over four
fields, so a common word at 10,000 articles took more than 100 ms. Here each term's
posting list is read as arrays (engine.py) and scored with numpy. A query word's
counts in title, tags, summary and body are weighed and length-normalised per field,
then summed before BM25's saturation (BM25F proper, as Lucene's BM25F and Terrier do):
a word said in the title and again in the body counts more than once, never as two
independent matches. The best hundred are then ranked again by how near the query's
words stand to each other in them. The weights were tuned on judged sets
(bench/README.md).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from folio.search import engine as postings
from folio.search.query import RANKED_FIELDS, WORDS_FIELD, Plan

Mask = npt.NDArray[np.bool_]
Scores = npt.NDArray[np.float64]
#: Rankings kept per searcher (about 90 KB each at 10,000 documents).
REMEMBERED_RANKINGS = 16
#: Indexed words looked at, and kept (the most common), to complete a word being typed.
SCANNED_COMPLETIONS, COMPLETIONS = 200, 12
#: Whoosh's BM25F defaults (its own scores, used for "more like this").
B, K1 = 0.75, 1.2
#: How much one occurrence in each field counts, against one in the body.
FIELD_WEIGHTS = {"title": 3.0, "tagtext": 2.0, "summary": 1.0, "body": 1.0}
#: Length normalisation per field (BM25's b): a title's length says little.
FIELD_B = {"title": 0.3, "tagtext": 0.0, "summary": 0.5, "body": 0.8}
#: BM25's k1 for the summed counts: how soon more occurrences stop adding.
SATURATION = 1.6
#: How much matching more of the query's words counts beyond their scores (0: not at
#: all; 1: Lucene's coord, the score times the share of words matched).
COORD = 0.0
#: Nearness (BM25TP, after Rasolofo and Savoy): the best PROXIMITY_DEPTH documents by
#: BM25F rank again with a bonus wherever two of the query's words stand within NEAR
#: words of each other, worth up to 2 * PROXIMITY. Tuned on the judged sets
#: (bench/README.md); depths of 30 to 300 and windows of 3 to 10 gave the same.
PROXIMITY, PROXIMITY_DEPTH, NEAR = 1.0, 100, 5
#: Words in more than this share of the documents are left out of nearness.
NEAR_COMMON = 0.5


@dataclass(frozen=True)
class Ranked:
    """Which documents match a plan, and their scores; arrays over document numbers."""

    matched: Mask
    scores: Scores
    terms: tuple[str, ...]  # every stem that ranked: the query's and the completions


class Ranker:
    """One searcher's documents, ready for ranking: read once, used by every query."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.schema = searcher.schema
        self.size = searcher.doc_count_all()
        self.leaves: Sequence[tuple[IndexReader, int]] = searcher.reader().leaf_readers()
        # Deleted documents stay in their segment's postings until a merge: mask them.
        self.live: Mask = np.ones(self.size, np.bool_)
        for leaf, offset in self.leaves:
            if leaf.has_deletions():
                self.live[offset : offset + leaf.doc_count_all()] = False
                self.live[np.fromiter(leaf.all_doc_ids(), np.int64) + offset] = True
        # (document, tag) pairs for the facets, from the tag field's own postings.
        self._tag_number: dict[str, int] = {}
        docs: list[postings.Ids] = []
        tags: list[postings.Ids] = []
        for leaf, offset in self.leaves:
            for slug in leaf.field_terms("tags"):
                tagged = postings.read(leaf, "tags", slug)[0] + offset
                number = self._tag_number.setdefault(slug, len(self._tag_number))
                docs.append(tagged)
                tags.append(np.full(len(tagged), number))
        self._slugs = list(self._tag_number)
        self._pair_doc = np.concatenate(docs) if docs else postings.NO_IDS
        self._pair_tag = np.concatenate(tags) if tags else postings.NO_IDS
        self.live_count = int(self.live.sum())
        self._norms: dict[str, Scores] = {}
        self._ranked: OrderedDict[Plan, Ranked] = OrderedDict()
        self._dates: Scores | None = None
        #: Each term's weight in the whole index, as related posts look them up (a few
        #: hundred terms an article, most of them shared with other articles).
        self.frequencies: dict[tuple[str, bytes], float] = {}

    # Matching --------------------------------------------------------------------

    def rank(self, wanted: Plan) -> Ranked:
        """Documents with any of the terms (or, without terms, all), then the conditions.

        The last few are remembered: paging, sorting and choosing a tag rank again.
        """
        if (known := self._ranked.pop(wanted, None)) is None:
            known = self._rank(wanted)
        self._ranked[wanted] = known
        while len(self._ranked) > REMEMBERED_RANKINGS:
            self._ranked.popitem(last=False)
        return known

    def _rank(self, wanted: Plan) -> Ranked:
        scores = np.zeros(self.size)
        hits = np.zeros(self.size, np.int64)
        # Each query word counts once, the word being typed with all it may become.
        groups: list[tuple[str, ...]] = [(term,) for term in wanted.terms]
        if wanted.prefix:
            groups.append(self.completions(wanted))
        for group in groups:
            present = np.zeros(self.size, np.bool_)
            for term in group:
                ids, term_scores = self._bm25f(term)
                scores[ids] += term_scores
                present[ids] = True
            hits += present
        matched = hits > 0 if groups else self.live.copy()
        for term in wanted.required:
            matched &= self._anywhere(term)
        for words in wanted.phrases:
            matched &= self._phrase(words)
        for term in wanted.excluded:
            matched &= ~self._anywhere(term)
        for words in wanted.excluded_phrases:
            matched &= ~self._phrase(words)
        matched &= self.live
        if groups and COORD:  # documents with more of the words rank higher
            scores *= (hits / len(groups)) ** COORD
        scores = np.where(matched, scores, 0.0)
        if PROXIMITY and len(wanted.words) > 1:
            best = np.array(
                sorted(self.order(matched, scores, by_date=False, start=0, count=PROXIMITY_DEPTH)),
                np.int64,
            )
            near = self._nearness(wanted.words, best)
            scores[best] += PROXIMITY * 2 * near / (near + 1)  # saturates as BM25's counts do
        matched.flags.writeable = scores.flags.writeable = False  # shared by later pages
        return Ranked(matched, scores, tuple(term for group in groups for term in group))

    def completions(self, wanted: Plan) -> tuple[str, ...]:
        """What the word being typed may become: its own stems and the most common
        indexed words (stems) that start with it."""
        reader = self.searcher.reader()
        found: dict[str, int] = {}
        for field in ("title", "body"):
            for term in islice(reader.expand_prefix(field, wanted.prefix), SCANNED_COMPLETIONS):
                text = term.decode() if isinstance(term, bytes) else term
                found[text] = max(found.get(text, 0), reader.doc_frequency(field, text))
        common = sorted(found, key=lambda text: -found[text])[:COMPLETIONS]
        return tuple(dict.fromkeys((*wanted.prefix_stems, *common)))

    def weighted(self, terms: Iterable[tuple[str, str, float]]) -> Scores:
        """The sum of each (field, term, weight)'s scores: for "more like this"."""
        scores = np.zeros(self.size)
        for field, term, weight in terms:
            ids, term_scores = self._scored(field, term)
            scores[ids] += weight * term_scores
        return np.where(self.live, scores, 0.0)

    def idf(self, field: str, text: str) -> float:
        """Whoosh's idf of a term (as `Searcher.idf`), from the term infos engine.py keeps:
        the words a query ranks by were looked up a moment before."""
        frequency = postings.doc_frequency((leaf for leaf, _ in self.leaves), field, text)
        return float(np.log(self.size / (frequency + 1)) + 1)

    def url(self, doc: int) -> str:
        """The URL of a document."""
        return str(self.stored(doc)["url"])

    def stored(self, doc: int) -> dict[str, Any]:
        """A document's stored fields."""
        found: dict[str, Any] = self.searcher.reader().stored_fields(doc)
        return found

    def tagged(self, slug: str) -> Mask:
        """Documents carrying a tag."""
        mask = np.zeros(self.size, np.bool_)
        if (number := self._tag_number.get(slug)) is not None:
            mask[self._pair_doc[self._pair_tag == number]] = True
        return mask

    def tag_counts(self, matched: Mask) -> dict[str, int]:
        """How many matched documents carry each tag (the facets)."""
        counts = np.bincount(self._pair_tag[matched[self._pair_doc]], minlength=len(self._slugs))
        return {self._slugs[i]: int(counts[i]) for i in np.flatnonzero(counts)}

    def order(
        self, selected: Mask, scores: Scores, *, by_date: bool, start: int, count: int
    ) -> list[int]:
        """Document numbers of one page: best first (ties: index order), or newest first."""
        docs = np.flatnonzero(selected)
        keys = -(self._date_keys()[docs] if by_date else scores[docs])
        end = start + count
        if end < len(docs):  # only the first `end` need sorting, and whatever ties with them
            boundary = np.partition(keys, end - 1)[end - 1]
            docs, keys = docs[keys <= boundary], keys[keys <= boundary]
        ranked = docs[np.lexsort((docs, keys))]
        return [int(doc) for doc in ranked[start:end]]

    # Terms -----------------------------------------------------------------------

    def _postings(self, field: str, term: str) -> tuple[postings.Ids, postings.Weights]:
        parts = [postings.read(leaf, field, term) for leaf, _ in self.leaves]
        if len(parts) == 1:
            return parts[0]
        ids = np.concatenate(
            [ids + offset for (ids, _), (_, offset) in zip(parts, self.leaves, strict=True)]
        )
        return ids, np.concatenate([weights for _, weights in parts])

    def _scored(self, field: str, term: str) -> tuple[postings.Ids, Scores]:
        ids, weights = self._postings(field, term)
        if not len(ids):
            return ids, weights
        idf = self.idf(field, term)
        return ids, idf * weights * (K1 + 1) / (weights + self._norm(field)[ids])

    def _bm25f(self, term: str) -> tuple[postings.Ids, Scores]:
        """The documents having a term in any ranked field, and its BM25F score in each."""
        counts = np.zeros(self.size)
        for field in RANKED_FIELDS:
            ids, weights = self._postings(field, term)
            if len(ids):
                counts[ids] += FIELD_WEIGHTS[field] * weights / self._length(field)[ids]
        ids = np.flatnonzero(counts)
        found = counts[ids]
        live = self.live_count
        idf = np.log(1 + (live - len(ids) + 0.5) / (len(ids) + 0.5))
        return ids, idf * found * (SATURATION + 1) / (found + SATURATION)

    def _length(self, field: str) -> Scores:
        """(1 - b) + b * length / average length, for every document."""
        key = f"bm25f:{field}"
        if key not in self._norms:
            b = FIELD_B[field]
            lengths = np.concatenate([postings.lengths(leaf, field) for leaf, _ in self.leaves])
            average = self.searcher.avg_field_length(field) or 1
            self._norms[key] = (1 - b) + b * lengths / average
        return self._norms[key]

    def _norm(self, field: str) -> Scores:
        """K1 * ((1 - B) + B * length / average length) for every document."""
        if field not in self._norms:
            lengths = np.concatenate([postings.lengths(leaf, field) for leaf, _ in self.leaves])
            average = self.searcher.avg_field_length(field) or 1
            self._norms[field] = K1 * ((1 - B) + B * lengths / average)
        return self._norms[field]

    def _anywhere(self, term: str) -> Mask:
        mask = np.zeros(self.size, np.bool_)
        for field in RANKED_FIELDS:
            mask[self._postings(field, term)[0]] = True
        return mask

    def _phrase(self, words: tuple[str, ...]) -> Mask:
        """Documents where the words follow one another (by the unstemmed word positions)."""
        mask = np.zeros(self.size, np.bool_)
        frequency = self.searcher.reader().doc_frequency
        rarest = sorted(range(len(words)), key=lambda i: frequency(WORDS_FIELD, words[i]))
        for leaf, offset in self.leaves:
            # Each occurrence as one number, document and the position the phrase would
            # start at; a phrase is there where every word has the same number.
            # Both come sorted and without repeats (documents in order, each one's
            # positions in order), which spares numpy's look for repeats.
            starts: postings.Ids | None = None
            for i in rarest:
                only = None if starts is None else _distinct_sorted(starts >> 32)
                docs, spots = postings.positions(leaf, WORDS_FIELD, words[i], only=only)
                keys = (docs << 32) + (spots - i)
                starts = (
                    keys if starts is None else np.intersect1d(starts, keys, assume_unique=True)
                )
                if not len(starts):
                    break
            if starts is not None:
                mask[(starts >> 32) + offset] = True
        return mask

    def _nearness(self, words: tuple[str, ...], docs: postings.Ids) -> Scores:
        """For each of some documents (sorted numbers): every place where two different
        query words stand within NEAR words of each other, the rarer word's idf over
        their distance squared, summed. Occurrences of all the words are sorted together
        once, so only neighbours are paired: the nearest pairs are always among them."""
        idf = np.array([self.idf(WORDS_FIELD, word) for word in words])
        # Whoosh's idf of a word in NEAR_COMMON of the documents: log(1 / share) + 1.
        common = np.log(1 / NEAR_COMMON) + 1 if NEAR_COMMON else 0.0
        keys: list[postings.Ids] = []
        labels: list[postings.Ids] = []
        for number, word in enumerate(words):
            if idf[number] < common:
                continue  # the longest positions to read, and the least said by them
            for leaf, offset in self.leaves:
                low, high = np.searchsorted(docs, (offset, offset + leaf.doc_count_all()))
                if low == high:
                    continue
                found, spots = postings.positions(
                    leaf, WORDS_FIELD, word, only=docs[low:high] - offset
                )
                keys.append(((found + offset) << 32) + spots)
                labels.append(np.full(len(found), number))
        near = np.zeros(len(docs))
        if not keys:
            return near
        key, label = np.concatenate(keys), np.concatenate(labels)
        order = np.argsort(key, kind="stable")
        key, label = key[order], label[order]
        doc, gap = key >> 32, np.diff(key)
        close = (doc[1:] == doc[:-1]) & (label[1:] != label[:-1]) & (gap > 0) & (gap <= NEAR)
        rarer = np.minimum(idf[label[1:]], idf[label[:-1]])
        np.add.at(near, np.searchsorted(docs, doc[1:][close]), rarer[close] / gap[close] ** 2)
        return near

    def _date_keys(self) -> Scores:
        if self._dates is None:
            self._dates = np.concatenate(
                [postings.column(leaf, "date") for leaf, _ in self.leaves]
            ).astype(np.float64)
        return self._dates


def _distinct_sorted(values: postings.Ids) -> postings.Ids:
    """The distinct values of a sorted array."""
    if not len(values):
        return values
    first = np.ones(len(values), np.bool_)
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return values[first]
