"""Relevance on judged sets: our ranking against plain BM25 engines, side by side.

Usage: python bench/relevance.py [--sets manpages site] [--sweep]
Builds each set's index through the site's own pipeline (publish, render, index), ranks
every query as /search does (folio.search.ranking, the first 100), ranks the same
documents (title and plain text read back from the index) with three plain engines as
their users set them up (SQLite FTS5's bm25(); Whoosh's own BM25F over title and body
with OR grouping; rank-bm25's Okapi BM25 on stemmed words), and prints
MRR@10, nDCG@10, recall@100 and MAP@100. `--sweep` tries ranking parameters around the
current ones and prints each row (tune on the sum of both sets, never one query).
"""

from __future__ import annotations

import argparse
import math
import re
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from itertools import product
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rank_bm25 import BM25Okapi  # noqa: E402
from whoosh import fields, qparser  # noqa: E402
from whoosh.analysis import StemmingAnalyzer  # noqa: E402
from whoosh.filedb.filestore import RamStorage  # noqa: E402

from app import DEFAULTS  # noqa: E402
from bench.relevance_data import Collection, Judged, manpages, sample_site  # noqa: E402
from folio.search import ranking  # noqa: E402
from folio.search.query import plan  # noqa: E402
from folio.search.ranking import Ranker  # noqa: E402
from folio.site import Site  # noqa: E402

Rank = Callable[[str], list[str]]  # a query to the URLs found, best first
DEPTH = 100


def measures(rank: Rank, judged: Judged) -> dict[str, float]:
    """Mean MRR@10, nDCG@10, recall@100 and MAP@100 over the judged queries."""
    totals = dict.fromkeys(("MRR@10", "nDCG@10", "recall@100", "MAP@100", "empty"), 0.0)
    for query, grades in judged.items():
        found = rank(query)[:DEPTH]
        relevant = [url for url in found if grades.get(url, 0) > 0]
        first = next((i for i, url in enumerate(found[:10]) if grades.get(url, 0) > 0), None)
        totals["MRR@10"] += 0 if first is None else 1 / (first + 1)
        gain = sum((2 ** grades.get(u, 0) - 1) / math.log2(i + 2) for i, u in enumerate(found[:10]))
        ideal = sorted(grades.values(), reverse=True)[:10]
        best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
        totals["nDCG@10"] += gain / best
        answers = sum(1 for g in grades.values() if g > 0)
        totals["recall@100"] += len(relevant) / answers
        hits, precision = 0, 0.0
        for i, url in enumerate(found):
            if grades.get(url, 0) > 0:
                hits += 1
                precision += hits / (i + 1)
        totals["MAP@100"] += precision / answers
        totals["empty"] += not found
    count = len(judged)
    return {k: v if k == "empty" else v / count for k, v in totals.items()}


@contextmanager
def built(collection: Collection) -> Iterator[Ranker]:
    """The collection published, rendered and indexed as the site does it; its ranker."""
    with tempfile.TemporaryDirectory(dir=ROOT / "bench" / "work") as scratch:
        work = Path(scratch)
        # The app's own defaults, so relevance is measured on what the site runs.
        site = Site(
            DEFAULTS
            | {
                "CONTENT_DIR": collection.content,
                "CACHE_DIR": work / "cache",
                "SEARCH_INDEX_DIR": work / "index",
                "COMMENTS_DIR": work / "comments",
                "SECRET_KEY": "bench",
                "RENDER_TIMEOUT": 30.0,
                "CONTENT_WATCH": False,
            }
        )
        assert site.role.take()
        publishing = site.publishing
        publishing.cache.prepare()
        publishing.pool.start()
        publishing.publisher.publish()
        publishing.publisher.render_pending()
        site.library.refresh()
        assert publishing.indexer.rebuild() is not None
        folder = site.search.folder
        name = folder.current_name()
        assert name is not None
        index = folder.open(name)
        searcher = index.searcher()
        try:
            yield Ranker(searcher)
        finally:
            searcher.close()
            index.close()
            site.stop()


def ours(ranker: Ranker) -> Rank:
    """The site's ranking, as /search orders its results."""

    urls = {doc: fields["url"] for doc, fields in ranker.searcher.reader().iter_docs()}

    def rank(query: str) -> list[str]:
        ranked = ranker.rank(plan(query, ranker.schema))
        docs = ranker.order(ranked.matched, ranked.scores, by_date=False, start=0, count=DEPTH)
        return [urls[doc] for doc in docs]

    return rank


def fts5(ranker: Ranker) -> Rank:
    """Plain BM25 on the same documents: SQLite FTS5, Porter stems, any word (OR)."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(url UNINDEXED, title, body, tokenize=porter)")
    db.executemany("INSERT INTO docs VALUES (?, ?, ?)", documents(ranker))

    def rank(query: str) -> list[str]:
        words = dict.fromkeys(re.findall(r"\w+", query.lower()))
        if not words:
            return []
        match = " OR ".join(f'"{word}"' for word in words)
        sql = "SELECT url FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?"
        return [url for (url,) in db.execute(sql, (match, DEPTH))]

    return rank


def documents(ranker: Ranker) -> list[tuple[str, str, str]]:
    """Each indexed document's URL, title and plain text, as the index stored them."""
    return [(f["url"], f["title"], f["text"]) for _, f in ranker.searcher.reader().iter_docs()]


def whoosh_bm25f(ranker: Ranker) -> Rank:
    """Whoosh as its documentation sets it up: title and body with the stemming analyzer,
    its default BM25F scoring, a multi-field parser with OR grouping."""
    schema = fields.Schema(
        url=fields.ID(stored=True),
        title=fields.TEXT(analyzer=StemmingAnalyzer()),
        body=fields.TEXT(analyzer=StemmingAnalyzer()),
    )
    index = RamStorage().create_index(schema)
    with index.writer() as writer:
        for url, title, text in documents(ranker):
            writer.add_document(url=url, title=title, body=text)
    parser = qparser.MultifieldParser(["title", "body"], schema, group=qparser.OrGroup)
    searcher = index.searcher()

    def rank(query: str) -> list[str]:
        found = searcher.search(parser.parse(query), limit=DEPTH)
        return [hit["url"] for hit in found]

    return rank


def okapi(ranker: Ranker) -> Rank:
    """rank-bm25's Okapi BM25 (k1 1.5, b 0.75) over title and text, Porter-stemmed words
    without stop words (Whoosh's stemming analyzer, so only the scoring differs)."""
    analyzer = StemmingAnalyzer()

    def words(text: str) -> list[str]:
        return [token.text for token in analyzer(text)]

    rows = documents(ranker)
    bm25 = BM25Okapi([words(f"{title} {text}") for _, title, text in rows])
    urls = [url for url, _, _ in rows]

    def rank(query: str) -> list[str]:
        terms = list(dict.fromkeys(words(query)))
        if not terms:
            return []
        scores = bm25.get_scores(terms)
        best = sorted(range(len(urls)), key=lambda i: -scores[i])[:DEPTH]
        return [urls[i] for i in best if scores[i] > 0]

    return rank


SWEEP = {
    "title": [1.5, 3.0, 5.0],
    "b_body": [0.6, 0.75, 0.9],
    "k1": [1.2, 1.6, 2.0],
    "coord": [0.0, 0.5],
}


def sweep(rankers: dict[str, Ranker], collections: dict[str, Collection]) -> None:
    """Every combination of SWEEP's values, one row each, on every set."""
    saved = (dict(ranking.FIELD_WEIGHTS), dict(ranking.FIELD_B), ranking.SATURATION)
    saved_coord = ranking.COORD
    print("| title | b body | k1 | coord | " + " | ".join(f"{n} nDCG@10" for n in rankers) + " |")
    for title, b_body, k1, coord in product(*SWEEP.values()):
        ranking.FIELD_WEIGHTS["title"] = title
        ranking.FIELD_B["body"] = b_body
        ranking.SATURATION, ranking.COORD = k1, coord
        row = []
        for name, ranker in rankers.items():
            fresh = Ranker(ranker.searcher)  # norms and rankings depend on the parameters
            row.append(measures(ours(fresh), collections[name].judged)["nDCG@10"])
        print(
            f"| {title} | {b_body} | {k1} | {coord} | " + " | ".join(f"{v:.3f}" for v in row),
            flush=True,
        )
    ranking.FIELD_WEIGHTS.update(saved[0])
    ranking.FIELD_B.update(saved[1])
    ranking.SATURATION, ranking.COORD = saved[2], saved_coord


def main() -> None:
    """Build the sets, measure every engine, print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", nargs="+", default=["manpages", "site"])
    parser.add_argument("--sweep", action="store_true")
    args = parser.parse_args()
    makers = {"manpages": manpages, "site": sample_site}
    collections = {name: makers[name]() for name in args.sets}
    with ExitStack() as stack:
        rankers = {name: stack.enter_context(built(c)) for name, c in collections.items()}
        if args.sweep:
            sweep(rankers, collections)
            return
        print("| set | queries | documents | engine | MRR@10 | nDCG@10 | recall@100 | MAP@100 |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for name, ranker in rankers.items():
            judged = collections[name].judged
            engines = {
                "folio": ours,
                "FTS5 BM25": fts5,
                "Whoosh BM25F, OR": whoosh_bm25f,
                "rank-bm25 Okapi": okapi,
            }
            for engine, make in engines.items():
                rank = make(ranker)
                m = measures(rank, judged)
                print(
                    f"| {name} | {len(judged)} | {ranker.live_count} | {engine} | "
                    f"{m['MRR@10']:.3f} | {m['nDCG@10']:.3f} | {m['recall@100']:.3f} | "
                    f"{m['MAP@100']:.3f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
