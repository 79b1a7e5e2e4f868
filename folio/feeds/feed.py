"""Atom and RSS feeds of the latest posts, made by feedgen: full content, absolute links."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from feedgen.feed import FeedGenerator

from folio.content.entries import Post
from folio.content.siteinfo import SiteInfo
from folio.feeds.absolute import absolute_links

#: Posts in a feed: readers poll it, so it stays small.
FEED_ENTRIES = 20


def latest(posts: Iterable[Post], count: int = FEED_ENTRIES) -> list[Post]:
    """The newest published posts (drafts never, even where drafts are shown)."""
    return [post for post in posts if not post.draft][:count]


def build_feed(
    site: SiteInfo,
    base_url: str,
    posts: list[Post],
    body: Callable[[Post], str],
    summary: Callable[[Post], str],
    *,
    title: str,
    path: str,
    feed_path: str,
) -> FeedGenerator:
    """A feed of `posts` (newest first) at `feed_path`, about the page at `path`."""
    feed = FeedGenerator()
    feed.id(base_url + path)
    feed.title(title)
    feed.subtitle(site.description or site.tagline or site.title)
    # RSS takes the last link as the channel's: the site, not the feed itself.
    feed.link(href=base_url + feed_path, rel="self")
    feed.link(href=base_url + path, rel="alternate")
    feed.language(site.language)
    if site.author:
        feed.author({"name": site.author})
    feed.updated(_newest(posts) or datetime(1970, 1, 1).astimezone())
    for post in reversed(posts):  # feedgen adds each entry at the top
        entry = feed.add_entry()
        url = base_url + post.url
        entry.id(url)
        entry.link(href=url)
        entry.title(post.title)
        entry.published(post.date)
        entry.updated(post.updated or post.date)
        entry.summary(summary(post))
        # Relative to the article: a "#section" link must lead into it, not to the home page.
        entry.content(absolute_links(body(post), url), type="html")
        entry.author({"name": post.author or site.author or site.title})
        for tag in post.tags:
            entry.category(term=tag.slug, label=tag.name)
    return feed


def _newest(posts: list[Post]) -> datetime | None:
    return max((post.updated or post.date for post in posts), default=None)
