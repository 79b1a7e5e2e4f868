"""Tag names, their slugs, and the log-scaled tag cloud."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from folio.content.slugs import slugify

CLOUD_LEVELS = 5


@dataclass(frozen=True, order=True, slots=True)
class Tag:
    """A tag: one slug, however authors capitalised or spaced its name."""

    slug: str
    name: str

    @classmethod
    def from_name(cls, raw: str) -> Tag:
        """Make a tag from a name as written, collapsing spaces."""
        name = " ".join(raw.split())
        return cls(slug=slugify(name), name=name)


def canonical_names(spellings: Iterable[Tag]) -> dict[str, str]:
    """Pick one display name per slug: the most used spelling, ties by name."""
    best: dict[str, tuple[int, str]] = {}
    for (slug, name), count in Counter((tag.slug, tag.name) for tag in spellings).items():
        known = best.get(slug)
        if known is None or (-count, name) < (-known[0], known[1]):
            best[slug] = (count, name)
    return {slug: name for slug, (_, name) in best.items()}


@dataclass(frozen=True)
class CloudEntry:
    """One tag in the cloud with its post count and size class (1..CLOUD_LEVELS)."""

    tag: Tag
    count: int
    weight: int


@dataclass(frozen=True)
class TagCloud:
    """Every tag with its count, sorted by name, weighted on a log scale."""

    entries: tuple[CloudEntry, ...]

    def __iter__(self) -> Iterator[CloudEntry]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)


def build_cloud(counts: Mapping[Tag, int], levels: int = CLOUD_LEVELS) -> TagCloud:
    """Weigh each tag by log(count) between the rarest and the most used tag."""
    if not counts:
        return TagCloud(())
    low = math.log(min(counts.values()))
    span = math.log(max(counts.values())) - low
    entries = []
    for tag, count in counts.items():
        share = (math.log(count) - low) / span if span else 0.0
        weight = 1 + min(levels - 1, int(share * levels))
        entries.append(CloudEntry(tag, count, weight))
    entries.sort(key=lambda entry: (entry.tag.name.casefold(), entry.tag.slug))
    return TagCloud(tuple(entries))
