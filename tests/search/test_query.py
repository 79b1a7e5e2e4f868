"""Every hostile query class is plain text: fast, never an error."""

from __future__ import annotations

import time

import pytest

from folio.search.query import MAX_QUERY_CHARS, MAX_TERMS, Part, Plan, clean, parts, plan
from folio.search.schema import make_schema

SCHEMA = make_schema()


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
    wanted = plan(clean(text), SCHEMA)
    stems = wanted.terms + wanted.required + wanted.excluded
    words = [word for phrase in wanted.phrases + wanted.excluded_phrases for word in phrase]
    # Only letters and digits reach the index: no operator, wildcard or field survives.
    assert all(term.isalnum() for term in stems + tuple(words)), wanted
    assert time.perf_counter() - started < 1  # a guard against hangs, not a benchmark


def test_field_syntax_and_operators_are_words() -> None:
    assert plan("title:pain AND body:back", SCHEMA).terms == ("titl", "pain", "bodi", "back")
    # Stop words and single characters are not indexed, so they are not asked for.
    assert plan("[a TO z] pain~2 back^10 *e* con*", SCHEMA).terms == ("pain", "back", "10", "con")


def test_phrases_exclusions_and_required_words() -> None:
    wanted = plan('"Back Pain" -sleeping +exercise -"bad posture" stretches', SCHEMA)
    assert wanted == Plan(
        terms=("back", "pain", "exercis", "stretch"),
        required=("exercis",),
        excluded=("sleep",),
        phrases=(("back", "pain"),),
        excluded_phrases=(("bad", "posture"),),
        words=("back", "pain", "exercise", "stretches"),
    )


def test_phrases_keep_stop_words_and_an_unclosed_quote_runs_to_the_end() -> None:
    assert plan('"speed of light', SCHEMA).phrases == (("speed", "of", "light"),)
    assert parts('a "b c') == [Part("a"), Part("b c", phrase=True)]
    assert str(Part("b c", "-", phrase=True)) == '-"b c"'


def test_phrases_are_capped_and_the_rest_are_words() -> None:
    wanted = plan('"aa bb" "cc dd" "ee ff" "gg hh" "ii jj" kk', SCHEMA)
    assert wanted.phrases == (("aa", "bb"), ("cc", "dd"), ("ee", "ff"), ("gg", "hh"))
    assert wanted.terms[-3:] == ("ii", "jj", "kk")


def test_the_words_that_rank_are_kept_as_written_in_their_order() -> None:
    # Nearness is looked up by the words as written: stop, question and excluded words
    # and single letters are not among them.
    wanted = plan("what is a boundary layer's flow -slip x with Slip-Stream", SCHEMA)
    assert wanted.words == ("boundary", "layer", "flow", "slip", "stream")
    assert plan("what is it", SCHEMA).words == ("what",)  # only question words: they rank


def test_only_exclusions_or_stop_words_ask_for_nothing() -> None:
    assert not plan("-sleep", SCHEMA)
    assert not plan("the and of", SCHEMA)
    assert not plan('""', SCHEMA)


def test_clean_caps_length_only() -> None:
    assert len(clean("x" * 10_000)) == MAX_QUERY_CHARS
    assert len(clean(" ".join(["word"] * 100)).split()) == 100
    assert clean("tab\there\nnew\x00line") == "tab here new line"


def test_long_questions_keep_their_last_words() -> None:
    question = (
        "what are the existing solutions for the problem of the effect of slight "
        "rarefaction on the laminar boundary layer flow of a gas with slip"
    )
    wanted = plan(clean(question), SCHEMA)
    assert wanted.terms[-4:] == ("layer", "flow", "ga", "slip")
    # Question words do not rank; the topic does.
    assert not {"what", "are", "the", "of", "with"} & set(wanted.terms)
    assert {"solut", "problem", "effect", "rarefact", "boundari"} <= set(wanted.terms)


def test_question_words_rank_only_when_nothing_else_was_asked() -> None:
    assert plan("what does it do", SCHEMA).terms == ("what", "doe", "do")
    assert plan("what does sciatica feel like", SCHEMA).terms == ("sciatica", "feel")


def test_terms_are_capped_after_stop_words() -> None:
    words = " ".join(f"the word{i} of" for i in range(100))
    wanted = plan(clean(words), SCHEMA)
    assert wanted.terms == tuple(f"word{i}" for i in range(MAX_TERMS))
    required = plan(" ".join(f"+w{i}x -v{i}y" for i in range(100)), SCHEMA)
    assert len(required.required) == len(required.excluded) == MAX_TERMS


@pytest.mark.parametrize(
    "text",
    [
        " ".join(f"w{i}x" for i in range(5000)),
        "what " * 3000,
        "-".join(["ab"] * 5000),
        " ".join(f'+w{i} -v{i} "a{i} b"' for i in range(2000)),
    ],
)
def test_hostile_long_queries_stay_bounded(text: str) -> None:
    started = time.perf_counter()
    wanted = plan(clean(text), SCHEMA)
    assert len(wanted.terms) <= MAX_TERMS
    assert time.perf_counter() - started < 0.5  # a guard against runaway work


def test_compounds_are_asked_for_whole_and_in_parts() -> None:
    assert plan("os.path", SCHEMA).terms == ("os.path", "os", "path")
    assert plan("Material.CheckAvailability", SCHEMA).terms == (
        "material.checkavail",
        "materi",
        "checkavail",
        "check",
        "avail",
    )
    assert plan("well-known", SCHEMA).terms == ("well-known", "well", "known")


@pytest.mark.parametrize("value", [None, ["a", "b"], 5, b"bytes"])
def test_clean_accepts_only_text(value: object) -> None:
    assert clean(value) == ""


def test_the_word_being_typed_is_a_prefix() -> None:
    wanted = plan("back Stretc", SCHEMA, typing=True)
    assert wanted.terms == ("back",) and wanted.prefix == "stretc"
    assert wanted.prefix_stems == ("stretc",)
    assert plan("back Stretc", SCHEMA).prefix == ""  # a submitted query: whole words
    assert plan("back st", SCHEMA, typing=True).prefix == ""  # too short to complete
    assert plan('back "stretc"', SCHEMA, typing=True).prefix == ""
    assert plan("back -stretc", SCHEMA, typing=True).prefix == ""
    assert plan("stretc", SCHEMA, typing=True)  # a prefix alone is a query


def test_a_doubled_consonant_is_undone_as_porter_says() -> None:
    # Whoosh's own stemmer kept "sitt" and "runn": "sit" and "run" did not find them.
    wanted = plan("sitting running planned hissing falling os", SCHEMA)
    assert wanted.terms == ("sit", "run", "plan", "hiss", "fall", "os")
