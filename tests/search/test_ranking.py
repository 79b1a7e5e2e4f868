"""Bulk ranking reads what Whoosh's matchers read and scores what Whoosh's BM25F scores."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.index import FileIndex
from whoosh.query import Term
from whoosh.searching import Searcher

from folio.search import engine as postings
from folio.search.query import RANKED_FIELDS, WORDS_FIELD, plan
from folio.search.ranking import Ranker
from folio.search.schema import make_schema

# Enough documents that common words span several 128-posting blocks.
WORDS = ["otter", "river", "stone", "heron", "willow", "reed", "salmon", "kayak"]


def doc(n: int, body: str, *, title: str = "", tags: str = "") -> dict[str, object]:
    return {
        "url": f"/posts/p{n}/",
        "kind": "post",
        "version": "1",
        "title": title or f"Note {n}",
        "tags": tags,
        "tagtext": tags.replace(",", " "),
        "summary": body.split(".")[0],
        "body": body,
        "spelling": f"{title}\n{body}",
        "date": datetime(2024, 1, 1 + n % 28, n % 24),
    }


def filler(n: int) -> str:
    words = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(5 + n % 11)]
    return " ".join(words) + "."


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FileIndex]:
    """Two segments (a big one and a small update), each with deleted documents."""
    folder = tmp_path_factory.mktemp("index")
    ix = whoosh_index.create_in(str(folder), make_schema())
    with ix.writer() as writer:
        for n in range(400):
            writer.add_document(**doc(n, filler(n), tags="nature,water" if n % 3 else "nature"))
        writer.add_document(**doc(400, "The quick brown fox. Speed of light.", title="Quick"))
        writer.add_document(**doc(401, "A brown quick fox and a quick red brown dog."))
    writer = ix.writer()
    writer.delete_by_term("url", "/posts/p5/")
    writer.delete_by_term("url", "/posts/p401/")
    writer.add_document(**doc(402, "Badger badger badger badger badger.", tags="otters"))
    writer.add_document(**doc(403, "A badger and a marten by the quick brown river, and a fox."))
    writer.add_document(**doc(404, "Temporary quick brown note."))
    writer.commit(merge=False)
    writer = ix.writer()
    writer.delete_by_term("url", "/posts/p404/")
    writer.commit(merge=False)
    yield ix
    ix.close()


@pytest.fixture
def searcher(index: FileIndex) -> Iterator[Searcher]:
    with index.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == 2
        yield searcher


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


def test_each_term_scores_what_whooshs_bm25f_gives_it(searcher: Searcher) -> None:
    ranker = Ranker(searcher)
    for field in (*RANKED_FIELDS, "tags"):
        for term in ("otter", "heron", "quick", "note", "nature", "otters", "badger"):
            expected = {
                hit.docnum: hit.score for hit in searcher.search(Term(field, term), limit=None)
            }
            ids, scores = ranker._scored(field, term)
            ours = {
                i: s for i, s in zip(ids.tolist(), scores.tolist(), strict=True) if ranker.live[i]
            }
            assert ours == pytest.approx(expected, rel=1e-6), (field, term)


def urls(ranker: Ranker, query: str, **order: object) -> list[str]:
    ranked = ranker.rank(plan(query, ranker.schema))
    docs = ranker.order(ranked.matched, ranked.scores, by_date=bool(order), start=0, count=50)
    return [ranker.url(d) for d in docs]


def test_deleted_documents_are_never_found(searcher: Searcher) -> None:
    ranker = Ranker(searcher)
    assert "/posts/p5/" not in urls(ranker, " ".join(WORDS))
    assert urls(ranker, "temporary") == []


def test_documents_with_more_of_the_words_rank_higher(searcher: Searcher) -> None:
    ranker = Ranker(searcher)
    # p402 says "badger" five times, p403 once, but p403 also has "marten".
    assert urls(ranker, "badger marten") == ["/posts/p403/", "/posts/p402/"]
    assert urls(ranker, "badger") == ["/posts/p402/", "/posts/p403/"]


def test_phrases_need_the_words_in_order_and_keep_stop_words(searcher: Searcher) -> None:
    ranker = Ranker(searcher)
    assert set(urls(ranker, '"quick brown"')) == {"/posts/p400/", "/posts/p403/"}
    assert urls(ranker, '"brown quick"') == []  # p401 said it, but p401 is deleted
    assert urls(ranker, '"speed of light"') == ["/posts/p400/"]
    assert urls(ranker, '"speed light"') == []


def test_required_and_excluded_words_and_phrases(searcher: Searcher) -> None:
    ranker = Ranker(searcher)
    assert urls(ranker, "fox +marten") == ["/posts/p403/"]
    assert "/posts/p400/" not in urls(ranker, 'quick -"brown fox"')
    assert "/posts/p403/" in urls(ranker, 'quick -"brown fox"')
    assert urls(ranker, "badger -marten") == ["/posts/p402/"]


def test_facets_and_tag_filter(searcher: Searcher) -> None:
    ranker = Ranker(searcher)
    ranked = ranker.rank(plan("badger", ranker.schema))
    assert ranker.tag_counts(ranked.matched) == {"otters": 1}
    ranked = ranker.rank(plan("otter", ranker.schema))
    counts = ranker.tag_counts(ranked.matched)
    assert counts["nature"] == int((ranked.matched & ranker.tagged("nature")).sum())
    assert not ranker.tagged("no-such-tag").any()


def test_pages_are_ordered_by_score_or_by_date(searcher: Searcher) -> None:
    ranker = Ranker(searcher)
    ranked = ranker.rank(plan("otter river", ranker.schema))
    best = ranker.order(ranked.matched, ranked.scores, by_date=False, start=0, count=30)
    scores = ranked.scores[best]
    assert (np.diff(scores) <= 0).all()
    second = ranker.order(ranked.matched, ranked.scores, by_date=False, start=10, count=10)
    assert second == best[10:20]
    newest = ranker.order(ranked.matched, ranked.scores, by_date=True, start=0, count=30)
    dates = [searcher.reader().stored_fields(d)["date"] for d in newest]
    assert dates == sorted(dates, reverse=True)


def test_recent_rankings_are_remembered_and_read_only(searcher: Searcher) -> None:
    ranker = Ranker(searcher)
    first = ranker.rank(plan('"quick brown" otter', ranker.schema))
    assert ranker.rank(plan('"quick brown"  otter', ranker.schema)) is first
    with pytest.raises(ValueError, match="read-only"):
        first.scores[0] = 1.0


def test_a_word_being_typed_matches_the_words_it_starts(searcher: Searcher) -> None:
    ranker = Ranker(searcher)
    assert ranker.completions(plan("badg", ranker.schema, typing=True)) == ("badg", "badger")
    typed = ranker.rank(plan("marten badg", ranker.schema, typing=True))
    found = ranker.order(typed.matched, typed.scores, by_date=False, start=0, count=5)
    assert [ranker.url(d) for d in found] == ["/posts/p403/", "/posts/p402/"]
    assert "badger" in typed.terms
