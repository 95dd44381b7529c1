"""Scenario 9, closing the day: the clerk counts the drawer, sees the difference, confirms.

Pilot at 80×24: what the clerk sees, what the database records, what the PDF says.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.i18n import format_money
from registrar_tui.models import AuditEvent, DayClose, DayCloseTotal
from registrar_tui.screens.counter.day_close import DayCloseScreen
from tests.conftest import fixed_clock
from tests.reports.pdftext import text_of
from tests.screens.counter.counter_fixtures import Counter, seed_counter
from tests.screens.helpers import rows, settle, shown, sign_in, type_text

Scenario = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(folder))
    monkeypatch.delenv("REGISTRAR_PRINTER_COMMAND", raising=False)
    return folder


@pytest.fixture
def counter(database: Database) -> Counter:
    return seed_counter(database)


def run(app: RegistrarApp, scenario: Scenario) -> None:
    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await app.push_screen(DayCloseScreen())
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def plain(value: str) -> str:
    """Babel's no-break spaces as plain spaces, for readable expectations."""
    return value.replace("\u00a0", " ").replace("\u202f", " ")


def text(app: RegistrarApp, selector: str) -> str:
    return plain(shown(app.screen.query_one(selector, Static)))


def closes(db: Database) -> list[dict[str, object]]:
    """The recorded day closes, as plain values."""
    with db.read() as uow:
        return [close.model_dump() for close in uow.session.exec(select(DayClose)).all()]


def test_scenario_9_count_the_drawer_and_close_the_day(
    database: Database, counter: Counter, documents: Path
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = app.screen
        assert isinstance(screen, DayCloseScreen)
        assert "Josée Lavoie" in text(app, "#day-close-title")
        table = [plain(row) for row in rows(screen.query_one("#totals", DataTable))]
        assert table[0] == "Comptant | 4 | 395,00 $ | 90,00 $ | 0,00 $ | 305,00 $"
        assert table[1] == "Carte de débit | 1 | 400,00 $ | 0,00 $ | 0,00 $ | 400,00 $"
        assert len(table) == 5
        expected = text(app, "#expected")
        assert "Total attendu : 705,00 $" in expected
        assert "Comptant attendu : 305,00 $" in expected
        assert app.focused is screen.query_one("#counted", Input)

        await type_text(pilot, "300,00")
        shortage = plain(format_money(Decimal("-5.00")))
        assert text(app, "#difference") == f"Écart : {shortage} (manque)"
        await pilot.press("enter")  # on to the note
        await type_text(pilot, "Billet de 5 manquant")
        await pilot.press("f9")
        await settle(pilot)

        status = text(app, "#day-close-status")
        assert status.startswith("Caisse fermée. Rapport enregistré : ")
        saved = Path(status.split(" : ", 1)[1])
        assert saved.is_file() and saved.is_relative_to(documents)
        assert text(app, "#difference") == f"Écart : {shortage} (manque)"
        assert screen.query_one("#counted", Input).disabled

    run(app, scenario)

    [close] = closes(database)
    assert (close["expected_cash"], close["counted_cash"]) == (Decimal("305.00"), Decimal("300.00"))
    assert close["discrepancy"] == Decimal("-5.00")
    assert close["note"] == "Billet de 5 manquant"
    assert close["clerk_id"] == counter.clerk_id
    with database.read() as uow:
        totals = {str(t.method): t.expected for t in uow.session.exec(select(DayCloseTotal)).all()}
        audited = uow.session.exec(select(AuditEvent).where(AuditEvent.action == "day.close")).all()
    assert totals["cash"] == Decimal("305.00") and totals["debit"] == Decimal("400.00")
    assert len(audited) == 1
    [report] = list((documents / "day-closes").iterdir())
    pdf = text_of(report.read_bytes())
    lines = [line.strip() for line in pdf.splitlines()]
    assert lines[lines.index("Comptant attendu") + 1] == "305,00 $"
    assert lines[lines.index("Comptant compté") + 1] == "300,00 $"
    assert lines[lines.index("Écart (manque)") + 1] == "-5,00 $"
    assert lines[lines.index("Total attendu") + 1] == "705,00 $"
    assert "Josée Lavoie" in pdf and "Billet de 5 manquant" in pdf
    assert report.read_bytes() == close["report_pdf"]


def test_closing_twice_is_refused_without_writing(
    database: Database, counter: Counter, documents: Path
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await type_text(pilot, "305")
        assert "(caisse juste)" in text(app, "#difference")
        await pilot.press("f9")
        await settle(pilot)
        assert text(app, "#day-close-status").startswith("Caisse fermée.")
        await pilot.press("f9")  # the key is spent once the close is recorded
        await settle(pilot)
        # The clerk opens the day close again: nothing happened since, same day.
        await pilot.press("escape")
        await app.push_screen(DayCloseScreen())
        await settle(pilot)
        assert "Comptant attendu : 0,00 $" in text(app, "#expected")
        await type_text(pilot, "0")
        await pilot.press("f9")
        await settle(pilot)
        assert text(app, "#day-close-status") == (
            "Cette caisse est déjà fermée : aucune opération depuis la dernière fermeture."
        )
        assert not app.screen.query_one("#counted", Input).disabled

    run(app, scenario)

    [close] = closes(database)
    assert close["counted_cash"] == Decimal("305.00") and close["discrepancy"] == 0
    assert len(list((documents / "day-closes").iterdir())) == 1


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", "« abc » n'est pas un montant. Exemple : 1 234,50"),
        ("-5", "Le montant ne peut pas être négatif."),
        ("", "Entrez un montant."),
    ],
)
def test_bad_counted_cash_is_refused_next_to_the_field(
    database: Database, counter: Counter, documents: Path, typed: str, message: str
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await type_text(pilot, typed)
        await pilot.press("f9")
        await settle(pilot)
        assert text(app, "#counted-message") == message
        assert text(app, "#difference") == ""
        assert text(app, "#day-close-status") == ""
        assert app.focused is app.screen.query_one("#counted", Input)

    run(app, scenario)

    assert closes(database) == []
    assert not documents.exists()


def test_a_card_number_in_the_note_is_refused_next_to_the_note(
    database: Database, counter: Counter, documents: Path
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await type_text(pilot, "305")
        await pilot.press("enter")
        await type_text(pilot, "carte 4111111111111111")
        await pilot.press("f9")
        await settle(pilot)
        assert "numéro complet d'une carte" in text(app, "#note-message")
        assert text(app, "#counted-message") == ""

    run(app, scenario)

    assert closes(database) == []


def test_names_that_look_like_markup_are_shown_literally(
    tmp_path: Path, database: Database, documents: Path
) -> None:
    seed_counter(database, clerk_name="[b]Josée[/b] [@click=app.quit]x\x1b[31m")
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        title = text(app, "#day-close-title")
        assert "[b]Josée[/b] [@click=app.quit]x" in title
        assert "\x1b" not in title
        assert app.is_running  # the click markup did not become an action

    run(app, scenario)


def test_f8_prints_the_saved_report_when_the_terminal_has_a_printer(
    database: Database,
    counter: Counter,
    documents: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    printed = tmp_path / "printed.pdf"
    monkeypatch.setenv("REGISTRAR_PRINTER_COMMAND", f"sh -c 'cp \"$0\" {printed}'")
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("f8")  # nothing to print before the close
        await settle(pilot)
        assert not printed.exists()
        await type_text(pilot, "305")
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)

    run(app, scenario)
    assert "Comptant attendu" in text_of(printed.read_bytes())
