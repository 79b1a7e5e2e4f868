"""The plain front matter reader makes exactly what PyYAML's safe loader makes of what
it accepts, and declines the rest (PyYAML then reads it)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
import yaml

from app import ROOT
from folio.content.frontmatter import _YAML, SafeLoader
from folio.content.plainyaml import quick_load

VALUES = [
    *("2024-01-05", "2024-02-30", "2024-01-05 10:00:00+02:00", "2024-01-05T10:00:00Z"),
    *("1:30", "0x1F", "0o17", "017", "1_000", "1e3", "1.5e3", "-1", "+1", "-0", "0b101"),
    *(".inf", "-.inf", ".nan", ".NaN", "1.0", "1.", ".5", "0.", "12:30:45", "2024-1-5"),
    *("~", "null", "Null", "yes", "No", "on", "OFF", "true", "y", "n", "=", "<<"),
    *('"quoted"', "'single'", "'it''s'", '"a\\"b"', '"a\\\\b"', '"\\n"', '"\\x41"', "'a\"b'"),
    *('[a, "b", 3]', "[]", "[ ]", "[a, [b]]", "{a: 1}", "[a,]", "[a,,b]", "[,]", "[a"),
    *("a]", "[a]]", '["a,b"]', "['a', 'b']", "[ 'a' ,  b ]", "[a b, c]", "[a:b]", "[a: b]"),
    *("[a #b]", "[yes, 1, ~, 2024-01-01]", "[2024-02-30]", '["a\\", b"]', "'", '"'),
    *("a: b", "a #b", "a#b", "#x", "&a x", "*a", "!tag x", "|", ">", "-x", "- x", "?x"),
    *("? x", "x:", "x::", "http://a.b/c", "é ü", " leading", "trail  ", "\ttab", "a\tb"),
    *("", "@x", "`x", "%x", "a,b", "\u2028", "x\u0085y", "\ufeffx", "a\x01", "Größe 😀"),
]
KEYS = ["title", "date", "yes", "no", "null", "on", "x_1", "Tags", "_a", "a-b", "1a", "True"]


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types throughout (True == 1 and 1 == 1.0 do not count)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and a != a:
        return bool(b != b)
    return bool(a == b)


def agrees(text: str) -> bool:
    """Whether the plain reader declined `text`; it fails the test if it disagrees."""
    try:
        quick = quick_load(text)
    except ValueError:
        with pytest.raises(ValueError):
            yaml.load(text, Loader=SafeLoader)  # noqa: S506 (a safe loader)
        return True
    if quick is None:
        return False
    slow = yaml.load(text, Loader=SafeLoader) or {}  # noqa: S506 (a safe loader)
    assert same(quick, slow), (text, quick, slow)
    return True


def test_plain_front_matter_is_read_as_pyyaml_reads_it() -> None:
    text = (
        'title: "Walking: \\"why\\" it helps"\ndate: 2024-01-05 10:30:00+02:00\n'
        "tags: [back pain, 'sleep', \"a\\\\b\"]\ndraft: no\ncomments: yes\nweight: 1_000\n"
        "updated: 2024-01-06\nimage:\n# a comment\n\nratio: .5\nsummary: It's fine\n"
    )
    assert quick_load(text) == {
        "title": 'Walking: "why" it helps',
        "date": datetime(2024, 1, 5, 8, 30, tzinfo=UTC).astimezone(timezone(timedelta(hours=2))),
        "tags": ["back pain", "sleep", "a\\b"],
        "draft": False,
        "comments": True,
        "weight": 1000,
        "updated": date(2024, 1, 6),
        "image": None,
        "ratio": 0.5,
        "summary": "It's fine",
    }
    assert agrees(text)


@pytest.mark.parametrize(
    "text",
    [
        "title: a: b",  # a mapping inside a value
        "title: a #comment",
        "title: [a, [b]]",
        "title: &anchor x",
        "tags:\n  - a\n  - b",  # block lists are left to PyYAML
        "title: >\n  folded",
        "yes: 1",  # a key PyYAML reads as True
        "title: x\r\ndate: 2024-01-01",
        "title:\tx",
        "---\ntitle: x",
        "title: '",
    ],
)
def test_anything_else_is_declined(text: str) -> None:
    assert quick_load(text) is None


def test_an_impossible_date_is_refused_as_pyyaml_refuses_it() -> None:
    with pytest.raises(ValueError):
        quick_load("date: 2024-02-30")


def test_the_sample_sites_front_matter_is_read_alike() -> None:
    fronts = []
    for path in sorted((ROOT / "content").rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if _YAML.detect(text):
            fronts.append(_YAML.FM_BOUNDARY.split(text, 2)[1])
    assert fronts
    assert all(agrees(front) for front in fronts)  # every sample file takes the quick way


def test_random_front_matter_is_read_alike_or_declined() -> None:
    chance = random.Random(20261202)
    taken = 0
    for _ in range(20_000):
        lines = []
        for _ in range(chance.randint(0, 4)):
            pick = chance.random()
            value = chance.choice(VALUES)
            if pick < 0.05:
                lines.append(f"# comment {value}")
            elif pick < 0.08:
                lines.append("")
            elif pick < 0.10:
                lines.append(f"  {chance.choice(KEYS)}: {value}")
            elif pick < 0.12:
                lines.append(f"- {value}")
            else:
                separator = chance.choice([": ", ":", ":  "])
                after = chance.choice(["", "", " ", "  #c"])
                lines.append(f"{chance.choice(KEYS)}{separator}{value}{after}")
        text = chance.choice(["\n", "\r\n"]).join(lines) + chance.choice(["", "\n"])
        taken += agrees(text)
    assert taken > 4000  # the quick way is taken often enough to be tested
