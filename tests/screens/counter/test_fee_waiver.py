"""Issue #13 point 7 by keyboard: a registrar waives one fee of an invoice with a reason
(`w` on the highlighted line, a credit note for that line); once only, never a voluntary
contribution; the statement, the family balance and the invoice PDF show it; a clerk
has no such key."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Static

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, CreditNote, Invoice, InvoiceLine
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.counter.invoice import InvoiceScreen
from registrar_tui.screens.counter.waiver import WaiverScreen
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.ledger.statement import invoice_figures
from registrar_tui.services.records.families import family_overview
from tests.conftest import fixed_clock
from tests.reports.pdftext import text_of
from tests.screens.fixtures import REGISTRAR_PASSWORD, REGISTRAR_USERNAME, Seeded, seed
from tests.screens.helpers import rows, settle, shown, sign_in, type_text

D = Decimal
Scenario = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def world(database: Database) -> Seeded:
    return seed(database)


def run(database: Database, scenario: Scenario, opened: Callable[[], object], *,
        registrar: bool) -> None:  # fmt: skip
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


def invoice_id(database: Database) -> int:
    with database.read() as uow:
        found = uow.session.exec(
            select(Invoice.id).where(col(Invoice.number) == "FAC00000001")
        ).one()
    assert found is not None
    return found


def registration_line(database: Database) -> int:
    with database.read() as uow:
        found = uow.session.exec(
            select(InvoiceLine.id).where(
                col(InvoiceLine.invoice_id) == invoice_id(database),
                col(InvoiceLine.fee_code) == "INSC",
            )
        ).one()
    assert found is not None
    return found


def line_notes(database: Database) -> list[tuple[str, int | None, Decimal, str]]:
    with database.read() as uow:
        found = uow.session.exec(
            select(
                CreditNote.number, CreditNote.invoice_line_id, CreditNote.amount, CreditNote.reason
            ).where(col(CreditNote.invoice_line_id).is_not(None))
        ).all()
    return [(row[0], row[1], row[2], row[3]) for row in found]


def test_a_registrar_waives_the_registration_fee_once_with_a_reason(
    database: Database, world: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(tmp_path))
    with database.read() as uow:
        # The seeded world's raw payments have no ledger link: `verify` names the first.
        checked_before = verify_chains(uow)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        assert isinstance(screen, InvoiceScreen)
        assert "w" in footer_keys(screen)
        # The screen opens on the voluntary contribution: it is declined, not waived.
        await pilot.press("w")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "Une cotisation volontaire ne se renonce pas" in text(screen)
        await pilot.press("up")  # the registration fee
        await pilot.press("w")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, WaiverScreen)
        assert "INSC  Frais d'inscription  50,00 $" in text(dialog)
        assert "Une note de crédit de 50,00 $ sera émise pour ces frais." in text(dialog)
        # The refusal about the contribution line no longer stands under the dialog.
        assert "Une cotisation volontaire ne se renonce pas" not in text(screen)
        await pilot.press("enter")  # no reason: refused on the spot
        assert "Indiquez un motif." in text(dialog)
        await type_text(pilot, "Inscription offerte (fratrie)")
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        shown_text = text(screen)
        assert (
            "Frais renoncés : Frais d'inscription, note de crédit NC00000001 (50,00 $)."
            in shown_text
        )
        assert "Renoncé : 50,00 $" in shown_text and "Solde : 225,00 $" in shown_text
        lines = rows(screen.query_one("#invoice-lines", DataTable))
        assert lines[1].startswith("INSC") and lines[1].endswith("renoncés")
        # The same fee again: refused next to the key, no dialog.
        await pilot.press("w")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "Ces frais ont déjà été renoncés (note de crédit NC00000001)." in text(screen)
        await pilot.press("i")  # the invoice PDF shows the waiver
        await settle(pilot)

    run(database, scenario, lambda: InvoiceScreen(invoice_id(database)), registrar=True)

    assert line_notes(database) == [
        ("NC00000001", registration_line(database), D("50.00"), "Inscription offerte (fratrie)")
    ]
    with database.read() as uow:
        figures = invoice_figures(uow, invoice_ids=(invoice_id(database),))[0]
        overview = family_overview(uow, world.tremblay_id)
        after = uow.session.exec(
            select(AuditEvent.after_json).where(col(AuditEvent.action) == "fee.waive")
        ).one()
        report = verify_chains(uow)
    assert (figures.balance, figures.is_cancelled) == (D("225.00"), False)
    assert (overview.balance, overview.credit) == (D("225.00"), D("25.00"))
    assert json.loads(after)["credit_note"] == "NC00000001"
    # The credit note is linked in the ledger chain: one more record, nothing else broken.
    assert report.breaks == checked_before.breaks
    assert report.ledger_records_checked == checked_before.ledger_records_checked + 1
    (pdf,) = (tmp_path / "invoices").glob("*.pdf")
    pdf_text = text_of(pdf.read_bytes()).replace("\xa0", " ")
    assert "Frais renoncés — note de crédit NC00000001" in pdf_text
    assert "Inscription offerte (fratrie)" in pdf_text
    assert "-50,00 $" in pdf_text or "−50,00 $" in pdf_text
    assert "225,00 $" in pdf_text


def test_the_statement_shows_the_fee_waived(database: Database, world: Seeded) -> None:
    from registrar_tui.services.ledger.waivers import waive_fee

    with database.write() as uow:
        waive_fee(uow, registration_line(database), "Retard excusé", world.registrar_id)

    async def scenario(pilot: Pilot[None]) -> None:
        table = pilot.app.screen.query_one("#statement-table", DataTable)
        shown_rows = "\n".join(rows(table)).replace("\xa0", " ")
        assert "50,00 $ renoncés · Session AUT-2026" in shown_rows
        assert "225,00 $" in shown_rows

    run(database, scenario, lambda: FamilyScreen(world.tremblay_id, initial_tab="billing"),
        registrar=False)  # fmt: skip


def test_a_clerk_has_no_waiver_key(database: Database, world: Seeded) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        assert "w" not in footer_keys(screen) and "d" in footer_keys(screen)
        await pilot.press("up")
        await pilot.press("w")  # a registrar's key: nothing happens for a clerk
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "Solde : 275,00 $" in text(screen)

    run(database, scenario, lambda: InvoiceScreen(invoice_id(database)), registrar=False)
    assert line_notes(database) == []
