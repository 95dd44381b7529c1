"""Text cut without a sign: what a screen hides of its own words (issue #13, point 8).

A person reading « Adre » or « Droits de scolari » cannot tell the word goes on. Text may
be shortened only with « … » (or scroll where a scrollbar says so). `cut_text(screen)` lists
what the screen on top hides silently: a table's cell wider than its column (unless drawn
with « … »), a column beyond the table's right edge, a line of text wider or taller than
its widget.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import DataTable, Input, Static


def _plain(value: object) -> str:
    if isinstance(value, Text | Content):
        return value.plain
    return str(value)


def _ellipsised(value: object) -> bool:
    """A cell that shows « … » where it is cut (as the table formats it for a line)."""
    from textual.widgets import _data_table

    cell = _data_table.default_cell_formatter(value, wrap=False, height=1)
    return isinstance(cell, Text) and cell.overflow == "ellipsis" and bool(cell.no_wrap)


def _table_cuts(table: DataTable[object]) -> list[str]:
    cuts: list[str] = []
    visible = table.scrollable_content_region.width
    x = 0
    rows = [(table.get_row_at(index), row.height) for index, row in enumerate(table.ordered_rows)]
    for index, column in enumerate(table.ordered_columns):
        width = column.get_render_width(table)
        header = _plain(column.label)
        if x >= visible:
            cuts.append(f"#{table.id}: column « {header} » beyond the right edge")
        elif x + width > visible:
            cuts.append(f"#{table.id}: column « {header} » cut by the right edge")
        inner = width - 2 * table.cell_padding
        values = [(column.label, 1), *((row[index], height) for row, height in rows)]
        for value, lines in values:
            text = _plain(value)
            if cell_len(text) <= inner or (lines == 1 and _ellipsised(value)):
                continue
            if lines > 1 and _wrapped_lines(value, inner) <= lines:
                continue  # a row as tall as its wrapped text
            cuts.append(f"#{table.id}: « {text} » cut to {inner} columns without « … »")
        x += width
    return cuts


def _wrapped_lines(value: object, width: int) -> int:
    text = value if isinstance(value, Text) else Text(_plain(value))
    return len(text.wrap(Console(width=max(width, 1)), max(width, 1)))


def _label(widget: Widget) -> str:
    return f"{type(widget).__name__}#{widget.id}" if widget.id else type(widget).__name__


def _static_cuts(widget: Static) -> list[str]:
    region = widget.content_region
    if region.width <= 0 or region.height <= 0:
        return []
    text = _plain(widget.render())
    if not text.strip():
        return []
    styles = widget.styles
    if styles.text_wrap == "nowrap":
        if styles.text_overflow == "ellipsis":
            wide: list[str] = []
        else:
            wide = [line for line in text.splitlines() if cell_len(line) > region.width]
        if wide:
            return [f"{_label(widget)}: « {wide[0]} » wider than {region.width} columns"]
        if len(text.splitlines()) > region.height:
            return [f"{_label(widget)}: « {text} » has more lines than {region.height}"]
        return []
    needed = widget.get_content_height(region.size, widget.app.size, region.width)
    if needed > region.height:
        return [f"{_label(widget)}: « {text} » needs {needed} lines, has {region.height}"]
    return []


def _shown(widget: Widget, screen: Screen[object]) -> bool:
    node: Widget | None = widget
    while node is not None and node is not screen:
        if not node.display or not node.visible:
            return False
        parent = node.parent
        node = parent if isinstance(parent, Widget) else None
    return widget.region.area > 0


def cut_text(screen: Screen[object]) -> list[str]:
    """What `screen` hides of its text without « … » (empty when nothing is)."""
    cuts: list[str] = []
    bounds = screen.region
    for widget in screen.walk_children(Widget):
        if not _shown(widget, screen) or isinstance(widget, Input):
            continue
        if isinstance(widget, DataTable):
            cuts.extend(_table_cuts(widget))
        elif isinstance(widget, Static) and not widget.is_scrollable:
            found = _static_cuts(widget)
            if not found and not bounds.contains_region(widget.region):
                found = [f"{_label(widget)}: partly off the screen"]
            cuts.extend(found)
    return cuts
