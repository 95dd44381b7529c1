"""Only the cells that changed go to the terminal: fewer bytes per key over SSH.

Textual repaints whole widgets: a letter typed in the search box re-sent its three lines
(borders included, three bytes a cell), every row of the results table even when the
page had not changed, and each blink of the box's cursor re-sent the box (about 1.5 KB a
second on an idle screen). `make bench` (bench/bench_terminal.py) measured over SSH
4 KB per keystroke (p50; p95 5.2 KB) before, 71 B after (p95 1.8 KB: the first letter of
a word fills the results table), and 1,525 then 78 bytes a second on an idle screen.

`ChangedCellsApp` keeps a copy of what the terminal shows (a character and a style per
cell) and turns each partial update into the runs of cells that differ from it, each
drawn after a cursor move. What is drawn is unchanged: the same cells, with the same
styles, end up on the screen. A full update (first frame, resize, another screen, after
the app was suspended) is written whole and becomes the new copy; an update that holds
control codes is written whole too, and its cells are forgotten (compared no more until
the next full update writes them). Inline mode (no alternate screen) is left as Textual
draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rich.cells import get_character_cell_size
from rich.control import Control
from rich.segment import Segment
from rich.style import Style
from textual._compositor import ChopsUpdate, CompositorUpdate, LayoutUpdate
from textual.app import App
from textual.strip import Strip

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult
    from textual.screen import Screen

Cell = tuple[str, "Style | None"]
"""What a terminal cell shows: its character ("" for the right half of a wide one)."""

MERGED_GAP = 4
"""Two changed runs this close are drawn as one: a cursor move costs as much."""


@lru_cache(4096)
def _drawn(style: Style) -> Style:
    """The style without its meta (which cell of which table: for the mouse), which
    draws nothing: cells that look the same compare equal and share one colour code."""
    return style.clear_meta_and_links() if style.link is None else style


def cells_of(strip: Strip) -> list[Cell] | None:
    """The cells a strip draws, one per terminal column; None when it holds control codes
    (or starts with a zero-width character): such a strip is written as it is."""
    cells: list[Cell] = []
    append = cells.append
    for text, segment_style, control in strip:
        if control:
            return None
        style = None if segment_style is None else _drawn(segment_style)
        if text.isascii() and text.isprintable():
            cells.extend([(char, style) for char in text])
            continue
        for char in text:
            width = get_character_cell_size(char)
            if width == 1:
                append((char, style))
            elif width == 2:
                append((char, style))
                append(("", style))
            elif cells:
                previous, previous_style = cells[-1]
                cells[-1] = (previous + char, previous_style)
            else:
                return None
    return cells


def _render(cells: list[Cell], console: Console) -> str:
    """Terminal sequences drawing `cells` from the cursor on."""
    segments: list[Segment] = []
    text: list[str] = []
    current: Style | None = cells[0][1]
    for char, style in cells:
        if style != current:
            segments.append(Segment("".join(text), current))
            text, current = [], style
        text.append(char)
    segments.append(Segment("".join(text), current))
    return Strip(segments).render(console)


class ScreenCopy:
    """The cells the terminal shows, as far as they are known (None: unknown)."""

    def __init__(self) -> None:
        self.lines: dict[int, list[Cell | None]] = {}

    def forget(self) -> None:
        self.lines.clear()

    def store(self, y: int, x: int, cells: Sequence[Cell | None]) -> None:
        line = self.lines.setdefault(y, [])
        if len(line) < x + len(cells):
            line.extend([None] * (x + len(cells) - len(line)))
        line[x : x + len(cells)] = cells

    def changed_runs(self, y: int, x: int, cells: list[Cell]) -> list[tuple[int, int]]:
        """The [start, end) offsets in `cells` (drawn from column x) that differ from
        the terminal, close runs merged, never cutting a wide character in two."""
        line = self.lines.get(y, [])
        known = line[x : x + len(cells)]
        if known == cells:
            return []  # the common case (a border, a row that did not change): one C loop
        runs: list[tuple[int, int]] = []
        start = -1
        for index, cell in enumerate(cells):
            same = index < len(known) and known[index] == cell
            if not same and start < 0:
                start = index
            elif same and start >= 0:
                runs.append((start, index))
                start = -1
        if start >= 0:
            runs.append((start, len(cells)))
        merged: list[tuple[int, int]] = []
        for start, end in runs:
            if start > 0 and (cells[start][0] == "" or _is_half(known, start)):
                start -= 1  # the whole wide character, new or old
            if end < len(cells) and (cells[end][0] == "" or _is_half(known, end)):
                end += 1
            if merged and start - merged[-1][1] <= MERGED_GAP:
                merged[-1] = (merged[-1][0], end)
            else:
                merged.append((start, end))
        return merged


def _is_half(known: list[Cell | None], index: int) -> bool:
    cell = known[index] if index < len(known) else None
    return cell is not None and cell[0] == ""


class ChangedCells(CompositorUpdate):
    """A partial update reduced to the cells the terminal does not show yet."""

    def __init__(self, update: ChopsUpdate, copy: ScreenCopy) -> None:
        self.update = update
        self.copy = copy

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.update.__rich_console__(console, options)

    def render_segments(self, console: Console) -> str:
        try:
            return self._changed(console)
        except BaseException:
            self.copy.forget()  # some cells were noted as drawn, and nothing will be
            raise

    def _changed(self, console: Console) -> str:
        update, copy = self.update, self.copy
        move_to = Control.move_to
        sequences: list[str] = []
        append = sequences.append
        for y, x1, x2 in update.spans:
            for end, (x, strip) in zip(update.chop_ends[y], update.chops[y].items(), strict=False):
                if strip is None or x > x2 or end <= x1:
                    continue
                # As Textual's own ChopsUpdate: from the chop's start, cut at the span's end.
                if end > x2:
                    strip = strip.crop(0, x2 - x)
                cells = cells_of(strip)
                if cells is None:
                    append(move_to(x, y).segment.text)
                    append(strip.render(console))
                    copy.store(y, x, [None] * strip.cell_length)
                    continue
                for start, stop in copy.changed_runs(y, x, cells):
                    append(move_to(x + start, y).segment.text)
                    append(_render(cells[start:stop], console))
                copy.store(y, x, cells)
        return "".join(sequences)


class FullFrame(CompositorUpdate):
    """A full update, written as Textual writes it; its cells become the copy."""

    def __init__(self, update: LayoutUpdate, copy: ScreenCopy) -> None:
        self.update = update
        self.copy = copy

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield from self.update.__rich_console__(console, options)

    def render_segments(self, console: Console) -> str:
        copy = self.copy
        copy.forget()
        x = self.update.region.x
        for y, line in enumerate(self.update.strips, self.update.region.y):
            cells: list[Cell] | None = []
            for strip in line:
                more = cells_of(strip) if strip is not None and cells is not None else None
                cells = None if more is None or cells is None else cells + more
            if cells is not None:
                copy.store(y, x, cells)
        try:
            return self.update.render_segments(console)
        except BaseException:
            copy.forget()
            raise


class ChangedCellsApp(App[None]):
    """An app that sends the terminal only the cells that changed (see the module doc)."""

    def __init__(self) -> None:
        super().__init__()
        self._screen_copy = ScreenCopy()
        self._copied_driver: object | None = None

    def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
        driver = self._driver
        if driver is None or driver.is_inline or not isinstance(renderable, CompositorUpdate):
            super()._display(screen, renderable)
            return
        copy = self._screen_copy
        if driver is not self._copied_driver:
            # A new terminal: nothing known. After a suspension (a program ran in the
            # terminal) the same driver comes back: forgotten then too.
            copy.forget()
            self._copied_driver = driver
            self.app_suspend_signal.subscribe(self, lambda _app: copy.forget(), immediate=True)
        if isinstance(renderable, LayoutUpdate):
            renderable = FullFrame(renderable, copy)
        elif isinstance(renderable, ChopsUpdate):
            renderable = ChangedCells(renderable, copy)
        super()._display(screen, renderable)
