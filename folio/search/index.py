"""The Whoosh index in search_index/: schema, generations, full builds and small updates."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemmingAnalyzer
from whoosh.fields import DATETIME, ID, KEYWORD, TEXT, Schema
from whoosh.index import FileIndex
from whoosh.reading import IndexReader
from whoosh.util.filelock import FileLock
from whoosh.writing import IndexWriter

from folio.atomic import write_atomically
from folio.content.entries import Page, Post

#: A full build with more documents than this runs in the background, not in a request.
SMALL_UPDATE = 200
_EPOCH = datetime(1970, 1, 1)
#: Tries at opening a generation whose files a concurrent commit is replacing.
OPEN_ATTEMPTS = 5
#: Part of every generation's name; a generation of another version is rebuilt.
SCHEMA_VERSION = 2
#: A word: Whoosh's default pattern without the `*` it keeps for wildcard syntax.
WORD = r"\w+(\.?\w+)*"


def make_schema() -> Schema:
    """Title and tags weigh more than the body; body is indexed, not stored.

    The ranked fields keep no word positions, which makes their posting lists a third
    of the size and quick to read in bulk; phrases are matched on the unstemmed words
    field, the one field with positions (it also gives "did you mean" its vocabulary).
    """
    stem = StemmingAnalyzer(expression=WORD)
    return Schema(
        # url and version are also columns: syncing reads every document's, and
        # columns read ten times faster than stored fields.
        url=ID(stored=True, unique=True, sortable=True),
        kind=ID(stored=True),
        version=ID(stored=True, sortable=True),
        title=TEXT(stored=True, analyzer=stem, field_boost=3.0, phrase=False),
        tags=KEYWORD(stored=True, commas=True, scorable=True, field_boost=2.0),
        tagtext=TEXT(analyzer=stem, field_boost=2.0, phrase=False),
        summary=TEXT(analyzer=stem, field_boost=1.5, phrase=False),
        body=TEXT(analyzer=stem, phrase=False),
        # Every word as written (lower-cased, stop words kept), with positions.
        spelling=TEXT(analyzer=RegexTokenizer(WORD) | LowercaseFilter()),
        date=DATETIME(stored=True, sortable=True),
    )


def document(entry: Page) -> dict[str, object]:
    """The fields one content entry contributes to the index."""
    tags = entry.tags if isinstance(entry, Post) else ()
    when = entry.date if isinstance(entry, Post) else entry.updated
    names = " ".join(tag.name for tag in tags)
    return {
        "url": entry.url,
        "kind": entry.kind,
        "version": entry.version,
        "title": entry.title,
        "tags": ",".join(tag.slug for tag in tags),
        "tagtext": names,
        "summary": entry.summary,
        "body": entry.text,
        "spelling": f"{entry.title}\n{names}\n{entry.text}",
        "date": when.astimezone(UTC).replace(tzinfo=None) if when else _EPOCH,
    }


@dataclass(frozen=True)
class BuildStats:
    """What a full build did: documents, seconds, bytes on disk."""

    documents: int
    seconds: float
    size: int


@dataclass(frozen=True)
class Difference:
    """How the index differs from the content: URLs to add or change, and to delete."""

    changed: tuple[Page, ...]
    deleted: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.changed or self.deleted)

    def __len__(self) -> int:
        return len(self.changed) + len(self.deleted)


def difference(entries: Iterable[Page], indexed: dict[str, str]) -> Difference:
    """Compare file versions with what the index holds, without reading any file."""
    wanted = {entry.url: entry for entry in entries}
    changed = tuple(e for url, e in wanted.items() if indexed.get(url) != e.version)
    deleted = tuple(sorted(indexed.keys() - wanted.keys()))
    return Difference(changed, deleted)


class IndexFolder:
    """search_index/: generations of the index and the CURRENT file naming the live one.

    A full build writes a new generation and then replaces CURRENT atomically, so a
    searcher never sees a half-built index. Small updates go into the live generation
    under Whoosh's own write lock, one writer at a time across processes.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def current_file(self) -> Path:
        return self.path / "CURRENT"

    def current_name(self) -> str | None:
        """The live generation's folder name, or None before the first build."""
        try:
            name = self.current_file.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return name if name.startswith("gen-") and "/" not in name else None

    @staticmethod
    def outdated(name: str) -> bool:
        """Whether a generation was built for another schema (and should be rebuilt)."""
        return not name.endswith(f"-v{SCHEMA_VERSION}")

    def open(self, name: str) -> FileIndex:
        """Open a generation, riding out another process's commit.

        A commit writes a new table of contents and deletes the old one; a reader that
        listed the old one just before finds it gone. That is not damage: look again.
        """
        attempt = 1
        while True:
            try:
                return whoosh_index.open_dir(str(self.path / name))
            except FileNotFoundError:
                if attempt == OPEN_ATTEMPTS or not (self.path / name).is_dir():
                    raise
                time.sleep(0.02 * attempt)
                attempt += 1

    def build_lock(self) -> FileLock:
        """Held while a full build runs, so two processes never build at once."""
        self.path.mkdir(parents=True, exist_ok=True)
        return FileLock(str(self.path / "BUILD.lock"))

    def build(
        self,
        entries: Sequence[Page],
        *,
        procs: int = 1,
        limitmb: int = 128,
        progress: Callable[[int], None] | None = None,
    ) -> BuildStats:
        """Index entries into a new generation and make it live."""
        started = time.perf_counter()
        self.path.mkdir(parents=True, exist_ok=True)
        name = f"gen-{time.time_ns():x}-{os.getpid()}-v{SCHEMA_VERSION}"
        folder = self.path / name
        folder.mkdir()
        try:
            ix = whoosh_index.create_in(str(folder), make_schema())
            # One merged segment at the end: searching many small segments costs every query.
            writer: IndexWriter = ix.writer(procs=procs, limitmb=limitmb, multisegment=False)
            try:
                for done, entry in enumerate(entries, 1):
                    writer.add_document(**document(entry))
                    if progress and done % 50 == 0:
                        progress(50)
                if progress:
                    progress(len(entries) % 50)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            ix.close()
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self._make_live(name)
        return BuildStats(len(entries), time.perf_counter() - started, _size(folder))

    def _make_live(self, name: str) -> None:
        previous = self.current_name()
        write_atomically(self.current_file, name.encode("ascii"))
        self.prune(keep={name, previous})

    def prune(self, keep: set[str | None]) -> None:
        """Remove generations older than the one just replaced, which searchers may still read."""
        for old in self.path.glob("gen-*"):
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)

    def size(self) -> int:
        """Bytes used by the live generation."""
        name = self.current_name()
        return _size(self.path / name) if name else 0


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


def apply(ix: FileIndex, change: Difference) -> None:
    """Write a difference into the live index; raises LockError if another writer is busy."""
    writer = ix.writer()  # timeout 0: never wait behind another process
    try:
        for url in change.deleted:
            writer.delete_by_term("url", url)
        for entry in change.changed:
            writer.update_document(**document(entry))
    except BaseException:
        writer.cancel()
        raise
    writer.commit()  # merges only small segments, never the whole index


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.glob("*") if f.is_file())
