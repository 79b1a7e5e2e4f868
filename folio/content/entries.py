"""Post and Page records, read from a Markdown file with YAML front matter."""

from __future__ import annotations

import logging
import pickle
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Literal

import yaml
from frontmatter.default_handlers import YAMLHandler
from markupsafe import Markup

from folio.content import meta
from folio.content.render import Rendered, render, shorten
from folio.content.tags import Tag

log = logging.getLogger(__name__)

# Keys this module understands; every other front matter key lands in `extra`.
_KNOWN = frozenset(
    [
        "title",
        "date",
        "tags",
        "summary",
        "slug",
        "updated",
        "author",
        "image",
        "image_alt",
        "draft",
        "comments",
    ]
)
_YAML = YAMLHandler()  # python-frontmatter's handler: SafeLoader, '---' fences
_DATED_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}-")


class StoredRendering:
    """A rendering saved beside the content snapshot, read the first time it is needed.

    A new worker then starts from titles, dates and tags alone, and holds in memory
    only the bodies that visitors actually asked for.
    """

    def __init__(self, path: str, source: str) -> None:
        self.path = path
        self.source = source
        self._loaded: Rendered | None = None

    def __reduce__(self) -> tuple[type[StoredRendering], tuple[str, str]]:
        return (StoredRendering, (self.path, self.source))

    def _get(self) -> Rendered:
        if self._loaded is None:
            self._loaded = _load_rendering(self.path, self.source)
        return self._loaded

    @property
    def html(self) -> Markup:
        """The body as HTML."""
        return self._get().html

    @property
    def toc(self) -> Markup:
        """The table of contents."""
        return self._get().toc

    @property
    def text(self) -> str:
        """The body as plain text."""
        return self._get().text


def _load_rendering(path: str, source: str) -> Rendered:
    try:
        with open(path, "rb") as f:  # noqa: PTH123 (a hot path: no Path object per body)
            loaded = pickle.load(f)  # noqa: S301 (our own file in the instance folder)
        if isinstance(loaded, Rendered):
            return loaded
    # A body file removed or damaged since the snapshot: render the source again.
    except Exception as e:
        log.warning("re-rendering %s: %s", source, e)
    try:
        return render(_read(Path(source))[1])
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        log.warning("cannot re-render %s: %s", source, e)
        return render("")


@dataclass(frozen=True, kw_only=True)
class Page:
    """A standalone page such as /about/; rendered once when read."""

    slug: str
    title: str
    summary: str
    #: The rendered body: in memory after a read, or loaded on first use from the snapshot.
    rendered: Rendered | StoredRendering
    reading_minutes: int
    links: tuple[str, ...]
    images: tuple[str, ...]
    #: The file it was read from (a string: cheaper than Path to keep and to pickle).
    source: str
    #: Changes whenever the file changes (mtime, size, inode): the search index keys on it.
    version: str = ""
    updated: datetime | None = None
    image: str | None = None
    image_alt: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)
    kind: Literal["post", "page"] = "page"

    @property
    def url(self) -> str:
        """Path of this page on the site."""
        return f"/{self.slug}/"

    @property
    def body(self) -> Markup:
        """The article as HTML."""
        return self.rendered.html

    @property
    def toc(self) -> Markup:
        """The table of contents, empty for short pages."""
        return self.rendered.toc

    @property
    def text(self) -> str:
        """The words a reader reads, as plain text (for search and snippets)."""
        return self.rendered.text

    def __html__(self) -> Markup:
        return self.body


@dataclass(frozen=True, kw_only=True)
class Post(Page):
    """An article: a dated page with tags and an author."""

    date: datetime
    tags: tuple[Tag, ...] = ()
    author: str = ""
    draft: bool = False
    comments: bool = True
    kind: Literal["post", "page"] = "post"

    @property
    def url(self) -> str:
        """Path of this post on the site."""
        return f"/posts/{self.slug}/"


@dataclass(frozen=True)
class Reading:
    """What reading one file gave: a record, and the problems found on the way."""

    entry: Page | None
    problems: tuple[str, ...] = ()


def slug_for(path: Path) -> str:
    """A file's default slug: its name without extension and date prefix."""
    return _DATED_NAME.sub("", path.stem)


def read_entry(
    path: Path, kind: Literal["post", "page"], zone: tzinfo, version: str = ""
) -> Reading:
    """Read and render one content file; never raises for bad content."""
    try:
        data, body = _read(path)
    except (OSError, UnicodeDecodeError) as e:
        return Reading(None, (f"cannot read file: {e}",))
    except yaml.YAMLError as e:
        return Reading(None, (f"invalid YAML front matter: {_one_line(e)}",))
    if not isinstance(data, dict):
        return Reading(None, ("front matter must be a mapping of keys to values",))
    try:
        return _build(path, kind, zone, version, data, body)
    except meta.MetaError as e:
        return Reading(None, (str(e),))


def _build(
    path: Path,
    kind: Literal["post", "page"],
    zone: tzinfo,
    version: str,
    data: dict[str, object],
    body: str,
) -> Reading:
    problems: list[str] = []
    rendered = render(body)
    slug = meta.text(data, "slug") or slug_for(path)
    if "/" in slug or slug in {".", ".."}:
        raise meta.MetaError(f"'slug' {slug!r} must not contain '/'")
    # A written summary gets the same smart punctuation as the body, as plain text.
    written = meta.text(data, "summary")
    summary = render(written).text if written else shorten(rendered.first_paragraph)
    common: dict[str, Any] = {
        "slug": slug,
        "title": meta.text(data, "title", required=True) or "",
        "summary": summary,
        "rendered": rendered,
        "reading_minutes": rendered.reading_minutes,
        "links": rendered.links,
        "images": rendered.images + tuple(filter(None, [meta.text(data, "image")])),
        "source": str(path),
        "version": version,
        "updated": meta.moment(data, "updated", zone),
        "image": meta.text(data, "image"),
        "image_alt": meta.text(data, "image_alt") or "",
        "extra": {k: v for k, v in data.items() if k not in _KNOWN},
    }
    if kind == "page":
        return Reading(Page(**common))
    names, refused = meta.names(data, "tags")
    problems.extend(refused)
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
    return Reading(post, tuple(problems))


def _read(path: Path) -> tuple[object, str]:
    """A content file's front matter and body (a byte-order mark is dropped)."""
    return _split(path.read_text(encoding="utf-8-sig"))


def _split(source: str) -> tuple[object, str]:
    """Front matter (safe YAML) and body; a file without front matter has none."""
    if not _YAML.detect(source):
        return {}, source
    front, body = _YAML.split(source)
    return _YAML.load(front) or {}, body


def _one_line(error: Exception) -> str:
    return " ".join(str(error).split())
