"""The tags offered to narrow a search: the most common among the matches."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from folio.content.tags import Tag
from folio.search.results import MAX_FACETS, _facets


def test_the_most_common_tags_are_offered_and_the_chosen_one_stays() -> None:
    tags = {f"t{n}": Tag(f"t{n}", f"Tag {n:02}") for n in range(40)}
    catalogue: Any = SimpleNamespace(tags=tags)
    counts = {f"t{n}": 100 - n for n in range(40)}
    offered = _facets(counts, catalogue, None)
    assert len(offered) == MAX_FACETS
    assert [tag.slug for tag, _ in offered][:3] == ["t0", "t1", "t2"]
    chosen = _facets(counts, catalogue, tags["t39"])
    assert chosen[-1] == (tags["t39"], 61) and len(chosen) == MAX_FACETS + 1
