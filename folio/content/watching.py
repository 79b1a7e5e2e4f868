"""Knowing when the content folder changed: inotify on Linux, a timer elsewhere.

Looking at 10,000 files takes a tenth of a second; doing it every second in every worker
cost visitors up to a hundred milliseconds whenever a request met it. With inotify a
worker looks only when something changed (and once a minute, for what inotify cannot
see, such as a network file system).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from inotify_simple import Event, INotify, flags

from folio.content.sources import folders

log = logging.getLogger(__name__)

#: Seconds between full looks even when no change was reported.
SAFETY_LOOK = 60.0
#: Milliseconds to let a burst of events (an editor saving) settle into one look.
SETTLE_MS = 10
#: Seconds to wait, at most, for the files being written to be closed before they are
#: read: a file written in place is truncated, then written, and a look between the two
#: (seen on a loaded machine with a 20 ms settle and no wait) read it empty, and its
#: post left the site until the write closed. A writer that keeps a file open longer is
#: read as it stands then, and again when it closes.
WRITE_WAIT = 1.0
#: Events that say a file is being written, and those that say its writing is over.
_WRITING = flags.CREATE | flags.MODIFY
_WRITTEN = flags.CLOSE_WRITE | flags.DELETE | flags.MOVED_FROM
#: The files whose writing is waited for: an editor's own (hidden swap and lock files,
#: backups ending in "~") stay open for a whole session.
_WAITED_FOR = (".md", ".yml", ".yaml")
#: Events after which only a look at every file is sure to see what changed: a folder
#: made, moved or removed, a watch gone, events lost.
_EVERYTHING = flags.ISDIR | flags.Q_OVERFLOW | flags.IGNORED | flags.DELETE_SELF | flags.MOVE_SELF


def _waited_for(name: str) -> bool:
    return name.endswith(_WAITED_FOR) and not name.startswith(".")


class ChangeFeed:
    """Waits until the content may have changed, and says which files did; a plain timer
    where inotify is missing."""

    def __init__(self, root: Path, interval: float) -> None:
        self.root = root
        self.interval = interval
        self._notify: INotify | None = None
        self._folders: dict[int, str] = {}  # watch descriptor: the folder it watches
        #: Paths reported since the last `take()`; None: look at every file.
        self._changed: set[str] | None = set()
        #: Files being written: created or modified, and not closed since.
        self._writing: set[str] = set()
        try:
            self._notify = INotify()
        except (AttributeError, OSError) as error:  # not Linux
            self._give_up(error)
        self._watch_folders()

    def wait(self, stopped: threading.Event, until: datetime | None = None) -> None:
        """Return when something may have changed, `until` comes, or `stopped` is set."""
        if self._notify is None:
            stopped.wait(self.interval)
            self._changed = None
            return
        if self._changed is None or self._changed:
            return  # `pending()` saw changes that are not yet taken
        deadline = safety = time.monotonic() + SAFETY_LOOK
        if until is not None:
            deadline = min(deadline, time.monotonic() + (until - datetime.now(UTC)).total_seconds())
        while not stopped.is_set() and time.monotonic() < deadline:
            timeout = max(0.0, min(self.interval, deadline - time.monotonic()))
            events = self._notify.read(timeout=int(timeout * 1000), read_delay=SETTLE_MS)
            if events:
                self._note(events)
                return
        if time.monotonic() >= safety:
            self._changed = None  # the safety look, for what inotify cannot see: every file

    def pending(self) -> bool:
        """Whether a change was reported since the last wait (never blocks)."""
        if self._notify is None:
            return False
        if events := self._notify.read(timeout=0):
            self._note(events)
            return True
        return False

    def take(self) -> set[str] | None:
        """The paths that changed since the last call; None when every file must be looked
        at (no inotify, a folder changed, events were lost, or the safety look came).

        Files still being written are waited for first (WRITE_WAIT at most)."""
        self._settle_writes()
        changed, self._changed = self._changed, set()
        return changed

    def _settle_writes(self) -> None:
        if self._notify is None or not self._writing:
            return
        deadline = time.monotonic() + WRITE_WAIT
        while self._writing and (left := deadline - time.monotonic()) > 0:
            if events := self._notify.read(timeout=max(1, int(left * 1000))):
                self._note(events)
        if self._writing:
            log.info("reading %d files still being written", len(self._writing))
            self._writing.clear()

    def _note(self, events: list[Event]) -> None:
        for event in events:
            folder = self._folders.get(event.wd)
            if folder is None or event.mask & _EVERYTHING or not event.name:
                self._changed = None
                continue
            path = f"{folder}{os.sep}{event.name}"
            if event.mask & _WRITTEN:
                self._writing.discard(path)
            elif event.mask & _WRITING and _waited_for(event.name):
                self._writing.add(path)
            if self._changed is not None:
                self._changed.add(path)
        if self._changed is None:
            self._watch_folders()  # new folders need watches of their own

    def _give_up(self, error: Exception) -> None:
        log.info("watching %s by looking every %.1f s (%s)", self.root, self.interval, error)
        self.close()

    def close(self) -> None:
        if self._notify is not None:
            self._notify.close()
            self._notify = None

    def _watch_folders(self) -> None:
        if self._notify is None:
            return
        mask = (
            flags.CREATE
            | flags.DELETE
            | flags.MODIFY
            | flags.CLOSE_WRITE
            | flags.MOVED_FROM
            | flags.MOVED_TO
            | flags.ATTRIB
            | flags.DELETE_SELF
            | flags.MOVE_SELF
        )
        for folder in folders(self.root):
            try:
                self._folders[self._notify.add_watch(folder, mask)] = folder
            except FileNotFoundError:
                continue  # removed while we looked; its parent's watch saw that
            except OSError as error:  # out of watches (fs.inotify.max_user_watches)
                self._give_up(error)
                return
