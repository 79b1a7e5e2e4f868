"""Bulk ranking reads what Whoosh's matchers read and scores what Whoosh's BM25F scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.query import Term
from whoosh.searching import Searcher

from folio.search import ranking
from folio.search.engine import ArrayCodec
from folio.search.query import RANKED_FIELDS, plan
from folio.search.ranking import Ranker
from folio.search.schema import make_schema
from tests.search.conftest import WORDS, doc


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


def test_idf_is_whooshs_idf(searcher: Searcher) -> None:
    ranker = Ranker(searcher)
    for field in (*RANKED_FIELDS, "spelling", "tags"):
        for term in ("otter", "quick", "badger", "temporary", "nature", "zzz-none"):
            assert ranker.idf(field, term) == pytest.approx(searcher.idf(field, term)), term


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


def test_documents_where_the_words_stand_together_rank_higher(tmp_path: Path) -> None:
    # The same words, as often and as long: only where "heron" and "salmon" stand differs.
    apart = "heron river stone reed kayak otter willow salmon. Otter reed."
    together = "river stone reed kayak otter willow heron salmon. Otter reed."
    ix = whoosh_index.create_in(str(tmp_path), make_schema())
    with ix.writer(codec=ArrayCodec()) as writer:
        writer.add_document(**doc(0, apart))
        writer.add_document(**doc(1, together))
        for n in range(2, 12):  # documents without the words, so that they are rare
            writer.add_document(**doc(n, f"otter river stone reed {n}."))
    with ix.searcher() as searcher:
        ranker = Ranker(searcher)
        for query in ("heron salmon", "salmon, the heron?"):
            assert urls(ranker, query)[:2] == ["/posts/p1/", "/posts/p0/"], query
        ranked = ranker.rank(plan("heron salmon", ranker.schema))
        gained = ranked.scores[1] - ranked.scores[0]
        assert 0 < gained < 2 * ranking.PROXIMITY  # a bonus, bounded: BM25F still leads
        # One word alone has nothing to stand near: the index's order breaks the tie.
        assert urls(ranker, "heron")[:2] == ["/posts/p0/", "/posts/p1/"]
    ix.close()
