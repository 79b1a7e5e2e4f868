"""Visitor queries made safe: plain words, "phrases" and -exclusions, nothing slow."""

from __future__ import annotations

import unicodedata
from typing import Any

from whoosh.fields import Schema
from whoosh.qparser import (
    MultifieldParser,
    OrGroup,
    PhrasePlugin,
    PlusMinusPlugin,
    QueryParser,
    WhitespacePlugin,
)
from whoosh.query import Query

MAX_QUERY_CHARS = 200
MAX_TERMS = 12
SEARCH_FIELDS = ("title", "tagtext", "summary", "body")
# Documents matching more of the words rank higher, but one missing word excludes nothing.
_GROUP = OrGroup.factory(0.9)


def clean(raw: object) -> str:
    """The visitor's text as a short single line: no control characters, capped."""
    if not isinstance(raw, str):
        return ""
    text = "".join(" " if unicodedata.category(c).startswith("C") else c for c in raw)
    words = text[: MAX_QUERY_CHARS * 2].split()[:MAX_TERMS]
    return " ".join(words)[:MAX_QUERY_CHARS].strip()


def _plugins() -> list[Any]:  # WhitespacePlugin is not a Plugin subclass in whoosh3
    # Only these: wildcards, ranges, fuzzy terms, fields, boosts, groups and operators
    # are all off, so `*e*`, `[a TO z]`, `a~2` or `title:x` are just text.
    return [WhitespacePlugin(), PhrasePlugin(), PlusMinusPlugin()]


def parse(text: str, schema: Schema) -> Query:
    """The ranked query over title, tags, summary and body."""
    parser = MultifieldParser(SEARCH_FIELDS, schema, group=_GROUP, plugins=_plugins())
    query: Query = parser.parse(text)
    return query


def spelling_query(text: str, schema: Schema) -> Query:
    """The same words against the unstemmed spelling field, for "did you mean"."""
    query: Query = QueryParser("spelling", schema, group=_GROUP, plugins=_plugins()).parse(text)
    return query
