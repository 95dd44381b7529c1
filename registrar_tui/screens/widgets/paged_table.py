"""The one paged table: a DataTable showing one `Page` of a service's rows, never more.

It owns what every paged list of the screens does alike: filling the rows of one page
(the cursor back on the first row, or kept where it was when the same list is shown
again), the row under the cursor, whether PageUp/PageDown (`page_bindings`, bound by the
owner) can go that way and to which offset, and the "Reçus 11–20 sur 42" status line,
each owner keeping its own wording.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, ClassVar, Generic, TypeVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable

from registrar_tui.i18n import N_

if TYPE_CHECKING:
    from textual.widgets.data_table import CursorType

    from registrar_tui.services.core.paging import Page

RowT = TypeVar("RowT")


class PagedTable(DataTable[object], Generic[RowT]):
    """A row table holding one page of `RowT` (`page`, None until one is shown).

    Home and End go to the first and the last row of the page, as in any list (Textual's
    table scrolls sideways on them: the first columns, when and who, went out of sight).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("home", "scroll_top", N_("Première ligne"), show=False),
        Binding("end", "scroll_bottom", N_("Dernière ligne"), show=False),
    ]

    def __init__(
        self,
        *,
        id: str | None = None,
        classes: str | None = None,
        cursor_type: CursorType = "row",
        zebra_stripes: bool = False,
        hide_single_page: bool = True,
    ) -> None:
        super().__init__(
            id=id, classes=classes, cursor_type=cursor_type, zebra_stripes=zebra_stripes
        )
        self.page: Page[RowT] | None = None
        self.hide_single_page = hide_single_page
        """The page keys are hidden (not only dimmed) when the list fits one page: they
        would only crowd the footer."""

    def show_page(
        self,
        page: Page[RowT],
        cells: Callable[[RowT], Iterable[object]],
        *,
        keep_cursor: bool = False,
        key: Callable[[RowT], str] | None = None,
    ) -> None:
        """Replace the rows by the page's (`cells` of each row; keys: `key`, else the index).

        The cursor goes to the first row, or stays on the same row number with
        `keep_cursor` (the same list read again after a change).
        """
        row_before = self.cursor_row
        self.page = page
        self.clear()
        for index, row in enumerate(page.rows):
            self.add_row(*cells(row), key=key(row) if key is not None else str(index))
        if page.rows:
            self.move_cursor(row=min(max(row_before, 0), len(page.rows) - 1) if keep_cursor else 0)

    def forget(self) -> None:
        """No page any more (the rows go too)."""
        self.page = None
        self.clear()

    def selected_row(self) -> RowT | None:
        """The page's row under the cursor (None without rows)."""
        page = self.page
        if page is None or not page.rows or self.row_count == 0:
            return None
        return page.rows[min(max(self.cursor_row, 0), len(page.rows) - 1)]

    def can_page(self, direction: int) -> bool | None:
        """For the owner's `check_action("page")`: True, None (dimmed: no page that way)
        or False (hidden: `hide_single_page` and a list that fits one page)."""
        page = self.page
        if page is None:
            return False if self.hide_single_page else None
        fits_one = page.total_count is not None and page.total_count <= page.limit
        if self.hide_single_page and fits_one:
            return False
        return (page.has_more if direction > 0 else page.has_previous) or None

    def page_offset(self, direction: int) -> int | None:
        """Where the next (> 0) or the previous page starts; None when there is none."""
        page = self.page
        if page is None:
            return None
        if direction > 0:
            return page.offset + len(page.rows) if page.has_more else None
        return max(page.offset - page.limit, 0) if page.has_previous else None

    def status(self, text: str, empty: str, **values: object) -> str:
        """`text` (a translated "{first}–{last} sur {total}", `{page}` too) for the page
        shown, `empty` when it has no rows; `values` fill the owner's other fields."""
        page = self.page
        if page is None or not page.rows:
            return empty
        return text.format(
            first=page.first_row,
            last=page.last_row,
            total=page.total_count,
            page=page.page_number,
            **values,
        )
