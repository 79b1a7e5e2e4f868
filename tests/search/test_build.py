"""A build in parts (a process per part) indexes exactly what one process indexes, and
the quick analysis paths index exactly what Whoosh's analyzers and formats index."""

from __future__ import annotations

from pathlib import Path

from whoosh.formats import Frequency, Positions
from whoosh.searching import Searcher

from folio.search.analysis import QUERY_ANALYZER, RankedAnalyzer, WordsAnalyzer
from folio.search.engine import ArrayPositions, QuickFrequency
from folio.search.folder import IndexFolder
from folio.search.query import plan
from folio.search.ranking import Ranker
from folio.search.schema import make_schema
from tests.search.conftest import WORDS, doc, filler

QUERIES = [
    "otter",
    "river heron",
    "quick brown fox",
    '"brown fox"',
    "salmon -kayak",
    "+willow reed",
    "badger",
    "nature",
]


def corpus() -> list[dict[str, object]]:
    docs = [
        doc(n, filler(n) + " " + filler(n * 3 + 1), tags="nature,water" if n % 3 else "nature")
        for n in range(240)
    ]
    docs.append(doc(240, "The quick brown fox. Speed of light.", title="Quick"))
    docs.append(doc(241, "A brown quick fox and a quick red brown dog, badger."))
    return docs


def rankings(searcher: Searcher) -> list[tuple[list[int], list[float], int, dict[str, int]]]:
    ranker = Ranker(searcher)
    found = []
    for query in QUERIES:
        ranked = ranker.rank(plan(query, ranker.schema))
        order = ranker.order(ranked.matched, ranked.scores, by_date=False, start=0, count=300)
        found.append(
            (
                order,
                ranked.scores[order].tolist(),
                int(ranked.matched.sum()),
                ranker.tag_counts(ranked.matched),
            )
        )
    return found


def test_a_build_in_parts_ranks_exactly_as_a_build_in_one_process(tmp_path: Path) -> None:
    docs = corpus()
    one, parts = IndexFolder(tmp_path / "one"), IndexFolder(tmp_path / "parts")
    assert one.build(docs).documents == len(docs)
    assert parts.build(docs, procs=3, per_process=50).documents == len(docs)
    single, multiple = (folder.open(str(folder.current_name())) for folder in (one, parts))
    with single.searcher() as a, multiple.searcher() as b:
        assert len(a.reader().leaf_readers()) == 1
        assert len(b.reader().leaf_readers()) == 3  # one segment per part, in order
        assert [a.stored_fields(d)["url"] for d in range(len(docs))] == [
            b.stored_fields(d)["url"] for d in range(len(docs))
        ]
        for field in ("title", "body", "spelling"):
            assert a.avg_field_length(field) == b.avg_field_length(field)
        ours, theirs = rankings(a), rankings(b)
        assert all(order for order, _, _, _ in ours)
        for (order, scores, total, facets), (order2, scores2, total2, facets2) in zip(
            ours, theirs, strict=True
        ):
            assert order == order2 and total == total2 and facets == facets2
            assert scores == scores2
        assert set(WORDS) <= {t.decode() for t in b.lexicon("body")}
    single.close()
    multiple.close()


def test_too_few_documents_for_parts_are_built_in_this_process(tmp_path: Path) -> None:
    folder = IndexFolder(tmp_path)
    assert folder.build(corpus()[:30], procs=4).documents == 30
    index = folder.open(str(folder.current_name()))
    with index.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == 1
    index.close()


TEXT = (
    "Use os.path or Material.CheckAvailability; HTMLParser and well-known node.js, I/O "
    "x_y a utf8 The QUICK brown foxes' running runs, ÜBER-café naïve Straße 3.14 v2.0.1 "
    "e-mail E-Mail -- a-b- .dot. under_score ÆsirLoki İstanbul\nnew line\tand tab " * 3
)


def test_the_quick_analysis_gives_what_the_analyzers_chain_gives() -> None:
    schema = make_schema()
    for analyzer in (schema["body"].analyzer, QUERY_ANALYZER):
        assert isinstance(analyzer, RankedAnalyzer)
        assert analyzer.terms(TEXT) == [token.text for token in analyzer(TEXT)]
    words = schema["spelling"].analyzer
    assert isinstance(words, WordsAnalyzer)
    assert words.words(TEXT) == [token.text for token in words(TEXT)]


def test_our_formats_index_what_whooshs_formats_index() -> None:
    schema = make_schema()
    body, spelling = schema["body"], schema["spelling"]
    assert isinstance(body.format, QuickFrequency)
    assert isinstance(spelling.format, ArrayPositions)
    plain = Frequency().word_values(TEXT, body.analyzer)
    assert sorted(body.format.word_values(TEXT, body.analyzer)) == sorted(plain)
    ours = sorted(spelling.format.word_values(TEXT, spelling.analyzer))
    whooshs = sorted(Positions().word_values(TEXT, spelling.analyzer))
    assert [(w, n, weight) for w, n, weight, _ in ours] == [
        (w, n, weight) for w, n, weight, _ in whooshs
    ]
    assert [spelling.format.decode_positions(v) for *_, v in ours] == [
        Positions().decode_positions(v) for *_, v in whooshs
    ]
