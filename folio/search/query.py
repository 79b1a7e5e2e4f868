"""Visitor queries made safe: plain words, "phrases", +required and -excluded, nothing else.

Wildcards, ranges, fuzzy terms, fields, boosts, groups and operators are not syntax here,
so `*e*`, `[a TO z]`, `a~2` or `title:x` are just words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any, TypeVar

from whoosh.analysis import STOP_WORDS
from whoosh.fields import Schema

from folio.search.analysis import QUERY_ANALYZER, QUESTION_WORDS

#: Enough for any question; only hostile input is longer, and it is cut.
MAX_QUERY_CHARS = 2000
#: Distinct terms a query ranks by: counted after stop and question words are gone,
#: so a long question keeps its topic nouns (they tend to come last).
MAX_TERMS = 32
#: Phrases cost a look at word positions; more than this many are taken as plain words.
MAX_PHRASES = 4
#: Letters a word being typed needs before it is completed from the index.
MIN_PREFIX = 3
#: The fields a word is looked up in; they share one stemming analyzer.
RANKED_FIELDS = ("title", "tagtext", "summary", "body")
#: Unstemmed words with their positions: phrases and "did you mean" use it.
WORDS_FIELD = "spelling"

T = TypeVar("T")
#: Words that never rank: they are left out of a query's words as they are of its terms.
_UNRANKED = STOP_WORDS | QUESTION_WORDS
_PART = re.compile(r'([+-]?)"([^"]*)"?|([+-]?)([^\s"]+)')


def clean(raw: object) -> str:
    """The visitor's text as a single line: no control characters, capped in length."""
    if not isinstance(raw, str):
        return ""
    raw = raw[: MAX_QUERY_CHARS * 2]
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in raw)
    return " ".join(text.split())[:MAX_QUERY_CHARS].strip()


@dataclass(frozen=True)
class Part:
    """One piece of a query as typed: a word or a quoted phrase, maybe signed."""

    text: str
    sign: str = ""  # "+" required, "-" excluded
    phrase: bool = False

    def __str__(self) -> str:
        return f'{self.sign}"{self.text}"' if self.phrase else f"{self.sign}{self.text}"


def parts(text: str) -> list[Part]:
    """Split a query; an unclosed quote runs to the end, as people mean it to."""
    found = []
    for match in _PART.finditer(text):
        if match.group(4) is not None:
            found.append(Part(match.group(4), match.group(3)))
        elif match.group(2).strip():
            found.append(Part(match.group(2).strip(), match.group(1), phrase=True))
    return found


@dataclass(frozen=True)
class Plan:
    """What a query asks of a document, in the index's own terms (stems and words)."""

    terms: tuple[str, ...] = ()  # stems that rank: documents with more of them rank higher
    required: tuple[str, ...] = ()  # stems that must be present (+word)
    excluded: tuple[str, ...] = ()  # stems that must not be present (-word)
    phrases: tuple[tuple[str, ...], ...] = ()  # word sequences that must be present
    excluded_phrases: tuple[tuple[str, ...], ...] = ()
    #: The word still being typed (search as you type), lower-cased, and its own stems:
    #: it also matches the indexed words it starts.
    prefix: str = ""
    prefix_stems: tuple[str, ...] = ()
    #: The words that rank, as written (lower-cased) and in the order typed: documents
    #: where they stand close together rank higher.
    words: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms or self.required or self.phrases or self.prefix)


def plan(text: str, schema: Schema, *, typing: bool = False) -> Plan:
    """Analyse each part as the index analysed the text it is compared with.

    Plain words lose their question words ("what", "does", "any"), unless nothing else
    is left; at most MAX_TERMS distinct terms rank. With `typing`, a last plain word of
    at least MIN_PREFIX letters is a prefix too.
    """
    stem: Any = schema[RANKED_FIELDS[-1]].analyzer
    word: Any = schema[WORDS_FIELD].analyzer
    terms: list[str] = []
    required: list[str] = []
    excluded: list[str] = []
    phrases: list[tuple[str, ...]] = []
    excluded_phrases: list[tuple[str, ...]] = []
    words: list[str] = []
    pieces = parts(text)
    last = pieces.pop() if typing and pieces and _typed_word(pieces[-1], word) else None
    analysed: dict[tuple[str, str], list[str]] = {}  # a repeated word is analysed once
    for part in pieces:
        if part.phrase and len(phrases) + len(excluded_phrases) >= MAX_PHRASES:
            part = Part(part.text, part.sign)
        if not part.sign and len(set(terms)) >= MAX_TERMS:
            continue  # enough to rank by: the rest is bounded work, not more terms
        key = (part.sign, part.text.lower())
        if key not in analysed:
            analysed[key] = list(_stems(QUERY_ANALYZER if not part.sign else stem, part.text))
        stems = analysed[key]
        if part.sign == "-":
            if part.phrase:
                excluded_phrases.append(tuple(t.text for t in word(part.text, mode="query")))
            else:
                excluded += stems
            continue
        terms += stems
        if stems:
            words += (t.text for t in word(part.text, mode="query") if _ranks(t.text))
        if part.phrase:
            phrases.append(tuple(t.text for t in word(part.text, mode="query")))
        elif part.sign == "+":
            required += stems
    if not terms and not phrases and not required and not last:
        # Only question words ("what is it"): then they are what was asked.
        plain = " ".join(dict.fromkeys(part.text.lower() for part in pieces if not part.sign))
        terms = list(_stems(stem, plain))
        words = [t.text for t in word(plain, mode="query") if _ranks(t.text, STOP_WORDS)]
    return Plan(
        prefix=next(t.text for t in word(last.text, mode="query")) if last else "",
        prefix_stems=tuple(t.text for t in stem(last.text, mode="query")) if last else (),
        terms=_unique(terms)[:MAX_TERMS],
        required=_unique(required)[:MAX_TERMS],
        excluded=_unique(excluded)[:MAX_TERMS],
        phrases=tuple(p for p in _unique(phrases) if p),
        excluded_phrases=tuple(p for p in _unique(excluded_phrases) if p),
        words=_unique(words)[:MAX_TERMS],
    )


def _stems(analyzer: Any, text: str) -> Iterator[str]:
    """The analysed terms of some text, at most MAX_TERMS distinct ones (a cap that
    bounds the work, however long the text)."""
    tokens = (token.text for token in analyzer(text, mode="query"))
    return islice(_distinct(tokens), MAX_TERMS)


def _distinct(items: Iterable[str]) -> Iterator[str]:
    seen: set[str] = set()
    for item in items:
        if item not in seen:
            seen.add(item)
            yield item


def _ranks(word: str, unranked: frozenset[str] = _UNRANKED) -> bool:
    """Whether a word as written ranks: not a stop or question word, nor one letter."""
    return len(word) >= 2 and word not in unranked


def _typed_word(part: Part, word: Any) -> bool:
    """A plain word (a single token of the words analyzer) long enough to complete."""
    tokens = [token.text for token in word(part.text, mode="query")]
    return not part.phrase and not part.sign and len(tokens) == 1 and len(tokens[0]) >= MIN_PREFIX


def _unique(items: Iterable[T]) -> tuple[T, ...]:
    return tuple(dict.fromkeys(items))
