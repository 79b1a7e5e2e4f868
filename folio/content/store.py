"""The content folder kept in memory: read once, re-read only the files that changed."""

from __future__ import annotations

import gc
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from folio.content import snapshot
from folio.content.catalogue import Catalogue
from folio.content.entries import Page, Post, Reading, read_entry
from folio.content.siteinfo import SiteInfo, read_site_info
from folio.content.sources import Fingerprint, content_files, fingerprint, version
from folio.content.watching import ChangeFeed

log = logging.getLogger(__name__)

#: Page slugs that a built-in route answers first, so a page with one could never be seen.
RESERVED_SLUGS = frozenset(
    [
        "about",
        "archive",
        "feed.xml",
        "gallery",
        "images",
        "page",
        "posts",
        "robots.txt",
        "rss.xml",
        "search",
        "search.json",
        "sitemap.xml",
        "static",
        "tags",
        "highlight.css",
    ]
)

#: Re-read files that make the saved snapshot worth writing again.
SNAPSHOT_BATCH = 100


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong with one content file, for logs and `flask check`."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def _now() -> datetime:
    return datetime.now(UTC)


@contextmanager
def _collector_paused(*, freeze: bool) -> Iterator[None]:
    """No cycle collection while the first catalogue loads.

    Reading 10,000 entries makes millions of objects and no garbage; the collector would
    walk them again and again, which was half of a worker's start-up time. A long-running
    worker then freezes them: later full collections leave them out, too.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


class ContentStore:
    """Owns the catalogue; refreshes it from disk at most once per interval.

    With `watch`, a background thread looks for changes, so no request ever waits for
    a scan of the content folder; without it (tests, commands) the request that finds
    the interval passed does the looking.
    """

    def __init__(
        self,
        root: Path,
        *,
        show_drafts: bool = False,
        interval: float = 1.0,
        clock: Callable[[], datetime] = _now,
        snapshot: Path | None = None,
        watch: bool = False,
    ) -> None:
        self.root = root
        self.snapshot = snapshot
        self.show_drafts = show_drafts
        self.interval = interval
        self.clock = clock
        self.watch = watch
        #: How many files were parsed since start: lets tests see what was re-read.
        self.reads = 0
        #: How many times the content folder was looked at (scanned).
        self.looks = 0
        self._saved_reads = 0
        self._site: tuple[Fingerprint | None, SiteInfo, list[str]] = (None, SiteInfo(), [])
        # Keyed by path strings, not Path objects: at 10k files the difference is a second.
        self._files: dict[str, tuple[Fingerprint, Reading]] = {}
        self._catalogue: Catalogue | None = None
        self._duplicates: list[Problem] = []
        self._lock = threading.Lock()
        self._checked = -float("inf")
        self._watcher: threading.Thread | None = None
        self._stopped = threading.Event()
        #: Called with each new catalogue, e.g. to bring the search index up to date.
        self.listeners: list[Callable[[Catalogue], None]] = []

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ContentStore:
        """A store set up from the app's settings (CONTENT_DIR, SHOW_DRAFTS, ...)."""
        return cls(
            Path(config["CONTENT_DIR"]),
            show_drafts=bool(config["SHOW_DRAFTS"]),
            interval=float(config["CONTENT_RELOAD_INTERVAL"]),
            snapshot=Path(config["CACHE_DIR"]) / "content.pickle",
            watch=bool(config.get("CONTENT_WATCH", False)),
        )

    def catalogue(self) -> Catalogue:
        """The current catalogue, refreshed first when the interval has passed."""
        if self._catalogue is None:
            self.refresh()
            if self.watch and self._watcher is None:
                self._watcher = threading.Thread(target=self._keep_watching, daemon=True)
                self._watcher.start()
        elif not self.watch and time.monotonic() - self._checked >= self.interval:
            self.refresh(wait=False)  # another thread is already looking: serve what we have
        assert self._catalogue is not None
        return self._catalogue

    def refresh(self, *, wait: bool = True) -> bool:
        """Re-read changed, added and deleted files; True when the catalogue changed."""
        if not self._lock.acquire(blocking=wait):
            return False
        try:
            previous = self._catalogue
            first = previous is None
            was_provisional = previous is not None and previous.provisional
            with _collector_paused(freeze=self.watch) if first else nullcontext():
                changed, due = self._update()
            current = self._catalogue
            assert current is not None
            # Listeners hear of every new catalogue, and of a provisional one confirmed.
            notify = changed or due or first or (was_provisional and not current.provisional)
        finally:
            self._lock.release()
        if notify:
            for listener in self.listeners:
                listener(current)
        return changed or due

    def _update(self) -> tuple[bool, bool]:
        """Scan, save the snapshot when worth it, rebuild the catalogue when needed."""
        restored = self._catalogue is None and self._restore()
        # A watching worker serves a restored snapshot at once, as provisional: its
        # watcher thread looks at the files within an interval (at 10k files a look is
        # a tenth of a second) and confirms it or builds a new one.
        trusted = restored and self.watch
        changed = False if trusted else self._scan()
        if self._worth_saving(restored) and self.snapshot is not None:
            snapshot.save_content(self.snapshot, self.root, self._site, self._files)
            self._saved_reads = self.reads
        now = self.clock()
        due = self._catalogue is not None and (
            (nxt := self._catalogue.next_publication) is not None and nxt <= now
        )
        if changed or due or self._catalogue is None:
            self._catalogue = self._build(now)
        self._catalogue.provisional = trusted
        self._checked = time.monotonic()
        return changed, due

    def stop(self) -> None:
        """Stop looking for changes (the watcher thread ends within an interval)."""
        self._stopped.set()

    def _keep_watching(self) -> None:
        feed = ChangeFeed(self.root, self.interval)
        try:
            # A first look after one interval (files may have changed while no worker
            # ran), then whenever the feed reports a change or a scheduled post is due.
            self._stopped.wait(self.interval)
            while not self._stopped.is_set():
                try:
                    self.refresh()
                # A bad moment on disk must not stop change pickup for the worker's lifetime.
                except Exception:
                    log.exception("looking for content changes failed")
                current = self._catalogue
                feed.wait(self._stopped, until=current.next_publication if current else None)
        finally:
            feed.close()

    def _restore(self) -> bool:
        saved = snapshot.load(self.snapshot) if self.snapshot else None
        # Only a snapshot of this content folder: settings may point elsewhere since.
        if isinstance(saved, tuple) and len(saved) == 3 and saved[0] == str(self.root):
            self._site, self._files = saved[1:]
            return True
        return False

    def _worth_saving(self, restored: bool) -> bool:
        # After a full read, then in batches: a few edits are cheap to re-read at start.
        unsaved = self.reads - self._saved_reads
        return unsaved >= SNAPSHOT_BATCH or (not restored and self._catalogue is None)

    def problems(self) -> list[Problem]:
        """Every file-level problem found in the last refresh, sorted by path."""
        self.refresh()
        found = [Problem("site.yml", p) for p in self._site[2]]
        for path, (_, reading) in self._files.items():
            found.extend(Problem(self._name(path), reason) for reason in reading.problems)
        return sorted(found + self._duplicates)

    def entries(self) -> list[tuple[str, Page]]:
        """Every readable entry, drafts and scheduled posts included, by file name."""
        return [
            (self._name(path), reading.entry)
            for path, (_, reading) in sorted(self._files.items())
            if reading.entry is not None
        ]

    def _scan(self) -> bool:
        self.looks += 1
        site_path = self.root / "site.yml"
        site_print = fingerprint(str(site_path))
        changed = False
        if site_print != self._site[0]:
            info, problems = read_site_info(site_path)
            self._site = (site_print, info, problems)
            self._files.clear()  # dates depend on the site's timezone
            changed = True
        seen = set()
        for path, found, kind in content_files(self.root):
            seen.add(path)
            cached = self._files.get(path)
            if cached and cached[0] == found:
                continue
            reading = read_entry(Path(path), kind, self._site[1].timezone, version(found))
            self.reads += 1
            for reason in reading.problems:
                log.warning("%s: %s", self._name(path), reason)
            self._files[path] = (found, reading)
            changed = True
        for gone in self._files.keys() - seen:
            del self._files[gone]
            changed = True
        return changed

    def _build(self, now: datetime) -> Catalogue:
        posts: list[Post] = []
        pages: list[Page] = []
        about: Page | None = None
        about_path = os.path.join(str(self.root), "about.md")
        first: dict[tuple[str, str], str] = {}
        self._duplicates = []
        for path, (_, reading) in sorted(self._files.items()):
            entry = reading.entry
            if entry is None:
                continue
            if path == about_path:
                about = replace(entry, slug="about")  # always served at /about/
                continue
            if entry.kind == "page" and entry.slug in RESERVED_SLUGS:
                self._duplicate(path, f"page slug {entry.slug!r} is a reserved path")
                continue
            if (used := first.setdefault((entry.kind, entry.slug), path)) != path:
                self._duplicate(path, f"duplicate slug {entry.slug!r}: {self._name(used)} is used")
                continue
            if isinstance(entry, Post):
                posts.append(entry)
            else:
                pages.append(entry)
        return Catalogue(
            posts, pages, site=self._site[1], now=now, show_drafts=self.show_drafts, about=about
        )

    def _duplicate(self, path: str, reason: str) -> None:
        self._duplicates.append(Problem(self._name(path), reason))
        log.warning("%s: %s", self._name(path), reason)

    def _name(self, path: str) -> str:
        """A path as the site owner knows it: relative to the content folder."""
        root = str(self.root) + os.sep
        relative = path[len(root) :] if path.startswith(root) else path
        return relative.replace(os.sep, "/")
