"""The published site as lookups: posts by slug, tags, archive, neighbours, related."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from copy import copy
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import cached_property
from itertools import groupby

from folio.content.entries import Page, Post, Problem
from folio.content.siteinfo import SiteInfo
from folio.content.tags import Tag, TagCloud, build_cloud, canonical_names

RELATED_POSTS = 3
#: Page slugs that a built-in route answers first, so a page with one could never be seen.
RESERVED_SLUGS = frozenset(
    (
        *("about", "archive", "feed.xml", "gallery", "images", "page", "posts", "robots.txt"),
        *("rss.xml", "search", "search.json", "sitemap.xml", "static", "tags", "highlight.css"),
    )
)


@dataclass(frozen=True)
class ArchiveMonth:
    """The posts of one month, newest first."""

    month: date
    posts: tuple[Post, ...]


class Catalogue:
    """Everything a visitor can reach, built once per content change."""

    def __init__(
        self,
        posts: Iterable[Post],
        pages: Iterable[Page],
        *,
        site: SiteInfo,
        now: datetime,
        show_drafts: bool = False,
        about: Page | None = None,
    ) -> None:
        posts = list(posts)
        names = canonical_names(tag for post in posts for tag in post.tags)
        visible = [
            _with_tag_names(post, names)
            for post in posts
            if post.date <= now and (show_drafts or not post.draft)
        ]
        visible.sort(key=lambda post: (post.date, post.slug), reverse=True)
        self.site = site
        self.about = about
        self.posts: tuple[Post, ...] = tuple(visible)
        self.pages = {page.slug: page for page in pages}
        self._by_slug = {post.slug: post for post in self.posts}
        self._position = {post.slug: i for i, post in enumerate(self.posts)}
        self._by_tag: dict[str, list[Post]] = {}
        for post in self.posts:
            for tag in post.tags:
                self._by_tag.setdefault(tag.slug, []).append(post)
        self.tags = {tag.slug: tag for post in self.posts for tag in post.tags}
        self.cloud: TagCloud = build_cloud(
            {self.tags[slug]: len(tagged) for slug, tagged in self._by_tag.items()}
        )
        #: Tags by how many posts carry them (ties by name), e.g. for an empty search.
        self.popular: tuple[Tag, ...] = tuple(
            entry.tag for entry in sorted(self.cloud, key=lambda entry: -entry.count)
        )
        self._by_url: dict[str, Page] = {
            entry.url: entry for entry in (*self.posts, *self.pages.values()) if entry
        }
        if about is not None:
            self._by_url["/about/"] = about
        #: Where this catalogue comes from: a token of the assembled catalogue it was edited
        #: from (not that catalogue, which it would keep alive), and how many entries were
        #: swapped in since, so that whoever compared an earlier catalogue of the same
        #: origin compares only what was swapped after it (see `edited_since`).
        self.origin = object()
        self.edits = 0
        #: The URLs swapped in, in order: one log shared by the catalogues edited one from
        #: another (each knows how much of it is its own), so an edit costs no copy of what
        #: was edited before (a start's bodies, rendered in the background, are 100k edits).
        self._edits: list[str] = []
        future = [post.date for post in posts if post.date > now]
        #: When the next scheduled post goes live, so the catalogue is rebuilt then.
        self.next_publication: datetime | None = min(future, default=None)

    @cached_property
    def modified(self) -> datetime | None:
        """When any visible post or page, or the about page, last changed: the newest
        entry's moment (a moment made for each of 100k entries took 0.2 s of a page)."""
        newest = max(self._by_url.values(), key=_changed_ns, default=None)
        return newest.modified if newest is not None else None

    def replaced(self, changes: Iterable[tuple[Page, Page]]) -> Catalogue | None:
        """This catalogue with each (old, new) entry pair swapped, when no new entry moves:
        the same kind, slug, date, tags and draft state (an edit of a post's text or title).
        None when any would move; the caller assembles a new catalogue then.

        An edit costs copying a few references instead of sorting and grouping the site.
        """
        swaps: dict[str, Page] = {}
        for old, new in changes:
            if _place(old) != _place(new) or old.source != new.source:
                return None
            shown = self._by_url.get(old.url)
            if shown is not None and shown.source == old.source:
                if shown is self.about:
                    return None  # about.md: served under its own slug
                swaps[old.url] = new
        if not swaps:
            return self
        fresh = copy(self)
        # A second catalogue edited from this one starts a log of its own.
        edits = self._edits if len(self._edits) == self.edits else self._edits[: self.edits]
        edits.extend(swaps)
        fresh._edits, fresh.edits = edits, len(edits)
        if "modified" in self.__dict__:  # known: the edits can only add later moments
            stamps = [self.modified, *(new.modified for new in swaps.values())]
            fresh.__dict__["modified"] = max(filter(None, stamps), default=None)
        fresh._by_url = dict(self._by_url)
        posts = list(self.posts)
        fresh._by_slug = dict(self._by_slug)
        fresh._by_tag = dict(self._by_tag)
        fresh.pages = dict(self.pages)
        names = {slug: tag.name for slug, tag in self.tags.items()}
        copied: set[str] = set()  # tag lists copied already: once each, however many edits
        for url, new in swaps.items():
            if isinstance(new, Post):
                new = _with_tag_names(new, names)
                posts[self._position[new.slug]] = new
                fresh._by_slug[new.slug] = new
                for tag in new.tags:
                    if tag.slug not in copied:
                        fresh._by_tag[tag.slug] = list(fresh._by_tag[tag.slug])
                        copied.add(tag.slug)
                    tagged = fresh._by_tag[tag.slug]
                    tagged[_index(tagged, new)] = new
            else:
                fresh.pages[new.slug] = new
            fresh._by_url[url] = new
        fresh.posts = tuple(posts)
        return fresh

    def edited_since(self, edits: int) -> set[str]:
        """The URLs swapped in after the catalogue of this origin that had `edits`."""
        return set(self._edits[edits : self.edits])

    def post(self, slug: str) -> Post | None:
        """The visible post with this slug."""
        return self._by_slug.get(slug)

    def page(self, slug: str) -> Page | None:
        """The standalone page with this slug."""
        return self.pages.get(slug)

    def entry(self, url: str) -> Page | None:
        """The visible post or page at this URL."""
        return self._by_url.get(url)

    def searchable(self, urls: Iterable[str] | None = None) -> list[Page]:
        """What the search index holds: visible posts and pages, never drafts (of those at
        `urls` only, when given)."""
        entries = self._by_url.values() if urls is None else map(self._by_url.get, urls)
        return [entry for entry in entries if entry and not getattr(entry, "draft", False)]

    @cached_property
    def searchable_count(self) -> int:
        """How many entries `searchable()` gives (an edit that swaps entries keeps it)."""
        return len(self.searchable())

    def tagged(self, slug: str) -> tuple[Post, ...]:
        """Visible posts carrying a tag, newest first."""
        return tuple(self._by_tag.get(slug, ()))

    def neighbours(self, post: Post) -> tuple[Post | None, Post | None]:
        """The previous (older) and next (newer) post."""
        i = self._position[post.slug]
        older = self.posts[i + 1] if i + 1 < len(self.posts) else None
        newer = self.posts[i - 1] if i > 0 else None
        return older, newer

    def related(self, post: Post, limit: int = RELATED_POSTS) -> tuple[Post, ...]:
        """Posts sharing the most tags with this one, then the newest."""
        shared: Counter[str] = Counter()
        for tag in post.tags:
            for other in self._by_tag.get(tag.slug, ()):
                if other.slug != post.slug:
                    shared[other.slug] += 1
        ranked = sorted(shared, key=lambda slug: (-shared[slug], self._position[slug]))
        return tuple(self._by_slug[slug] for slug in ranked[:limit])

    def archive(self) -> list[tuple[int, list[ArchiveMonth]]]:
        """Posts grouped by year, then month, newest first."""
        years = []
        for year, in_year in groupby(self.posts, key=lambda post: post.date.year):
            months = [
                ArchiveMonth(date(year, month, 1), tuple(group))
                for month, group in groupby(in_year, key=lambda post: post.date.month)
            ]
            years.append((year, months))
        return years


def _changed_ns(entry: Page) -> int:
    """When the entry's file last changed, in nanoseconds: the version's first part, in hex
    (see `Page.modified`); -1 when it is not one."""
    try:
        return int(entry.version.split("-", 1)[0], 16)
    except ValueError:
        return -1


def _index(posts: list[Post], post: Post) -> int:
    """Where the post with this one's date and slug is in `posts`, newest first (a binary
    search: a common tag at 100k posts lists tens of thousands)."""
    key = (post.date, post.slug)
    low, high = 0, len(posts)
    while low < high:
        middle = (low + high) // 2
        if (posts[middle].date, posts[middle].slug) > key:
            low = middle + 1
        else:
            high = middle
    return low


def _place(entry: Page) -> tuple[object, ...]:
    """What decides where an entry is listed, and whether at all."""
    if isinstance(entry, Post):
        return ("post", entry.slug, entry.date, entry.tags, entry.draft)
    return ("page", entry.slug)


def _with_tag_names(post: Post, names: dict[str, str]) -> Post:
    """The post with each tag spelt the way most posts spell it."""
    if all(names[tag.slug] == tag.name for tag in post.tags):
        return post  # the usual case: no new objects for it
    tags = (
        tag if names[tag.slug] == tag.name else Tag(tag.slug, names[tag.slug]) for tag in post.tags
    )
    return replace(post, tags=tuple(tags))


def assemble(
    entries: Iterable[tuple[str, Page]],
    *,
    site: SiteInfo,
    now: datetime,
    show_drafts: bool = False,
) -> tuple[Catalogue, list[Problem]]:
    """The catalogue of (name, entry) pairs sorted by name: about.md, then posts and pages.

    Two entries with one slug: the first by file name wins, the other is a problem.
    """
    posts: list[Post] = []
    pages: list[Page] = []
    about: Page | None = None
    problems: list[Problem] = []
    first: dict[tuple[str, str], str] = {}
    for name, entry in entries:
        if name == "about.md":
            about = replace(entry, slug="about")  # always served at /about/
        elif entry.kind == "page" and entry.slug in RESERVED_SLUGS:
            problems.append(Problem(name, f"page slug {entry.slug!r} is a reserved path"))
        elif (used := first.setdefault((entry.kind, entry.slug), name)) != name:
            problems.append(Problem(name, f"duplicate slug {entry.slug!r}: {used} is used"))
        elif isinstance(entry, Post):
            posts.append(entry)
        else:
            pages.append(entry)
    catalogue = Catalogue(posts, pages, site=site, now=now, show_drafts=show_drafts, about=about)
    return catalogue, problems
