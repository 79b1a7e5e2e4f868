"""Per-client limits shared by every worker through small locked files."""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Limit:
    """At most one event per `gap` seconds and `per_hour` events per hour."""

    gap: float = 15.0
    per_hour: int = 6


class RateLimiter:
    """Counts events per client; the client address is stored only as a keyed hash."""

    def __init__(self, root: Path, secret: bytes, limit: Limit) -> None:
        self.root = root
        self.secret = secret
        self.limit = limit

    def hit(self, client: str, now: float) -> float | None:
        """Record an event; or, when over the limit, the seconds to wait instead."""
        self.root.mkdir(parents=True, exist_ok=True)
        name = hmac.new(self.secret, client.encode(), hashlib.sha256).hexdigest()[:32]
        fd = os.open(self.root / name, os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+", encoding="utf-8") as f:
            fcntl.flock(f, fcntl.LOCK_EX)  # read, decide and write as one step across workers
            try:
                events = _events(f.read())
            except ValueError:
                events = []
            recent = sorted(t for t in events if now - t < 3600)
            wait = self._wait(recent, now)
            if wait is None:
                recent.append(now)
                f.seek(0)
                f.truncate()
                f.write(json.dumps(recent))
            return wait

    def _wait(self, recent: list[float], now: float) -> float | None:
        if recent and now - recent[-1] < self.limit.gap:
            return self.limit.gap - (now - recent[-1])
        if len(recent) >= self.limit.per_hour:
            return 3600 - (now - recent[-self.limit.per_hour])
        return None


def _events(text: str) -> list[float]:
    data = json.loads(text or "[]")
    return [float(t) for t in data] if isinstance(data, list) else []
