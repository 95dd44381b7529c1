"""One page of rows out of a counted list: what the paged tables of the screens receive."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

RowT = TypeVar("RowT")


@dataclass(frozen=True)
class Page(Generic[RowT]):
    """`rows` starting at `offset` (at most `limit`) out of `total_count`."""

    rows: tuple[RowT, ...]
    offset: int
    limit: int
    total_count: int

    @property
    def has_more(self) -> bool:
        return self.offset + len(self.rows) < self.total_count

    @property
    def has_previous(self) -> bool:
        return self.offset > 0
