"""A visitor's plain text as safe HTML: escaped, paragraphs, web addresses as links."""

from __future__ import annotations

import re
from functools import cache

import nh3
from linkify_it import LinkifyIt
from markupsafe import Markup, escape

_PARAGRAPHS = re.compile(r"\n\s*\n")
_REL = "nofollow ugc noopener"


@cache
def _linkify() -> LinkifyIt:
    # Only web addresses: an email address in a reply is not turned into a mailto link.
    return LinkifyIt().add("mailto:", None)


def reply_html(text: str) -> Markup:
    """Escape everything, link http(s) addresses, keep paragraphs and line breaks."""
    paragraphs = [p.strip() for p in _PARAGRAPHS.split(text.replace("\r\n", "\n")) if p.strip()]
    html = "".join(f"<p>{_linked(p)}</p>" for p in paragraphs)
    # The linkifier's output passes through a sanitiser: only p, br and plain links remain.
    clean = nh3.clean(
        html,
        tags={"p", "br", "a"},
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel=_REL,
    )
    return Markup(clean)  # noqa: S704 (sanitised just above)


def _linked(paragraph: str) -> str:
    out: list[str] = []
    position = 0
    for match in _linkify().match(paragraph) or []:
        if not match.url.startswith(("http://", "https://")):
            continue
        out.append(_escaped_lines(paragraph[position : match.index]))
        out.append(f'<a href="{escape(match.url)}">{escape(match.text)}</a>')
        position = match.last_index
    out.append(_escaped_lines(paragraph[position:]))
    return "".join(out)


def _escaped_lines(text: str) -> str:
    return "<br>".join(str(escape(line)) for line in text.split("\n"))
