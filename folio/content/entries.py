"""Post and Page records, read from a file's front matter without rendering its body."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, Literal

from folio.content import meta
from folio.content.frontmatter import Unreadable, read_text, split
from folio.content.render import WORDS_PER_MINUTE, summarise
from folio.content.tags import Tag

log = logging.getLogger(__name__)

Kind = Literal["post", "page"]
# Keys this module understands; every other front matter key lands in `extra`.
KNOWN = frozenset(
    (
        *("title", "date", "tags", "summary", "slug", "updated", "author", "image"),
        *("image_alt", "draft", "comments"),
    )
)
_DATED_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-")


@dataclass(frozen=True, kw_only=True, slots=True)
class Page:
    """A standalone page such as /about/: what listings, feeds and search need of it.

    The body is rendered separately (see `Rendered`), once per file version.
    """

    slug: str
    title: str
    #: What listings show: the written summary or the opening paragraph, as plain text.
    #: None until the publisher has rendered the file (reading front matter renders
    #: nothing, so that a site of any size starts at once); see `read_summary`.
    summary: str | None
    reading_minutes: int
    #: The file it was read from (a string: cheaper than Path to keep and to compare).
    source: str
    #: Changes whenever the file changes (mtime, size, inode): bodies and the index key on it.
    version: str = ""
    updated: datetime | None = None
    image: str | None = None
    image_alt: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)
    kind: Kind = "page"

    @property
    def url(self) -> str:
        """Path of this page on the site."""
        return f"/{self.slug}/"

    @property
    def modified(self) -> datetime | None:
        """When its file last changed (the version starts with its mtime in nanoseconds)."""
        stamp = self.version.split("-", 1)[0]
        try:
            return datetime.fromtimestamp(int(stamp, 16) / 1e9, UTC)
        except ValueError:
            return None


@dataclass(frozen=True, kw_only=True, slots=True)
class Post(Page):
    """An article: a dated page with tags and an author."""

    date: datetime
    tags: tuple[Tag, ...] = ()
    author: str = ""
    draft: bool = False
    comments: bool = True
    kind: Kind = "post"

    @property
    def url(self) -> str:
        """Path of this post on the site."""
        return f"/posts/{self.slug}/"


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong with one content file, for logs and `flask check`."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(frozen=True)
class Reading:
    """What reading one file gave: a record, and the problems found on the way."""

    entry: Page | None
    problems: tuple[str, ...] = ()


def slug_for(path: str | Path) -> str:
    """A file's default slug: its name without extension and date prefix."""
    stem = os.path.splitext(os.path.basename(path))[0]  # noqa: PTH119, PTH122 (hot: no Path)
    return _DATED_NAME.sub("", stem)


def read_entry(path: str, kind: Kind, zone: tzinfo, version: str, max_bytes: int) -> Reading:
    """Read one content file's front matter; never raises for anything in the file."""
    try:
        data, body = split(read_text(path, max_bytes))
        if not isinstance(data, dict):
            return Reading(None, ("front matter must be a mapping of keys to values",))
        return _build(path, kind, zone, version, data, body)
    except (Unreadable, meta.MetaError) as e:
        return Reading(None, (str(e),))
    except OSError as e:
        return Reading(None, (f"cannot read file: {e.strerror or e}",))
    # Whatever else one file can make the reading code do stays with that file.
    except Exception as e:
        log.exception("%s: unexpected error while reading", path)
        return Reading(None, (f"cannot be read: {type(e).__name__}: {e}",))


def read_summary(path: str, max_bytes: int) -> str:
    """A file's summary, worked out from the file now (see `summarise`); "" when it cannot be.

    For a listing that meets an entry before the publisher has rendered it.
    """
    try:
        data, body = split(read_text(path, max_bytes))
        written = meta.text(data, "summary") if isinstance(data, dict) else None
        return summarise(written, body)
    except (Unreadable, meta.MetaError, OSError):
        return ""  # the publisher reports the file's fault
    # Whatever else one file can make the rendering code do stays with that file.
    except Exception:
        log.exception("%s: unexpected error while summarising", path)
        return ""


def _build(
    path: str, kind: Kind, zone: tzinfo, version: str, data: dict[Any, object], body: str
) -> Reading:
    slug = meta.text(data, "slug") or slug_for(path)
    if "/" in slug or slug in {".", ".."}:
        raise meta.MetaError(f"'slug' {slug!r} must not contain '/'")
    meta.text(data, "summary")  # checked now; rendered with the body
    common: dict[str, Any] = {
        "slug": slug,
        "title": meta.text(data, "title", required=True) or "",
        "summary": None,
        "reading_minutes": max(1, round(len(body.split()) / WORDS_PER_MINUTE)),
        "source": path,
        "version": version,
        "updated": meta.moment(data, "updated", zone),
        "image": meta.text(data, "image"),
        "image_alt": meta.text(data, "image_alt") or "",
        "extra": {str(k): v for k, v in data.items() if k not in KNOWN},
    }
    if kind == "page":
        return Reading(Page(**common))
    names, refused = meta.names(data, "tags")
    tags: dict[str, Tag] = {}
    for name in names:
        if (tag := Tag.from_name(name)).slug:
            tags.setdefault(tag.slug, tag)
    post = Post(
        **common,
        date=meta.required_moment(data, "date", zone),
        tags=tuple(tags.values()),
        author=meta.text(data, "author") or "",
        draft=meta.flag(data, "draft", default=False),
        comments=meta.flag(data, "comments", default=True),
    )
    return Reading(post, tuple(refused))
