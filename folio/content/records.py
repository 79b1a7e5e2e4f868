"""Records as plain data and back: what the content cache stores, never pickles."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

from folio.content.entries import Page, Post
from folio.content.plaintext import BodyText, Section
from folio.content.render import Rendered
from folio.content.siteinfo import NavLink, SiteInfo
from folio.content.tags import Tag

#: Tags already made, and other values many entries hold alike (an author, a set of
#: tags), one object each, shared by the entries that hold them (a site has far fewer
#: of them than posts); each bounded, in case a site has a new one per post.
_KNOWN_TAGS: dict[tuple[str, str], Tag] = {}
_SHARED: dict[Any, Any] = {}
_MAX_KNOWN = 100_000


class _Nothing(Mapping[str, object]):
    """The extra front matter of the many entries that have none: one empty mapping that
    cannot be changed, and stays the one when pickled (entries go to other processes)."""

    def __getitem__(self, key: str) -> object:
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def __reduce__(self) -> tuple[Callable[[], _Nothing], tuple[()]]:
        return _nothing, ()


def _nothing() -> _Nothing:
    return _NO_EXTRA


_NO_EXTRA = _Nothing()


#: An entry is stored as a JSON array in this order (a post adds POST_FIELDS): decoded
#: twice as fast as an object with these keys, 100k of them at every worker's start.
PAGE_FIELDS = (
    *("kind", "slug", "title", "summary", "reading_minutes", "source", "version"),
    *("image", "image_alt", "updated", "extra"),
)
POST_FIELDS = ("date", "tags", "author", "draft", "comments")
#: JSON paths into a stored entry, for the cache's SQL.
SUMMARY_AT = f"$[{PAGE_FIELDS.index('summary')}]"
VERSION_AT = f"$[{PAGE_FIELDS.index('version')}]"


def dump_entry(entry: Page) -> str:
    """An entry as JSON text: an array in PAGE_FIELDS (and POST_FIELDS) order."""
    data: list[Any] = [
        *(entry.kind, entry.slug, entry.title, entry.summary, entry.reading_minutes),
        *(entry.source, entry.version, entry.image, entry.image_alt),
        _moment(entry.updated),
        _plain(entry.extra),
    ]
    if isinstance(entry, Post):
        tags = [[tag.slug, tag.name] for tag in entry.tags]
        data += [_moment(entry.date), tags, entry.author, entry.draft, entry.comments]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def load_entry(text: str) -> Page:
    """An entry from `dump_entry`'s JSON text.

    A worker's start makes one per file (100k at 100k posts), so the fields come by
    position and the keywords are built in one literal.
    """
    kind, slug, title, summary, minutes, source, version, image, alt, updated, extra, *post = (
        _decoded(text)
    )
    common: dict[str, Any] = {
        "slug": slug,
        "title": title,
        "summary": summary,
        "reading_minutes": minutes,
        "source": source,
        "version": version,
        "image": image,
        "image_alt": alt,
        "updated": _parse_moment(updated),
        "extra": _restored(extra) if extra else _NO_EXTRA,
    }
    if kind != "post":
        return Page(**common)
    date, tags, author, draft, comments = post
    return Post(
        **common,
        date=datetime.fromisoformat(date),
        tags=_tags(tags),
        author=_shared(author),
        draft=draft,
        comments=comments,
    )


def _tags(pairs: list[list[str]]) -> tuple[Tag, ...]:
    """Tags, one object per slug and spelling however many posts carry it, and one tuple
    per set of them."""
    known = _KNOWN_TAGS
    found = []
    for slug, name in pairs:
        if (tag := known.get((slug, name))) is None:
            tag = _kept(known, (slug, name), Tag(slug, name))
        found.append(tag)
    shared: tuple[Tag, ...] = _shared(tuple(found))
    return shared


def _shared(value: Any) -> Any:
    """One object for equal values many entries hold (an author, a set of tags)."""
    if (known := _SHARED.get(value)) is None:
        known = _kept(_SHARED, value, value)
    return known


def _kept(store: dict[Any, Any], key: Any, value: Any) -> Any:
    """`value`, kept in `store` under `key` (the store emptied first when full)."""
    if len(store) >= _MAX_KNOWN:
        store.clear()
    store[key] = value
    return value


def dump_rendered(rendered: Rendered) -> str:
    """A rendered body as JSON text."""
    data = {
        "html": str(rendered.html),
        "toc": str(rendered.toc),
        "headings": rendered.headings,
        "text": rendered.text,
        "first_paragraph": rendered.first_paragraph,
        "links": list(rendered.links),
        "images": list(rendered.images),
        "sections": [[s.anchor, s.heading, s.start] for s in rendered.sections],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def load_rendered(text: str) -> Rendered:
    """A rendered body from `dump_rendered`'s JSON text."""
    data = _decoded(text)
    return Rendered(
        html=Markup(data["html"]),  # noqa: S704 (rendered and sanitised when stored)
        toc=Markup(data["toc"]),  # noqa: S704
        headings=data["headings"],
        text=BodyText(data["text"], tuple(Section(*s) for s in data.get("sections", ()))),
        first_paragraph=data["first_paragraph"],
        links=tuple(data["links"]),
        images=tuple(data["images"]),
    )


_DECODER = json.JSONDecoder()


def _decoded(text: str) -> Any:
    """JSON text as `dump_*` writes it (no whitespace around): json.loads without its
    wrapper, which took half its time on a worker's start (0.4 s at 100k entries)."""
    try:
        value, end = _DECODER.raw_decode(text)
    except json.JSONDecodeError:
        return json.loads(text)  # leading whitespace, or a fault json.loads can name
    return value if end == len(text) else json.loads(text)


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_moment(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _plain(value: object) -> Any:
    """Front matter values as JSON: dates tagged so they come back as dates."""
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, date):
        return {"$date": value.isoformat()}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _restored(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$datetime"}:
            return datetime.fromisoformat(value["$datetime"])
        if set(value) == {"$date"}:
            return date.fromisoformat(value["$date"])
        return {k: _restored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restored(v) for v in value]
    return value


def dump_site(site: SiteInfo) -> str:
    """The site's settings as JSON text."""
    data = {
        "title": site.title,
        "tagline": site.tagline,
        "description": site.description,
        "base_url": site.base_url,
        "author": site.author,
        "language": site.language,
        "timezone": site.timezone.key,
        "nav": [[link.title, link.url] for link in site.nav],
        "extra": _plain(site.extra),
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def load_site(text: str) -> SiteInfo:
    """The site's settings from `dump_site`'s JSON text."""
    data = json.loads(text)
    return SiteInfo(
        **{key: data[key] for key in ("title", "tagline", "description", "base_url", "author")},
        language=data["language"],
        timezone=ZoneInfo(data["timezone"]),
        nav=tuple(NavLink(title, url) for title, url in data["nav"]),
        extra=_restored(data["extra"]),
    )
