"""The cycle collector paused while many long-lived objects are made at once."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """No cycle collection inside: making 100k entries (a worker's catalogue) set off six
    full collections, each walking every object made so far, a fifth of the load's time;
    entries hold no reference cycles for it to find. Garbage made meanwhile, by any thread,
    is collected once it is running again.

    Nested or concurrent pauses end with the collector on if it was on when the first began.
    """
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()
