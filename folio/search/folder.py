"""The index on disk: generations in SEARCH_INDEX_DIR, the live one named in CURRENT.

A full build writes a new generation folder and then points CURRENT at it, so a
searcher never sees a half-built index. Small updates go into the live generation
under Whoosh's own write lock, one writer at a time across processes.
"""

from __future__ import annotations

import os
import shutil
import time
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.util.filelock import FileLock
from whoosh.writing import IndexWriter

from folio.atomic import write_atomically
from folio.search.schema import SCHEMA_VERSION, make_schema

#: Tries at opening a generation whose files a concurrent commit is replacing.
OPEN_ATTEMPTS = 5


@dataclass(frozen=True)
class BuildStats:
    """What a full build did: documents, seconds, bytes on disk."""

    documents: int
    seconds: float
    size: int


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
                # Files are read, not mapped: a mapped file truncated or overwritten under
                # a worker kills it with SIGBUS instead of raising an error we can handle.
                storage = FileStorage(str(self.path / name), supports_mmap=False)
                index: FileIndex = storage.open_index()
                return index
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
        documents: Sequence[dict[str, object]],
        *,
        procs: int = 1,
        limitmb: int = 128,
        progress: Callable[[int], None] | None = None,
    ) -> BuildStats:
        """Index documents into a new generation and make it live."""
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
                for done, fields in enumerate(documents, 1):
                    writer.add_document(**fields)
                    if progress and done % 50 == 0:
                        progress(50)
                if progress:
                    progress(len(documents) % 50)
            except BaseException:
                writer.cancel()
                raise
            writer.commit()
            ix.close()
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self._make_live(name)
        return BuildStats(len(documents), time.perf_counter() - started, _size(folder))

    def _make_live(self, name: str) -> None:
        previous = self.current_name()
        write_atomically(self.current_file, name.encode("ascii"))
        self.prune(keep={name, previous})

    def prune(self, keep: set[str | None]) -> None:
        """Remove generations older than the one just replaced, which searchers may still read."""
        for old in self.path.glob("gen-*"):
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)

    def complete(self, name: str) -> bool:
        """Whether a generation's folder is there with a table of contents (a quick look)."""
        try:
            return any(f.suffix == ".toc" for f in (self.path / name).iterdir())
        except OSError:
            return False

    @property
    def suspect_file(self) -> Path:
        return self.path / "SUSPECT"

    def report(self, name: str) -> None:
        """Ask the indexer to check a generation that failed a searcher (see `verify`)."""
        # A read-only folder: the indexer finds it cannot write there, and says so.
        with suppress(OSError):
            write_atomically(self.suspect_file, name.encode("ascii"), durable=False)

    def suspect(self) -> str | None:
        """The generation a searcher reported, if any."""
        try:
            return self.suspect_file.read_text(encoding="ascii").strip() or None
        except (OSError, UnicodeDecodeError):
            return None

    def clear_suspicion(self) -> None:
        self.suspect_file.unlink(missing_ok=True)

    def verify(self, name: str) -> str | None:
        """Why a generation cannot be read, or None when every part of it reads.

        Opens it afresh and reads every stored document and every term's postings: the
        difference between "this query failed" and "these files are damaged".
        """
        try:
            ix = self.open(name)
            try:
                with ix.reader() as reader:
                    deque(reader.iter_docs(), maxlen=0)
                    for field, text in reader.all_terms():
                        deque(reader.postings(field, text).all_ids(), maxlen=0)
            finally:
                ix.close()
        # Damaged files raise anything from OSError to struct.error and EOFError: each one
        # here means this generation cannot be read.
        except Exception as e:
            return f"{type(e).__name__}: {e}"
        return None

    def size(self) -> int:
        """Bytes used by the live generation."""
        name = self.current_name()
        return _size(self.path / name) if name else 0


def _size(folder: Path) -> int:
    return sum(f.stat().st_size for f in folder.glob("*") if f.is_file())
