"""Replacing a file so that a reader sees the old content or the new, never half."""

from __future__ import annotations

import os
import tempfile
import time
from contextlib import suppress
from pathlib import Path


def write_atomically(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Write data to a temporary file beside path, then rename it over path.

    With `durable`, the data and the rename are flushed to disk before returning, so
    what was written survives a crash; without, a crash may lose the file but never
    leaves half of it.
    """
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    if durable:
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def sweep(folder: Path, older_than: float = 60.0) -> int:
    """Remove temporary files that killed writes left behind; returns how many.

    Only files older than `older_than` seconds go: a younger one may be another
    process's write in progress.
    """
    removed = 0
    cutoff = time.time() - older_than
    for pattern in (".*.tmp", "*/.*.tmp"):
        for leftover in folder.glob(pattern):
            with suppress(OSError):  # gone already, or not ours to remove
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
                    removed += 1
    return removed
