"""One process's view of the published content: the catalogue and bodies, from the cache."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime

from folio.content import collector, memory
from folio.content.cache import ContentCache, Position
from folio.content.catalogue import Catalogue, assemble
from folio.content.database import CacheUnavailable
from folio.content.entries import Page, Problem, read_summary
from folio.content.render import Rendered
from folio.content.siteinfo import SiteInfo
from folio.content.sources import namer

log = logging.getLogger(__name__)

#: Rendered bodies kept in memory per process; the rest stay in the cache file.
REMEMBERED_BODIES = 256
#: Summaries worked out in this process for entries not yet rendered by the publisher.
REMEMBERED_SUMMARIES = 4096
#: How often a request waiting for a body asks the cache.
BODY_POLL = 0.02
#: Rows taken in at once after which the memory their decoding freed is handed back.
RELEASED_AFTER = 1000


def _first(pair: tuple[str, Page]) -> str:
    return pair[0]


def _now() -> datetime:
    return datetime.now(UTC)


class Library:
    """The catalogue as of the cache's last generation; refreshed by its owner's thread.

    Requests only read `catalogue()`; `refresh()` is called by the site's follower thread
    (or by a command), never inside a request.
    """

    def __init__(
        self,
        cache: ContentCache,
        *,
        show_drafts: bool = False,
        clock: Callable[[], datetime] = _now,
        body_wait: float = 10.0,
        max_bytes: int = 1024 * 1024,
    ) -> None:
        self.cache = cache
        self.show_drafts = show_drafts
        self.clock = clock
        self.body_wait = body_wait
        self.max_bytes = max_bytes
        self.position: Position = ("", 0)
        #: Counts the catalogues made: anything made from one knows when it is outdated.
        self.version = 0
        self.problems: list[Problem] = []
        #: Each file's entry, by its path: the entry's own `source` string where it is the
        #: path (no second copy of 100k paths; names are made only to assemble).
        self._entries: dict[str, Page] = {}
        self._catalogue = Catalogue([], [], site=SiteInfo(), now=clock())
        self._lock = threading.Lock()
        self._bodies: OrderedDict[tuple[str, str], Rendered] = OrderedDict()
        self._bodies_lock = threading.Lock()  # request threads share the memory of bodies
        self._summaries: OrderedDict[tuple[str, str], str] = OrderedDict()

    @property
    def published(self) -> bool:
        """Whether a publication was taken in: until then the catalogue is empty because
        nothing is known yet, not because the site has no content."""
        return self.position[1] > 0

    def catalogue(self) -> Catalogue:
        """The current catalogue (empty until the publisher's first write)."""
        return self._catalogue

    def refresh(self, read: threading.Event | None = None) -> bool:
        """Take in what the publisher wrote since the last look; True when the catalogue
        changed. `read` is set once the rows are read (or cannot be): what is written from
        then on is not in this look."""
        with self._lock, collector.paused():
            try:
                position, rows, afresh = self.cache.changes(self.position)
            except CacheUnavailable:
                return False
            finally:
                if read is not None:
                    read.set()
            due = self._catalogue.next_publication
            went_live = bool(due and due <= self.clock())  # a scheduled post's time came
            if position == self.position and not went_live:
                return False
            if afresh:
                self._entries.clear()
            moves = afresh or went_live or not rows
            swaps: list[tuple[Page, Page]] | None = None if moves else []
            for row in rows:
                old = self._entries.get(row.path)
                if row.entry is None:
                    self._entries.pop(row.path, None)
                    swaps = None
                else:
                    source = row.entry.source
                    self._entries[source if source == row.path else row.path] = row.entry
                    if swaps is not None and old is not None:
                        swaps.append((old, row.entry))
                    else:
                        swaps = None
            # An edit that moves nothing (text, title, summary) swaps entries in place.
            edited = self._catalogue.replaced(swaps) if swaps is not None else None
            if edited is not None and self._catalogue.site == self.cache.site().info:
                self._catalogue = edited
            else:
                self._assemble()
            self.position = position
            self.version += 1
        if len(rows) >= RELEASED_AFTER:
            memory.release()
        return True

    def _assemble(self) -> None:
        name = namer(self.cache.root)
        named = sorted(((name(path), entry) for path, entry in self._entries.items()), key=_first)
        catalogue, problems = assemble(
            named,
            site=self.cache.site().info,
            now=self.clock(),
            show_drafts=self.show_drafts,
        )
        for problem in set(problems) - set(self.problems):
            log.warning("%s", problem)
        self.problems = problems
        self._catalogue = catalogue

    def body(self, entry: Page) -> Rendered | None:
        """The entry's rendered body; None when it cannot be had within `body_wait`."""
        key = (entry.source, entry.version)
        with self._bodies_lock:
            if (known := self._bodies.get(key)) is not None:
                self._bodies.move_to_end(key)
                return known
        deadline = time.monotonic() + self.body_wait
        asked = False
        while True:
            found = self.cache.body(*key)
            if isinstance(found, Rendered):
                self._remember(key, found)
                return found
            if isinstance(found, str) or time.monotonic() >= deadline:
                return None  # refused (the entry leaves the catalogue), or still rendering
            if not asked:
                self.cache.want(entry.source)  # the publisher renders it next
                asked = True
            time.sleep(BODY_POLL)

    def summary(self, entry: Page) -> str:
        """The entry's summary: the publisher's, or until it has one, worked out here.

        Only what a page shows is worked out (a bounded prefix of its file), so a site
        serves its first listings while the publisher is still rendering.
        """
        if entry.summary is not None:
            return entry.summary
        key = (entry.source, entry.version)
        with self._bodies_lock:
            if (known := self._summaries.get(key)) is not None:
                return known
        found = read_summary(entry.source, self.max_bytes)
        with self._bodies_lock:
            self._summaries[key] = found
            while len(self._summaries) > REMEMBERED_SUMMARIES:
                self._summaries.popitem(last=False)
        return found

    def _remember(self, key: tuple[str, str], rendered: Rendered) -> None:
        with self._bodies_lock:
            self._bodies[key] = rendered
            while len(self._bodies) > REMEMBERED_BODIES:
                self._bodies.popitem(last=False)
