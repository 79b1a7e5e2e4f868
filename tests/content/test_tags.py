from __future__ import annotations

from folio.content.slugs import slugify
from folio.content.tags import Tag, build_cloud, canonical_names


def test_spelling_and_spacing_share_one_slug() -> None:
    assert slugify("Back Pain") == slugify("back   pain") == slugify(" BACK pain ") == "back-pain"


def test_tag_from_name_collapses_spaces() -> None:
    assert Tag.from_name("  Mental   Health ") == Tag("mental-health", "Mental Health")


def test_canonical_name_is_the_most_used_spelling() -> None:
    spellings = [Tag.from_name(n) for n in ["Back Pain", "back pain", "back pain", "CBT"]]
    assert canonical_names(spellings) == {"back-pain": "back pain", "cbt": "CBT"}


def test_cloud_is_sorted_by_name_and_log_weighted() -> None:
    counts = {Tag.from_name("zebra"): 1, Tag.from_name("apple"): 30, Tag.from_name("mango"): 5}
    cloud = build_cloud(counts)
    assert [e.tag.name for e in cloud] == ["apple", "mango", "zebra"]
    weights = {e.tag.name: e.weight for e in cloud}
    assert weights == {"zebra": 1, "mango": 3, "apple": 5}  # log(5)/log(30) is about 0.47


def test_cloud_with_equal_counts_uses_one_size() -> None:
    cloud = build_cloud({Tag.from_name("a"): 2, Tag.from_name("b"): 2})
    assert {e.weight for e in cloud} == {1}
    assert len(cloud) == 2


def test_empty_cloud() -> None:
    assert len(build_cloud({})) == 0
