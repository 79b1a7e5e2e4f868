"""The publisher's role: one process per machine reads, renders and indexes; a lock says which.

Every gunicorn worker tries to take the role when it starts and, while another has it,
once a second afterwards: if the publishing worker dies, its lock goes with it and
another worker takes over within a second.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from folio.atomic import sweep
from folio.content.bounded import RenderPool
from folio.content.cache import ContentCache
from folio.content.catalogue import Catalogue
from folio.content.library import Library
from folio.content.publisher import Publisher, Settings
from folio.content.signals import content_published
from folio.content.watching import ChangeFeed

if TYPE_CHECKING:  # the search stack is imported when the indexer starts
    from folio.search.folder import IndexFolder
    from folio.search.indexer import Indexer

log = logging.getLogger(__name__)

#: Seconds after a start on published content before the render processes start anyway,
#: so that the first edit does not wait for them (they are not needed to serve).
POOL_WARM_AFTER = 1.0


class Role:
    """The lock file whose holder publishes: held until released or the process ends."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def take(self) -> bool:
        """Take the role if no other process holds it."""
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None


class Publishing:
    """What the role holder runs: the publisher, its render processes, and the indexer."""

    def __init__(
        self,
        settings: Settings,
        cache: ContentCache,
        library: Library,
        index: Callable[[], IndexFolder],
        *,
        render_timeout: float,
        trust_html: bool,
        render_processes: int = 1,
        interval: float,
    ) -> None:
        self.cache = cache
        self.library = library
        self.interval = interval
        self.pool = RenderPool(
            processes=render_processes, timeout=render_timeout, options={"trust_html": trust_html}
        )
        self.publisher = Publisher(settings, cache, self.pool)
        self._index = index
        self._indexer: Indexer | None = None
        self._indexer_lock = threading.Lock()
        self._stopped = threading.Event()
        # A start's look at the files is followed by this worker taking in its catalogue
        # (2-3 s at 100k posts). The publisher's thread publishes edits meanwhile, once
        # the rows that start's catalogue is made of are read (`_read`), and takes them in
        # once that catalogue is in (`_taken_in`).
        self._read = threading.Event()
        self._taken_in = threading.Event()
        self._thread: threading.Thread | None = None
        self._starter: threading.Thread | None = None
        self._warmer: threading.Timer | None = None

    @property
    def indexer(self) -> Indexer:
        """The index's writer, made at its first use: in the publisher's thread after a
        start, so that the first pages wait for neither its import (Whoosh, numpy) nor its
        first comparison."""
        with self._indexer_lock:
            if self._indexer is None:
                from folio.search.indexer import Indexer

                self._indexer = Indexer(self._index(), self.cache, self.library)
            return self._indexer

    def start(self, *, follow: bool, leftovers: Iterable[Path] = ()) -> None:
        """Publish what changed since the last run now; then, with `follow`, keep at it.

        First, temporary files that killed writes left in `leftovers` are removed.
        """
        for folder in leftovers:
            if removed := sweep(folder):
                log.info("removed %d unfinished temporary file(s) in %s", removed, folder)
        self.cache.prepare()
        # The render processes start when the publisher first needs them: a restart on
        # an up-to-date cache reads and renders nothing.
        if not follow:
            self.run_once()  # read once: no thread follows the files
            return
        # Watched before the first look: a change made meanwhile is reported, not missed.
        feed = ChangeFeed(self.publisher.root, self.interval)
        # With nothing read yet (a cold start) every file's front matter is read in the
        # render processes: they start while the folder is listed.
        cold = not self.cache.published()
        self._warmer = threading.Timer(0.0 if cold else POOL_WARM_AFTER, self._warm_pool)
        self._warmer.daemon = True
        self._warmer.start()
        try:
            self.publisher.publish()  # front matter only: the first pages can be served
        except BaseException:
            feed.close()
            raise
        # Edits are published from now on, while this worker takes in its catalogue:
        # the workers that already serve show them meanwhile.
        self._thread = threading.Thread(
            target=self._follow, args=(feed,), name="publisher", daemon=True
        )
        self._thread.start()
        try:
            self.library.refresh(read=self._read)
            # The catalogue as published at the start, without an edit published since.
            started = self.library.catalogue()
        finally:
            self._read.set()
            self._taken_in.set()
        # The indexer loads (Whoosh, numpy) now that this worker can serve, beside the
        # publisher's thread, and compares its kept mark with the start's catalogue.
        self._starter = threading.Thread(
            target=self._start_indexer, args=(started,), name="indexer-start", daemon=True
        )
        self._starter.start()

    def run_once(self) -> None:
        """Publish, render every body and update the index, all in this thread."""
        self.publisher.publish()
        self.publisher.render_pending()
        self.library.refresh()
        self.indexer.sync()

    def stop(self) -> None:
        """Stop the threads and the render processes."""
        self._stopped.set()
        self._read.set()
        self._taken_in.set()
        if self._warmer is not None:
            self._warmer.cancel()
            self._warmer.join()  # a start under way ends before the pool stops below
            self._warmer = None
        for thread in (self._thread, self._starter):
            if thread is not None:
                thread.join()
        self._thread = self._starter = None
        if self._indexer is not None:
            self._indexer.stop()
        self.pool.stop()
        self.cache.close()

    def _start_indexer(self, started: Catalogue) -> None:
        if self._stopped.is_set():
            return
        try:
            self.indexer.start(self.publisher, started)
        except Exception:  # pages are still published; search says it is not ready
            log.exception("the search indexer could not start")

    def _warm_pool(self) -> None:
        if not self._stopped.is_set():
            try:
                self.pool.start()
            # Not needed to serve: the publisher tries again when it has a body to render.
            except Exception:
                log.exception("the render processes could not start")

    def _follow(self, feed: ChangeFeed) -> None:
        try:
            self._read.wait()
            self._render(feed)
            while not self._stopped.is_set():
                due = self.library.catalogue().next_publication
                feed.wait(self._stopped, until=due)
                if self._stopped.is_set():
                    return
                self._publish(feed)
        finally:
            feed.close()
            self.cache.close()

    def _publish(self, feed: ChangeFeed) -> None:
        try:
            changed = self.publisher.publish(feed.take())
        # A bad moment on disk must not end change pickup for the process's lifetime.
        except Exception:
            log.exception("publishing content changes failed")
            changed = True
        self._render(feed)  # before taking it in here: the serving workers wait for bodies
        try:
            if self._take_in() and not changed:  # a scheduled post went live
                content_published.send(self.publisher, generation=self.cache.generation())
        except Exception:
            log.exception("taking in published content failed")

    def _render(self, feed: ChangeFeed) -> None:
        try:
            # A change seen while rendering a backlog is published before the rest; a stop
            # ends the backlog between two bodies.
            def interrupted() -> bool:
                return self._stopped.is_set() or feed.pending()

            while self.publisher.render_pending(interrupted) and not self._stopped.is_set():
                self.publisher.publish(feed.take())
                self._take_in()
        except Exception:
            log.exception("rendering content failed")

    def _take_in(self) -> bool:
        """This worker's catalogue brought up to date, once the start's is in; True when
        it changed."""
        self._taken_in.wait()
        return not self._stopped.is_set() and self.library.refresh()
