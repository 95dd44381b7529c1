"""What the application changes in Textual 8.2.8 (pinned exactly), and why.

1. **A leak in Textual 8.2.8** (Textualize/textual#6665, open upstream):
   `StylesCache.get_inner_outer` is an *instance* method under `functools.lru_cache(1024)`,
   so the cache keeps the last 1,024 `StylesCache` objects alive, each with its rendered
   lines. Every widget has one: opening the family screen 30 times kept about a thousand
   of them (and 16,000 line caches) after the screens were closed. The heap grew, and so
   did the full garbage collections that happen in the middle of opening a screen. The
   replacement caches on the two colours only, which is all the result depends on.

2. **A table could stay drawn at its old column widths.** `DataTable` caches each
   rendered cell under a counter that adding a row bumps, but it widens its columns
   later, when idle, without bumping it. A frame drawn in between (rows arriving while
   the screen is being drawn, in a table of fixed height) kept cells at the old widths:
   a name cut to the header's width, or a header out of line with the rows below (seen
   in a snapshot of the re-enrolment decision). Widening a column now invalidates them.

3. **A paste is text** (screens/widgets/paste.py): the parser keeps the escape sequences
   inside a bracketed paste in the pasted text, in order, instead of playing them as keys
   before it; every input cleans a paste, and refuses one longer than its maximum with a
   message under the field instead of dropping it silently.

4. **A table's columns fit its width, and a cut cell ends with « … ».** Textual draws
   each column as wide as its widest cell and clips the table at its right edge: at 80
   columns a guardian's « Adresse » showed as « Adre », a description as « Droits de
   scolari », with nothing to say the text went on. When the columns are wider than the
   table, the last text columns now give up room (never below `_NARROWEST` cells, never
   a column of amounts: right-aligned cells), and a cell cut to its column ends with « … »
   (Textual's default cell drew plain strings cropped).

5. **The heap at start-up is frozen** (`gc.freeze`, once the database layer is loaded):
   the 110,000 objects of the imported modules are never garbage and no longer walked by
   every full collection. Measured with `make bench` (family first paint): a full
   collection during an opening took 100–150 ms before, about 10 ms after.

6. **A table's cells are drawn once per content** (search results, issue #17): Textual
   caches a drawn cell under the table's update counter, which every `add_row` bumps, so
   each page shown drew every visible cell again through Rich (padding, styles, cropping:
   the larger part of a keystroke's frame at home), although consecutive pages mostly
   show the same cells at the same places (« Famille », the same names one letter on).
   A cell of one line is now also kept under what it is drawn from (its text and spans,
   position, width, styles, cursor), and drawn again only when one of those changed (or
   the table was restyled).
   Likewise the fitted column widths (4.) are computed once per frame, not once per cell.
   With the search screen's own savings (screens/counter/search.py), the UI thread's CPU
   per key typed at home (50,000 families, 80×24, `python -m bench.key_cpu`) went from
   21–22 ms to 14–16 ms on average.

7. **A terminal that hangs up ends the program** even when no SIGHUP reaches it: Textual's
   input thread would read end-of-file from the dead terminal in a loop, with a whole
   processor (Textualize/textual#6690). Not a change to Textual: a watcher of the
   terminal's hang-up, screens/session/hangup.py.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from functools import lru_cache
from types import ModuleType
from typing import Any, cast

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style as RichStyle
from rich.text import Text
from textual import events
from textual._styles_cache import StylesCache
from textual._xterm_parser import XTermParser
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Region, Size
from textual.strip import Strip
from textual.style import Style
from textual.widgets import DataTable, Input
from textual.widgets import _data_table as data_table_module
from textual.widgets.data_table import Column, ColumnKey


@lru_cache(1024)
def _inner_outer(base_background: Color, background: Color) -> tuple[Style, Style]:
    # Textual's own body (textual/_styles_cache.py), without `self` in the key.
    return (
        Style(background=base_background + background),
        Style(background=base_background),
    )


def _get_inner_outer(
    self: StylesCache, base_background: Color, background: Color
) -> tuple[Style, Style]:
    return _inner_outer(base_background, background)


def _widths(table: DataTable[Any]) -> list[int]:
    return [column.content_width for column in table.columns.values()]


def _invalidating(original: Callable[..., None]) -> Callable[..., None]:
    def _update_dimensions(self: DataTable[Any], new_rows: Iterable[object]) -> None:
        before = _widths(self)
        original(self, new_rows)
        if _widths(self) != before:
            self._update_count += 1  # part of every cached cell's and line's key
            self.refresh()

    _update_dimensions.__wrapped__ = original  # type: ignore[attr-defined]
    return _update_dimensions


def _drivers_parsing_input() -> list[ModuleType]:
    """Textual's driver modules that read the terminal with `XTermParser` (this system's)."""
    import importlib

    modules = []
    for name in ("textual.drivers.linux_driver", "textual.drivers.linux_inline_driver"):
        try:
            modules.append(importlib.import_module(name))
        except ImportError:  # not on this system (termios)
            continue
    return modules


_NARROWEST = 6
"""A shrunk column keeps room for five characters and « … » (its padding besides)."""


def _shrinkable(table: DataTable[Any], key: ColumnKey) -> bool:
    """A text column: not one whose every cell is right-aligned (amounts, counts)."""
    cells = [row.get(key) for row in table._data.values()]
    aligned = [isinstance(cell, Text) and cell.justify == "right" for cell in cells]
    return not cells or not all(aligned)


def _fit(naturals: list[int], shrinkable: list[bool], available: int, floor: int) -> list[int]:
    """The widths once they fit: the last text column gives up room first (down to
    `floor`), then the one before it. The first columns hold what identifies a row (a
    receipt's number, a name, a date), the last ones its details (address, author)."""
    widths = list(naturals)
    excess = sum(widths) - available
    for index in reversed(range(len(widths))):
        if excess <= 0:
            break
        if shrinkable[index] and widths[index] > floor:
            given = min(widths[index] - floor, excess)
            widths[index] -= given
            excess -= given
    return widths


def _fitted_widths(table: DataTable[Any], natural: Callable[..., int]) -> dict[ColumnKey, int]:
    """Each column's width once the columns fit the table (cached until something changes)."""
    columns = table.ordered_columns
    available = table.scrollable_content_region.width - table._row_label_column_width
    naturals = [natural(column, table) for column in columns]
    key = (available, tuple(naturals), table.row_count, table._update_count)
    cached = table.__dict__.get("_fitted_columns")
    if cached is not None and cached[0] == key:
        return cast("dict[ColumnKey, int]", cached[1])
    widths: dict[ColumnKey, int] = {}
    if available > 0 and sum(naturals) > available:
        shrinkable = [_shrinkable(table, column.key) for column in columns]
        floor = 2 * table.cell_padding + _NARROWEST
        fitted = _fit(naturals, shrinkable, available, floor)
        widths = {column.key: width for column, width in zip(columns, fitted, strict=True)}
        for column, width, before in zip(columns, fitted, naturals, strict=True):
            if width < before and column.label.overflow is None:
                column.label.no_wrap = True  # a shortened header ends with « … » too
                column.label.overflow = "ellipsis"
    table.__dict__["_fitted_columns"] = (key, widths)
    return widths


_FRAME_WIDTHS = "_fitted_in_frame"
"""A table's attribute, set while it renders: each column's width, found once a frame."""


def _fitting(natural: Callable[..., int]) -> Callable[..., int]:
    def get_render_width(self: Column, data_table: DataTable[Any]) -> int:
        in_frame: dict[ColumnKey, int] | None = data_table.__dict__.get(_FRAME_WIDTHS)
        if in_frame is not None:
            known = in_frame.get(self.key)
            if known is not None:
                return known
        if self.key not in data_table.columns:  # the row label column
            width = natural(self, data_table)
        else:
            fitted = _fitted_widths(data_table, natural).get(self.key)
            width = natural(self, data_table) if fitted is None else fitted
        if in_frame is not None:
            in_frame[self.key] = width
        return width

    get_render_width.__wrapped__ = natural  # type: ignore[attr-defined]
    return get_render_width


def _widths_once_per_frame(original: Callable[..., list[Strip]]) -> Callable[..., list[Strip]]:
    # Nothing changes a column's width while the table renders: Textual asks for each
    # width once per cell drawn (and once per line for the row's total).
    def render_lines(self: DataTable[Any], crop: Region) -> list[Strip]:
        self.__dict__[_FRAME_WIDTHS] = {}
        try:
            return original(self, crop)
        finally:
            del self.__dict__[_FRAME_WIDTHS]

    render_lines.__wrapped__ = original  # type: ignore[attr-defined]
    return render_lines


_CELLS_BY_CONTENT = "_cells_by_content"
_CELLS_KEPT = 500
"""Cells drawn kept per table: a page of results is some 40 (a few hundred bytes each)."""


def _cell_content_key(
    table: DataTable[Any],
    row_index: int,
    column_index: int,
    base_style: RichStyle,
    width: int,
    cursor: bool,
    hover: bool,
) -> tuple[object, ...] | None:
    """Everything Textual's `_render_cell` draws a cell of one line from (8.2.8); None for
    a cell it does not describe (a row label, a taller row, anything but a `Text`)."""
    if column_index < 0:
        return None
    if row_index == -1:
        height = table.header_height
    else:
        row = table.rows.get(table._row_locations.get_key(row_index))  # type: ignore[arg-type]
        if row is None or row.auto_height:
            return None  # an auto-height row's cells are patched after drawing: not shared
        height = row.height
    if height != 1:
        return None
    _label, cells = table._get_row_renderables(row_index)
    if column_index >= len(cells):
        return None
    cell = cells[column_index]
    if type(cell) is not Text:
        return None
    return (
        row_index,  # in the cells' styles (a click's row and column), and the zebra stripe
        column_index,
        cell.plain,
        cell.style,
        tuple(cell.spans),
        cell.justify,
        cell.overflow,
        cell.no_wrap,
        cell.end,
        cell.tab_size,
        width,
        base_style,
        cursor,
        hover,
        table._show_hover_cursor,
        table._pseudo_class_state,
        table.show_cursor,
        table.cursor_foreground_priority,
        table.cursor_background_priority,
        table.fixed_rows,
        table.fixed_columns,
        table.cell_padding,
        table.app.size,
    )


def _cells_by_content(original: Callable[..., list[list[Any]]]) -> Callable[..., list[list[Any]]]:
    def _render_cell(
        self: DataTable[Any],
        row_index: int,
        column_index: int,
        base_style: RichStyle,
        width: int,
        cursor: bool = False,
        hover: bool = False,
    ) -> list[list[Any]]:
        key = _cell_content_key(self, row_index, column_index, base_style, width, cursor, hover)
        if key is None:
            return original(self, row_index, column_index, base_style, width, cursor, hover)
        kept: LRUCache[tuple[object, ...], list[list[Any]]] | None = self.__dict__.get(
            _CELLS_BY_CONTENT
        )
        if kept is None:
            kept = self.__dict__[_CELLS_BY_CONTENT] = LRUCache(_CELLS_KEPT)
        lines = kept.get(key)
        if lines is None:
            lines = original(self, row_index, column_index, base_style, width, cursor, hover)
            # Textual's own cache keeps a cell under the update counter, not its width: in
            # the frame between a resize and the table's handling of it, it hands back the
            # cell at its former width. Such a cell is not kept (it is drawn anew next time).
            if lines and Segment.get_line_length(lines[0]) == width:
                kept.set(key, lines)
        return lines

    _render_cell.__wrapped__ = original  # type: ignore[attr-defined]
    return _render_cell


def _forgetting_cells_on_restyle(original: Callable[..., None]) -> Callable[..., None]:
    # A new theme or class restyles the cursor and the header: Textual forgets its drawn
    # cells then, and so must the cells kept by content (their key holds the row's style,
    # not the cursor's).
    def notify_style_update(self: DataTable[Any]) -> None:
        original(self)
        kept = self.__dict__.get(_CELLS_BY_CONTENT)
        if kept is not None:
            kept.clear()

    notify_style_update.__wrapped__ = original  # type: ignore[attr-defined]
    return notify_style_update


def _refit_on_resize(original: Callable[..., None]) -> Callable[..., None]:
    def _on_resize(self: DataTable[Any], event: events.Resize) -> None:
        original(self, event)
        # The scrollable width follows the fitted columns (no sideways scrolling left).
        width = sum(column.get_render_width(self) for column in self.columns.values())
        self.virtual_size = Size(width + self._row_label_column_width, self.virtual_size.height)

    _on_resize.__wrapped__ = original  # type: ignore[attr-defined]
    return _on_resize


def _ellipsis_cells(original: Callable[..., RenderableType]) -> Callable[..., RenderableType]:
    def default_cell_formatter(obj: object, wrap: bool = True, height: int = 0) -> RenderableType:
        cell = original(obj, wrap, height)
        if isinstance(cell, Text) and cell.overflow is None and (cell.no_wrap or not wrap):
            cell = cell.copy()
            cell.overflow = "ellipsis"
            cell.no_wrap = True
        return cell

    default_cell_formatter.__wrapped__ = original  # type: ignore[attr-defined]
    return default_cell_formatter


def apply() -> bool:
    """Apply the fixes; False when this Textual no longer looks as expected (nothing done)."""
    from registrar_tui.screens.widgets.paste import BracketedPasteParser, paste_into_input

    current = StylesCache.__dict__.get("get_inner_outer")
    if current is _get_inner_outer:
        return True
    dimensions = DataTable.__dict__.get("_update_dimensions")
    drivers = _drivers_parsing_input()
    render_width = Column.__dict__.get("get_render_width")
    resize = DataTable.__dict__.get("_on_resize")
    formatter = getattr(data_table_module, "default_cell_formatter", None)
    render_lines = DataTable.__dict__.get("render_lines")
    render_cell = DataTable.__dict__.get("_render_cell")
    restyled = DataTable.__dict__.get("notify_style_update")
    if (
        not hasattr(current, "cache_info")
        or not callable(dimensions)
        or not callable(Input.__dict__.get("_on_paste"))
        or any(getattr(driver, "XTermParser", None) is not XTermParser for driver in drivers)
        or not callable(render_width)
        or not callable(resize)
        or not callable(formatter)
        or not callable(render_lines)
        or not callable(render_cell)
        or not callable(restyled)
        or not _renders_cells_as_expected(render_cell)
    ):
        return False  # changed upstream: leave Textual as it is
    setattr(StylesCache, "get_inner_outer", _get_inner_outer)  # noqa: B010 (typed as a cache)
    setattr(DataTable, "_update_dimensions", _invalidating(dimensions))  # noqa: B010
    setattr(Input, "_on_paste", paste_into_input)  # noqa: B010
    for driver in drivers:
        setattr(driver, "XTermParser", BracketedPasteParser)  # noqa: B010
    setattr(Column, "get_render_width", _fitting(render_width))  # noqa: B010
    setattr(DataTable, "_on_resize", _refit_on_resize(resize))  # noqa: B010
    setattr(data_table_module, "default_cell_formatter", _ellipsis_cells(formatter))  # noqa: B010
    setattr(DataTable, "render_lines", _widths_once_per_frame(render_lines))  # noqa: B010
    setattr(DataTable, "_render_cell", _cells_by_content(render_cell))  # noqa: B010
    setattr(DataTable, "notify_style_update", _forgetting_cells_on_restyle(restyled))  # noqa: B010
    return True


def _renders_cells_as_expected(render_cell: object) -> bool:
    """Textual's `_render_cell` takes what it took in 8.2.8 (what it reads besides, and
    that it draws as before, is checked by tests/screens/widgets/test_textual_fixes.py)."""
    import inspect

    if not callable(render_cell):
        return False
    parameters = list(inspect.signature(render_cell).parameters)
    return parameters == [
        "self",
        "row_index",
        "column_index",
        "base_style",
        "width",
        "cursor",
        "hover",
    ]


def freeze_startup_heap() -> None:
    """Move everything alive now out of the collector's reach (call once, after start-up).

    What is alive at this point is modules, classes and the app itself: it lives as long
    as the process. Later garbage (closed screens, finished queries) is collected as usual.
    """
    if gc.get_freeze_count() == 0:
        gc.collect()
        gc.freeze()
