"""What the content cache stores comes back as it was written."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from typing import Any

import pytest

from folio.content.entries import Post
from folio.content.records import _decoded, dump_entry, load_entry
from folio.content.tags import Tag


def a_post(slug: str = "s", **fields: Any) -> Post:
    """A post as the cache would hold it, with `fields` set."""
    found: dict[str, Any] = {
        "title": slug.upper(),
        "summary": None,
        "reading_minutes": 1,
        "source": f"/c/posts/{slug}.md",
        "date": datetime(2024, 1, 5, tzinfo=UTC),
    }
    return Post(slug=slug, **(found | fields))


def test_an_entry_comes_back_whole_with_odd_front_matter_values() -> None:
    post = a_post(
        reading_minutes=2,
        version="1-2-3",
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


def test_entries_share_what_many_of_them_hold_alike() -> None:
    """100k entries held in each worker: an author, a set of tags and an empty `extra`
    are one object for all that have them alike (11 MB less at 100k)."""

    def post(slug: str) -> Post:
        return a_post(slug, tags=(Tag("a", "A"), Tag("b", "B")), author="Priya Raman")

    first, second = (load_entry(dump_entry(post(slug))) for slug in ("one", "two"))
    assert isinstance(first, Post) and isinstance(second, Post)
    assert first.author is second.author and first.tags is second.tags
    assert first.extra is second.extra and dict(first.extra) == {}
    with pytest.raises(TypeError):
        first.extra["x"] = 1  # type: ignore[index]
    assert first == post("one")  # equal to what was written


def test_the_shared_empty_extra_stays_one_through_pickling() -> None:
    import pickle

    post = a_post()
    entry = load_entry(dump_entry(post))
    again = pickle.loads(pickle.dumps(entry))  # noqa: S301 (our own bytes)
    assert again.extra is entry.extra and again == entry and entry.extra == {}
