from __future__ import annotations

from folio.replies.text import reply_html


def test_html_is_escaped_never_rendered() -> None:
    html = reply_html("<script>alert(1)</script> <img src=x onerror=alert(1)> **bold**")
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "**bold**" in html


def test_paragraphs_and_line_breaks() -> None:
    assert reply_html("one\ntwo\n\n\nthree") == "<p>one<br>two</p><p>three</p>"


def test_web_addresses_become_safe_links() -> None:
    html = reply_html("See https://example.org/a?b=1&c=2 and www.example.com.")
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc noopener">'
        "https://example.org/a?b=1&amp;c=2</a>" in html
    )
    assert '<a href="http://www.example.com" rel="nofollow ugc noopener">' in html


def test_only_web_links() -> None:
    html = reply_html("javascript:alert(1) mailto:a@b.c a@b.c data:text/html,x")
    assert "<a" not in html
