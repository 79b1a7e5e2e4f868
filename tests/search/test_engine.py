"""Canaries: what the engine module reads from Whoosh's private structures equals what
Whoosh's public API gives. A `whoosh3` upgrade that changes them fails here first."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.analysis import StemmingAnalyzer
from whoosh.codec.whoosh3 import W3Codec, W3TermInfo
from whoosh.filedb.filestore import RamStorage
from whoosh.formats import Frequency, Positions
from whoosh.highlight import HtmlFormatter, WholeFragmenter, highlight
from whoosh.searching import Searcher
from whoosh.system import pack_uint

from folio.search import engine as postings
from folio.search.query import RANKED_FIELDS, WORDS_FIELD
from folio.search.ranking import Ranker
from folio.search.schema import make_schema
from tests.search.conftest import doc, filler


def test_postings_read_in_bulk_are_the_matchers_postings(searcher: Searcher) -> None:
    for leaf, _ in searcher.reader().leaf_readers():
        for field in (*RANKED_FIELDS, WORDS_FIELD, "tags"):
            for term, _ in leaf.iter_field(field):
                text = term.decode() if isinstance(term, bytes) else term
                ids, weights = postings.read(leaf, field, text)
                matcher = leaf.postings(field, text)  # skips deleted documents
                expected = []
                while matcher.is_active():
                    expected.append((matcher.id(), matcher.weight()))
                    matcher.next()
                live = [
                    (i, w)
                    for i, w in zip(ids.tolist(), weights.tolist(), strict=True)
                    if not leaf.is_deleted(i)
                ]
                assert live == expected, (field, text)


def test_positions_read_in_bulk_are_the_matchers_positions(searcher: Searcher) -> None:
    for leaf, _ in searcher.reader().leaf_readers():
        for word in ("otter", "quick", "brown", "the", "badger"):
            if (WORDS_FIELD, word.encode()) not in leaf:
                continue
            docs, spots = postings.positions(leaf, WORDS_FIELD, word)
            found: dict[int, list[int]] = {}
            for d, p in zip(docs.tolist(), spots.tolist(), strict=True):
                found.setdefault(d, []).append(p)
            matcher = leaf.postings(WORDS_FIELD, word)
            while matcher.is_active():
                assert found[matcher.id()] == list(matcher.value_as("positions"))
                matcher.next()
            # Limited to some documents (some without the word): theirs and nothing else.
            only = np.array([*sorted(found)[::3], leaf.doc_count_all() + 5], np.int64)
            docs, spots = postings.positions(leaf, WORDS_FIELD, word, only=only)
            some: dict[int, list[int]] = {}
            for d, p in zip(docs.tolist(), spots.tolist(), strict=True):
                some.setdefault(d, []).append(p)
            assert some == {d: found[d] for d in sorted(found)[::3]}


def test_field_lengths_are_whooshs_quantised_lengths(searcher: Searcher) -> None:
    for leaf, _ in searcher.reader().leaf_readers():
        for field in RANKED_FIELDS:
            expected = [leaf.doc_field_length(d, field) or 0 for d in range(leaf.doc_count_all())]
            assert postings.lengths(leaf, field).tolist() == expected


def test_query_marks_are_whooshs_html_marks_with_a_class_per_query_word() -> None:
    analyzer = StemmingAnalyzer()
    plain = "back pain & the back of chairs"  # one form of each word: Whoosh's own numbering
    ours = highlight(plain, {"back"}, analyzer, WholeFragmenter(), postings.QueryMarks(("back",)))
    whooshs = HtmlFormatter(tagname="mark", between=" … ")
    assert ours == highlight(plain, {"back"}, analyzer, WholeFragmenter(), whooshs)
    text = "Back pain & the backs of chairs"
    two = postings.QueryMarks(("pain", "back"))
    marked = highlight(text, {"back", "pain"}, analyzer, WholeFragmenter(), two)
    assert '<mark class="match term1">Back</mark> <mark class="match term0">pain</mark>' in marked
    assert '<mark class="match term1">backs</mark>' in marked  # every form of the query's word
    assert "&amp;" in marked  # Whoosh escapes the text it marks


def test_a_term_missing_from_a_segment_reads_as_no_postings(searcher: Searcher) -> None:
    for leaf, _ in searcher.reader().leaf_readers():
        ids, weights = postings.read(leaf, "body", "zzzznotaword")
        assert len(ids) == len(weights) == 0
        assert (("body", b"zzzznotaword") in leaf) is False


def test_an_index_without_segments_reads_as_no_postings(tmp_path: Path) -> None:
    """An index being built has no segments yet: Whoosh gives an empty reader, which an
    article's related posts met at every request of a cold 100k start."""
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    with ix.searcher() as searcher:
        [(leaf, _)] = searcher.reader().leaf_readers()
        assert len(postings.read(leaf, "body", "word")[0]) == 0
        assert len(postings.positions(leaf, WORDS_FIELD, "word")[0]) == 0
        assert postings.doc_frequency([leaf], "body", "word") == 0
        ranker = Ranker(searcher)
        assert not ranker.weighted([("body", "word", 1.0), ("tags", "x", 2.0)]).any()


@pytest.mark.parametrize(
    "codec", [postings.CODEC, postings.ArrayCodec(blocklimit=8, compression=3)], ids=str
)
def test_our_codec_stores_what_whooshs_codec_stores(tmp_path: Path, codec: object) -> None:
    """The same documents through Whoosh's codec and ours: every term's postings, as
    Whoosh's own matchers read them, and every word's positions, are the same."""
    readers = []
    for name, chosen, positions_format in (
        ("whoosh", W3Codec(), Positions),
        ("ours", codec, postings.ArrayPositions),
    ):
        schema = make_schema()
        schema[WORDS_FIELD].format = positions_format()
        folder = tmp_path / name
        folder.mkdir()
        ix = whoosh_index.create_in(str(folder), schema)
        with ix.writer(codec=chosen) as writer:
            for n in range(300):
                writer.add_document(**doc(n, filler(n) + " " + filler(n + 1), tags="a,b"))
        with ix.writer(codec=chosen) as writer:
            writer.add_document(**doc(300, "A lone zyzzyva and otters.", tags="c"))
        # Merged into one segment: every posting read back through the codec's own
        # matchers (short lists from the term infos) and written again.
        ix.optimize(codec=chosen)
        readers.append(ix.reader())
    whooshs, ours = readers
    assert type(ours.postings("body", "otter")).__name__ == "_ArrayLeafMatcher"
    assert list(whooshs.all_terms()) == list(ours.all_terms())
    for field, text in whooshs.all_terms():
        expected, found = whooshs.postings(field, text), ours.postings(field, text)
        assert list(expected.items_as("weight")) == list(found.items_as("weight")), (field, text)
        if field == WORDS_FIELD:
            assert list(whooshs.postings(field, text).items_as("positions")) == list(
                ours.postings(field, text).items_as("positions")
            )
            assert [a.tolist() for a in postings.positions(ours, field, text.decode())] == [
                a.tolist() for a in postings.positions(whooshs, field, text.decode())
            ]
        if field not in (*RANKED_FIELDS, WORDS_FIELD, "tags"):
            continue  # numbers and dates: terms that are not text
        word = text.decode()
        for a, b in zip(
            postings.read(whooshs, field, word), postings.read(ours, field, word), strict=True
        ):
            assert a.tolist() == b.tolist()
    # Our blocks are pickled with the newest protocol (Whoosh's 2 sends bytes through str).
    term = postings._term(ours, "body", "otter")
    assert term is not None
    info, postfile = term
    offset, length = info.extent()
    raw = postfile.get(offset, length[0] if isinstance(length, tuple) else length)
    assert raw[8 : 8 + 2] == bytes([0x80, pickle.HIGHEST_PROTOCOL])
    for reader in readers:
        reader.close()


def test_a_term_info_gives_its_postings_extent() -> None:
    """whoosh3 3.54 decodes a term's postings length as a 1-tuple; engine.read reads both."""
    info = W3TermInfo()
    info.set_extent(1234, 567)
    offset, length = W3TermInfo.from_bytes(info.to_bytes()).extent()
    assert offset == 1234
    assert (length[0] if isinstance(length, tuple) else length) == 567


def test_our_blocks_hold_any_document_numbers_and_weights() -> None:
    """Gaps past 16 bits, weights past a byte and fractional ones, in blocks of two."""
    ids = [0, 5, 70_000, 70_001, 200_000, 4_000_000_000]
    weights = [1.0, 3.0, 300.0, 2.5, 1.0, 1.0]
    storage = RamStorage()
    postfile = storage.create_file("postings")
    format_ = Frequency()
    writer = postings.ArrayCodec(blocklimit=2, compression=0).postings_writer(postfile)
    info = W3TermInfo()
    writer.start_postings(format_, info)
    for number, weight in zip(ids, weights, strict=True):
        writer.add_posting(number, weight, pack_uint(int(weight)), 1)
    info = writer.finish_postings()
    postfile.close()
    postfile = storage.open_file("postings")
    offset, length = info.extent()
    length = length[0] if isinstance(length, tuple) else length
    blocks = list(postings._raw_blocks(postfile.get(offset, length)))
    assert len(blocks) == 3
    found_ids, found_weights = postings._decoded(blocks)
    assert found_ids.tolist() == ids and found_weights.tolist() == weights
    matcher = postings.CODEC.postings_reader(postfile, info, format_)
    read = []
    while matcher.is_active():
        read.append((matcher.id(), matcher.weight()))
        matcher.next()
    assert read == list(zip(ids, weights, strict=True))


def test_a_writer_commits_the_generation_after_the_one_it_read(tmp_path: Path) -> None:
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    made = []
    for n in range(3):
        writer = ix.writer(codec=postings.CODEC)
        writer.add_document(**doc(n, filler(n)))
        writer.commit(merge=False)
        made.append(postings.committed(writer))
        assert made[-1][1] == ix.latest_generation()
    assert [before for before, _ in made[1:]] == [after for _, after in made[:-1]]


def test_segment_sizes_are_the_readers_segment_sizes(tmp_path: Path) -> None:
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    for first, count in ((0, 5), (5, 1), (6, 2)):
        writer = ix.writer(codec=postings.CODEC)
        for n in range(first, first + count):
            writer.add_document(**doc(n, filler(n)))
        writer.commit(merge=False)  # each stays a segment of its own
    writer = ix.writer(codec=postings.CODEC)
    writer.delete_by_term("url", "/posts/p5/")
    writer.commit(merge=False)
    with ix.reader() as reader:
        expected = [leaf.doc_count_all() for leaf, _ in reader.leaf_readers()]
    assert postings.segment_sizes(ix) == expected == [5, 1, 2]


def test_term_infos_are_kept_per_segment_and_bounded(
    searcher: Searcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postings, "_KEPT_TERM_INFOS", 3)
    leaf = searcher.reader().leaf_readers()[0][0]
    words = ["otter", "heron", "river", "zzznone", "quick", "otter"]
    expected = [postings.read(leaf, "body", word)[0].tolist() for word in words]
    again = [postings.read(leaf, "body", word)[0].tolist() for word in words]
    assert again == expected  # kept or looked up again, the same postings
    kept = postings._TERM_INFOS[leaf._terms]  # type: ignore[attr-defined]  # a SegmentReader
    assert 0 < len(kept) <= 3
