"""The Textual 8.2.8 bugs the application works around (screens/widgets/textual_fixes.py).

The table bug is shown twice: with Textual's own code it is there (when that test
fails, Textual fixed it and the workaround can go), and with the application's it is
gone. The leak is shown in test_memory.py.
"""

from __future__ import annotations

import asyncio
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
