"""Scenario 5 at the counter: the registrar voids a wrong payment from the family's receipts.

The receipt number stays used, the receipt reprints marked ANNULÉ, the balances come
back (header, statement, database), and a clerk has no `v` (the service refuses anyway).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import PaymentVoid, Receipt
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.payment.void import VoidPaymentScreen
from registrar_tui.services.core.errors import PermissionDenied
from registrar_tui.services.ledger.statement import statement
from registrar_tui.services.ledger.voids import void_payment
from tests.conftest import fixed_clock
from tests.reports.pdftext import text_of
from tests.screens.helpers import rows, search_for, settle, shown, sign_in, sign_in_registrar
from tests.screens.payment.void_fixtures import seed_void

Scenario = Callable[[Pilot[None]], Awaitable[None]]
REASON = "Mauvaise famille"


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(folder))
    monkeypatch.delenv("REGISTRAR_PRINTER_COMMAND", raising=False)
    return folder


def run(app: RegistrarApp, scenario: Scenario, *, registrar: bool = True) -> None:
    """Sign in, find the Tremblays by their number, open them, show tab 5 (Reçus)."""

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await (sign_in_registrar(pilot) if registrar else sign_in(pilot))
            await search_for(pilot, "F0000001")
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, FamilyScreen)
            await pilot.press("5")
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def plain(value: str) -> str:
    return value.replace("\u00a0", " ").replace("\u202f", " ")


def text(app: RegistrarApp, selector: str) -> str:
    return plain(shown(app.screen.query_one(selector, Static)))


def receipts(app: RegistrarApp) -> list[list[str]]:
    table = app.screen.query_one("#receipts-table", DataTable)
    return [plain(row).split(" | ") for row in rows(table)]


def due(db: Database, family_id: int) -> tuple[Decimal, Decimal]:
    with db.read() as uow:
        found = statement(uow, family_id)
    return found.total_due, found.credit


def shows_void_key(app: RegistrarApp) -> bool:
    return any(
        active.binding.action == "void" and active.enabled
        for active in app.screen.active_bindings.values()
    )


def test_scenario_5_the_registrar_voids_a_wrong_payment(
    database: Database, documents: Path
) -> None:
    world = seed_void(database)
    app = create_app(database=database, clock=fixed_clock)
    assert due(database, world.seeded.tremblay_id) == (Decimal("175.00"), Decimal("25.00"))

    async def scenario(pilot: Pilot[None]) -> None:
        assert "Solde : 175,00 $" in text(app, "#family-balance")
        newest = receipts(app)[0]
        assert newest[0] == world.receipt_number and newest[4] == ""
        assert shows_void_key(app)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, VoidPaymentScreen)
        assert world.receipt_number in text(app, "#void-title")
        await pilot.press("enter")  # no reason yet: refused next to the box
        await settle(pilot)
        assert text(app, "#void-reason-error") == "Indiquez un motif."
        await pilot.press(*REASON)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        assert text(app, "#receipts-result") == f"Paiement du reçu {world.receipt_number} annulé."
        voided = receipts(app)[0]
        assert voided[0] == world.receipt_number  # the number stays used
        assert voided[4] == f"ANNULÉ — {REASON}"
        assert "Solde : 275,00 $" in text(app, "#family-balance")
        assert "Crédit : 25,00 $" in text(app, "#family-balance")
        assert not shows_void_key(app)  # already voided: `v` is dimmed
        await pilot.press("r")  # reprint: the ANNULÉ copy
        await settle(pilot)
        result = text(app, "#receipts-result")
        assert " enregistré : " in result, result
        pdf = text_of(Path(result.split(" enregistré : ", 1)[1]).read_bytes())
        assert "ANNULÉ" in pdf and REASON in pdf and world.receipt_number in pdf
        await pilot.press("3")
        await settle(pilot)
        statement_rows = rows(app.screen.query_one("#statement-table", DataTable))
        assert any("FAC00000001" in row and "275,00" in plain(row) for row in statement_rows)

    run(app, scenario)
    assert due(database, world.seeded.tremblay_id) == (Decimal("275.00"), Decimal("25.00"))
    with database.read() as uow:
        [void] = uow.session.exec(
            select(PaymentVoid).where(col(PaymentVoid.payment_id) == world.payment_id)
        ).all()
        assert (void.reason, void.voided_by_id, void.override_reason) == (
            REASON,
            world.seeded.registrar_id,
            "",
        )
        numbers = uow.session.exec(
            select(Receipt.number).where(col(Receipt.payment_id) == world.payment_id)
        ).all()
    assert list(numbers) == [world.receipt_number]


def test_a_payment_in_a_closed_drawer_needs_an_override_reason(
    database: Database, documents: Path
) -> None:
    world = seed_void(database, closed=True)
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("v")
        await settle(pilot)
        await pilot.press(*"Erreur")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, VoidPaymentScreen)
        assert app.screen.query_one("#override_reason-row").display
        assert text(app, "#void-override-reason-error").startswith(
            "Ce paiement fait partie d'une caisse déjà fermée"
        )
        await pilot.press(*"Caisse refaite")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        assert receipts(app)[0][4] == "ANNULÉ — Erreur"

    run(app, scenario)
    with database.read() as uow:
        [void] = uow.session.exec(
            select(PaymentVoid).where(col(PaymentVoid.payment_id) == world.payment_id)
        ).all()
        assert (void.reason, void.override_reason) == ("Erreur", "Caisse refaite")


def test_a_clerk_sees_no_void_key_and_the_service_refuses_a_clerk(
    database: Database, documents: Path
) -> None:
    world = seed_void(database)
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        assert receipts(app)[0][0] == world.receipt_number
        assert not shows_void_key(app)
        await pilot.press("v")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)

    run(app, scenario, registrar=False)
    with database.write() as uow, pytest.raises(PermissionDenied):
        void_payment(uow, world.payment_id, "Erreur", world.seeded.clerk_id)
    with database.read() as uow:
        voids = uow.session.exec(
            select(PaymentVoid.id).where(col(PaymentVoid.payment_id) == world.payment_id)
        ).all()
    assert voids == []
    assert due(database, world.seeded.tremblay_id) == (Decimal("175.00"), Decimal("25.00"))


def test_a_reason_pasted_too_long_is_refused_under_the_box(
    database: Database, documents: Path
) -> None:
    """A paste is refused in the box's own error line, the typed reason kept; then voided."""
    from tests.screens.helpers import paste

    world = seed_void(database)
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("v")
        await settle(pilot)
        await pilot.press(*REASON)
        await paste(pilot, "x" * 500)
        assert text(app, "#void-reason-error") == "Texte collé refusé : au plus 500 caractères."
        assert app.screen.query_one("#void-reason-error").display
        await paste(pilot, " \x1b[2J(doublon)")
        assert text(app, "#void-reason-error") == ""
        assert not app.screen.query_one("#void-reason-error").display
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)

    run(app, scenario)
    with database.read() as uow:
        [voided] = uow.session.exec(
            select(PaymentVoid).where(col(PaymentVoid.payment_id) == world.payment_id)
        ).all()
        assert voided.reason == f"{REASON} (doublon)"  # the pasted space kept, in order
