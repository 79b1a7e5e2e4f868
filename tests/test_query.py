"""Every hostile query class is plain text: fast, never an error."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from whoosh.query import (
    AndNot,
    FuzzyTerm,
    NullQuery,
    Phrase,
    Prefix,
    Query,
    Regex,
    TermRange,
    Wildcard,
)

from folio.indexing import make_schema
from folio.query import MAX_QUERY_CHARS, MAX_TERMS, clean, parse

SCHEMA = make_schema()


def walk(query: Query) -> Iterator[Query]:
    yield query
    for child in query.children():
        yield from walk(child)


def kinds(text: str) -> set[type]:
    query = parse(clean(text), SCHEMA)
    return {type(q) for q in walk(query)} if query is not NullQuery else set()


@pytest.mark.parametrize(
    "text",
    [
        '"unbalanced quote',
        "((unbalanced (parens",
        "title:pain body:back",
        "*",
        "?*?*",
        "*e*",
        "con*",
        "[a TO z]",
        "{alpha TO omega}",
        "pain~2",
        "back^10",
        "😀 🔥",
        "AND OR NOT",
        "<script>alert(1)</script>",
        "a" * 10_000,
        "\x00\x1b[31mred",
        "'single quoted'",
        "/regex.*/",
    ],
)
def test_hostile_queries_parse_to_plain_terms(text: str) -> None:
    started = time.perf_counter()
    found = kinds(text)
    assert not found & {Wildcard, Prefix, FuzzyTerm, Regex, TermRange}
    assert time.perf_counter() - started < 1  # a guard against hangs, not a benchmark


def test_phrases_and_exclusions_work() -> None:
    query = parse('"back pain" -sleep', SCHEMA)
    assert Phrase in {type(q) for q in walk(query)}
    assert isinstance(query, AndNot)


def test_more_words_rank_higher_but_none_is_required() -> None:
    assert " OR " in str(parse("sleep back pain", SCHEMA))


def test_clean_caps_length_and_terms() -> None:
    assert len(clean("x" * 10_000)) == MAX_QUERY_CHARS
    assert len(clean(" ".join(["word"] * 100)).split()) == MAX_TERMS
    assert clean("tab\there\nnew\x00line") == "tab here new line"


@pytest.mark.parametrize("value", [None, ["a", "b"], 5, b"bytes"])
def test_clean_accepts_only_text(value: object) -> None:
    assert clean(value) == ""
