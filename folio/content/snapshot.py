"""Parsed content saved to disk, so a new worker re-reads only files that changed since."""

from __future__ import annotations

import hashlib
import logging
import pickle
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

from folio.atomic import write_atomically
from folio.content.entries import Page, Reading, StoredRendering
from folio.content.render import Rendered

log = logging.getLogger(__name__)

_PACKAGE = Path(__file__).resolve().parent.parent
#: The modules that read, parse and render a file, and define what the snapshot holds.
#: A change to any other module (search, views) keeps the snapshot.
_SHAPING = ("atomic", "content/entries", "content/meta", "content/render", "content/siteinfo", "content/snapshot", "content/tags")


@cache
def code_version() -> str:
    """Changes whenever the code or libraries that shape a parsed file change."""
    digest = hashlib.sha256()
    for name in _SHAPING:
        digest.update((_PACKAGE / f"{name}.py").read_bytes())
    for library in ("Markdown", "Pygments", "python-frontmatter", "PyYAML"):
        digest.update(version(library).encode())
    return digest.hexdigest()[:16]


def load(path: Path) -> Any | None:
    """What `save` wrote with this code version, or None (missing, stale or damaged)."""
    try:
        with path.open("rb") as f:
            saved_version, data = pickle.load(f)  # noqa: S301 (our own file in instance/)
    except FileNotFoundError:
        return None
    # A damaged or foreign snapshot only costs a full read; never fail because of it.
    except Exception as e:
        log.warning("ignoring content snapshot %s: %s", path, e)
        return None
    return data if saved_version == code_version() else None


def save(path: Path, data: object) -> None:
    """Write atomically: a reader sees the old snapshot or the new one, never half."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        pickled = pickle.dumps((code_version(), data), protocol=pickle.HIGHEST_PROTOCOL)
        write_atomically(path, pickled)
    except OSError as e:
        log.warning("could not save content snapshot %s: %s", path, e)


def save_content(
    path: Path, root: Path, site: object, files: Mapping[str, tuple[Any, Reading]]
) -> None:
    """Save the parsed content of `root`, each rendered body in a file of its own beside it.

    The snapshot then holds only what listing pages need; a worker that starts from it
    reads a body the first time a visitor or a search asks for it.
    """
    bodies = path.parent / "bodies"
    keep: set[str] = set()
    detached: dict[str, tuple[Any, Reading]] = {}
    try:
        bodies.mkdir(parents=True, exist_ok=True)
        for key, (fingerprint, reading) in files.items():
            entry = reading.entry
            if entry is not None and isinstance(entry.rendered, Rendered):
                digest = hashlib.sha256(f"{code_version()}{key}{entry.version}".encode())
                target = bodies / f"{digest.hexdigest()[:32]}.pickle"
                if not target.exists():
                    # Not durable: a body lost in a crash is rendered again from its file.
                    rendered = pickle.dumps(entry.rendered, protocol=pickle.HIGHEST_PROTOCOL)
                    write_atomically(target, rendered, durable=False)
                stored = StoredRendering(str(target), entry.source)
                reading = Reading(replace(entry, rendered=stored), reading.problems)
            if entry is not None and isinstance(reading.entry, Page):
                keep.add(Path(getattr(reading.entry.rendered, "path", "")).name)
            detached[key] = (fingerprint, reading)
    except OSError as e:
        log.warning("could not save content bodies in %s: %s", bodies, e)
        return
    save(path, (str(root), site, detached))
    for old in bodies.glob("*.pickle"):
        if old.name not in keep:
            old.unlink(missing_ok=True)
