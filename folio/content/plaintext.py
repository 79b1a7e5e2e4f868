"""Rendered HTML read back as plain text: words for search, the first paragraph, links."""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

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
# Elements whose content is code or markup, never words (owner-trusted HTML may have them).
_SKIP_TAGS = frozenset({"script", "style", "template", "textarea", "noscript"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
# Marks where a heading's line starts while the text is collected; never in the result.
_HEADING_MARK = "\x00"


@dataclass(frozen=True)
class Section:
    """A heading of the body: its anchor, its words, and where its line starts in the text."""

    anchor: str
    heading: str
    start: int


class BodyText(str):
    """A body's plain text (a line per block) that also knows the body's sections, so
    whatever is handed the text (the search index) can point into the article."""

    sections: tuple[Section, ...]

    def __new__(cls, text: str, sections: tuple[Section, ...] = ()) -> BodyText:
        made = super().__new__(cls, text)
        made.sections = sections
        return made

    def __reduce__(self) -> tuple[object, ...]:
        return (BodyText, (str(self), self.sections))


class TextReader(HTMLParser):
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
        self._anchors: list[str] = []  # the ids of the headings met, in order

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        if self._skip_depth or tag in _SKIP_TAGS or _SKIP_CLASSES & classes:
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
        if tag in _HEADINGS and attributes.get("id"):
            self._anchors.append(attributes["id"] or "")
            self.parts.append(f"\n{_HEADING_MARK}")

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
        data = data.replace(_HEADING_MARK, "")
        self.parts.append(data)
        if self._paragraph is not None:
            self._paragraph.append(data)

    def text(self) -> BodyText:
        """The words, a line per block, with the sections their headings start."""
        anchors = iter(self._anchors)
        lines: list[str] = []
        sections: list[Section] = []
        start = 0
        for raw in "".join(self.parts).splitlines():
            heading = raw.startswith(_HEADING_MARK)
            line = " ".join(raw.replace(_HEADING_MARK, "").split())
            anchor = next(anchors, "") if heading else ""
            if heading and line:
                sections.append(Section(anchor, line, start))
            if line:
                lines.append(line)
                start += len(line) + 1
        return BodyText("\n".join(lines), tuple(sections))
