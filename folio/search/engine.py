"""Every use of Whoosh's private structures, in one place (tests/search/test_engine.py
holds their canaries): posting lists read in bulk, and the highlighter's marks.

A term's whole posting list comes as arrays, read a block at a time from Whoosh's files.

Whoosh's matchers hand out one posting per Python call; reading a block's arrays at once
is about ten times faster, which is what lets the ranking score every match in bulk.
"""

from __future__ import annotations

from collections.abc import Container
from itertools import accumulate
from pickle import loads
from typing import Any

import numpy as np
import numpy.typing as npt
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher
from whoosh.columns import NumericColumn
from whoosh.formats import Positions
from whoosh.highlight import HtmlFormatter, get_text
from whoosh.matching import Matcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import IndexReader, TermNotFound
from whoosh.util.numeric import byte_to_length

_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], np.float64)
Ids = npt.NDArray[np.int64]
Weights = npt.NDArray[np.float64]
NO_IDS: Ids = np.zeros(0, np.int64)
NO_WEIGHTS: Weights = np.zeros(0, np.float64)


def read(reader: IndexReader, field: str, text: str) -> tuple[Ids, Weights]:
    """Document numbers and weights (frequency times field boost) of one segment's term.

    Deleted documents are included: the caller masks them once for all terms.
    """
    matcher = _matcher(reader, field, text)
    if matcher is None:
        return NO_IDS, NO_WEIGHTS
    ids: list[int] = []
    weights: list[float] = []
    if isinstance(matcher, W3LeafMatcher):
        for block_ids, block_weights, _ in _blocks(matcher, values=False):
            ids += block_ids
            weights += block_weights
    else:  # short lists are inlined in the term info and come as a plain list matcher
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return np.array(ids, np.int64), np.array(weights, np.float64)


def positions(
    reader: IndexReader, field: str, text: str, only: Container[int] | None = None
) -> tuple[Ids, Ids]:
    """Where one segment's term occurs: parallel arrays of document numbers and positions.

    `only` limits the documents whose positions are decoded (the slow part).
    """
    matcher = _matcher(reader, field, text)
    if matcher is None:
        return NO_IDS, NO_IDS
    docs: list[int] = []
    spots: list[int] = []
    if isinstance(matcher, W3LeafMatcher):
        fast = type(matcher.format) is Positions
        decode = _decode_positions if fast else matcher.format.decoder("positions")
        for block_ids, _, values in _blocks(matcher, values=True):
            for doc, value in zip(block_ids, values, strict=True):
                if only is None or doc in only:
                    found = decode(value)
                    spots += found
                    docs += [doc] * len(found)
    else:
        while matcher.is_active():
            if only is None or matcher.id() in only:
                found = list(matcher.value_as("positions"))
                spots += found
                docs += [matcher.id()] * len(found)
            matcher.next()
    return np.array(docs, np.int64), np.array(spots, np.int64)


def _decode_positions(value: bytes) -> list[int]:
    """Whoosh's Positions value (a 4-byte count, then the pickled gaps), three times faster."""
    gaps = loads(value[4:] if value.endswith(b".") else value[4:] + b".")  # noqa: S301 (our index)
    return list(accumulate(gaps))


def lengths(reader: IndexReader, field: str) -> Weights:
    """Every document's length of a field, quantised as Whoosh stores and scores it."""
    count = reader.doc_count_all()
    perdoc = getattr(reader, "_perdoc", None)
    column = perdoc._cached_reader(f"_{field}_len", LENGTHS_COLUMN) if perdoc else None
    if isinstance(column, NumericColumn.Reader) and column._fixedlen == 1:
        raw = np.frombuffer(column._dbfile.get(column._basepos, column._count), np.uint8)
        encoded = np.zeros(count, np.int64)
        encoded[: len(raw)] = raw[:count]
        return _LENGTH_OF_BYTE[encoded]
    return np.array([reader.doc_field_length(doc, field) or 0 for doc in range(count)], float)


def column(reader: IndexReader, name: str) -> list[int]:
    """Every document's sortable value of a field (as stored: numbers), in document order."""
    values = reader.column_reader(name, translate=False)
    return [values[doc] for doc in range(reader.doc_count_all())]


def _matcher(reader: IndexReader, field: str, text: str) -> Matcher | None:
    """The term's postings in one segment, deleted documents included; None if absent."""
    # One term lookup, not two (`in` and then postings): a third of a query's reading.
    try:
        matcher = reader.postings(field, text)
    except (TermNotFound, KeyError):
        return None
    # A segment with deletions wraps its postings to skip them; we mask them in bulk.
    return matcher.child if isinstance(matcher, FilterMatcher) else matcher


def _blocks(matcher: Any, *, values: bool) -> Any:
    """(ids, weights, values) of each block, decoded the way W3LeafMatcher does it."""
    while matcher.is_active():
        matcher._read_data()
        deltas, weights, raw_values = matcher._data
        count = matcher._blocklength
        if weights is None:
            weights = (1.0,) * count
        elif isinstance(weights, float):
            weights = (weights,) * count
        if values:
            matcher._values = None
            matcher._read_values()
            raw_values = matcher._values
        yield list(accumulate(deltas)), weights, raw_values
        matcher._next_block()


class QueryMarks(HtmlFormatter):
    """<mark class="match termN">, N being the word's place in the query, whatever its
    case or form ("Back", "back" and "backs" are all the query's "back")."""

    def __init__(self, terms: tuple[str, ...]) -> None:
        super().__init__(tagname="mark", between=" … ")
        self.seen = {term: i % self.maxclasses for i, term in enumerate(terms)}

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        number = self.seen.setdefault(token.text, len(self.seen) % self.maxclasses)
        shown = self._text(get_text(text, token, replace))
        values = {"tag": self.tagname, "q": self.attrquote, "cls": self.htmlclass}
        return str(self.template % {**values, "t": shown, "tn": number})
