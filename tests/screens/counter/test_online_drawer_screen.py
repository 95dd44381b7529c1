"""Scenario 15, the morning after: the registrar closes the « en ligne » drawer (F4)."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select
from textual.widgets import DataTable, Input, Static

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import DayClose
from registrar_tui.screens.counter.day_close import DayCloseScreen
from tests.conftest import fixed_clock
from tests.reports.pdftext import text_of
from tests.screens.counter.online_fixtures import PORTAL_NAME, seed_online
from tests.screens.helpers import rows, settle, shown, sign_in, sign_in_registrar


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(folder))
    monkeypatch.delenv("REGISTRAR_PRINTER_COMMAND", raising=False)
    return folder


def plain(value: str) -> str:
    return value.replace("\u00a0", " ").replace("\u202f", " ")


def test_the_registrar_closes_the_online_drawer(database: Database, documents: Path) -> None:
    _counter, portal = seed_online(database)
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in_registrar(pilot)
            await app.push_screen(DayCloseScreen())
            await settle(pilot)
            await pilot.press("f4")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, DayCloseScreen)
            title = plain(shown(screen.query_one("#day-close-title", Static)))
            assert title.startswith(f"Caisse en ligne · {PORTAL_NAME} · MTL")
            table = [plain(row) for row in rows(screen.query_one("#totals", DataTable))]
            assert table == ["En ligne | 2 | 315,00 $ | 0,00 $ | 0,00 $ | 315,00 $"]
            assert screen.query_one("#counted", Input).disabled  # no cash to count
            await pilot.press("f9")
            await settle(pilot)
            status = plain(shown(screen.query_one("#day-close-status", Static)))
            assert status.startswith("Caisse fermée. Rapport enregistré : ")
            await pilot.press("escape")
            await settle(pilot)
            # Back on the registrar's own drawer, which never held the online payments.
            own = app.screen
            assert isinstance(own, DayCloseScreen)
            own_title = plain(shown(own.query_one("#day-close-title", Static)))
            assert own_title.startswith("Fermeture de caisse · Nadia Registraire")

    asyncio.run(main())

    with database.read() as uow:
        [close] = uow.session.exec(select(DayClose)).all()
        assert close.clerk_id == portal and close.counted_cash == Decimal("0.00")
    [report] = list((documents / "day-closes").iterdir())
    pdf = text_of(report.read_bytes())
    assert PORTAL_NAME in pdf and "Fermée par : Nadia Registraire" in pdf
    assert "315,00 $" in pdf


def test_a_clerk_has_no_online_drawer_key(database: Database, documents: Path) -> None:
    seed_online(database)
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await app.push_screen(DayCloseScreen())
            await settle(pilot)
            screen = app.screen
            assert "f4" not in {key for key, _b, enabled, _t in _keys(screen) if enabled}
            await pilot.press("f4")
            await settle(pilot)
            assert app.screen is screen
            title = plain(shown(screen.query_one("#day-close-title", Static)))
            assert title.startswith("Fermeture de caisse · Josée Lavoie")

    asyncio.run(main())


def _keys(screen: DayCloseScreen) -> list[tuple[str, object, bool, str]]:
    return [
        (key, binding, enabled, tooltip)
        for key, (_node, binding, enabled, tooltip) in screen.active_bindings.items()
    ]
