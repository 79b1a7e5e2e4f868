"""Canaries: what the engine module reads from Whoosh's private structures equals what
Whoosh's public API gives. A `whoosh3` upgrade that changes them fails here first."""

from __future__ import annotations

from whoosh.analysis import StemmingAnalyzer
from whoosh.highlight import HtmlFormatter, WholeFragmenter, highlight
from whoosh.searching import Searcher

from folio.search import engine as postings
from folio.search.query import RANKED_FIELDS, WORDS_FIELD


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
