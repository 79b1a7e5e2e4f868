"""The one way this site turns a name into a URL slug (tags, new posts)."""

from __future__ import annotations

from functools import lru_cache

from markdown.extensions.toc import slugify_unicode


#: A site's tags repeat across its posts: each name is worked out once (a few microseconds
#: of Unicode normalisation and regular expressions, per tag of every file read).
@lru_cache(maxsize=4096)
def slugify(name: str) -> str:
    """ "Back  Pain", "back pain" and " BACK pain " all become "back-pain"; letters of any
    script are kept, punctuation is dropped."""
    return slugify_unicode(" ".join(name.split()).casefold(), "-")
