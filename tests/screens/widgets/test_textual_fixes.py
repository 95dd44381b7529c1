"""The Textual 8.2.8 bugs the application works around (screens/widgets/textual_fixes.py).

The table bug is shown twice: with Textual's own code it is there (when that test
fails, Textual fixed it and the workaround can go), and with the application's it is
gone. The leak is shown in test_memory.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.geometry import Region
from textual.widgets import DataTable
from textual.widgets.data_table import Column

import registrar_tui.app  # noqa: F401 (applies the fixes, as the application does)
from registrar_tui.screens.widgets.textual_fixes import apply


class _TableApp(App[None]):
    CSS = "DataTable { height: 5; }"

    def compose(self) -> ComposeResult:
        yield DataTable()


def _lines_after_a_frame_drawn_mid_update() -> list[str]:
    """A row arrives while the screen is drawn: a frame is rendered before the table's
    idle update widens its columns, then the screen settles."""
    app = _TableApp()
    lines: list[str] = []

    async def main() -> None:
        async with app.run_test(size=(60, 8)) as pilot:
            table: DataTable[Any] = app.query_one(DataTable)
            table.add_column("Enseignant")
            table.add_column("Places")
            await pilot.pause()
            table.add_row("Marie-Claude Bélanger", "16")
            table.render_lines(Region(0, 0, table.size.width, 2))  # the frame in between
            await pilot.pause()
            lines.extend(s.text for s in table.render_lines(Region(0, 0, table.size.width, 2)))

    asyncio.run(main())
    return lines


def test_with_textuals_own_code_the_row_stays_cut_to_the_old_width(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fixed = DataTable.__dict__["_update_dimensions"]
    monkeypatch.setattr(DataTable, "_update_dimensions", fixed.__wrapped__)
    _header, row = _lines_after_a_frame_drawn_mid_update()
    assert "Marie-Claude Bélanger" not in row


def test_the_row_shows_whole_and_lines_up_with_the_header() -> None:
    header, row = _lines_after_a_frame_drawn_mid_update()
    assert "Marie-Claude Bélanger" in row
    assert header.index("Places") == row.index("16")


def test_the_fixes_are_in_place() -> None:
    # False would mean Textual changed: then screens/widgets/textual_fixes.py must be looked at.
    assert apply() is True


class _NarrowTableApp(App[None]):
    """A table narrower than its columns, as the family's guardians at 80 columns."""

    CSS = "DataTable { width: 44; height: 4; scrollbar-size-horizontal: 0; }"

    def compose(self) -> ComposeResult:
        yield DataTable()


def _narrow_table_lines() -> list[str]:
    app = _NarrowTableApp()
    lines: list[str] = []

    async def main() -> None:
        async with app.run_test(size=(60, 6)) as pilot:
            table: DataTable[Any] = app.query_one(DataTable)
            table.add_columns("Nom", "Courriel", "Montant", "Adresse")
            amount = Text("1 275,00 $", justify="right")
            table.add_row(
                "Hélène Tremblay", "helene.tremblay@example.ca", amount, "4521, rue Saint-Denis"
            )
            await pilot.pause()
            await pilot.pause()
            lines.extend(s.text for s in table.render_lines(Region(0, 0, table.size.width, 2)))

    asyncio.run(main())
    return lines


def test_with_textuals_own_code_the_last_columns_are_clipped_silently(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fitted = Column.__dict__["get_render_width"]
    monkeypatch.setattr(Column, "get_render_width", fitted.__wrapped__)
    header, row = _narrow_table_lines()
    assert "Adresse" not in header  # beyond the table's right edge
    assert "…" not in row


def test_the_columns_fit_the_table_and_cut_cells_end_with_an_ellipsis() -> None:
    header, row = _narrow_table_lines()
    assert "Adres" in header and header.rstrip().endswith(("Adresse", "…"))
    assert "…" in row
    assert "1 275,00 $" in row  # an amount is never shortened
    assert len(header) <= 44 and len(row) <= 44


class _PagesApp(App[None]):
    """A results table at 80 columns, as at home: zebra stripes, a row cursor, text cut."""

    CSS = """
    DataTable { height: 8; scrollbar-size-horizontal: 0; }
    DataTable.-marked > .datatable--cursor { background: red; }
    """

    def compose(self) -> ComposeResult:
        yield DataTable(cursor_type="row", zebra_stripes=True)


_TREMBLAY = ("Famille", Text("Tremblay, Hélène", no_wrap=True), Text("F-000123 · 514 555-0101"))
_COTE = ("Élève", "Côté, 東京 Ōtani", Text("1 275,00 $", justify="right"))
_GAGNON = ("Famille", Text.assemble(("Gagnon", "bold"), ", Luc"), "F-000124")
_LONG = ("Facture", "FAC00000397", "x" * 90)
_PAGES: list[list[tuple[object, ...]]] = [
    [_TREMBLAY, _COTE, _GAGNON],
    # One letter on: the same rows, and a long detail that widens its column.
    [_TREMBLAY, _COTE, _GAGNON, _LONG],
    # The same text in the same place, styled otherwise.
    [_TREMBLAY, _COTE, ("Famille", Text.assemble("Gagnon, ", ("Luc", "bold")), "F-000124"), _LONG],
    # Back to the second page: its cells were drawn before, in the same places.
    [_TREMBLAY, _COTE, _GAGNON, _LONG],
    # A row two places down (the same stripe): a click there is on another row.
    [_GAGNON, _LONG, _TREMBLAY, _COTE],
]


def _pages_drawn(
    after_each: Callable[[], None] | None = None,
) -> list[list[list[tuple[str, str, object]]]]:
    """Each page's lines as drawn (text, style, the click's cell) after it is shown, then
    with the cursor one row down; then at another width, and with the cursor restyled."""
    app = _PagesApp()
    frames: list[list[list[tuple[str, str, object]]]] = []

    def draw(table: DataTable[Any]) -> None:
        lines = table.render_lines(Region(0, 0, table.size.width, table.size.height))
        if after_each is not None:
            after_each()
        frames.append(
            [
                [(s.text, str(s.style), s.style.meta if s.style else None) for s in line]
                for line in lines
            ]
        )

    async def main() -> None:
        async with app.run_test(size=(80, 10)) as pilot:
            table: DataTable[Any] = app.query_one(DataTable)
            table.add_column("Type", width=8)
            table.add_column("Nom", width=32)
            table.add_column("Détail")
            for page in _PAGES:
                table.clear()
                for cells in page:
                    table.add_row(*cells)
                await pilot.pause()
                draw(table)
                table.move_cursor(row=1)
                await pilot.pause()
                draw(table)
            await pilot.resize_terminal(60, 10)
            await pilot.pause()
            draw(table)
            table.add_class("-marked")  # the cursor restyled, the rows as they were
            await pilot.pause()
            draw(table)

    asyncio.run(main())
    return frames


def test_cells_kept_by_content_draw_exactly_as_textual_draws_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    kept = _pages_drawn()
    fixed = DataTable.__dict__["_render_cell"]
    monkeypatch.setattr(DataTable, "_render_cell", fixed.__wrapped__)
    assert kept == _pages_drawn()
    assert any("…" in "".join(text for text, _style, _meta in line) for line in kept[2])
    assert kept[0] != kept[2] != kept[4]  # the next page is drawn, not the one kept before


def test_a_cell_drawn_before_at_the_same_place_is_not_drawn_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from registrar_tui.screens.widgets import textual_fixes

    original = DataTable.__dict__["_render_cell"].__wrapped__
    drawn: list[tuple[int, int]] = []
    per_frame: list[int] = []

    def counted(self: DataTable[Any], row: int, column: int, *args: Any) -> Any:
        drawn.append((row, column))
        return original(self, row, column, *args)

    def frame_drawn() -> None:
        per_frame.append(len(drawn) - sum(per_frame))

    monkeypatch.setattr(DataTable, "_render_cell", textual_fixes._cells_by_content(counted))
    _pages_drawn(frame_drawn)
    first, first_cursor_down, wider, _, restyled, _, back, back_cursor_down, *_ = per_frame
    assert first == 4 * 3  # the header and three rows of three cells, each once
    assert first_cursor_down == 2 * 3  # the rows the cursor left and reached
    assert wider == 4 + 3  # the detail column is wider: its cells again, and the new row
    assert restyled == 1  # « Gagnon, Luc » styled otherwise
    # Back to the second page: each of its cells was drawn before, at the same place.
    assert back == 0 and back_cursor_down == 0
