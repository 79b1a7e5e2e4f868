"""Responsive image markup: <picture> with WebP and a fallback, srcset, sizes, width/height.

Post bodies are rendered once per file version and cached; an image can change without
its post changing. So the file-dependent part (content-hashed URLs, sizes) is added
when a page is served, from the current snapshot, and memoised per body and snapshot.
"""

from __future__ import annotations

import re
from functools import lru_cache
from html.parser import HTMLParser

from markupsafe import Markup, escape

from folio.gallery.images import Picture
from folio.gallery.shelf import Images
from folio.gallery.thumbnails import Rendition, fallback_ext, renditions

#: The article column: 42rem beside the sidebar from 60rem, else the window less margins.
ARTICLE_SIZES = "(min-width: 60rem) 42rem, calc(100vw - 2.5rem)"
#: How far into a body an image can start and still be above the fold on a phone.
EARLY_CHARS = 400
# One start tag <img ...>, attribute values quoted either way or bare (nh3's output
# leaves ">" unescaped inside quoted values).
_IMG = re.compile(r"""<img\b(?:[^>"']|"[^"]*"|'[^']*')*>""", re.IGNORECASE)
_KEPT = ("alt", "title", "class", "id")


def url(prefix: str, picture: Picture, rendition: Rendition) -> str:
    """A rendition's address: <prefix>/<digest>/<name>."""
    return f"{prefix}/{picture.digest}/{rendition.name(picture)}"


def srcset(prefix: str, picture: Picture, kind: str, ext: str) -> str:
    """'url 480w, url 960w' for one kind and format."""
    made = renditions(picture, kind, ext)
    return ", ".join(f"{url(prefix, picture, r)} {r.width}w" for r in made)


def largest(prefix: str, picture: Picture, kind: str = "w") -> str:
    """The largest rendition in the fallback format: the plain link to an image."""
    return url(prefix, picture, renditions(picture, kind, fallback_ext(picture))[-1])


def picture_html(
    prefix: str,
    picture: Picture,
    alt: str,
    *,
    sizes: str = ARTICLE_SIZES,
    kind: str = "w",
    eager: bool = False,
    attributes: dict[str, str] | None = None,
) -> Markup:
    """<picture> for a picture: WebP where accepted, else JPEG or PNG, never the original."""
    fallback = renditions(picture, kind, fallback_ext(picture))
    middle = fallback[len(fallback) // 2]
    biggest = fallback[-1]
    extra = "".join(
        f' {name}="{escape(value)}"' for name, value in (attributes or {}).items() if value
    )
    loading = ' fetchpriority="high"' if eager else ' loading="lazy"'
    return Markup(  # noqa: S704 (every value is escaped or ours)
        f'<picture><source type="image/webp" srcset="{srcset(prefix, picture, kind, "webp")}"'
        f' sizes="{escape(sizes)}">'
        f'<img src="{url(prefix, picture, middle)}"'
        f' srcset="{srcset(prefix, picture, kind, biggest.ext)}" sizes="{escape(sizes)}"'
        f' alt="{escape(alt)}" width="{biggest.width}" height="{biggest.height}"'
        f'{loading} decoding="async"{extra}></picture>'
    )


def responsive_body(html: str, images: Images, prefix: str, *, has_hero: bool) -> Markup:
    """A rendered body with each known image turned into a responsive <picture>.

    The first image, when it opens the body of an article without a hero, is loaded
    at once (it is likely the largest thing on a phone's first screen); the rest lazily.
    """
    return _responsive(str(html), images, prefix, has_hero)


@lru_cache(maxsize=128)
def _responsive(html: str, images: Images, prefix: str, has_hero: bool) -> Markup:
    out: list[str] = []
    last = 0
    first = True
    for match in _IMG.finditer(html):
        attrs = _attributes(match.group())
        picture = images.by_url.get(attrs.get("src", "").strip())
        inside = html.rfind("<picture", 0, match.start()) > html.rfind(
            "</picture", 0, match.start()
        )
        if picture is None or inside:
            first = False
            continue
        eager = first and not has_hero and match.start() < EARLY_CHARS
        first = False
        kept = {name: attrs[name] for name in _KEPT[1:] if name in attrs}
        out += [
            html[last : match.start()],
            picture_html(prefix, picture, attrs.get("alt", ""), eager=eager, attributes=kept),
        ]
        last = match.end()
    out.append(html[last:])
    return Markup("".join(out))  # noqa: S704 (sanitised when rendered; ours added here)


class _Attributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found = {name: value or "" for name, value in attrs}


def _attributes(tag: str) -> dict[str, str]:
    parser = _Attributes()
    parser.feed(tag)
    parser.close()
    return parser.found
