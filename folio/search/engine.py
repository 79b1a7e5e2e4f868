"""Every use of Whoosh's private structures, in one place (tests/search/test_engine.py
holds their canaries): posting lists read in bulk, and the highlighter's marks.

A term's whole posting list comes as arrays, read with one call from Whoosh's files.

Whoosh's matchers hand out one posting per Python call; reading a list's arrays at once
is far faster, which is what lets the ranking score every match in bulk. Our own codec
(ArrayCodec) stores the blocks' numbers as arrays numpy reads directly.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from io import BytesIO
from pickle import HIGHEST_PROTOCOL, dumps, load, loads
from typing import Any, cast
from weakref import WeakKeyDictionary

import numpy as np
import numpy.typing as npt
from whoosh.codec.whoosh3 import (
    COMPRESSION_MIN_SIZE,
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3LeafMatcher,
    W3PostingsWriter,
    W3TermsReader,
)
from whoosh.columns import NumericColumn
from whoosh.filedb.filestore import FileStorage
from whoosh.formats import Frequency, Positions
from whoosh.highlight import HtmlFormatter, get_text
from whoosh.index import FileIndex
from whoosh.reading import CorruptIndexError, EmptyReader, IndexReader, TermNotFound
from whoosh.system import _INT_SIZE, pack_uint
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], np.float64)
Ids = npt.NDArray[np.int64]
Weights = npt.NDArray[np.float64]
NO_IDS: Ids = np.zeros(0, np.int64)
NO_WEIGHTS: Weights = np.zeros(0, np.float64)
_INT = struct.Struct("!i")  # a block's length, as Whoosh's StructFile writes it


# Our postings format --------------------------------------------------------------
#
# Whoosh's blocks hold their document numbers and weights as pickled tuples of Python
# numbers, and positions as a pickle per document: decoding them costs about 150 ns a
# posting, most of a query's time. Our codec writes the same blocks (same files, same
# header and block infos, so Whoosh's readers, merges and matchers work unchanged)
# with those lists as raw little-endian arrays, which numpy reads without a copy.


# Whoosh's codec classes are unannotated: subclassed as Any, so calls into them type-check.
_W3Codec: Any = W3Codec
_W3PostingsWriter: Any = W3PostingsWriter
_W3LeafMatcher: Any = W3LeafMatcher


class ArrayCodec(_W3Codec):  # type: ignore[misc]
    """Whoosh's codec, its postings' numbers stored as arrays (see above).

    Its blocks keep no field-length bounds: only Whoosh's own top-N pruning reads them
    (the ranking here scores every match), and writing them looked up a document's
    length for every posting, a tenth of a build.
    """

    length_stats = False

    def postings_writer(self, dbfile: Any, byteids: bool = False) -> Any:
        if byteids:  # term vectors: keys are words, not numbers (we keep none)
            return super().postings_writer(dbfile, byteids)
        return _ArrayPostingsWriter(
            dbfile,
            blocklimit=self._blocklimit,
            compression=self._compression,
            inlinelimit=self._inlinelimit,
        )

    def postings_reader(
        self, dbfile: Any, terminfo: Any, format_: Any, term: Any = None, scorer: Any = None
    ) -> Any:
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return _ArrayLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


_PROTOCOL = HIGHEST_PROTOCOL


class _ArrayPostingsWriter(_W3PostingsWriter):  # type: ignore[misc]
    """Each block's numbers as a typecode and a little-endian array. A block's first
    document number counts from the previous block's last (Whoosh's from zero), so a
    term's blocks together are one run of gaps: one cumulative sum decodes them all."""

    _terminfo: Any
    _previous: int

    def start_postings(self, format_: Any, terminfo: Any) -> None:
        super().start_postings(format_, terminfo)
        self._previous = 0

    def finish_postings(self) -> Any:
        # A short list goes into the term's info, with no block of its own (most of an
        # index's terms are rare words). Whoosh's writer calls `set_inline`, a method
        # its term info does not have (`set_inlined`): it never inlines with its codec.
        terminfo = self._terminfo
        if self.written() or len(self) >= self._inlinelimit:
            return super().finish_postings()
        terminfo.add_block(self)
        # Values are kept only when not empty (Whoosh's add_posting): a format without
        # any (an ID field's) gets empty ones, which a merge reads back as bytes.
        values = self._values if len(self._values) == len(self._ids) else [b""] * len(self)
        terminfo.set_inlined(self._ids, self._weights, values)
        self._terminfo = None
        return terminfo

    def _write_block(self, last: bool = False) -> None:
        # Whoosh's own, but pickled with the newest protocol. Whoosh's protocol 2 has no
        # opcode for bytes: each array went through a str and back, and loading a block
        # of 512 positions took 14 µs instead of 1.
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = self._ids
        data = dumps((self._mini_ids(), self._mini_weights(), self._mini_values()), _PROTOCOL)
        level = self._compression if len(data) >= COMPRESSION_MIN_SIZE else 0
        if level:
            data = zlib.compress(data, level)
        lengths = length_to_byte(self._minlength), length_to_byte(self._maxlength)
        info = dumps((len(ids), ids[-1], self._maxweight, level, *lengths), _PROTOCOL)
        size = len(info) + len(data)
        self._postfile.write_int(-size if last else size)  # the last block's is negative
        self._postfile.write(info)
        self._postfile.write(data)
        self._blockcount += 1
        self._new_block()

    def _mini_ids(self) -> bytes:
        ids = self._ids
        gaps = [b - a for a, b in zip((self._previous, *ids), ids, strict=False)]
        self._previous = ids[-1]
        return _packed(gaps, "H" if max(gaps) < 1 << 16 else "I")

    def _mini_values(self) -> Any:
        # Values of varying size (positions): their sizes and one string of bytes, where
        # Whoosh pickles a tuple of strings (a pickle opcode and object each).
        fixedsize = self._format.fixed_value_size()
        if fixedsize is not None and fixedsize >= 0:
            return super()._mini_values()
        sizes = [len(value) for value in self._values]
        typecode = "H" if max(sizes, default=0) < 1 << 16 else "I"
        return _packed(sizes, typecode), b"".join(self._values)

    def _mini_weights(self) -> Any:
        weights = self._weights
        if all(w == 1.0 for w in weights):
            return None
        if all(w == weights[0] for w in weights):
            return weights[0]
        if all(w.is_integer() and 0 <= w < 256 for w in weights):
            return _packed([int(w) for w in weights], "B")
        return _packed(weights, "f")


#: How each typecode's numbers are read (array's sizes on every platform numpy runs on).
_DTYPES: dict[int, np.dtype[Any]] = {
    ord("B"): np.dtype("u1"),
    ord("H"): np.dtype("<u2"),
    ord("I"): np.dtype("<u4"),
    ord("f"): np.dtype("<f4"),
}


def _packed(numbers: Any, typecode: str) -> bytes:
    """The numbers as their typecode's letter and their little-endian bytes."""
    packed = array(typecode, numbers)
    if sys.byteorder == "big":
        packed.byteswap()
    return typecode.encode() + packed.tobytes()


def _unpacked(packed: bytes) -> npt.NDArray[Any]:
    return np.frombuffer(packed, _DTYPES[packed[0]], offset=1)


class _ArrayLeafMatcher(_W3LeafMatcher):  # type: ignore[misc]
    """Whoosh's matcher over our blocks: the arrays decoded as Whoosh's own would be."""

    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        gaps = _unpacked(self._data[0]).astype(np.int64)
        # The block's last number is in its info: the first gap counts from the one before.
        ids = np.cumsum(gaps) + (self._maxid - int(gaps.sum()))
        self._ids = tuple(ids.tolist())

    def _read_values(self) -> None:
        fixedsize = self._fixedsize
        if fixedsize is not None and fixedsize >= 0:
            super()._read_values()
            return
        if self._data is None:
            self._read_data()
        sizes, joined = self._data[2]
        ends = np.cumsum(_unpacked(sizes), dtype=np.int64).tolist()
        self._values = tuple(joined[a:b] for a, b in zip([0, *ends], ends, strict=False))

    def _read_weights(self) -> None:
        if self._data is None:
            self._read_data()
        weights = self._data[1]
        if isinstance(weights, bytes):
            self._weights = array("f", _unpacked(weights).astype(np.float32).tolist())
        else:
            super()._read_weights()


def _decoded(blocks: list[tuple[Any, Any, Any]]) -> tuple[Ids, Weights]:
    """Document numbers and weights of a term's blocks, in either codec's layout."""
    if isinstance(blocks[0][0], bytes):  # ours: one run of gaps
        gaps = [_unpacked(deltas) for deltas, _, _ in blocks]
        ids = np.cumsum(_together(gaps), dtype=np.int64)
        sizes = [len(block) for block in gaps]
    else:  # Whoosh's: each block counts from zero
        parts = [np.cumsum(np.array(deltas, np.int64)) for deltas, _, _ in blocks]
        ids = _together(parts)
        sizes = [len(part) for part in parts]
    weights = [_weights_of(w, n) for (_, w, _), n in zip(blocks, sizes, strict=True)]
    return ids, _together(weights).astype(np.float64, copy=False)


def _together(arrays: Sequence[npt.NDArray[Any]]) -> npt.NDArray[Any]:
    """One array of a term's blocks' arrays (the one itself when there is one: most
    posting lists are a single block)."""
    return arrays[0] if len(arrays) == 1 else np.concatenate(arrays)


def _weights_of(weights: Any, count: int) -> npt.NDArray[Any]:
    if weights is None:
        return np.ones(count, np.float32)
    if isinstance(weights, float):
        return np.full(count, weights, np.float32)
    if isinstance(weights, bytes):
        return _unpacked(weights)
    return np.array(weights, np.float32)


class QuickFrequency(Frequency):
    """Whoosh's Frequency format, indexing through the analyzer's `terms` when it has one
    (analysis.RankedAnalyzer): the same words and counts without a Token per word."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Any:
        terms = getattr(analyzer, "terms", None)
        if terms is None or not isinstance(value, str):
            return super().word_values(value, analyzer, **kwargs)
        boost = self.field_boost
        return (
            (word, count, float(count) * boost, pack_uint(count))
            for word, count in Counter(terms(value)).items()
        )


class ArrayPositions(Positions):
    """Word positions as a count and an array of the positions (Whoosh pickles gaps);
    indexed through the analyzer's `words` when it has one (analysis.WordsAnalyzer)."""

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Any:
        words = getattr(analyzer, "words", None)
        if words is None or not isinstance(value, str):
            return super().word_values(value, analyzer, **kwargs)
        places: dict[str, list[int]] = {}
        for place, word in enumerate(words(value)):
            found = places.get(word)
            if found is None:
                places[word] = [place]
            else:
                found.append(place)
        boost = self.field_boost
        return (
            (word, len(found), float(len(found)) * boost, self.encode(found))
            for word, found in places.items()
        )

    def encode(self, poslist: Any) -> bytes:
        return bytes(pack_uint(len(poslist))) + _packed(poslist, "I")[1:]

    def decode_positions(self, valuestring: bytes) -> list[int]:
        found: list[int] = np.frombuffer(valuestring, "<u4", offset=_INT_SIZE).tolist()
        return found


#: Blocks of 512 postings (Whoosh's 128): fewer blocks, fewer calls per term read. Not
#: compressed: arrays of small gaps are already compact, and zlib was a tenth of a query.
#: Lists of fewer than 4 postings are kept in the term's info (a third of a build was
#: writing a block for each rare word).
CODEC: Any = ArrayCodec(blocklimit=512, compression=0, inlinelimit=4)


# Building in parts ---------------------------------------------------------------
#
# Whoosh's multi-process writer hands documents out in batches of 100 to whichever
# process is free (so numbering them in no fixed order) and then merges every
# process's postings into one segment, rewriting them all. Instead each process writes
# its own contiguous part as a segment, and the parent lists the segments in order in
# one commit, as Whoosh's writer does with `multisegment=True`: the documents keep
# their numbers and nothing is written twice.


def write_segment(
    folder: str, indexname: str, documents: Iterable[dict[str, Any]], limitmb: int
) -> Any:
    """Write documents as a new segment of the index in `folder`, outside any lock and
    commit (the caller holds the build); the segment, for `commit_segments`."""
    ix = FileStorage(folder, supports_mmap=False).open_index(indexname)
    writer = SegmentWriter(ix, _lk=False, codec=CODEC, limitmb=limitmb)
    try:
        for fields in documents:
            writer.add_document(**fields)
        # Whoosh's SubWriterTask ends a part the same way; the temporary folder it
        # shares with the other parts goes when the parent's commit finishes.
        return writer._finalize_segment()
    except BaseException:
        writer.cancel()
        raise


def commit_segments(ix: FileIndex, segments: Sequence[Any]) -> None:
    """Make written segments the index's contents, in this order, in one commit."""
    writer = SegmentWriter(ix, codec=CODEC)
    try:
        writer._close_segment()  # its own segment stays empty and is not listed
        writer._commit_toc([segment for segment in segments if segment.doc_count_all()])
    except BaseException:
        writer.cancel()
        raise
    writer._finish()


def segment_sizes(ix: FileIndex) -> list[int]:
    """Each segment's documents (deleted ones included), in order, from the table of
    contents alone: no segment file is opened (a commit may be deleting some)."""
    return [segment.doc_count_all() for segment in ix._segments()]


def committed(writer: Any) -> tuple[int, int]:
    """The generation a committed writer followed and the one it made. A writer numbers
    its commit from the table of contents it reads once it holds the lock, so no other
    writer's commit can come between the two."""
    return int(writer.generation) - 1, int(writer.generation)


def read(reader: IndexReader, field: str, text: str) -> tuple[Ids, Weights]:
    """Document numbers and weights (frequency times field boost) of one segment's term.

    Deleted documents are included: the caller masks them once for all terms. The
    term's whole posting list is read with one call and its blocks decoded here;
    Whoosh's matcher seeks and reads three times per block of 128 postings.
    """
    found = _term(reader, field, text)
    if found is None:
        return NO_IDS, NO_WEIGHTS
    info, postfile = found
    if info.is_inlined():
        ids, weights, _ = info.inlined_postings()
        return np.array(ids, np.int64), np.array(weights, np.float64)
    offset, length = info.extent()
    # whoosh3 3.54 decodes the length as a 1-tuple (its own matcher never uses it).
    length = length[0] if isinstance(length, tuple) else length
    return _decoded(list(_raw_blocks(postfile.get(offset, length))))


#: Term infos looked up in each open segment (its terms reader), at most so many each:
#: about 600 bytes a term found, so under 5 MB a segment (an index has two or three big
#: ones; an edit's own segment holds a few hundred words).
_TERM_INFOS: WeakKeyDictionary[W3TermsReader, dict[tuple[str, str], Any]] = WeakKeyDictionary()
_KEPT_TERM_INFOS = 8_000
_UNKNOWN = object()


def _term(reader: IndexReader, field: str, text: str) -> tuple[Any, Any] | None:
    """A segment's term info (one lookup) and its postings file; None if absent."""
    if isinstance(reader, EmptyReader):  # an index without segments: one being built
        return None
    terms = getattr(reader, "_terms", None)
    if not isinstance(terms, W3TermsReader):
        raise TypeError(f"not a whoosh3 segment: {type(reader).__name__}")
    if field not in reader.schema:
        return None
    known = _TERM_INFOS.get(terms)
    if known is None:
        known = _TERM_INFOS.setdefault(terms, {})
    key = (field, text)
    info = known.get(key, _UNKNOWN)  # one look: another thread may clear it meanwhile
    if info is _UNKNOWN:
        # A lookup reads the segment's hash table in four or five small reads (30 µs);
        # a segment never changes, so what it says of a term is kept (misses too: most
        # words are in no title) while the segment is open.
        try:
            info = terms.term_info(field, reader.schema[field].to_bytes(text))
        except (TermNotFound, KeyError):
            info = None
        if len(known) >= _KEPT_TERM_INFOS:
            known.clear()
        known[key] = info
    return None if info is None else (info, terms._postfile)


def doc_frequency(readers: Iterable[IndexReader], field: str, text: str) -> int:
    """In how many documents of these segments a term is (deleted ones included, as
    Whoosh counts them), from the term infos kept per segment."""
    found = (_term(reader, field, text) for reader in readers)
    return sum(int(term[0].doc_frequency()) for term in found if term is not None)


def _raw_blocks(raw: bytes) -> Iterator[tuple[tuple[int, ...], Any, Any]]:
    """(id deltas, weights, values) of each block of a posting list's bytes, as Whoosh's
    W3PostingsWriter wrote them: a magic tag, then per block its length (negative for
    the last), a pickled info tuple and the pickled (possibly compressed) data."""
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise CorruptIndexError("bad postings header")
    stream = BytesIO(raw)
    position = 4
    last = False
    while not last:
        length = _INT.unpack_from(raw, position)[0]
        last = length < 0
        end = position + 4 + abs(length)
        stream.seek(position + 4)
        info = load(stream)  # noqa: S301 (our index)
        data = raw[stream.tell() : end]
        yield loads(zlib.decompress(data) if info[3] else data)  # noqa: S301 (our index)
        position = end


def positions(
    reader: IndexReader, field: str, text: str, only: Ids | None = None
) -> tuple[Ids, Ids]:
    """Where one segment's term occurs: parallel arrays of document numbers and positions.

    `only` (sorted document numbers) limits the documents whose positions are decoded.
    """
    found = _term(reader, field, text)
    if found is None:
        return NO_IDS, NO_IDS
    info, postfile = found
    if info.is_inlined():
        ids, _, inlined = info.inlined_postings()
        return _positions_one_by_one(reader, field, np.array(ids, np.int64), inlined, only)
    offset, length = info.extent()
    length = length[0] if isinstance(length, tuple) else length
    blocks = list(_raw_blocks(postfile.get(offset, length)))
    if not isinstance(blocks[0][0], bytes):  # Whoosh's layout: a tuple of values a block
        values = [value for block in blocks for value in block[2]]
        return _positions_one_by_one(reader, field, _decoded(blocks)[0], values, only)
    # Ours: the blocks' gaps are one run; each block's values are their sizes and one
    # string of bytes. (Weights are not decoded: positions do not need them.)
    ids = np.cumsum(_together([_unpacked(block[0]) for block in blocks]), dtype=np.int64)
    sizes = _together([_unpacked(block[2][0]) for block in blocks]).astype(np.int64)
    joined = b"".join(block[2][1] for block in blocks)
    if not isinstance(reader.schema[field].format, ArrayPositions):
        starts = np.cumsum(sizes) - sizes
        values = [joined[a : a + n] for a, n in zip(starts.tolist(), sizes.tolist(), strict=True)]
        return _positions_one_by_one(reader, field, ids, values, only)
    # Every value is a count and the positions, 4 bytes each: one array for the term.
    numbers = np.frombuffer(joined, "<u4")
    sizes //= 4
    firsts = np.cumsum(sizes) - sizes + 1  # where each document's positions start
    counts = sizes - 1  # positions per document, after the count itself
    if only is not None:
        chosen = _members(ids, only)
        ids, counts, firsts = ids[chosen], counts[chosen], firsts[chosen]
    # Each chosen document's run of positions, gathered at once.
    runs = np.repeat(firsts - (np.cumsum(counts) - counts), counts)
    return np.repeat(ids, counts), numbers[runs + np.arange(len(runs))].astype(np.int64)


def _members(ids: Ids, only: Ids) -> Ids:
    """Where in `ids` the numbers of `only` are (both sorted, without repeats)."""
    if not len(ids):
        return NO_IDS
    spots = np.minimum(np.searchsorted(ids, only), len(ids) - 1)
    found: Ids = spots[ids[spots] == only]
    return found


def _positions_one_by_one(
    reader: IndexReader, field: str, ids: Ids, values: Sequence[bytes], only: Ids | None
) -> tuple[Ids, Ids]:
    decode: Any = cast(Any, reader.schema[field].format).decoder("positions")
    chosen = range(len(ids)) if only is None else _members(ids, only).tolist()
    docs: list[int] = []
    spots: list[int] = []
    for i in chosen:
        found = decode(values[i])
        spots += found
        docs += [int(ids[i])] * len(found)
    return np.array(docs, np.int64), np.array(spots, np.int64)


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
