"""The index's one writer: follows published content, rebuilds what is missing or damaged.

It runs in the publishing process only (see `folio.site`); workers just read the index.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

from whoosh.index import LockError

from folio.content import memory
from folio.content.cache import ContentCache
from folio.content.catalogue import Catalogue
from folio.content.entries import Page
from folio.content.library import Library
from folio.content.render import Rendered
from folio.content.signals import content_published
from folio.search import inline
from folio.search.folder import BuildStats, BuildStopped, IndexFolder
from folio.search.schema import document, index_version
from folio.search.updates import Commit, Difference, apply, difference, indexed, tidy

log = logging.getLogger(__name__)

#: Bodies waiting to be rendered above which the index waits for them, not to write
#: every second's bodies in the serving process (a start, a checkout, a code update).
BACKLOG_WAIT = 1000
#: Changed documents from which a new index is built (in processes) rather than updated.
REBUILD_FROM = 2000
#: Documents written at once after which the memory their writing freed is handed back.
RELEASED_AFTER = 100
#: Seconds between looks at the index's health when nothing was published.
HEALTH_INTERVAL = 2.0
#: Seconds without an edit after which the segments edits left are merged.
TIDY_AFTER = 5.0
#: Processes a full build uses (each writes its part of the index): one per core, as
#: many as help (each part is one more segment every query reads).
BUILD_PROCESSES = max(1, min(4, os.cpu_count() or 1))
#: Where the index folder keeps what it was last in line with (`folio.search.inline`).
MARK_FILE = "IN_LINE"


class Compared(NamedTuple):
    """The last comparison that left the index in line with its catalogue. A catalogue
    edited from the same origin, the index still at that commit, is compared only at
    the URLs swapped in after `edits` and at `waiting`, not at every entry (1.5 s of CPU
    at 100k posts, and a start's background rendering edits every entry)."""

    origin: object  # the catalogue's origin (`Catalogue.origin`)
    edits: int  # how many edits that catalogue had
    waiting: frozenset[str]  # URLs it left waiting for their bodies
    commit: tuple[str, int]  # the index's generation name and commit number then


@dataclass(frozen=True)
class CachedDocuments:
    """The index documents of some entries, each made from the body the content cache
    holds (entries whose body is not rendered are left out); only the entries travel to
    a build process, which reads the bodies itself."""

    cache: Path
    root: str
    rendering: str
    entries: tuple[Page, ...]

    def __len__(self) -> int:
        return len(self.entries)

    def documents(self, start: int, stop: int) -> Iterator[dict[str, object]]:
        cache = ContentCache(self.cache, Path(self.root), self.rendering)
        try:
            for entry in self.entries[start:stop]:
                body = cache.body(entry.source, entry.version)
                # Without its summary the entry was rendered after this catalogue was
                # made: it is indexed by the next look, summary and all.
                if isinstance(body, Rendered) and entry.summary is not None:
                    yield document(entry, body.text)
        finally:
            cache.close()

    def part(self, start: int, stop: int) -> CachedDocuments:
        return replace(self, entries=self.entries[start:stop])


class Indexer:
    """Writes the index from the publisher's results, in a thread of its own."""

    def __init__(self, folder: IndexFolder, cache: ContentCache, library: Library) -> None:
        self.folder = folder
        self.cache = cache
        self.library = library
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self._refused: str | None = None  # why the folder cannot be written, logged once
        self._dirty = True  # content was published since the last comparison
        self._compared: Catalogue | None = None  # the catalogue the index was last compared with
        #: The last comparison that left the index in line with its catalogue (see
        #: `Compared`). Kept on disk across restarts (see `folio.search.inline`): the mark
        #: last kept is of `_marked`.
        self._in_line: Compared | None = None
        self._marked: tuple[str, int] | None = None
        #: Each indexed URL's version, as of one commit (its key): read from the index
        #: once, then kept up to date with what this indexer writes, so an edit does not
        #: read 10k versions back (150 ms at 10k posts).
        self._versions: dict[str, str] = {}
        self._versions_of: tuple[str, int] | None = None
        #: When this indexer last wrote an edit (its segment is merged when idle); its start
        #: counts as one, for what an earlier publisher left.
        self._edited_at: float | None = time.monotonic()
        #: Syncs run since start (tests watch the thread's progress with it).
        self.attempts = 0
        self._started: Catalogue | None = None  # see `start`

    def start(self, publisher: object, started: Catalogue | None = None) -> None:
        """Follow what `publisher` publishes, from a thread of our own.

        `started`: the catalogue as the process started, before anything it published
        since; the kept mark is compared with it (an edit published before this thread
        looks is then compared alone, as any later one).
        """
        content_published.connect(self._published, sender=publisher)
        self._publisher = publisher
        self._started = started
        self._thread = threading.Thread(target=self._run, name="search-indexer", daemon=True)
        # The first comparison at once: the content may have changed while no one
        # published, and it reads every indexed version (1-2 s at 100k posts), which
        # an edit made just after a start would otherwise wait for.
        self._wake.set()
        self._thread.start()

    def stop(self) -> None:
        """Stop following and wait for a write in progress to end."""
        if self._thread is None:
            return
        content_published.disconnect(self._published, sender=self._publisher)
        self._stopped.set()
        self._wake.set()
        self._thread.join()
        self._thread = None

    def _published(self, sender: object, **_: Any) -> None:
        self._dirty = True
        self._wake.set()

    def _run(self) -> None:
        self._sweep()
        try:
            self._adopt()
        except Exception:  # a mark that cannot be used costs a full comparison, no more
            log.exception("the index's mark could not be used")
        self._started = None  # not kept alive: a site's whole catalogue
        while not self._stopped.is_set():
            woken = self._wake.wait(HEALTH_INTERVAL)
            self._wake.clear()
            if self._stopped.is_set():
                break
            try:
                self.sync()
                if not woken:
                    self.tidy()
                    self._mark()
            # The thread must outlive one bad moment; the next wake tries again.
            except Exception:
                log.exception("updating the search index failed")
        self._mark()  # for the next start (a process killed outright leaves the last one)

    @property
    def _mark_file(self) -> Path:
        return self.folder.path / MARK_FILE

    def _adopt(self) -> None:
        """Start in line with the index, as the kept mark says, when the index is still at
        its commit and the catalogue still has its digest (see `folio.search.inline`)."""
        mark = inline.load(self._mark_file)
        name = self.folder.current_name()
        if mark is None or name != mark.commit[0] or self.folder.outdated(name):
            return
        try:
            ix = self.folder.open(name)
        except FileNotFoundError:
            return
        try:
            commit = (name, ix.latest_generation())
        finally:
            ix.close()
        catalogue = self._started or self.library.catalogue()
        if commit != mark.commit or inline.digest(catalogue.searchable()) != mark.catalogue:
            return
        self._in_line = Compared(catalogue.origin, catalogue.edits, mark.waiting, commit)
        self._marked = commit
        log.info("search index in line with the content as kept: compared at its edits only")

    def _mark(self) -> None:
        """Keep what the index is in line with, when it changed since last kept."""
        in_line, catalogue = self._in_line, self._compared
        if in_line is None or catalogue is None or in_line.commit == self._marked:
            return
        found = inline.digest(catalogue.searchable())
        inline.save(self._mark_file, inline.InLine(in_line.commit, found, in_line.waiting))
        self._marked = in_line.commit

    def tidy(self) -> int:
        """Merge the segments edits left, once no edit came for `TIDY_AFTER` seconds;
        returns how many were merged."""
        edited = self._edited_at
        if edited is None or time.monotonic() - edited < TIDY_AFTER:
            return 0
        name = self.folder.current_name()
        if name is None:
            return 0
        try:
            ix = self.folder.open(name)
            try:
                merged, written = tidy(ix)
            finally:
                ix.close()
        except LockError:
            return 0  # the command line's writer is busy: the next quiet look tries again
        except (FileNotFoundError, PermissionError):
            merged, written = 0, None  # replaced since we looked, or not ours to write
        if written is not None:  # a merge changes no document: still in line after it
            self._moved(name, written)
        self._edited_at = None
        if merged:
            log.info("search index: %d segments from edits merged into one", merged)
        return merged

    def _sweep(self) -> None:
        """Remove what builds killed with their process left (150 MB each at 10k posts)."""
        try:
            # Not while `flask index rebuild` is at it: its generation is not unfinished.
            with self.folder.building() as ours:
                removed = self.folder.sweep_unfinished() if ours else 0
        except PermissionError:
            return  # not writable: sync says so
        except OSError as e:
            log.warning("unfinished index builds cannot be removed: %s", e)
            return
        if removed:
            log.info("removed %d unfinished index build(s)", removed)

    def sync(self) -> BuildStats | None:
        """Bring the index in line with the catalogue: a build when there is none usable,
        else only the documents that differ (compared only after content was published)."""
        self.attempts += 1
        # Taken before looking at the catalogue: a publication from now on marks it again.
        dirty, self._dirty = self._dirty, False
        self.library.refresh()  # what was published, as this process's catalogue
        catalogue = self.library.catalogue()
        # A new catalogue without a publication: a scheduled post went live.
        dirty = dirty or catalogue is not self._compared
        name = self.folder.current_name()
        if (suspect := self.folder.suspect()) is not None:
            name = self._check(suspect, name)
        if name is None or self.folder.outdated(name) or not self.folder.complete(name):
            return self.rebuild()
        if not dirty:
            return None
        if self.cache.backlog() > BACKLOG_WAIT:
            # A start or a checkout is rendering: writing every second's bodies here
            # would take this serving process's time; the build that follows takes
            # processes of its own.
            self._dirty = True
            return None
        self._compared = catalogue
        try:
            ix = self.folder.open(name)
        except FileNotFoundError:
            return self.rebuild()  # deleted since we looked
        self._in_line, in_line = None, self._in_line  # set again once in line
        try:
            commit = (name, ix.latest_generation())
            change = self._difference(ix, commit, catalogue, in_line)
            # Entries whose bodies are not rendered yet are written when they are. Many
            # rendered ones make a build, in processes that read the bodies themselves
            # (reading them here held 100k texts in this worker for the whole build).
            if sum(e.summary is not None for e in change.changed) > REBUILD_FROM:
                return self.rebuild()  # in processes of its own, side by side
            texts = self._texts(change.changed)
            waiting = frozenset(e.url for e in change.changed if e.url not in texts)
            change = Difference(tuple(e for e in change.changed if e.url in texts), change.deleted)
            written = None
            if change:
                if (written := self._apply(ix, change, texts)) is None:
                    self._dirty = True  # compared again when tried again
                    return None
                if len(change) >= RELEASED_AFTER:
                    memory.release()  # what the writer's pool and the texts held
                if self._versions_of == commit:
                    for url in change.deleted:
                        self._versions.pop(url, None)
                    self._versions.update((e.url, index_version(e)) for e in change.changed)
                self._edited_at = time.monotonic()
            self._in_line = Compared(catalogue.origin, catalogue.edits, waiting, commit)
            if written is not None:
                self._moved(name, written)
        finally:
            ix.close()
        return None

    def _difference(
        self,
        ix: Any,
        commit: tuple[str, int],
        catalogue: Catalogue,
        in_line: Compared | None,
    ) -> Difference:
        """How the index differs from the catalogue: at the URLs edited since the catalogue
        the index was last in line with and those left waiting then, when the catalogue
        was edited from that one (and no one else wrote the index since); else at every
        entry."""
        if in_line is None or in_line.origin is not catalogue.origin or in_line.commit != commit:
            return difference(catalogue.searchable(), self._indexed(ix, commit))
        # Without the index's versions at hand (as after a start in line, see `_adopt`),
        # the few entries edited are written again rather than 100k versions read back.
        known = self._versions if self._versions_of == commit else {}
        urls = catalogue.edited_since(in_line.edits) | in_line.waiting
        return difference(catalogue.searchable(urls), known, ())

    def _moved(self, name: str, written: Commit) -> None:
        """Our own write took the index from one commit to the next: what was known as of
        the first is known as of the second. (Had another writer committed before ours,
        what we knew is of a commit that is no longer the one before ours, and stays so.)"""
        before, after = (name, written.before), (name, written.after)
        if self._in_line is not None and self._in_line.commit == before:
            self._in_line = self._in_line._replace(commit=after)
        if self._versions_of == before:
            self._versions_of = after

    def rebuild(self, progress: Callable[[int], None] | None = None) -> BuildStats | None:
        """Build a new generation from every indexable entry and make it live."""
        try:
            with self.folder.building() as ours:
                if not ours:
                    return None  # `flask index rebuild` is at it
                self.folder.sweep_unfinished()
                self._compared = catalogue = self.library.catalogue()
                # Bodies are read where they are indexed: in the build's own processes.
                cache = self.cache
                # Only entries rendered (summary and all) travel: on a cold start, none.
                rendered = tuple(e for e in catalogue.searchable() if e.summary is not None)
                source = CachedDocuments(cache.path, cache.root, cache.rendering, rendered)
                stats = self.folder.build(
                    source, procs=BUILD_PROCESSES, progress=progress, stopped=self._stopped
                )
        except BuildStopped:
            log.info("search index build stopped with its process")
            return None
        except PermissionError as e:
            self._unwritable(e)
            return None
        self._refused = None
        self.folder.clear_suspicion()
        log.info("search index built: %d documents in %.1f s", stats.documents, stats.seconds)
        return stats

    def _check(self, suspect: str, name: str | None) -> str | None:
        """Verify a generation a searcher reported; None (rebuild) when it is damaged."""
        if suspect != name:
            self.folder.clear_suspicion()  # already replaced
            return name
        reason = self.folder.verify(suspect)
        if reason is None:
            log.info("search index %s verified: it reads; the fault was the query's", suspect)
            self.folder.clear_suspicion()
            return name
        log.error("search index %s is damaged (%s): rebuilding it", suspect, reason)
        return None

    def _texts(self, entries: Iterable[Page]) -> dict[str, str]:
        """The plain text of each entry whose body (and so its summary) is rendered, by URL."""
        texts = {}
        for entry in entries:
            if entry.summary is None:
                continue  # rendered since this catalogue was made: indexed with the next
            body = self.cache.body(entry.source, entry.version)
            if isinstance(body, Rendered):
                texts[entry.url] = body.text
        return texts

    def _indexed(self, ix: Any, commit: tuple[str, int]) -> dict[str, str]:
        """Each indexed URL's version: kept from the last look while no one else wrote."""
        if commit != self._versions_of:
            with ix.reader() as reader:
                self._versions = indexed(reader)
            self._versions_of = commit
        return self._versions

    def _apply(self, ix: Any, change: Difference, texts: dict[str, str]) -> Commit | None:
        """Write a difference; the commit it made (None when it was not written)."""
        try:
            written = apply(ix, change, texts)
        except LockError:
            self._wake.set()  # the command line's writer is busy: try again shortly
            return None
        except PermissionError as e:
            self._unwritable(e)
            return None
        log.info(
            "search index updated: %d changed, %d deleted", len(change.changed), len(change.deleted)
        )
        return written

    def _unwritable(self, error: OSError) -> None:
        reason = f"search index folder {self.folder.path} cannot be written: {error.strerror}"
        if reason != self._refused:
            log.error("%s; search stays unavailable until it can", reason)
            self._refused = reason
