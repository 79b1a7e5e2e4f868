"""Markdown to HTML, once per file version: body, table of contents, text and links."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cache
from html.parser import HTMLParser
from xml.etree.ElementTree import Element

import markdown
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup
from pygments.formatters import HtmlFormatter

WORDS_PER_MINUTE = 220
TOC_MIN_HEADINGS = 3
SUMMARY_CHARS = 280
# Block elements end a line of plain text, so snippets keep paragraph breaks.
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "blockquote",
        "tr",
        "table",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "figure",
        "hr",
        "br",
    ]
)
_VOID = frozenset(
    [
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    ]
)
# Generated link decorations that are not the author's words.
_SKIP_CLASSES = frozenset({"headerlink", "footnote-backref"})


@dataclass(frozen=True)
class Rendered:
    """A rendered Markdown document and what was learnt while rendering it."""

    html: Markup
    toc: Markup
    headings: int
    text: str
    first_paragraph: str
    links: tuple[str, ...]
    images: tuple[str, ...]

    @property
    def words(self) -> int:
        """Number of words a reader reads."""
        return len(self.text.split())

    @property
    def reading_minutes(self) -> int:
        """Reading time in whole minutes, at least one."""
        return max(1, round(self.words / WORDS_PER_MINUTE))


class _LazyImages(Treeprocessor):
    """Let the browser defer images below the fold."""

    def run(self, root: Element) -> None:
        for img in root.iter("img"):
            img.set("loading", "lazy")
            img.set("decoding", "async")


class _LazyImagesExtension(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_LazyImages(md), "lazy_images", 1)


def _new_markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[
            "toc",
            "tables",
            "fenced_code",
            "footnotes",
            "smarty",
            "attr_list",
            "sane_lists",
            "codehilite",
            _LazyImagesExtension(),
        ],
        extension_configs={
            "toc": {
                "permalink": "#",
                "permalink_class": "headerlink",
                "permalink_title": "Link to this section",
                "toc_depth": "2-4",
            },
            "codehilite": {"guess_lang": False, "css_class": "highlight"},
            "smarty": {"smart_angled_quotes": False},
        },
        output_format="html",
    )


# A Markdown instance is stateful: one per thread, reset between documents.
_local = threading.local()


def render(source: str) -> Rendered:
    """Render Markdown source to HTML with its TOC, plain text, links and images."""
    md: markdown.Markdown | None = getattr(_local, "md", None)
    if md is None:
        md = _local.md = _new_markdown()
    md.reset()
    html = md.convert(source)
    tokens = getattr(md, "toc_tokens", [])
    headings = _count_headings(tokens)
    toc = md.toc if headings >= TOC_MIN_HEADINGS else ""  # type: ignore[attr-defined]
    reader = _TextReader()
    reader.feed(html)
    reader.close()
    return Rendered(
        # Content files are the site owner's own writing, so their HTML is trusted.
        html=Markup(html),  # noqa: S704
        toc=Markup(toc),  # noqa: S704
        headings=headings,
        text=reader.text(),
        first_paragraph=reader.first_paragraph.strip(),
        links=tuple(reader.links),
        images=tuple(reader.images),
    )


def _count_headings(tokens: list[dict[str, object]]) -> int:
    count = 0
    for token in tokens:
        children = token.get("children")
        count += 1 + (_count_headings(children) if isinstance(children, list) else 0)
    return count


class _TextReader(HTMLParser):
    """Collect the words, the first paragraph, links and images of rendered HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self.images: list[str] = []
        self.first_paragraph = ""
        self._skip_depth = 0
        self._paragraph: list[str] | None = None
        self._seen_paragraph = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self._skip_depth or _SKIP_CLASSES & set((attributes.get("class") or "").split()):
            self._skip_depth += tag not in _VOID
            return
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")
        elif tag == "img" and attributes.get("src"):
            self.images.append(attributes["src"] or "")
        elif tag == "p" and not self._seen_paragraph:
            self._paragraph = []
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self._skip_depth:
            self._skip_depth -= 1
            return
        if tag == "p" and self._paragraph is not None:
            text = "".join(self._paragraph).strip()
            if text:  # a paragraph holding only an image is not a summary
                self.first_paragraph = " ".join(text.split())
                self._seen_paragraph = True
            self._paragraph = None
        if tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        self.parts.append(data)
        if self._paragraph is not None:
            self._paragraph.append(data)

    def text(self) -> str:
        lines = (" ".join(line.split()) for line in "".join(self.parts).splitlines())
        return "\n".join(line for line in lines if line)


def shorten(text: str, limit: int = SUMMARY_CHARS) -> str:
    """Cut text at a word boundary so it fits in limit characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:—–-")
    return f"{cut}…"


@cache
def highlight_css() -> str:
    """Pygments colours for code blocks, light and dark."""
    # Pygments' stubs leave get_style_defs untyped.
    light = HtmlFormatter(style="default").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    dark = HtmlFormatter(style="monokai").get_style_defs(".highlight")  # type: ignore[no-untyped-call]
    return f"{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
