"""Markdown to HTML, once per file version: body, table of contents, text and links."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache
from xml.etree.ElementTree import Element

import markdown
from markdown.treeprocessors import Treeprocessor
from markupsafe import Markup
from pygments.formatters import HtmlFormatter

from folio.content.plaintext import Section, TextReader
from folio.content.sanitise import sanitise

WORDS_PER_MINUTE = 220
TOC_MIN_HEADINGS = 3
SUMMARY_CHARS = 280
#: How much of a body is rendered to find its first paragraph.
#: (Some Markdown, such as a run of "[", renders in time that grows with its square: at
#: 1,000 characters that is a tenth of a second, at 2,000 over one.)
LEAD_CHARS = 1000
_ALIGNED = re.compile(r"text-align:\s*(left|right|center);?")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*\S.*$", re.MULTILINE)
#: Lines before the first paragraph that cannot be it: headings, lone images, blank lines.
_NOT_A_LEAD = re.compile(r"\A(?:[ \t]*(?:#.*|!\[[^\n]*\)[ \t]*)?\n)+")


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
    def sections(self) -> tuple[Section, ...]:
        """The body's headings with their anchors, in order (the text carries them)."""
        return getattr(self.text, "sections", ())

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


class _AlignClasses(Treeprocessor):
    """Table alignment as classes: a style attribute is refused by the site's CSP."""

    def run(self, root: Element) -> None:
        for cell in (*root.iter("th"), *root.iter("td")):
            style = cell.attrib.pop("style", "")
            if match := _ALIGNED.fullmatch(style.strip()):
                cell.set("class", f"{cell.get('class', '')} align-{match[1]}".strip())


class _PermalinkNames(Treeprocessor):
    """A heading's "#" link is named after its heading, not "#", for screen readers."""

    def run(self, root: Element) -> None:
        for level in ("h1", "h2", "h3", "h4", "h5", "h6"):
            for heading in root.iter(level):
                for link in heading.iter("a"):
                    if "headerlink" in link.get("class", "").split():
                        words = "".join(heading.itertext()).removesuffix(link.text or "")
                        link.set("aria-label", f"Link to the section “{words.strip()}”")


class _LazyImagesExtension(markdown.Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        md.treeprocessors.register(_LazyImages(md), "lazy_images", 1)
        md.treeprocessors.register(_AlignClasses(md), "align_classes", 1)
        md.treeprocessors.register(_PermalinkNames(md), "permalink_names", 1)


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


def render(source: str, *, trust_html: bool = False) -> Rendered:
    """Render Markdown source to HTML with its TOC, plain text, links and images.

    Raw HTML in the source is sanitised unless `trust_html` (CONTENT_TRUST_HTML) is set.
    """
    md: markdown.Markdown | None = getattr(_local, "md", None)
    if md is None:
        md = _local.md = _new_markdown()
    md.reset()
    try:
        html = md.convert(source)
    except BaseException:
        # reset() leaves the parser's state behind: a failed document would spoil the next.
        _local.md = None
        raise
    if not trust_html:
        html = sanitise(html)
    tokens = getattr(md, "toc_tokens", [])
    headings = _count_headings(tokens)
    toc = md.toc if headings >= TOC_MIN_HEADINGS else ""  # type: ignore[attr-defined]
    if not trust_html:
        toc = sanitise(toc)
    reader = TextReader()
    reader.feed(html)
    reader.close()
    return Rendered(
        html=Markup(html),  # noqa: S704 (sanitised above, or trusted by the owner's setting)
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


def lead_paragraph(source: str) -> str:
    """The first paragraph's text, from a rendering of the source's opening blocks only.

    Listings need summaries before bodies are rendered; a bounded prefix (with the
    document's link definitions, which may sit at its end) keeps that cheap for any file.
    """
    start = _NOT_A_LEAD.match(source)
    rest = source[start.end() :] if start else source
    opening = rest[:LEAD_CHARS]
    definitions = "\n".join(_LINK_DEFINITION.findall(rest[LEAD_CHARS:]))
    return render(f"{opening}\n\n{definitions}").first_paragraph


def summarise(written: str | None, body: str) -> str:
    """A listing's summary: the written one with smart punctuation, else the opening paragraph.

    Both render a bounded prefix only (see LEAD_CHARS), so this is cheap for any file.
    """
    if written:
        return render(written[:LEAD_CHARS]).text
    return shorten(lead_paragraph(body))


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
