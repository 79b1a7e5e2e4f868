"""Fixtures: a small index of two segments with deletions, built once per module."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.formats import Positions
from whoosh.index import FileIndex
from whoosh.searching import Searcher

from folio.search.engine import ArrayCodec
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
        "text": body,
        "date": datetime(2024, 1, 1 + n % 28, n % 24),
    }


def filler(n: int) -> str:
    words = [WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(5 + n % 11)]
    return " ".join(words) + "."


@pytest.fixture(scope="module", params=["ours", "whoosh"])
def index(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FileIndex]:
    """Two segments (a big one and a small update), each with deleted documents; in our
    postings format (engine.ArrayCodec, ArrayPositions) and in Whoosh's own."""
    folder = tmp_path_factory.mktemp("index")
    ours = request.param == "ours"
    schema = make_schema()
    if not ours:
        schema["spelling"].format = Positions()
    # Small blocks, compressed, short lists inlined: lists of several blocks and of none.
    codec = ArrayCodec(blocklimit=32, compression=3, inlinelimit=4) if ours else W3Codec()
    ix = whoosh_index.create_in(str(folder), schema)
    with ix.writer(codec=codec) as writer:
        for n in range(400):
            writer.add_document(**doc(n, filler(n), tags="nature,water" if n % 3 else "nature"))
        writer.add_document(**doc(400, "The quick brown fox. Speed of light.", title="Quick"))
        writer.add_document(**doc(401, "A brown quick fox and a quick red brown dog."))
    writer = ix.writer(codec=codec)
    writer.delete_by_term("url", "/posts/p5/")
    writer.delete_by_term("url", "/posts/p401/")
    writer.add_document(**doc(402, "Badger badger badger badger badger.", tags="otters"))
    writer.add_document(**doc(403, "A badger and a marten by the quick brown river, and a fox."))
    writer.add_document(**doc(404, "Temporary quick brown note."))
    writer.commit(merge=False)
    writer = ix.writer(codec=codec)
    writer.delete_by_term("url", "/posts/p404/")
    writer.commit(merge=False)
    yield ix
    ix.close()


@pytest.fixture
def searcher(index: FileIndex) -> Iterator[Searcher]:
    with index.searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == 2
        yield searcher
