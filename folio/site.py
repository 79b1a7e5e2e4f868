"""The site in one process: what it reads, what it serves, and the threads it owns.

`start()` is the one point where threads begin (gunicorn's post_worker_init through
`app.warm`, or the first request of a development server); `stop()` ends them (a
worker's exit, a test's teardown, the interpreter's exit).
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from folio.content.cache import ContentCache
from folio.content.database import CacheUnavailable
from folio.content.library import Library
from folio.content.publisher import Settings
from folio.publishing import Publishing, Role
from folio.replies.ratelimit import Limit, RateLimiter
from folio.replies.store import ReplyStore

if TYPE_CHECKING:  # the search stack (Whoosh, numpy) is imported at its first use
    from folio.search.folder import IndexFolder
    from folio.search.service import SiteSearch

log = logging.getLogger(__name__)

#: How often a worker looks for newly published content and index commits: a look is
#: ~0.14 ms of CPU at 10k posts (0.7% of a core), and an edit shows in 10 ms on average.
FOLLOW_INTERVAL = 0.02
#: How often a worker that does not publish tries to take the role over.
TAKE_OVER_INTERVAL = 1.0
#: How long a starting worker waits for the publisher's first write.
FIRST_PUBLICATION_WAIT = 30.0


class Site:
    """The content library, search, replies; and, in one process per machine, publishing."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        cache_dir = Path(config["CACHE_DIR"])
        root = Path(config["CONTENT_DIR"])
        trust_html = bool(config["CONTENT_TRUST_HTML"])
        rendering = f"trust_html={trust_html}"
        self.cache = ContentCache(cache_dir / "content.sqlite", root, rendering)
        timeout = float(config["RENDER_TIMEOUT"])
        self.library = Library(
            self.cache,
            show_drafts=bool(config["SHOW_DRAFTS"]),
            body_wait=timeout + 2,
            max_bytes=int(config["MAX_CONTENT_FILE_BYTES"]),
        )
        self._index_path = Path(config["SEARCH_INDEX_DIR"])
        self._index: IndexFolder | None = None
        self._search: SiteSearch | None = None
        self._search_lock = threading.Lock()
        replies = Path(config["COMMENTS_DIR"])
        self.replies = ReplyStore(replies)
        self.ratelimit = RateLimiter(
            replies / ".ratelimit",
            str(config["SECRET_KEY"]).encode(),
            Limit(float(config["COMMENT_RATE_GAP"]), int(config["COMMENT_RATE_PER_HOUR"])),
        )
        self.watches = bool(config["CONTENT_WATCH"])
        self.role = Role(cache_dir / "publisher.lock")
        self._publishing_settings = {
            "settings": Settings(root, int(config["MAX_CONTENT_FILE_BYTES"])),
            "render_timeout": timeout,
            "render_processes": max(1, int(config["RENDER_PROCESSES"])),
            "trust_html": trust_html,
            "interval": float(config["CONTENT_RELOAD_INTERVAL"]),
        }
        self.publishing = self._new_publishing()
        self._started = False
        self._start_lock = threading.Lock()
        self._stopped = threading.Event()
        self._follower: threading.Thread | None = None
        self._opener: threading.Thread | None = None

    @property
    def index(self) -> IndexFolder:
        """The search index's folder, shared by this process's searcher and indexer."""
        with self._search_lock:
            return self._index_folder()

    def _index_folder(self) -> IndexFolder:
        if self._index is None:
            # Here rather than at the top: a worker's first page needs none of the search
            # stack, whose import (Whoosh, numpy) is a fifth of a worker's start.
            from folio.search.folder import IndexFolder

            self._index = IndexFolder(self._index_path)
        return self._index

    @property
    def search(self) -> SiteSearch:
        """This process's searcher, opened at its first use: by the follower right after
        the start, or by the first request that searches, whichever comes first."""
        opened = self._search
        if opened is not None:
            return opened
        with self._search_lock:
            if self._search is None:
                from folio.search.service import SiteSearch

                search = SiteSearch(self._index_folder())
                search.refresh()
                self._search = search
            return self._search

    @property
    def search_version(self) -> int:
        """Changes whenever this process's searcher opens or reopens (0 before it has)."""
        opened = self._search
        return opened.version if opened is not None else 0

    @property
    def publishes(self) -> bool:
        """Whether this process holds the publisher's role."""
        return self.role.held

    def start(self) -> None:
        """Publish (if no other process does) and follow what is published; idempotent."""
        with self._start_lock:
            if self._started:
                return
            self._started = True
            self._take_role()
            if not self.publishes:
                self._await_first_publication()
            # Pages can be served now; the follower opens the searcher next.
            self.library.refresh()
            # Always: without watching, new index commits, scheduled posts and a take-over
            # still reach this process.
            self._follower = threading.Thread(target=self._follow, name="follower", daemon=True)
            self._follower.start()
            # Opened beside the follower, not in it: content edits are taken in meanwhile.
            self._opener = threading.Thread(target=self._open_search, name="searcher", daemon=True)
            self._opener.start()
            atexit.register(self.stop)

    def refresh(self, *, wait: bool = True) -> None:
        """Take in published content and index commits now (without `wait`, index commits
        only if no request is searching: the follower's way, so that content is never late
        behind a search)."""
        self.library.refresh()
        if (search := self._search) is not None:  # else it is opened at its first use
            search.refresh(wait=wait)

    def stop(self) -> None:
        """Stop every thread this site started, and give up the publisher's role."""
        self._stopped.set()
        for thread in (self._follower, self._opener):
            if thread is not None and thread is not threading.current_thread():
                thread.join()
        self._follower = self._opener = None
        if self.publishes:
            self.publishing.stop()
            self.role.release()
        if self._search is not None:
            self._search.close()
        self.cache.close()
        atexit.unregister(self.stop)

    def _new_publishing(self) -> Publishing:
        options: Any = self._publishing_settings
        # The index folder is made when the indexer starts, in the publisher's thread.
        index = lambda: self.index  # noqa: E731
        return Publishing(cache=self.cache, library=self.library, index=index, **options)

    def _take_role(self) -> bool:
        if not self.role.take():
            return False
        log.info("this process publishes the content in %s", self.cache.root)
        leftovers = [self.cache.path.parent, self._index_path]
        if self.config["REPLIES_WRITABLE"]:  # a shared, read-only replies folder is not ours
            leftovers.append(self.replies.root)
        try:
            self.publishing.start(follow=self.watches, leftovers=leftovers)
        # Whatever stopped it (a locked or full disk), this worker still serves; the role
        # goes back so that this or another process tries again within a second.
        except Exception:
            log.exception("publishing could not start; trying again shortly")
            self.publishing.stop()
            self.publishing = self._new_publishing()
            self.role.release()
            return False
        return True

    def _await_first_publication(self) -> None:
        """Wait for the publisher's first write, taking its role if it goes unheld."""
        deadline = time.monotonic() + FIRST_PUBLICATION_WAIT
        next_try = time.monotonic() + TAKE_OVER_INTERVAL
        while time.monotonic() < deadline and not self._stopped.is_set():
            try:
                if self.cache.published():
                    return
            except (CacheUnavailable, OSError):
                pass
            if time.monotonic() >= next_try:
                next_try = time.monotonic() + TAKE_OVER_INTERVAL
                if self._take_role():
                    return
            time.sleep(0.05)

    def _open_search(self) -> None:
        if not self._stopped.is_set():
            self.search  # noqa: B018 (opens it)

    def _follow(self) -> None:
        next_try = time.monotonic() + TAKE_OVER_INTERVAL
        while not self._stopped.wait(FOLLOW_INTERVAL):
            try:
                self.refresh(wait=False)
                if not self.publishes and time.monotonic() >= next_try:
                    next_try = time.monotonic() + TAKE_OVER_INTERVAL
                    self._take_role()  # the publishing process ended: take over
            # A bad moment on disk must not end this worker's following.
            except Exception:
                log.exception("following published content failed")
        self.cache.close()
