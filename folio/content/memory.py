"""Memory a large load freed, handed back to the system.

glibc keeps the heap pages Python frees for the process's later use: a worker taking in
100k entries (decoding each from JSON, then building the catalogue) keeps 35 MB it no
longer uses, in each worker, for good.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from typing import Any


def _malloc_trim() -> Callable[[int], Any] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return getattr(libc, "malloc_trim", None)  # glibc's; musl and others have none


_TRIM = _malloc_trim()


def release() -> bool:
    """Give the freed heap back to the system (4 ms after 100k entries); False where the
    C library cannot."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True
