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
#: Milliseconds to let a burst of events (an editor saving) settle into one look. 20 was
#: tried: on a loaded machine a file written in place (truncated, then written) was
#: read between the two, empty, and its post left the site until the write closed.
SETTLE_MS = 50
#: Events after which only a look at every file is sure to see what changed: a folder
#: made, moved or removed, a watch gone, events lost.
_EVERYTHING = flags.ISDIR | flags.Q_OVERFLOW | flags.IGNORED | flags.DELETE_SELF | flags.MOVE_SELF


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
        at (no inotify, a folder changed, events were lost, or the safety look came)."""
        changed, self._changed = self._changed, set()
        return changed

    def _note(self, events: list[Event]) -> None:
        for event in events:
            folder = self._folders.get(event.wd)
            if folder is None or event.mask & _EVERYTHING or not event.name:
                self._changed = None
            elif self._changed is not None:
                self._changed.add(f"{folder}{os.sep}{event.name}")
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
