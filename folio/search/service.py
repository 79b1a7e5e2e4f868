"""One worker's view of the index: a long-lived searcher, kept fresh, and the updates it owes."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from whoosh.index import FileIndex, LockError
from whoosh.searching import Searcher

from folio.content.catalogue import Catalogue
from folio.content.entries import Post
from folio.search.index import (
    SMALL_UPDATE,
    BuildStats,
    Difference,
    IndexFolder,
    apply,
    difference,
    indexed,
)
from folio.search.query import clean
from folio.search.ranking import Ranker
from folio.search.results import SearchResults, related_urls, run_query

log = logging.getLogger(__name__)

#: Search pages and related lists kept per worker: popular queries and articles repeat.
REMEMBERED_ANSWERS = 512


@dataclass(frozen=True)
class IndexStatus:
    """What `flask index status` reports."""

    documents: int
    generation: str | None
    size: int
    stale: Difference


class SiteSearch:
    """Opens one searcher per worker and reopens it only when the index changed.

    Index writes happen when the content changed (small ones inline, a full build in a
    background thread); another process holding Whoosh's lock means we keep serving the
    last committed index and try again on the next request.
    """

    def __init__(self, folder: IndexFolder, *, background: bool = True) -> None:
        self.folder = folder
        self.background = background
        #: How long a worker waits for another process's build of a small index.
        self.build_wait = 5.0
        self._lock = threading.RLock()
        self._generation: str | None = None
        self._index: FileIndex | None = None
        self._searcher: Searcher | None = None
        self._ranker: Ranker | None = None
        self._synced: Catalogue | None = None
        self._broken: str | None = None
        self._worker: threading.Thread | None = None
        #: Answers computed on the current searcher and catalogue, most recent last.
        self._answers: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._answered: Catalogue | None = None

    # Reading -------------------------------------------------------------------------

    def searcher(self) -> Searcher | None:
        """The searcher on the newest committed index, or None while there is none."""
        with self._lock:
            name = self.folder.current_name()
            if name is None or name == self._broken:
                self._close()
                return None
            try:
                if name != self._generation or self._searcher is None:
                    self._close()
                    self._index = self.folder.open(name)
                    self._searcher = self._index.searcher()
                    self._generation = name
                elif not self._searcher.up_to_date() and self._index is not None:
                    # Not Searcher.refresh(): it returns duplicate hits after merges.
                    self._searcher.close()
                    self._searcher = self._index.searcher()
                    self._ranker = None
                    self._answers.clear()
            # Whoosh raises many kinds of error on damaged files; any of them means rebuild.
            except Exception:
                log.exception("search index %s is unreadable; it will be rebuilt", name)
                self._close()
                self._broken = name
                return None
            return self._searcher

    def prepare(self, catalogue: Catalogue) -> None:
        """Open the searcher and read what ranking needs, before the first visitor asks."""
        self.sync(catalogue)
        with self._lock:
            if self.searcher() is not None:
                self._ranking()

    def search(self, catalogue: Catalogue, query: object, **options: object) -> SearchResults:
        """Search the site; a missing or broken index gives a 'being rebuilt' answer."""
        self.sync(catalogue)
        with self._lock:
            searcher = self.searcher()
            key = ("search", clean(query), *sorted(options.items()))
            known = self._recall(catalogue, key)
            if searcher is not None and isinstance(known, SearchResults):
                return known
            try:
                ranker = self._ranking() if searcher else None
                results = run_query(ranker, catalogue, query, **options)  # type: ignore[arg-type]
            except Exception:
                log.exception("search failed; the index will be rebuilt")
                self._broken = self._generation
                self._close()
                return run_query(None, catalogue, query)
            if searcher is not None:
                self._answers[key] = results
            return results

    def related(self, catalogue: Catalogue, post: Post, limit: int = 3) -> tuple[Post, ...]:
        """Posts like this one by body and tags; shared tags while the index is missing."""
        with self._lock:
            searcher = self.searcher()
            if searcher is None:
                return catalogue.related(post, limit)
            key = ("related", post.url, limit)
            urls = self._recall(catalogue, key)
            if not isinstance(urls, tuple):
                try:
                    urls = self._answers[key] = tuple(related_urls(self._ranking(), post, limit))
                except Exception:
                    log.exception("related posts for %s failed", post.url)
                    return catalogue.related(post, limit)
            found = [catalogue.entry(url) for url in urls]
            posts = tuple(p for p in found if isinstance(p, Post))
            return posts or catalogue.related(post, limit)

    def status(self, catalogue: Catalogue) -> IndexStatus:
        """Documents, size, and which entries differ from the index."""
        with self._lock:
            searcher = self.searcher()
            versions = indexed(searcher.reader()) if searcher else {}
            return IndexStatus(
                documents=searcher.doc_count() if searcher else 0,
                generation=self._generation if searcher else None,
                size=self.folder.size() if searcher else 0,
                stale=difference(catalogue.searchable(), versions),
            )

    # Writing -------------------------------------------------------------------------

    def sync(self, catalogue: Catalogue) -> None:
        """Bring the index up to date with the catalogue, writing only what differs."""
        if catalogue.provisional or catalogue is self._synced or self._busy():
            return
        name = self.folder.current_name()
        if not self._usable(name) and len(catalogue.searchable()) <= SMALL_UPDATE:
            # A small site is indexed in well under a second: do it now, not later.
            self._build_missing(catalogue, wait=self.build_wait)
        elif self.background:
            self._run(self._sync_now, catalogue)
        else:
            self._sync_now(catalogue)

    def _sync_now(self, catalogue: Catalogue) -> None:
        """Compare and write with an index of our own, so searches never wait for this."""
        name = self.folder.current_name()
        if name is None or not self._usable(name):
            self._build_missing(catalogue)  # an outdated one serves until the new one is live
            return
        try:
            index = self.folder.open(name)
        # Damaged files raise many kinds of error: any of them means rebuild.
        except Exception:
            log.exception("search index %s is unreadable; it will be rebuilt", name)
            self._broken = name
            self._build_missing(catalogue)
            return
        try:
            with index.reader() as reader:
                versions = indexed(reader)
            change = difference(catalogue.searchable(), versions)
            if not change or self._apply(index, change):
                self._synced = catalogue
        finally:
            index.close()

    def rebuild(
        self,
        catalogue: Catalogue,
        *,
        procs: int = 1,
        progress: Callable[[int], None] | None = None,
        wait: float = 0.0,
        only_if_missing: bool = False,
    ) -> BuildStats | None:
        """Build from scratch into a new generation; None if another process built it."""
        lock = self.folder.build_lock()
        deadline = time.monotonic() + wait
        while not lock.acquire(blocking=False):
            if time.monotonic() >= deadline:
                return None  # another process is building; search says so meanwhile
            time.sleep(0.05)
        try:
            # Another process may have finished a build while we waited for the lock.
            name = self.folder.current_name()
            if only_if_missing and self._usable(name):
                return None
            stats = self.folder.build(catalogue.searchable(), procs=procs, progress=progress)
        finally:
            lock.release()
        self._broken = None
        log.info("search index built: %d documents in %.1f s", stats.documents, stats.seconds)
        return stats

    def wait(self, timeout: float | None = None) -> None:
        """Wait for a background build or update to finish (tests and the CLI use this)."""
        worker = self._worker
        if worker is not None:
            worker.join(timeout)

    def close(self) -> None:
        """Close the searcher and its files."""
        with self._lock:
            self._close()

    def _usable(self, name: str | None) -> bool:
        """A readable generation built for this code's schema."""
        return name is not None and name != self._broken and not self.folder.outdated(name)

    def _build_missing(self, catalogue: Catalogue, wait: float = 0.0) -> None:
        self.rebuild(catalogue, wait=wait, only_if_missing=True)

    def _apply(self, index: FileIndex, change: Difference) -> bool:
        try:
            apply(index, change)
        except LockError:
            return False  # another process is writing; we retry on the next request
        log.info(
            "search index updated: %d changed, %d deleted", len(change.changed), len(change.deleted)
        )
        return True

    def _run(self, task: Callable[..., object], *args: object) -> None:
        if not self.background:
            task(*args)
            return
        self._worker = threading.Thread(target=task, args=args, name="search-index", daemon=True)
        self._worker.start()

    def _busy(self) -> bool:
        return self._worker is not None and self._worker.is_alive()

    def _ranking(self) -> Ranker:
        """What ranking needs of the current searcher's documents, read once per searcher."""
        if self._ranker is None:
            assert self._searcher is not None
            self._ranker = Ranker(self._searcher)
        return self._ranker

    def _recall(self, catalogue: Catalogue, key: tuple[object, ...]) -> object | None:
        """A remembered answer, if neither the index nor the content changed since."""
        if catalogue is not self._answered:
            self._answers.clear()
            self._answered = catalogue
        found = self._answers.get(key)
        if found is not None:
            self._answers.move_to_end(key)
        while len(self._answers) > REMEMBERED_ANSWERS:
            self._answers.popitem(last=False)
        return found

    def _close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
        if self._index is not None:
            self._index.close()
        self._searcher = self._index = None
        self._generation = None
        self._ranker = None
        self._answers.clear()
