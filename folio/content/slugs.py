"""The one way this site turns a name into a URL slug (tags, new posts)."""

from __future__ import annotations

from markdown.extensions.toc import slugify_unicode


def slugify(name: str) -> str:
    """ "Back  Pain", "back pain" and " BACK pain " all become "back-pain"; letters of any
    script are kept, punctuation is dropped."""
    return slugify_unicode(" ".join(name.split()).casefold(), "-")
