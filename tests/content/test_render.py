from __future__ import annotations

import pytest

from folio.content.records import dump_rendered, load_rendered
from folio.content.render import TOC_MIN_HEADINGS, highlight_css, render, shorten


def test_headings_get_anchors_and_a_toc_when_long_enough() -> None:
    source = "\n\n".join(f"## Part {i}\n\nText {i}." for i in range(TOC_MIN_HEADINGS))
    rendered = render(source)
    assert '<h2 id="part-0">' in rendered.html
    assert 'class="headerlink" href="#part-0"' in rendered.html
    assert 'href="#part-2"' in rendered.toc
    assert rendered.headings == TOC_MIN_HEADINGS


def test_short_documents_have_no_toc() -> None:
    assert render("## Only one\n\nText.").toc == ""


def test_tables_code_footnotes_and_smart_punctuation() -> None:
    rendered = render(
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n```python\nx = 1\n```\n\n"
        'It\'s "quoted" -- really.[^1]\n\n[^1]: A note.\n'
    )
    assert "<table>" in rendered.html
    assert '<div class="highlight"><pre>' in rendered.html
    assert '<span class="n">x</span>' in rendered.html
    assert 'class="footnote-ref"' in rendered.html
    # Sanitising writes entities such as &rsquo; as the characters themselves.
    assert "It’s “quoted” – really." in rendered.html
    assert "It’s “quoted” – really." in rendered.text


def test_text_skips_permalinks_and_backrefs_and_keeps_paragraphs() -> None:
    rendered = render("## Title\n\nOne.[^1]\n\nTwo.\n\n[^1]: Note.")
    assert rendered.text.splitlines()[:3] == ["Title", "One.1", "Two."]
    assert "#" not in rendered.text and "↩" not in rendered.text


def test_first_paragraph_skips_image_only_paragraphs() -> None:
    rendered = render("![A diagram](/images/a.svg)\n\nThe real start.\n\nMore.")
    assert rendered.first_paragraph == "The real start."
    assert rendered.images == ("/images/a.svg",)
    assert 'loading="lazy"' in rendered.html


def test_links_are_collected() -> None:
    rendered = render("See [one](/posts/one/) and [two](https://example.org).")
    assert rendered.links == ("/posts/one/", "https://example.org")


def test_reading_time_is_at_least_a_minute() -> None:
    assert render("word").reading_minutes == 1
    assert render("word " * 1100).reading_minutes == 5


HOSTILE = """\
Before.

<script>steal()</script>

<img src="/images/a.png" onerror="steal()">

[a link](javascript:steal()) and <a href="javascript:steal()">another</a>.

<textarea>

Typed into a control.
"""


def test_raw_html_is_sanitised_by_default() -> None:
    rendered = render(HOSTILE)
    html = str(rendered.html).lower()
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "steal" not in html
    assert '<img src="/images/a.png">' in rendered.html
    assert "<a>a link</a> and <a>another</a>." in rendered.html  # the words stay
    # An unclosed <textarea> goes with what it holds: left in, a browser would show the
    # rest of the page (replies, sidebar, footer) as text inside it.
    assert "<textarea" not in html and "Typed into" not in rendered.text
    assert rendered.text.startswith("Before.\n")


def test_trusted_html_is_kept_as_the_owner_wrote_it() -> None:
    # CONTENT_TRUST_HTML: the site owner takes responsibility for raw HTML.
    source = '<div class="x" onclick="go()">hi</div>\n\n<script>track()</script>\n'
    html = render(f'{source}\n<a href="javascript:track()">j</a>', trust_html=True).html
    assert '<div class="x" onclick="go()">hi</div>' in html
    assert "<script>track()</script>" in html
    assert '<a href="javascript:track()">j</a>' in html
    assert "<textarea>" in render("<textarea>\n\nTyped.\n", trust_html=True).html


def test_shorten_cuts_at_a_word() -> None:
    assert shorten("one two three", 9) == "one two…"
    assert shorten("short", 9) == "short"


def test_highlight_css_has_light_and_dark() -> None:
    css = highlight_css()
    assert ".highlight" in css and "prefers-color-scheme: dark" in css


def test_scripts_and_styles_are_not_words() -> None:
    owned = render("Words <script>track()</script><style>p{}</style> more.", trust_html=True)
    assert "track" not in owned.text and "p{}" not in owned.text
    assert "Words" in owned.text and "more." in owned.text


def test_a_document_that_fails_to_render_leaves_the_next_one_whole() -> None:
    with pytest.raises(RecursionError):
        render("- " * 3000 + "x")
    assert "<p>Fine.</p>" in render("Fine.").html


def test_sections_give_each_heading_its_anchor_and_place_in_the_text() -> None:
    rendered = render("Intro.\n\n## Why it hurts {#why}\n\nText.\n\n### Sub part\n\nMore.")
    assert [(s.anchor, s.heading) for s in rendered.sections] == [
        ("why", "Why it hurts"),
        ("sub-part", "Sub part"),
    ]
    for section in rendered.sections:
        assert rendered.text[section.start :].startswith(section.heading)
    assert rendered.text.splitlines() == ["Intro.", "Why it hurts", "Text.", "Sub part", "More."]
    restored = load_rendered(dump_rendered(rendered))
    assert restored.sections == rendered.sections and restored.text == rendered.text


def test_heading_links_are_named_after_their_heading() -> None:
    html = str(render("## Sleep & pain\n\nText.").html)
    assert 'aria-label="Link to the section “Sleep &amp; pain”"' in html
