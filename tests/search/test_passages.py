"""Passages: the best window of an article, cut on words, and the sections it is in."""

from __future__ import annotations

from folio.content.render import render
from folio.search.passages import PASSAGE_CHARS, Marker, PassageFinder
from folio.search.query import plan
from folio.search.schema import make_schema

SCHEMA = make_schema()


def marker(query: str, rare: str = "") -> Marker:
    terms = plan(query, SCHEMA).terms
    return Marker(SCHEMA["body"].analyzer, {t: 5.0 if t == rare else 1.0 for t in terms})


def test_a_long_line_is_cut_on_word_boundaries_with_ellipses() -> None:
    line = " ".join(f"word{i}" for i in range(200)) + " heron " + " ".join(["tail"] * 100)
    found = marker("heron").finder.find(line, [])
    assert found.best is not None
    passage = found.best
    assert passage.cut_before and passage.cut_after
    assert len(passage.text) <= PASSAGE_CHARS and "heron" in passage.text
    assert passage.text.split()[0] in line.split() and passage.text.split()[-1] in line.split()
    shown = str(marker("heron").passage(passage))
    assert shown.startswith("… ") and shown.endswith(" …")
    assert '<mark class="match term0">heron</mark>' in shown


def test_the_passage_with_the_most_and_rarest_words_wins() -> None:
    text = "The otter swam.\nThe otter swam past a river.\nA holt by the otter's river."
    found = PassageFinder({"otter": 1.0, "river": 1.0, "holt": 4.0}).find(text, [])
    assert found.best is not None and found.best.text == "A holt by the otter's river."
    assert not found.best.cut_before and not found.best.cut_after


def test_words_match_at_their_start_only() -> None:
    found = marker("os").finder.find("A position.\nThe os module.", [])
    assert found.best is not None and found.best.text == "The os module."


def test_headings_are_never_passages_and_say_which_section_a_passage_is_in() -> None:
    rendered = render(
        "Intro.\n\n## Sleep well\n\nA pillow helps sleep.\n\n## Diet\n\nSleep and food."
    )
    sections = [(s.anchor, s.heading, s.start) for s in rendered.sections]
    found = marker("sleep pillow").finder.find(rendered.text, sections)
    assert found.best is not None and found.best.text == "A pillow helps sleep."
    assert sections[found.best.section][0] == "sleep-well"
    assert [sections[p.section][0] for p in found.others] == ["diet"]
    assert all("Sleep well" not in p.text for p in (found.best, *found.others))


def test_marks_escape_the_text_and_mark_compounds() -> None:
    shown = str(marker("CheckAvailability").mark("<b>Material.CheckAvailability</b>"))
    assert shown.startswith("&lt;b&gt;") and "<b>" not in shown
    assert '<mark class="match term0">Material.CheckAvailability</mark>' in shown


def test_the_needle_search_finds_what_the_regular_expression_finds() -> None:
    finder = marker("os.path protocols Studies compilers node.js ship").finder
    assert finder.pattern is not None
    text = (
        "Use os.path or OS.PATH; the protocol's study (studies) of a compiler.\n"
        "Shipping ships; worship is no ship, nor is node.js a nodejs.\n"
        "Ünïcode protocol: stüdies, \u0130stanbul protocols"  # İ lower-cases to two letters
    )
    for piece in (text, text.split("\n")[1], text[:-30]):
        for end in (len(piece), 20, 62):
            expected = [
                (m.start(), m.end(), finder.needles[m.group().lower()])
                for m in finder.pattern.finditer(piece, 0, end)
            ]
            assert finder._words(piece, end) == expected
