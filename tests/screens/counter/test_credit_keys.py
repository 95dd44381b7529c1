"""Issue #13 point 7 at the counter, by keyboard: family credit applied from the statement
and from the invoice, credit refunded by the registrar, an invoice cancelled (a fee
waived) by a credit note with its reason; the clerk sees none of the registrar's keys."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Footer, Static
from textual.worker import WorkerCancelled

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, CreditNote, Invoice, Refund
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.counter.invoice import InvoiceScreen
from registrar_tui.services.ledger.statement import family_credit, invoice_figures
from tests.conftest import fixed_clock
from tests.screens.fixtures import REGISTRAR_PASSWORD, REGISTRAR_USERNAME, Seeded, seed
from tests.screens.helpers import shown, sign_in, type_text

D = Decimal
Scenario = Callable[[Pilot[None]], Awaitable[None]]


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(4):
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.fixture
def world(database: Database) -> Seeded:
    return seed(database)


def run(
    database: Database, scenario: Scenario, opened: Callable[[], object], *, registrar: bool
) -> None:
    app = create_app(database=database, clock=fixed_clock, language="fr_CA")

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            if registrar:
                await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)
            else:
                await sign_in(pilot)
            await app.push_screen(opened())  # type: ignore[arg-type]
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def text(screen: Widget) -> str:
    shown_text = "\n".join(shown(static) for static in screen.query(Static) if static.display)
    return shown_text.replace("\xa0", " ")


def footer_keys(screen: Widget) -> set[str]:
    return {str(key.key) for key in screen.query_one(Footer).query("FooterKey")}


def notices(pilot: Pilot[None]) -> str:
    return "\n".join(n.message for n in pilot.app._notifications).replace("\xa0", " ")


def invoice_id(database: Database, number: str) -> int:
    with database.read() as uow:
        found = uow.session.exec(select(Invoice.id).where(col(Invoice.number) == number)).one()
    assert found is not None
    return found


def balance_and_credit(database: Database, world: Seeded) -> tuple[Decimal, Decimal]:
    with database.read() as uow:
        figures = invoice_figures(uow, invoice_ids=(invoice_id(database, "FAC00000001"),))[0]
        return figures.balance, family_credit(uow, world.tremblay_id)


def test_a_clerk_pays_the_ticked_invoices_from_the_family_credit(
    database: Database, world: Seeded
) -> None:
    assert balance_and_credit(database, world) == (D("275.00"), D("25.00"))

    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        assert "c" in footer_keys(screen) and "r" not in footer_keys(screen)  # refund: registrar
        await pilot.press("c")
        await settle(pilot)
        assert "Imputer le crédit de la famille (25,00 $)" in text(pilot.app.screen)
        await pilot.press("o")
        await settle(pilot)
        assert "Crédit imputé : 25,00 $. Crédit restant : 0,00 $." in notices(pilot)
        assert "Crédit : 0,00 $" in text(screen)
        assert "c" not in footer_keys(screen)  # no credit left

    run(database, scenario, lambda: FamilyScreen(world.tremblay_id, initial_tab="billing"),
        registrar=False)  # fmt: skip
    assert balance_and_credit(database, world) == (D("250.00"), D("0.00"))
    with database.read() as uow:
        assert "credit.apply" in uow.session.exec(select(AuditEvent.action)).all()


def test_the_invoice_takes_the_family_credit_with_one_key(
    database: Database, world: Seeded
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        assert "Crédit : 25,00 $" in text(screen)
        assert "c" in footer_keys(screen) and "x" not in footer_keys(screen)  # clerk
        await pilot.press("x")  # a registrar's key: nothing happens for a clerk
        await pilot.press("c")
        await settle(pilot)
        assert "Crédit imputé : 25,00 $. Crédit restant : 0,00 $." in text(screen)
        assert "Solde : 250,00 $" in text(screen)

    run(database, scenario, lambda: InvoiceScreen(invoice_id(database, "FAC00000001")),
        registrar=False)  # fmt: skip
    assert balance_and_credit(database, world) == (D("250.00"), D("0.00"))
    with database.read() as uow:
        assert (
            uow.session.exec(
                select(CreditNote).where(col(CreditNote.number) != "AVO00000001")
            ).all()
            == []
        )


def test_a_registrar_waives_an_invoice_by_credit_note_with_a_reason(
    database: Database, world: Seeded
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        assert "x" in footer_keys(screen)
        await pilot.press("x")
        await settle(pilot)
        dialog = pilot.app.screen
        assert "Annule la facture : 350,00 $." in text(dialog)
        assert "Le montant payé (75,00 $) devient un crédit de la famille." in text(dialog)
        await pilot.press("enter")  # no reason: refused on the spot
        assert "Indiquez un motif." in text(dialog)
        await type_text(pilot, "Frais annulés : erreur de session")
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "Note de crédit NC00000001 : 350,00 $." in text(screen)
        assert "Porté au crédit de la famille : 75,00 $." in text(screen)
        assert "annulée" in text(screen) and "x" not in footer_keys(screen)

    run(database, scenario, lambda: InvoiceScreen(invoice_id(database, "FAC00000001")),
        registrar=True)  # fmt: skip
    assert balance_and_credit(database, world) == (D("0.00"), D("100.00"))
    with database.read() as uow:
        note = uow.session.exec(
            select(CreditNote).where(col(CreditNote.number) == "NC00000001")
        ).one()
        assert note.reason == "Frais annulés : erreur de session"
        assert note.invoice_id == invoice_id(database, "FAC00000001")


def test_a_registrar_refunds_the_family_credit_with_a_receipt(
    database: Database, world: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(tmp_path))

    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        assert "r" in footer_keys(screen)
        await pilot.press("r")
        await settle(pilot)
        form = pilot.app.screen
        assert "Crédit de la famille : 25,00 $" in text(form)
        await pilot.press("ctrl+s")  # no reason yet
        await settle(pilot)
        assert pilot.app.screen is form  # refused, under the reason: nothing refunded
        assert shown(form.query_one("#refund-reason-error", Static)).strip()
        await pilot.press("tab")
        await type_text(pilot, "Départ de la famille")
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "Remboursé : 25,00 $ (reçu" in notices(pilot)
        assert "r" not in footer_keys(screen)

    run(database, scenario, lambda: FamilyScreen(world.tremblay_id, initial_tab="billing"),
        registrar=True)  # fmt: skip
    with database.read() as uow:
        refund = uow.session.exec(select(Refund)).one()
        assert (refund.amount, refund.reason) == (D("25.00"), "Départ de la famille")
        assert family_credit(uow, world.tremblay_id) == D("0.00")
    assert len(list((tmp_path / "receipts").glob("*.pdf"))) == 1
