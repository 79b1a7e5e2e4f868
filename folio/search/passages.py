"""Where in an article the answer is: its best passages and the sections they are in.

Works on the stored text (a line per block) and its sections (anchor, heading, where the
heading's line starts), by plain string search for the query's stems: analysing a whole
article for each hit would cost more than ranking it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import islice
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
_MARK = Markup('<mark class="match term%d">%s</mark>')


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
        """The best passage of the text, and the best of each other matching section."""
        starts = {int(start): i for i, (_, _, start) in enumerate(sections)}
        best_by_section: dict[int, Passage] = {}
        section, offset = -1, 0
        for line in text.split("\n")[:MAX_LINES]:
            if offset in starts:  # a heading: it starts its section, and is no passage
                section = starts[offset]
            elif passage := self._passage(line, section):
                known = best_by_section.get(section)
                if known is None or passage.score > known.score:
                    best_by_section[section] = passage
            offset += len(line) + 1
        ranked = sorted(best_by_section.values(), key=lambda p: -p.score)
        if not ranked:
            return Found(None)
        return Found(ranked[0], tuple(p for p in ranked[1:] if p.section >= 0)[:MORE_SECTIONS])

    def _passage(self, line: str, section: int) -> Passage | None:
        spots = [
            (m.start(), m.end(), self.phrase_weight)
            for pattern in self.phrases
            for m in pattern.finditer(line)
        ]
        if self.pattern is not None:
            for match in islice(self.pattern.finditer(line), MAX_SPOTS):
                weight = self.needles.get(match.group().lower(), 0.0)
                spots.append((match.start(), match.end(), weight))
        if not spots:
            return None  # most lines: nothing more to do for them
        start, score = self._window(line.lower(), spots)
        return _cut(line, start, score, section)

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
        pieces: list[Markup] = []
        last = 0
        for match in _WORD.finditer(text):
            number = self._number(match.group())
            if number is not None:
                pieces += [escape(text[last : match.start()]), _MARK % (number, match.group())]
                last = match.end()
        pieces.append(escape(text[last:]))
        return Markup("").join(pieces)

    def _number(self, word: str) -> int | None:
        """The mark class of a word, or None if it is none of the query's terms."""
        pattern = self.finder.pattern
        if pattern is None or not pattern.search(word):
            return None  # cannot be one of the terms: it holds none of their stems' starts
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
