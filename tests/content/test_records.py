"""What the content cache stores comes back as it was written."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime

import pytest

from folio.content.entries import Post
from folio.content.records import _decoded, dump_entry, load_entry
from folio.content.tags import Tag


def test_an_entry_comes_back_whole_with_odd_front_matter_values() -> None:
    post = Post(
        slug="s",
        title="T",
        summary=None,
        reading_minutes=2,
        source="/c/posts/s.md",
        version="1-2-3",
        date=datetime(2024, 1, 5, tzinfo=UTC),
        tags=(Tag("a", "A"),),
        extra={"big": 10**30, "nan": math.nan, "day": date(2024, 1, 6), "list": [1, "x"]},
    )
    back = load_entry(dump_entry(post))
    assert isinstance(back, Post) and back.tags == post.tags and back.date == post.date
    assert back.extra["big"] == 10**30 and isinstance(back.extra["big"], int)
    assert math.isnan(back.extra["nan"])  # type: ignore[arg-type]
    assert back.extra["day"] == date(2024, 1, 6) and back.extra["list"] == [1, "x"]


def test_json_text_is_decoded_as_json_loads_decodes_it() -> None:
    assert _decoded('{"a":[1,2]}') == {"a": [1, 2]}
    assert _decoded(' {"a": 1} ') == {"a": 1}  # whitespace around: the careful way
    with pytest.raises(json.JSONDecodeError):
        _decoded('{"a":1} trailing')
    with pytest.raises(json.JSONDecodeError):
        _decoded("")
