"""Visitor replies as flat files: one JSON file per reply, one folder per post."""

from __future__ import annotations

import fcntl
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from folio.atomic import write_atomically

log = logging.getLogger(__name__)

Status = Literal["pending", "approved", "rejected"]
STATUSES: tuple[Status, ...] = ("pending", "approved", "rejected")
MAX_DEPTH = 3
#: Touched on every change, so pages that show replies know to be made again.
CHANGED = ".changed"
_ID = re.compile(r"^[0-9a-f]{16}-[0-9a-f]{8}$")


class DuplicateReply(Exception):
    """The same author already left the same text under this post."""


@dataclass(frozen=True)
class Reply:
    """One visitor reply. The email is kept for the site owner and never shown."""

    id: str
    post: str
    author: str
    email: str
    text: str
    created: datetime
    url: str = ""
    parent: str | None = None
    status: Status = "pending"


@dataclass(frozen=True)
class Threaded:
    """A reply in display order with its indentation (1..MAX_DEPTH)."""

    reply: Reply
    depth: int


def new_id() -> str:
    """A reply id made by the server: time-ordered, unguessable, safe as a file name."""
    return f"{time.time_ns():016x}-{secrets.token_hex(4)}"


class ReplyStore:
    """Replies under COMMENTS_DIR; every write is atomic and never overwrites another."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: dict[str, tuple[int, list[Reply]]] = {}

    def add(self, reply: Reply) -> Reply:
        """Store a new reply; refuses the same author and text twice on one post."""
        folder = self._folder(reply.post)
        folder.mkdir(parents=True, exist_ok=True)
        with self._locked(folder):  # duplicate check and write as one step
            for other in self._read_folder(folder):
                if (other.author, other.text.strip()) == (reply.author, reply.text.strip()):
                    raise DuplicateReply(other.id)
            self._write(folder, reply)
        return reply

    def replies(self, post: str, status: Status | None = "approved") -> list[Reply]:
        """A post's replies, oldest first; damaged files are skipped and logged."""
        found = self._read_folder(self._folder(post))
        return [r for r in found if status is None or r.status == status]

    def count(self, post: str) -> int:
        """How many approved replies a post has."""
        return len(self.replies(post))

    def modified(self, post: str) -> datetime | None:
        """When a reply to the post was last added, moderated or removed."""
        try:
            stamp = self._folder(post).stat().st_mtime
        except (FileNotFoundError, ValueError):
            return None
        return datetime.fromtimestamp(stamp, UTC)

    def everything(self) -> list[Reply]:
        """Every reply of every post, for moderation."""
        if not self.root.is_dir():
            return []
        return [
            r
            for folder in sorted(self.root.iterdir())
            if folder.is_dir()
            for r in self._read_folder(folder)
        ]

    def find(self, reply_id: str) -> Reply | None:
        """The reply with this id, wherever it is."""
        if not _ID.match(reply_id) or not self.root.is_dir():
            return None
        for path in self.root.glob(f"*/{reply_id}.json"):
            return _read(path)
        return None

    def set_status(self, reply_id: str, status: Status) -> Reply | None:
        """Approve or reject a reply (rewritten atomically)."""
        found = self.find(reply_id)
        if found is None:
            return None
        changed = replace(found, status=status)
        self._write(self._folder(found.post), changed)
        return changed

    def delete(self, reply_id: str) -> bool:
        """Remove a reply for good."""
        found = self.find(reply_id)
        if found is None:
            return False
        (self._folder(found.post) / f"{reply_id}.json").unlink(missing_ok=True)
        self._changed()
        return True

    def _folder(self, post: str) -> Path:
        # The slug comes from the catalogue (never from a request), and cannot hold "/".
        if not post or "/" in post or post.startswith("."):
            raise ValueError(f"not a post slug: {post!r}")
        return self.root / post

    def _read_folder(self, folder: Path) -> list[Reply]:
        try:
            stamp = folder.stat().st_mtime_ns
        except FileNotFoundError:
            return []
        cached = self._cache.get(folder.name)
        if cached and cached[0] == stamp:
            return cached[1]
        replies = [r for path in sorted(folder.glob("*.json")) if (r := _read(path))]
        replies.sort(key=lambda r: (r.created, r.id))
        self._cache[folder.name] = (stamp, replies)
        return replies

    def version(self) -> int:
        """Changes whenever any reply is added, moderated or removed (by any process)."""
        try:
            return (self.root / CHANGED).stat().st_mtime_ns
        except FileNotFoundError:
            return 0

    def _changed(self) -> None:
        # Pages list reply counts: one stamp tells every worker that some reply changed.
        marker = self.root / CHANGED
        marker.touch()
        os.utime(marker)

    def _write(self, folder: Path, reply: Reply) -> None:
        data = asdict(reply) | {"created": reply.created.isoformat()}
        text = json.dumps(data, ensure_ascii=False, indent=1)
        write_atomically(folder / f"{reply.id}.json", text.encode("utf-8"))
        self._changed()

    @contextmanager
    def _locked(self, folder: Path) -> Iterator[None]:
        with (folder / ".lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # across workers; released if one dies
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _read(path: Path) -> Reply | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        reply = Reply(**{**data, "created": datetime.fromisoformat(data["created"])})
    except (OSError, ValueError, TypeError, KeyError) as e:
        log.warning("skipping unreadable reply %s: %s", path, e)
        return None
    if reply.status not in STATUSES or not _ID.match(reply.id):
        log.warning("skipping reply %s: bad status or id", path)
        return None
    return reply


def thread(replies: list[Reply]) -> list[Threaded]:
    """Replies under their parents, oldest first; deeper than MAX_DEPTH stays at it."""
    ids = {r.id for r in replies}
    children: dict[str | None, list[Reply]] = {}
    for reply in replies:
        parent = reply.parent if reply.parent in ids else None
        children.setdefault(parent, []).append(reply)
    ordered: list[Threaded] = []

    def walk(parent: str | None, depth: int) -> None:
        for reply in children.get(parent, []):
            ordered.append(Threaded(reply, min(depth, MAX_DEPTH)))
            walk(reply.id, depth + 1)

    walk(None, 1)
    return ordered


def utcnow() -> datetime:
    """Now, in UTC."""
    return datetime.now(UTC)
