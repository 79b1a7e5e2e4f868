"""Keeping a live index in line with the content: which documents differ, and writing them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from whoosh.index import FileIndex
from whoosh.reading import IndexReader, SegmentReader

from folio.content.entries import Page
from folio.search.engine import CODEC, committed, segment_sizes
from folio.search.schema import document, index_version

#: A segment with fewer documents than this, or than this share of the largest one's,
#: came from edits (a build writes at least 500 documents a part).
SMALL_DOCS = 100
SMALL_SHARE = 0.1
#: Small segments are merged once there are this many (each costs every query a lookup).
MERGED_FROM = 3
#: Megabytes of postings a serving worker's writer holds before it sorts them into a run
#: on disk. Whoosh's 128 (by its own estimate, under Python's real sizes) took a worker
#: writing the 675 bodies a cold 10k start rendered after its build began from 103 to
#: 231 MB, and kept it. An edit's few hundred postings never reach the limit.
WRITER_MB = 16


@dataclass(frozen=True)
class Difference:
    """How the index differs from the content: URLs to add or change, and to delete."""

    changed: tuple[Page, ...]
    deleted: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.changed or self.deleted)

    def __len__(self) -> int:
        return len(self.changed) + len(self.deleted)


def difference(
    entries: Iterable[Page], indexed: dict[str, str], deleted: tuple[str, ...] | None = None
) -> Difference:
    """Compare versions with what the index holds, without reading any file. Indexed URLs
    missing from `entries` are deleted, unless `deleted` says which are (entries that are
    only some of the site's)."""
    wanted = {entry.url: entry for entry in entries}
    changed = tuple(e for url, e in wanted.items() if indexed.get(url) != index_version(e))
    if deleted is None:
        deleted = tuple(sorted(indexed.keys() - wanted.keys()))
    return Difference(changed, deleted)


def indexed(reader: IndexReader) -> dict[str, str]:
    """Each URL's indexed file version.

    Read from the columns segment by segment, as raw bytes (ten times faster than
    stored fields, three times faster than Whoosh's decoding column reader); stored
    fields only for a segment without the columns.
    """
    versions: dict[str, str] = {}
    for leaf, _ in reader.leaf_readers():
        if leaf.has_column("url") and leaf.has_column("version"):
            urls = leaf.column_reader("url", translate=False)
            found = leaf.column_reader("version", translate=False)
            deleted = leaf.is_deleted if leaf.has_deletions() else None
            for doc, (url, version) in enumerate(zip(urls, found, strict=True)):
                if deleted is None or not deleted(doc):
                    versions[url.decode()] = version.decode()
        else:
            for _, stored in leaf.iter_docs():
                versions[stored["url"]] = stored.get("version", "")
    return versions


class Commit(NamedTuple):
    """The index's commit (generation) a write followed, and the one it made: whoever
    knew the index as of `before` knows it as of `after` too."""

    before: int
    after: int


def apply(ix: FileIndex, change: Difference, texts: Mapping[str, str]) -> Commit:
    """Write a difference (with each changed entry's text, by URL) into the live index.

    Raises LockError if another writer is busy.
    """
    # timeout 0: never wait behind another process; new segments in our format
    writer = ix.writer(codec=CODEC, limitmb=WRITER_MB)
    try:
        for url in change.deleted:
            writer.delete_by_term("url", url)
        for entry in change.changed:
            writer.update_document(**document(entry, texts[entry.url]))
    except BaseException:
        writer.cancel()
        raise
    # Never a merge here: Whoosh's small-segment merge made one edit in a few wait 200 ms
    # more to be searchable. The segments edits leave are merged when idle (`tidy`).
    writer.commit(merge=False)
    return _commit(writer)


def tidy(ix: FileIndex) -> tuple[int, Commit | None]:
    """Merge the small segments that edits left (one each) into one, leaving a build's
    parts alone; returns how many were merged and the commit (which changes no document).
    Raises LockError if another writer is busy.

    Nothing is written (no commit that would make every worker reopen its searcher) while
    there are too few to merge.
    """
    if len(_small(segment_sizes(ix))) < MERGED_FROM:
        return 0, None
    merged = 0

    def small_ones(writer: Any, segments: list[Any]) -> list[Any]:
        nonlocal merged
        small = set(_small([segment.doc_count_all() for segment in segments]))
        if len(small) < MERGED_FROM:
            return list(segments)
        for i in sorted(small):
            reader = SegmentReader(writer.storage, writer.schema, segments[i])
            writer.add_reader(reader)
            reader.close()
        merged = len(small)
        return [segment for i, segment in enumerate(segments) if i not in small]

    writer = ix.writer(codec=CODEC, limitmb=WRITER_MB)
    try:
        writer.commit(mergetype=small_ones)
    except BaseException:
        writer.cancel()
        raise
    return merged, _commit(writer)


def _commit(writer: Any) -> Commit:
    return Commit(*committed(writer))


def _small(sizes: list[int]) -> list[int]:
    """Which of these segment sizes (documents, deleted ones included) came from edits."""
    bound = max(SMALL_DOCS, max(sizes, default=0) * SMALL_SHARE)
    return [i for i, size in enumerate(sizes) if size < bound]
