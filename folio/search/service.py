"""One worker's search: a long-lived searcher on the live generation, answers remembered.

It only reads. The publishing process writes the index (see `indexer.py`); `refresh`,
called by the site's follower thread, reopens the searcher when a new generation or
commit appears, so no request ever opens files.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from whoosh.index import FileIndex
from whoosh.searching import Searcher

from folio.content.catalogue import Catalogue
from folio.content.entries import Post
from folio.search.folder import IndexFolder
from folio.search.query import clean
from folio.search.ranking import Ranker
from folio.search.results import SearchResults, related_urls, run_query
from folio.search.updates import Difference, difference, indexed

log = logging.getLogger(__name__)

#: Search pages and related lists kept per worker: popular queries and articles repeat.
REMEMBERED_ANSWERS = 512
#: Seconds before a generation that would not open is tried again.
RETRY_FAILED = 2.0


@dataclass(frozen=True)
class IndexStatus:
    """What `flask index status` reports."""

    documents: int
    generation: str | None
    size: int
    stale: Difference


class SiteSearch:
    """The searcher on the newest readable generation; None of it while there is none."""

    def __init__(self, folder: IndexFolder) -> None:
        self.folder = folder
        self._lock = threading.RLock()
        self._generation: str | None = None
        self._index: FileIndex | None = None
        self._searcher: Searcher | None = None
        self._ranker: Ranker | None = None
        self._failed: str | None = None  # a generation that would not open, logged once
        self._failed_at = 0.0
        self._opened = 0
        self._reported: set[str | None] = set()  # generations whose failure was logged in full
        #: Answers computed on the current searcher and catalogue, most recent last.
        self._answers: OrderedDict[tuple[object, ...], object] = OrderedDict()
        self._answered: Catalogue | None = None

    @property
    def version(self) -> int:
        """Changes whenever a searcher is opened (a new generation, a new commit)."""
        return self._opened

    @property
    def ready(self) -> bool:
        """Whether searches can be answered now."""
        return self._ranker is not None

    def refresh(self, *, wait: bool = True) -> None:
        """Open the live generation, or reopen after a commit; never raises. Without `wait`,
        nothing while a request is searching (the follower looks again shortly, and the
        content it follows meanwhile must not wait behind a search)."""
        name = self.folder.current_name()
        if not self._lock.acquire(blocking=wait):
            return
        try:
            if name is None or name != self._generation:
                self._close()
                if name is not None and self._may_try(name):
                    self._open(name)
            elif self._searcher is not None and not self._searcher.up_to_date():
                # Not Searcher.refresh(): it returns duplicate hits after merges.
                # A commit (an edit) moves each term's weight in the index by at most
                # one document's: related posts keep the frequencies they looked up,
                # or an edited article's first page would look them all up again.
                known = self._ranker.frequencies if self._ranker is not None else {}
                self._close()
                self._open(name)
                if self._ranker is not None:
                    self._ranker.frequencies = known
        # A generation whose files cannot be opened is damaged or half-deleted: the
        # indexer checks it and rebuilds; meanwhile search says it is unavailable.
        except Exception as e:
            self._close()
            if name != self._failed:
                log.error("search index %s cannot be opened (%s): reported", name, e)
            self._failed, self._failed_at = name, time.monotonic()
            if name is not None:
                self.folder.report(name)
        finally:
            self._lock.release()

    def _may_try(self, name: str) -> bool:
        """A generation that failed to open is tried again only after a pause."""
        return name != self._failed or time.monotonic() - self._failed_at >= RETRY_FAILED

    def _open(self, name: str) -> None:
        self._index = self.folder.open(name)
        self._searcher = self._index.searcher()
        self._ranker = Ranker(self._searcher)
        self._generation = name
        self._opened += 1
        self._failed = None

    def search(self, catalogue: Catalogue, query: object, **options: object) -> SearchResults:
        """Search the site; while no index can be read, a 'being prepared' answer."""
        with self._lock:
            key = ("search", clean(query), *sorted(options.items()))
            known = self._recall(catalogue, key)
            if isinstance(known, SearchResults):
                return known
            ranker = self._ranker
            try:
                results = run_query(ranker, catalogue, query, **options)  # type: ignore[arg-type]
            # Not decided here whether the index or the query is at fault: the indexer
            # verifies the files and rebuilds only if they are damaged.
            except Exception:
                if self._generation not in self._reported:  # one traceback per generation
                    log.exception("search for %r failed; the index will be checked", clean(query))
                    self._reported.add(self._generation)
                else:
                    log.error(
                        "search for %r failed again; the index is being checked", clean(query)
                    )
                if self._generation is not None:
                    self.folder.report(self._generation)
                return run_query(None, catalogue, query)
            if ranker is not None:
                self._answers[key] = results
            return results

    def related(
        self, catalogue: Catalogue, post: Post, text: str, limit: int = 3
    ) -> tuple[Post, ...]:
        """Posts like this one (its body's `text`) and its tags; shared tags without an index."""
        with self._lock:
            if self._ranker is None:
                return catalogue.related(post, limit)
            key = ("related", post.url, limit)
            urls = self._recall(catalogue, key)
            if not isinstance(urls, tuple):
                try:
                    urls = tuple(related_urls(self._ranker, post, text, limit))
                except Exception:
                    log.exception("related posts for %s failed", post.url)
                    return catalogue.related(post, limit)
                self._answers[key] = urls
            found = [catalogue.entry(url) for url in urls]
            posts = tuple(p for p in found if isinstance(p, Post))
            return posts or catalogue.related(post, limit)

    def documents(self) -> int:
        """How many documents the searcher holds (0 while there is none)."""
        with self._lock:
            return int(self._searcher.doc_count()) if self._searcher else 0

    def status(self, catalogue: Catalogue) -> IndexStatus:
        """Documents, size, and which entries differ from the index."""
        with self._lock:
            searcher = self._searcher
            versions = indexed(searcher.reader()) if searcher else {}
            return IndexStatus(
                documents=searcher.doc_count() if searcher else 0,
                generation=self._generation if searcher else None,
                size=self.folder.size() if searcher else 0,
                stale=difference(catalogue.searchable(), versions),
            )

    def close(self) -> None:
        """Close the searcher and its files."""
        with self._lock:
            self._close()

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
        self._opened += 1  # search goes away: pages with related posts change too
        searcher, index = self._searcher, self._index
        self._searcher = self._index = self._ranker = None
        self._generation = None
        self._answers.clear()
        # Each is closed once, even when closing the first fails.
        try:
            if searcher is not None:
                searcher.close()
        finally:
            if index is not None:
                index.close()
