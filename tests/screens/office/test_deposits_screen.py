"""Scenario 17, to the bank: the registrar counts the cash, prepares the deposit, prints
its slip and records it as made. Pilot at 80×24."""

from __future__ import annotations

import asyncio
import stat
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Deposit, DepositItem, DepositStatus
from registrar_tui.screens.office.deposits import DepositScreen
from registrar_tui.services.ledger.deposits import depositable, prepare_deposit
from tests.conftest import fixed_clock
from tests.reports.pdftext import text_of
from tests.screens.helpers import rows, settle, shown, sign_in_registrar, type_text
from tests.screens.office.deposit_fixtures import seed_deposits
from tests.services.ledger_data import D, School

Scenario = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(folder))
    return folder


@pytest.fixture
def printed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A printer command that copies the PDF it is given to `printed.pdf`."""
    target = tmp_path / "printed.pdf"
    script = tmp_path / "fake-lp"
    script.write_text(f'#!/bin/sh\ncp "$1" "{target}"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("REGISTRAR_PRINTER_COMMAND", str(script))
    return target


@pytest.fixture
def school(database: Database) -> School:
    return seed_deposits(database)


def run(app: RegistrarApp, scenario: Scenario) -> None:
    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in_registrar(pilot)
            await app.push_screen(DepositScreen())
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def plain(value: str) -> str:
    return value.replace("\u00a0", " ").replace("\u202f", " ")


def text(app: RegistrarApp, selector: str) -> str:
    return plain(shown(app.screen.query_one(selector, Static)))


def test_scenario_17_prepare_print_and_make_a_deposit(
    database: Database, school: School, documents: Path, printed: Path
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = app.screen
        assert isinstance(screen, DepositScreen)
        assert "MTL" in text(app, "#deposit-title")
        assert text(app, "#deposit-totals") == (
            "4 paiements · Comptant : 340,00 $ · Chèques : 350,00 $ · Total : 690,00 $"
        )
        table = [plain(row) for row in rows(screen.query_one("#deposit-lines", DataTable))]
        assert len(table) == 4
        assert table[2].startswith("MTL-2026-000003 | Famille Tremblay | Chèque | 000123")

        # The focus starts on the hundreds: three of them, then one twenty (short by 20).
        await type_text(pilot, "3")
        await pilot.press("enter", "enter")  # 50 $: none
        await type_text(pilot, "1")
        assert text(app, "#deposit-counted") == "Compté : 320,00 $ · écart de -20,00 $"
        await pilot.press("f9")
        await settle(pilot)
        assert "ne correspond pas au comptant à déposer (340,00 $)" in text(app, "#deposit-status")
        await pilot.press("backspace")
        await type_text(pilot, "2")
        assert text(app, "#deposit-counted") == "Compté : 340,00 $ · le compte est juste"

        await pilot.press("f9")
        await settle(pilot)
        status = text(app, "#deposit-status")
        assert status.startswith("Dépôt MTL-DEP-0001 préparé. Bordereau enregistré : ")
        assert "MTL-DEP-0001" in text(app, "#deposit-title")

        await pilot.press("f8")
        await settle(pilot)
        assert text(app, "#deposit-status") == "Bordereau envoyé à l'imprimante."
        assert "PRÉPARÉ — PAS ENCORE DÉPOSÉ" in text_of(printed.read_bytes())

        await pilot.press("f4")
        await settle(pilot)
        assert text(app, "#deposit-status").startswith(
            "Dépôt MTL-DEP-0001 fait : il est verrouillé."
        )
        await pilot.press("f9")  # spent: a deposit is prepared once on this screen
        await settle(pilot)

    run(app, scenario)

    with database.read() as uow:
        [deposit] = [(d.status, d.cash_total) for d in uow.session.exec(select(Deposit)).all()]
        items = uow.session.exec(select(DepositItem)).all()
        actions = uow.session.exec(
            select(AuditEvent.action).where(AuditEvent.entity_type == "deposit")
        ).all()
    assert deposit == (DepositStatus.MADE, 340)
    assert len(items) == 4
    assert actions == ["deposit.prepare", "deposit.make"]
    slips = sorted(path.name for path in (documents / "deposits").iterdir())
    assert slips == ["MTL-DEP-0001-prepare.pdf", "MTL-DEP-0001.pdf"]
    final = text_of((documents / "deposits" / "MTL-DEP-0001.pdf").read_bytes())
    assert "PAS ENCORE DÉPOSÉ" not in final
    assert "000123" in final and "987 (certifié)" in final and "690,00 $" in final


def test_a_deposit_prepared_earlier_is_printed_then_abandoned(
    database: Database, school: School, documents: Path, printed: Path
) -> None:
    with database.read() as uow:
        seen = depositable(uow, school.registrar_id, school.montreal_id).payment_ids
    with database.write() as uow:
        prepare_deposit(
            uow, school.admin_id, school.montreal_id, seen, {D("100.00"): 3, D("20.00"): 2}
        )
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        assert "MTL-DEP-0001" in text(app, "#deposit-title")
        assert text(app, "#deposit-status") == (
            "Dépôt MTL-DEP-0001 préparé, pas encore fait (F4 ou D : déposé, F6 ou A : abandonner)."
        )
        assert text(app, "#deposit-counted") == "Compté : 340,00 $ · 3 × 100,00 $, 2 × 20,00 $"
        await pilot.press("f8")
        await settle(pilot)
        assert text(app, "#deposit-status") == "Bordereau envoyé à l'imprimante."
        assert "MTL-DEP-0001" in text_of(printed.read_bytes())

        await pilot.press("f6")
        await settle(pilot)
        assert text(app, "#deposit-status") == "Dépôt MTL-DEP-0001 abandonné."
        assert "MTL-DEP-0001" not in text(app, "#deposit-title")
        assert text(app, "#deposit-totals").startswith("4 paiements · Comptant : 340,00 $")
        # The count stays typed: the same cash, counted again only if it changed.
        assert text(app, "#deposit-counted") == "Compté : 340,00 $ · le compte est juste"

    run(app, scenario)

    with database.read() as uow:
        statuses = uow.session.exec(select(Deposit.status)).all()
        items = uow.session.exec(select(DepositItem)).all()
    assert statuses == [DepositStatus.ABANDONED] and items == []
    assert [path.name for path in (documents / "deposits").iterdir()] == [
        "MTL-DEP-0001-prepare.pdf"
    ]


def test_another_registrar_took_the_payments_first(
    database: Database, school: School, documents: Path
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await type_text(pilot, "3")
        await pilot.press("enter", "enter")
        await type_text(pilot, "2")
        # Meanwhile, at another terminal, the admin prepares the same deposit.
        with database.read() as uow:
            seen = depositable(uow, school.admin_id, school.montreal_id).payment_ids
        with database.write() as uow:
            prepare_deposit(
                uow, school.admin_id, school.montreal_id, seen, {D("100.00"): 3, D("20.00"): 2}
            )
        await pilot.press("f9")
        await settle(pilot)
        assert text(app, "#deposit-status").startswith(
            "Un paiement n'est plus à déposer (déjà dans un autre dépôt"
        )
        # Reloaded: the admin's prepared deposit opens, to make or abandon.
        assert "MTL-DEP-0001" in text(app, "#deposit-title")

    run(app, scenario)

    with database.read() as uow:
        assert len(uow.session.exec(select(Deposit)).all()) == 1


def test_a_short_drawer_deposits_the_cash_counted(database: Database, documents: Path) -> None:
    """The clerk counted 335 $ for 340 $: the list says so, the count typed is 335 $."""
    seed_deposits(database, counted=D("335.00"))
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        shortage = [plain(row) for row in rows(app.screen.query_one(DataTable)) if "Manque" in row]
        assert len(shortage) == 1
        assert "Fermeture de caisse | Clerk Test | Manque" in shortage[0]
        assert "-5,00 $" in shortage[0]
        assert text(app, "#deposit-totals").startswith("4 paiements · Comptant : 335,00 $")
        # Tab and Enter go from count to count; the total follows each key.
        await type_text(pilot, "3")
        await pilot.press("tab", "tab")
        await type_text(pilot, "1")
        await pilot.press("enter")
        await type_text(pilot, "1")
        await pilot.press("enter")
        await type_text(pilot, "1")
        await settle(pilot)
        assert text(app, "#deposit-counted") == "Compté : 335,00 $ · le compte est juste"
        await pilot.press("f9")
        await settle(pilot)
        assert "préparé" in text(app, "#deposit-status")

    run(app, scenario)

    with database.read() as uow:
        deposit = uow.session.exec(select(Deposit)).one()
        assert deposit.cash_total == D("335.00")
