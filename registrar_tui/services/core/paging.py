"""One page of rows out of a list: what every paged service returns and every paged
table of the screens (screens/widgets/paged_table.py) shows.

A service that counts its list gives `total_count` (`Page.counted`); one that does not
(the search and the audit trail stop after the page plus one probe row) gives None and
says whether rows follow (`Page.probed`). A list already in memory (a statement's
invoices, a student's courses) is cut into pages with `Page.slice`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

RowT = TypeVar("RowT", covariant=True)


@dataclass(frozen=True)
class Page(Generic[RowT]):
    """`rows` starting at `offset` (at most `limit`) out of `total_count` (None: not counted)."""

    rows: tuple[RowT, ...]
    offset: int
    limit: int
    total_count: int | None
    has_more: bool
    """Rows follow this page."""

    @classmethod
    def counted(
        cls, rows: tuple[RowT, ...], offset: int, limit: int, total_count: int
    ) -> Page[RowT]:
        """A page of a list whose size is known."""
        return cls(rows, offset, limit, total_count, offset + len(rows) < total_count)

    @classmethod
    def probed(cls, rows: tuple[RowT, ...], offset: int, limit: int, has_more: bool) -> Page[RowT]:
        """A page of a list that was not counted (a probe row told whether more follow)."""
        return cls(rows, offset, limit, None, has_more)

    @classmethod
    def slice(cls, items: Sequence[RowT], offset: int, limit: int) -> Page[RowT]:
        """The page of `items` (a list in memory) starting at `offset`."""
        return cls.counted(tuple(items[offset : offset + limit]), offset, limit, len(items))

    @property
    def has_previous(self) -> bool:
        return self.offset > 0

    @property
    def first_row(self) -> int:
        """The number (from 1) of the page's first row, for "lignes 11–20"."""
        return self.offset + 1

    @property
    def last_row(self) -> int:
        """The number (from 1) of the page's last row (first_row - 1 when it is empty)."""
        return self.offset + len(self.rows)

    @property
    def page_number(self) -> int:
        """The page's number, from 1."""
        return self.offset // max(self.limit, 1) + 1
