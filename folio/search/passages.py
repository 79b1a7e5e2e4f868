"""Where in an article the answer is: its best passages and the sections they are in.

Works on the stored text (a line per block) and its sections (anchor, heading, where the
heading's line starts), by plain string search for the query's stems: analysing a whole
article for each hit would cost more than ranking it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape

from folio.search.analysis import COMPOUND_WORD
from folio.search.engine import QueryMarks

#: The most characters a passage shows.
PASSAGE_CHARS = 220
#: Sections shown besides the best passage's own.
MORE_SECTIONS = 2
#: Lines looked at per article: a very long one is searched only this far.
MAX_LINES = 2000
#: Matches looked at per line (windows are compared pairwise).
MAX_SPOTS = 48
_SPACE = re.compile(r"\s")
_WORD = re.compile(COMPOUND_WORD)
_MARK = '<mark class="match term%d">%s</mark>'


@dataclass(frozen=True)
class Passage:
    """A window of one line: where it is, how it is cut, and which section holds it."""

    text: str  # the window's words, cut at word boundaries
    cut_before: bool
    cut_after: bool
    score: float
    section: int  # an index into the article's sections, -1 before the first heading


@dataclass(frozen=True)
class Found:
    """An article's best passage and further sections that match, best first."""

    best: Passage | None
    others: tuple[Passage, ...] = ()


class PassageFinder:
    """Scores lines by the distinct query words they hold, the rarer the better."""

    def __init__(self, weights: Mapping[str, float], phrases: Sequence[re.Pattern[str]] = ()):
        # Fragments of the stems at the start of a word (a stem is a prefix of its
        # words, less a letter: "stud" finds "study" and "studies"), each weighing its
        # term's rarity; the longest first, so a compound wins over its parts.
        self.needles = {stem[: max(3, len(stem) - 1)]: w for stem, w in weights.items()}
        ordered = sorted(self.needles, key=len, reverse=True)
        alternatives = "|".join(map(re.escape, ordered))
        self.pattern = re.compile(rf"\b(?:{alternatives})", re.IGNORECASE) if ordered else None
        self.phrases = tuple(phrases)
        self.phrase_weight = sum(weights.values()) or 1.0

    def find(self, text: str, sections: Sequence[tuple[str, str, int]]) -> Found:
        """The best passage of the text, and the best of each other matching section.

        The text is searched once as a whole (not line by line), and only the lines
        with a match are looked at further: most of an article's lines have none.
        """
        if self.pattern is None and not self.phrases:
            return Found(None)
        end = _line_limit(text)
        # A heading's line starts its section and is no passage.
        headings = {
            at: i
            for i, (_, _, start) in enumerate(sections)
            if 0 <= (at := int(start)) < end and (at == 0 or text[at - 1] == "\n")
        }
        heading_starts = sorted(headings)
        # Each line's spots in the order the line-by-line search made them: phrases,
        # then at most MAX_SPOTS words.
        spots_by_line: dict[int, list[tuple[int, int, float]]] = {}
        for pattern in self.phrases:
            for match in pattern.finditer(text, 0, end):
                begin, stop = match.span()
                self._spot(text, begin, stop, self.phrase_weight, headings, spots_by_line)
        words: dict[int, int] = {}
        for begin, stop, weight in self._words(text, end):
            spotted = self._spot(text, begin, stop, weight, headings, spots_by_line, words)
            if spotted is not None:
                words[spotted] = words.get(spotted, 0) + 1
        best_by_section: dict[int, Passage] = {}
        for line_start in sorted(spots_by_line):
            line_end = text.find("\n", line_start)
            line = text[line_start : line_end if line_end >= 0 else len(text)]
            k = bisect_right(heading_starts, line_start) - 1
            section = headings[heading_starts[k]] if k >= 0 else -1
            start, score = self._window(line.lower(), spots_by_line[line_start])
            passage = _cut(line, start, score, section)
            known = best_by_section.get(section)
            if known is None or passage.score > known.score:
                best_by_section[section] = passage
        ranked = sorted(best_by_section.values(), key=lambda p: -p.score)
        if not ranked:
            return Found(None)
        return Found(ranked[0], tuple(p for p in ranked[1:] if p.section >= 0)[:MORE_SECTIONS])

    def _words(self, text: str, end: int) -> list[tuple[int, int, float]]:
        """(start, end, weight) of each place a word starts with one of the needles (the
        longest there), in the text's first `end` characters: what `pattern` finds.

        Each needle is looked for with str.find, which scans far faster than a regular
        expression of alternatives: most places in a text start none of them.
        """
        lowered = text.lower()
        if len(lowered) != len(text):  # lower case changed lengths: offsets would not match
            assert self.pattern is not None or not self.needles
            matches = self.pattern.finditer(text, 0, end) if self.pattern else ()
            return [(*m.span(), self.needles.get(m.group().lower(), 0.0)) for m in matches]
        longest: dict[int, int] = {}
        for needle in self.needles:
            size = len(needle)
            at = lowered.find(needle, 0, end)
            while at >= 0:
                before = lowered[at - 1] if at else " "
                if not (before.isalnum() or before == "_") and longest.get(at, 0) < size:
                    longest[at] = size
                at = lowered.find(needle, at + 1, end)
        found: list[tuple[int, int, float]] = []
        reached = 0
        for at in sorted(longest):
            if at >= reached:  # a regular expression's matches never overlap
                reached = at + longest[at]
                found.append((at, reached, self.needles[lowered[at:reached]]))
        return found

    def _spot(
        self,
        text: str,
        begin: int,
        stop: int,
        weight: float,
        headings: Mapping[int, int],
        spots_by_line: dict[int, list[tuple[int, int, float]]],
        words: Mapping[int, int] | None = None,
    ) -> int | None:
        """Note a match on its line; the line's start, or None if it was left out."""
        line = text.rfind("\n", 0, begin) + 1
        if line in headings or "\n" in text[begin:stop]:
            return None  # a heading, or a phrase across two lines
        if words is not None and words.get(line, 0) >= MAX_SPOTS:
            return None
        spots_by_line.setdefault(line, []).append((begin - line, stop - line, weight))
        return line

    def _window(self, lowered: str, spots: list[tuple[int, int, float]]) -> tuple[int, float]:
        """Where a window of PASSAGE_CHARS holds the most weight of distinct words."""
        best_start, best_score = 0, -1.0
        for begin, _, _ in spots:
            start = max(0, begin - PASSAGE_CHARS // 5)
            inside = {
                lowered[b:e]: w for b, e, w in spots if start <= b and e <= start + PASSAGE_CHARS
            }
            score = sum(inside.values())
            if score > best_score:
                best_start, best_score = start, score
        return best_start, best_score


def _line_limit(text: str) -> int:
    """Where the first MAX_LINES lines of the text end."""
    if text.count("\n") < MAX_LINES:
        return len(text)
    end = -1
    for _ in range(MAX_LINES):
        end = text.find("\n", end + 1)
    return end


def _cut(line: str, start: int, score: float, section: int) -> Passage:
    """A window of the line beginning near `start`, moved in to whole words."""
    if len(line) <= PASSAGE_CHARS:
        return Passage(line, False, False, score, section)
    start = min(start, len(line) - PASSAGE_CHARS)
    end = start + PASSAGE_CHARS
    if start > 0 and not line[start - 1].isspace():
        after = _SPACE.search(line, start)
        start = after.end() if after and after.end() < end else start
    if end < len(line) and not line[end].isspace():
        before = line.rfind(" ", start, end)
        end = before if before > start else end
    window = line[start:end].strip()
    return Passage(window, start > 0, end < len(line), score, section)


class Marker:
    """Marks the query's words in titles and passages, and finds the passages."""

    def __init__(
        self,
        analyzer: Any,
        weights: Mapping[str, float],
        phrases: tuple[tuple[str, ...], ...] = (),
    ) -> None:
        self.analyzer = analyzer
        self.terms = frozenset(weights)
        self.formatter = QueryMarks(tuple(weights))
        self._numbers: dict[str, int | None] = {}
        # The phrases as they may appear in text: the words, anything but letters between.
        patterns = [
            re.compile(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b", re.IGNORECASE)
            for words in phrases
        ]
        self.finder = PassageFinder(weights, patterns)

    def mark(self, text: str) -> Markup:
        """The text escaped, with the query's words marked (mark classes as QueryMarks
        gives them). Each distinct word is analysed once per query: Whoosh's highlighter
        analysed every word of every passage, most of a results page's time."""
        if not text or not self.terms:
            return escape(text)
        # Only words holding the start of a query stem can be the query's words.
        starts = [begin for begin, _, _ in self.finder._words(text, len(text))]
        if not starts:
            return escape(text)
        pieces: list[str] = []  # each escaped: joined as plain text, then made Markup once
        last = 0
        # Words never span a space: from the one before the first start, they are the
        # words a look from the text's start would find.
        for match in _WORD.finditer(text, text.rfind(" ", 0, starts[0]) + 1):
            begin, end = match.span()
            i = bisect_left(starts, begin)
            if i == len(starts):
                break  # no further word can match
            if starts[i] >= end:
                continue
            number = self._number(match.group())
            if number is not None:
                pieces += [escape(text[last:begin]), _MARK % (number, escape(match.group()))]
                last = end
        pieces.append(escape(text[last:]))
        return Markup("".join(pieces))  # noqa: S704 (every piece escaped above)

    def _number(self, word: str) -> int | None:
        """The mark class of a word, or None if it is none of the query's terms."""
        if word not in self._numbers:
            terms = (token.text for token in self.analyzer(word))
            self._numbers[word] = next(
                (self.formatter.seen[t] for t in terms if t in self.terms), None
            )
        return self._numbers[word]

    def passage(self, passage: Passage) -> Markup:
        """A passage marked, with an ellipsis where the line was cut."""
        before = "… " if passage.cut_before else ""
        after = " …" if passage.cut_after else ""
        return escape(before) + self.mark(passage.text) + escape(after)
