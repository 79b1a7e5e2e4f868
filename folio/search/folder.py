"""The index on disk: generations in SEARCH_INDEX_DIR, the live one named in CURRENT.

A full build writes a new generation folder and then points CURRENT at it, so a
searcher never sees a half-built index. Small updates go into the live generation
under Whoosh's own write lock, one writer at a time across processes.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex
from whoosh.util.filelock import FileLock

from folio.atomic import write_atomically
from folio.search.engine import commit_segments, write_segment
from folio.search.schema import SCHEMA_VERSION, make_schema

#: Tries at opening a generation whose files a concurrent commit is replacing.
OPEN_ATTEMPTS = 5
#: Fewest documents worth a build process of their own (starting one costs ~0.3 s).
PER_PROCESS = 500


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

    @contextmanager
    def building(self) -> Iterator[bool]:
        """The build lock if no other process holds it, never waiting: yields whether it
        is ours. Raises OSError when the folder cannot be written."""
        lock = self.build_lock()
        if not lock.acquire(blocking=False):
            yield False
            return
        try:
            yield True
        finally:
            lock.release()

    def build(
        self,
        documents: Sequence[dict[str, object]] | Documents,
        *,
        procs: int = 1,
        limitmb: int = 128,
        per_process: int = PER_PROCESS,
        progress: Callable[[int], None] | None = None,
        stopped: threading.Event | None = None,
    ) -> BuildStats:
        """Index documents into a new generation and make it live.

        With `procs` > 1 (and at least `per_process` documents for each), processes
        of their own each write a contiguous part as a segment: the documents keep the
        numbers one process would give them, so the index ranks exactly the same. Setting
        `stopped` ends such a build (BuildStopped) and its processes.
        """
        started = time.perf_counter()
        self.path.mkdir(parents=True, exist_ok=True)
        name = f"gen-{time.time_ns():x}-{os.getpid()}-v{SCHEMA_VERSION}"
        folder = self.path / name
        folder.mkdir()
        source = documents if isinstance(documents, Documents) else _Listed(tuple(documents))
        count = len(source)
        parts = max(1, min(procs, count // max(1, per_process)))
        bounds = [(count * i // parts, count * (i + 1) // parts) for i in range(parts)]
        try:
            ix = whoosh_index.create_in(str(folder), make_schema())
            if parts == 1:
                segments = [
                    write_segment(str(folder), ix.indexname, _counted(source, progress), limitmb)
                ]
            else:
                segments = _in_processes(
                    str(folder), ix.indexname, source, bounds, limitmb, stopped
                )
                if progress:
                    progress(count)
            commit_segments(ix, segments)
            indexed = sum(segment.doc_count_all() for segment in segments)
            ix.close()
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        self._make_live(name)
        return BuildStats(indexed, time.perf_counter() - started, _size(folder))

    def _make_live(self, name: str) -> None:
        previous = self.current_name()
        write_atomically(self.current_file, name.encode("ascii"))
        self.prune(keep={name, previous})

    def prune(self, keep: set[str | None]) -> None:
        """Remove generations older than the one just replaced, which searchers may still read."""
        for old in self.path.glob("gen-*"):
            if old.name not in keep:
                shutil.rmtree(old, ignore_errors=True)

    def sweep_unfinished(self) -> int:
        """Remove the generations builds left unfinished (a killed process's); how many.

        A build makes its generation live as it ends, so one made after the live one (or
        any, while none is live) was never finished. Call it holding the build lock
        (`building()`).
        """
        current = self.current_name()
        made = _made(current) if current else -1
        removed = 0
        for folder in self.path.glob("gen-*"):
            if folder.name != current and _made(folder.name) > made:
                shutil.rmtree(folder, ignore_errors=True)
                removed += 1
        return removed

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


@runtime_checkable
class Documents(Protocol):
    """Documents to index, made where they are indexed (in a build's own processes), so
    only this object travels between processes, never the documents."""

    def __len__(self) -> int: ...

    def documents(self, start: int, stop: int) -> Iterator[dict[str, object]]:
        """The fields of the documents of positions start to stop (some may be left out)."""
        ...

    def part(self, start: int, stop: int) -> Documents:
        """Positions start to stop as documents of their own: what one build process is
        sent (not the whole site's, once for each process)."""
        ...


@dataclass(frozen=True)
class _Listed:
    """Documents already made."""

    items: tuple[dict[str, object], ...]

    def __len__(self) -> int:
        return len(self.items)

    def documents(self, start: int, stop: int) -> Iterator[dict[str, object]]:
        return iter(self.items[start:stop])

    def part(self, start: int, stop: int) -> _Listed:
        return _Listed(self.items[start:stop])


def _counted(
    source: Documents, progress: Callable[[int], None] | None
) -> Iterator[dict[str, object]]:
    done = 0
    for done, fields in enumerate(source.documents(0, len(source)), 1):
        yield fields
        if progress and done % 50 == 0:
            progress(50)
    if progress:
        progress(done % 50)


class BuildStopped(Exception):
    """The build was asked to stop (its process is ending); nothing was made live."""


#: How often a parallel build looks whether it was asked to stop.
STOP_CHECK_INTERVAL = 0.25


def _in_processes(
    folder: str,
    indexname: str,
    source: Documents,
    bounds: Sequence[tuple[int, int]],
    limitmb: int,
    stopped: threading.Event | None = None,
) -> list[Any]:
    """Each part's segment, written by a process of its own (forked from a server, never
    from this process's threads), in order.

    The parts end with the build: when `stopped` is set, when this process's thread leaves
    (an exception, Ctrl-C), and when this process dies (each part leaves once the pipe it
    watches reaches its end), so that a worker's exit never leaves minutes of work behind.
    """
    context = multiprocessing.get_context("forkserver")
    parts: list[tuple[BaseProcess, Connection, Connection]] = []
    try:
        for start, stop in bounds:
            results, sent = context.Pipe(duplex=False)
            watched, alive = context.Pipe(duplex=False)
            args = (sent, watched, folder, indexname, source.part(start, stop), limitmb)
            process = context.Process(target=_write_part, args=args, daemon=True)
            process.start()
            sent.close()  # the part's copies are its own; ours must go for EOF to reach it
            watched.close()
            parts.append((process, results, alive))
        segments: dict[int, Any] = {}
        while len(segments) < len(parts):
            if stopped is not None and stopped.is_set():
                raise BuildStopped("the index build was stopped")
            waiting = {results: n for n, (_, results, _) in enumerate(parts) if n not in segments}
            for ready in wait(list(waiting), timeout=STOP_CHECK_INTERVAL):
                n = waiting[ready]  # type: ignore[index]
                try:
                    done, value = parts[n][1].recv()
                except EOFError:
                    parts[n][0].join(5)
                    code = parts[n][0].exitcode
                    raise RuntimeError(f"index build part {n} ended (exit code {code})") from None
                if not done:
                    raise value
                segments[n] = value
        return [segments[n] for n in range(len(parts))]
    finally:
        for part, results, alive in parts:
            if part.is_alive():
                part.terminate()
            part.join(5)
            results.close()
            alive.close()


def _write_part(
    sent: Connection,
    watched: Connection,
    folder: str,
    indexname: str,
    part: Documents,
    limitmb: int,
) -> None:
    """In a part's process: write the segment and send it back (or what went wrong)."""
    threading.Thread(target=_leave_with_parent, args=(watched,), daemon=True).start()
    try:
        documents = part.documents(0, len(part))
        sent.send((True, write_segment(folder, indexname, documents, limitmb)))
    # Sent back whatever it is, for the build to raise in the process that asked.
    except Exception as e:
        sent.send((False, e))


def _leave_with_parent(watched: Connection) -> None:
    """Ends the process once the building process is gone (its end of the pipe closed)."""
    with suppress(EOFError, OSError):
        watched.recv()
    os._exit(1)


def _made(name: str) -> int:
    """When a generation was begun, from its name (gen-<ns in hex>-<pid>-v<schema>)."""
    try:
        return int(name.split("-")[1], 16)
    except (IndexError, ValueError):
        return -1


def _size(folder: Path) -> int:
    """Bytes of a generation's files; one a commit deletes meanwhile counts as none."""
    total = 0
    for entry in os.scandir(folder):
        with suppress(FileNotFoundError):
            if entry.is_file():
                total += entry.stat().st_size
    return total
