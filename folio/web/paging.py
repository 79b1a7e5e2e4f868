"""Splitting a sequence into numbered pages."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Pagination(Generic[T]):
    """One page of items and where it sits among the others."""

    items: Sequence[T]
    number: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        """Whether a newer page exists."""
        return self.number > 1

    @property
    def has_next(self) -> bool:
        """Whether an older page exists."""
        return self.number < self.pages


def paginate(items: Sequence[T], number: int, per_page: int) -> Pagination[T] | None:
    """Page `number` (from 1) of `items`, or None when there is no such page."""
    pages = max(1, math.ceil(len(items) / per_page))
    if not 1 <= number <= pages:
        return None
    start = (number - 1) * per_page
    return Pagination(items[start : start + per_page], number, pages, len(items))
