"""What the index was last known to be in line with, kept beside it across restarts.

The indexer compares the index with the catalogue once after every start: at 100k posts
that reads every indexed version (over a second), and an edit made just after a start
waited for it. The mark says: the catalogue whose searchable entries and versions have
this digest was in line with this commit of this generation, except for the entries
still waiting for their bodies. A new process whose catalogue has the same digest, with
the index still at that commit, is in line too, and compares only what waits.

The mark checks itself: any other write to the index (a rebuild, the command line) moves
its commit, and any other content (a file changed while no one ran, a post gone live, a
setting that shows drafts) changes the digest; either way the full comparison is made.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from folio.atomic import write_atomically
from folio.content.entries import Page
from folio.search.schema import index_version

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InLine:
    """A catalogue's digest, the index commit in line with it, and what waits for bodies."""

    commit: tuple[str, int]
    catalogue: str
    waiting: frozenset[str]


def digest(entries: Iterable[Page]) -> str:
    """A digest of the searchable entries: each URL with the version the index keeps."""
    pairs = sorted(f"{entry.url}\t{index_version(entry)}" for entry in entries)
    return hashlib.blake2b("\n".join(pairs).encode(), digest_size=16).hexdigest()


def save(path: Path, mark: InLine) -> None:
    """Keep the mark (not durably: a mark lost in a crash only costs a full comparison)."""
    data = {
        "commit": list(mark.commit),
        "catalogue": mark.catalogue,
        "waiting": sorted(mark.waiting),
    }
    try:
        write_atomically(path, json.dumps(data).encode(), durable=False)
    except OSError as e:  # a read-only folder: the indexer says so where it writes
        log.debug("the index's mark cannot be kept: %s", e)


def load(path: Path) -> InLine | None:
    """The kept mark; None when there is none or it cannot be used."""
    try:
        data = json.loads(path.read_bytes())
        name, generation = data["commit"]
        waiting = data["waiting"]
        if not (isinstance(name, str) and isinstance(generation, int)):
            return None
        if not (isinstance(waiting, list) and all(isinstance(u, str) for u in waiting)):
            return None
        return InLine((name, generation), str(data["catalogue"]), frozenset(waiting))
    except (OSError, ValueError, TypeError, KeyError):
        return None
