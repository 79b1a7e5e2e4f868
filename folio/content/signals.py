"""The seams between stages: content published reaches search (and later feeds, caches)."""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: Sent by the publisher (in its own thread) after each write to the content cache, with
#: `generation`: the cache's number after the write. Bodies arrive in later sends.
content_published = _signals.signal("content-published")
