"""Content HTML cut down to an allow-list of tags, attributes and URL schemes."""

from __future__ import annotations

import re
from collections.abc import Callable

import nh3

# Everything Python-Markdown emits as configured in render.py, plus what a site
# owner reasonably writes by hand in a post.
_TAGS = frozenset(
    {
        *("p", "div", "span", "br", "hr", "pre", "code", "blockquote"),
        *("h1", "h2", "h3", "h4", "h5", "h6"),
        *("section", "article", "aside", "header", "footer", "hgroup", "address"),
        *("ul", "ol", "li", "dl", "dt", "dd"),
        *("a", "em", "strong", "b", "i", "u", "s", "del", "ins", "mark", "small"),
        *("sub", "sup", "abbr", "cite", "q", "dfn", "time", "data", "kbd", "samp", "var"),
        *("bdi", "bdo", "ruby", "rt", "rp", "wbr"),
        *("figure", "figcaption", "details", "summary"),
        *("table", "caption", "colgroup", "col", "thead", "tbody", "tfoot", "tr", "th", "td"),
        *("img", "picture", "source", "video", "audio", "track"),
    }
)
# Raw-text and form elements go with everything inside them: keeping their text
# would show scripts, styles or a control's leftovers as words in the post.
_DROP_WITH_CONTENT = frozenset(
    {
        *("script", "style", "template", "svg"),
        *("title", "textarea", "xmp", "plaintext", "noscript", "noembed", "noframes"),
        *("iframe", "select", "option", "optgroup", "datalist"),
    }
)
_MEDIA = frozenset({"src", "controls", "loop", "muted", "width", "height"})
_ATTRIBUTES = {
    # toc and attr_list need class and id on any element.
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href", "hreflang", "rel", "aria-label"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "source": {"src", "srcset", "sizes", "media", "type", "width", "height"},
    # No autoplay or preload: media starts, and downloads, only when the reader asks.
    "video": {*_MEDIA, "poster", "playsinline"},
    "audio": set(_MEDIA - {"width", "height"}),
    "track": {"src", "kind", "srclang", "label", "default"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "time": {"datetime"},
    "data": {"value"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "details": {"open"},
    "col": {"span"},
    "colgroup": {"span"},
    # No style attribute anywhere: the site's Content-Security-Policy refuses them, and
    # the Markdown renderer turns table alignment into classes.
    "th": {"colspan", "rowspan", "scope", "headers", "abbr"},
    "td": {"colspan", "rowspan", "headers"},
}
_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_SAFE_REL = frozenset(
    {
        *("me", "author", "license", "tag", "bookmark", "help", "prev", "next", "external"),
        *("nofollow", "noopener", "noreferrer", "ugc", "sponsored"),
    }
)
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*:", re.IGNORECASE)
# Browsers ignore tabs and newlines anywhere in a URL, and controls or spaces around it.
_URL_NOISE = re.compile(r"[\t\n\r]")
_URL_EDGES = "".join(chr(code) for code in range(0x21))
_SRCSET_WORDS = re.compile(r"[\s,]+")


def _url_is_safe(url: str) -> bool:
    """A relative URL, or one whose scheme is allowed."""
    scheme = _SCHEME.match(_URL_NOISE.sub("", url).strip(_URL_EDGES))
    return scheme is None or scheme.group()[:-1].lower() in _SCHEMES


def _url_or_none(value: str) -> str | None:
    return value if _url_is_safe(value) else None


def _srcset(value: str) -> str | None:
    # Width and density descriptors have no colon, so they pass as relative URLs.
    words = _SRCSET_WORDS.split(value)
    return value if all(_url_is_safe(word) for word in words) else None


def _rel(value: str) -> str | None:
    words = value.split()
    kept = [word for word in words if word.lower() in _SAFE_REL]
    if kept == words:
        return value or None
    return " ".join(kept) or None


# nh3 checks the schemes of href, src and poster itself, but not these.
_CHECKS: dict[str, Callable[[str], str | None]] = {
    "cite": _url_or_none,
    "srcset": _srcset,
    "rel": _rel,
}


def _filter(tag: str, attribute: str, value: str) -> str | None:
    # nh3 calls this after its own URL checks and does not check the result again.
    check = _CHECKS.get(attribute)
    return value if check is None else check(value)


_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags=_DROP_WITH_CONTENT,
    attributes=_ATTRIBUTES,
    attribute_filter=_filter,
    # rel is the author's own, filtered above; without target=, no link needs noopener.
    link_rel=None,
    url_schemes=_SCHEMES,
)


def sanitise(html: str) -> str:
    """Content HTML with only safe tags, attributes and URLs kept."""
    return _CLEANER.clean(html)
