"""Pilot tests of the statement of account and the invoice detail (scenarios 1, 2 and 3).

A signed-in clerk, then the harness screen (header, tabs, `StatementView`, footer) at
80×24: what the clerk sees, what the database holds, what the PDFs say.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static
from textual.worker import WorkerCancelled

import registrar_tui.screens.payment.screen as payment_module
from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import (
    AuditEvent,
    ContributionChoice,
    Family,
    InvoiceLine,
    LedgerLink,
)
from registrar_tui.models.base import PaymentMethod, require_id
from registrar_tui.screens.counter.invoice import InvoiceScreen
from registrar_tui.screens.counter.statement import PAGE_SIZE, StatementView
from registrar_tui.screens.widgets.base import AppModalScreen
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.ledger.declines import declined_lines
from registrar_tui.services.ledger.payments import PaymentRequest, post_payment
from tests.conftest import fixed_clock
from tests.reports.pdftext import text_of
from tests.screens.counter.statement_fixtures import (
    BIG_FAMILY_INVOICES,
    ESCAPE_LAST_NAME,
    MARKUP_DESCRIPTION,
    MARKUP_FIRST_NAME,
    StatementHarness,
    StatementWorld,
    seed_statement,
)
from tests.screens.helpers import rows, shown, sign_in
from tests.screens.helpers import settle as settle_once

Scenario = Callable[[Pilot[None]], Awaitable[None]]


async def settle(pilot: Pilot[None]) -> None:
    """`helpers.settle`, tolerating an exclusive worker replaced by a newer one (a reload
    started while the previous load was still running: the older one is cancelled)."""
    for _ in range(5):
        try:
            await settle_once(pilot)
        except WorkerCancelled:
            continue
        return
    await settle_once(pilot)


@pytest.fixture
def world(database: Database) -> StatementWorld:
    return seed_statement(database)


def run(database: Database, family_id: int, scenario: Scenario) -> RegistrarApp:
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await app.push_screen(StatementHarness(family_id))
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())
    return app


def plain(text: str) -> str:
    """Babel's no-break spaces (in amounts) as plain spaces, for readable `in` checks."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def table(pilot: Pilot[None]) -> DataTable[object]:
    return pilot.app.screen.query_one("#statement-table", DataTable)


def totals(pilot: Pilot[None]) -> str:
    return plain(shown(pilot.app.screen.query_one("#statement-totals", Static)))


def status(pilot: Pilot[None]) -> str:
    return plain(shown(pilot.app.screen.query_one("#statement-status", Static)))


def view(pilot: Pilot[None]) -> StatementView:
    return pilot.app.screen.query_one(StatementView)


def notices(pilot: Pilot[None]) -> list[str]:
    return [str(notification.message) for notification in pilot.app._notifications]


def test_unpaid_invoices_come_preselected_oldest_first_and_space_toggles(
    database: Database, world: StatementWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        shown_rows = rows(table(pilot))
        assert [row.split(" | ")[2] for row in shown_rows] == [
            "FAC00000101",
            "FAC00000102",
            "FAC00000103",
        ]
        marks = [row.split(" | ")[0].strip() for row in shown_rows]
        assert marks == ["", "✓", "✓"]  # the paid invoice cannot be selected
        assert "payée" in shown_rows[0] and "en retard" in shown_rows[1]
        assert "350,00" in shown_rows[2] and "Léa Gagnon" in shown_rows[2]
        assert "Solde dû : 470,00 $" in totals(pilot)
        assert "En retard : 120,00 $" in totals(pilot)
        assert "2 cochées" in status(pilot)

        await pilot.press("space")  # on the paid invoice: refused, nothing ticked
        await settle(pilot)
        assert rows(table(pilot))[0].split(" | ")[0].strip() == ""
        assert any("rien à payer" in text for text in notices(pilot))

        await pilot.press("down", "space")  # untick the overdue invoice
        await settle(pilot)
        assert rows(table(pilot))[1].split(" | ")[0].strip() == ""
        assert "1 cochée" in status(pilot) and "1 cochées" not in status(pilot)
        assert view(pilot).selected_invoice_ids() == (world.open_invoice_id,)

        table(pilot).move_cursor(row=1)
        await pilot.press("space")  # and tick it again
        await settle(pilot)
        assert view(pilot).selected_invoice_ids() == (
            world.overdue_invoice_id,
            world.open_invoice_id,
        )

    run(database, world.gagnon_id, scenario)


class FakePaymentScreen(AppModalScreen):
    """Stands for the payment modal: records what it was opened with."""

    opened: ClassVar[list[tuple[int, tuple[int, ...]]]] = []

    def __init__(self, family_id: int, invoice_ids: tuple[int, ...], **_: object) -> None:
        super().__init__()
        FakePaymentScreen.opened.append((family_id, tuple(invoice_ids)))


def test_f9_pays_the_selection_oldest_due_first_then_reloads(
    database: Database, world: StatementWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(payment_module, "PaymentScreen", FakePaymentScreen)
    FakePaymentScreen.opened = []

    async def scenario(pilot: Pilot[None]) -> None:
        harness = pilot.app.screen
        assert isinstance(harness, StatementHarness)
        loads = harness.changes
        await pilot.press("f9")
        await settle(pilot)
        assert isinstance(pilot.app.screen, FakePaymentScreen)
        assert FakePaymentScreen.opened == [
            (world.gagnon_id, (world.overdue_invoice_id, world.open_invoice_id))
        ]
        pilot.app.screen.dismiss(None)
        await settle(pilot)
        assert pilot.app.screen is harness
        assert harness.changes == loads + 1  # the statement was read again

    run(database, world.gagnon_id, scenario)


def test_f9_on_a_family_that_owes_nothing_says_so(
    database: Database, world: StatementWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing left to pay: F9 says so (not « tick an invoice », there is none to tick)
    and opens no payment form; with something owed but nothing ticked, it asks to tick."""
    monkeypatch.setattr(payment_module, "PaymentScreen", FakePaymentScreen)
    FakePaymentScreen.opened = []

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("down", "space", "space")  # both unpaid invoices unticked
        await pilot.press("f9")
        await settle(pilot)
        assert notices(pilot)[-1] == "Aucune facture cochée : cochez-en avec la barre d'espace."
        with database.write() as uow:  # another counter is paid everything meanwhile
            family = uow.session.get_one(Family, world.gagnon_id)
            post_payment(
                uow,
                PaymentRequest(
                    idempotency_key="everything-owed",
                    family_id=world.gagnon_id,
                    establishment_id=family.establishment_id,
                    clerk_id=world.clerk_id,
                    amount=Decimal("470.00"),
                    method=PaymentMethod.CASH,
                    seen_balance=Decimal("470.00"),
                ),
            )
        view(pilot).reload()
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert notices(pilot)[-1] == "Rien à payer : cette famille ne doit rien."
        assert FakePaymentScreen.opened == []

    run(database, world.gagnon_id, scenario)


def _audit_actions(database: Database, line_id: int) -> list[str]:
    with database.read() as uow:
        return list(
            uow.session.exec(
                select(AuditEvent.action)
                .where(AuditEvent.entity_type == "invoice_line", AuditEvent.entity_id == line_id)
                .order_by(col(AuditEvent.id))
            ).all()
        )


def _declined(database: Database, line_id: int) -> bool:
    with database.read() as uow:
        line = uow.session.get(InvoiceLine, line_id)
        assert line is not None
        return line_id in declined_lines(uow, [line.invoice_id])


def test_declined_contribution_drops_the_balance_and_can_be_restored(
    database: Database, world: StatementWorld
) -> None:
    """Scenario 2: decline the 25 $ foundation line in the detail; the statement follows."""

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, InvoiceScreen)
        # One date style on the screen: the due date as the dates below it (2026-12-15).
        assert "échéance 2026-12-15" in shown(screen.query_one("#invoice-title", Static))
        lines = rows(screen.query_one("#invoice-lines", DataTable))
        assert any("Fondation (volontaire)" in row and "conservée" in row for row in lines)
        assert "Solde : 350,00 $" in plain(shown(screen.query_one("#invoice-figures", Static)))

        await pilot.press("d")
        await settle(pilot)
        assert "Cotisation refusée" in shown(screen.query_one("#invoice-message", Static))
        assert "Solde : 325,00 $" in plain(shown(screen.query_one("#invoice-figures", Static)))
        lines = rows(screen.query_one("#invoice-lines", DataTable))
        assert any("Fondation" in row and "refusée" in row for row in lines)
        assert _declined(database, world.fondation_line_id)
        assert _audit_actions(database, world.fondation_line_id) == ["contribution.decline"]

        await pilot.press("d")  # restored while the invoice is unpaid
        await settle(pilot)
        assert "Cotisation rétablie" in shown(screen.query_one("#invoice-message", Static))
        assert "Solde : 350,00 $" in plain(shown(screen.query_one("#invoice-figures", Static)))
        assert not _declined(database, world.fondation_line_id)

        await pilot.press("d", "escape")  # declined again, back to the statement
        await settle(pilot)
        assert isinstance(pilot.app.screen, StatementHarness)
        assert "Solde dû : 445,00 $" in totals(pilot)  # 470,00 $ − 25,00 $
        assert "325,00" in rows(table(pilot))[2]

    run(database, world.gagnon_id, scenario)
    assert _audit_actions(database, world.fondation_line_id) == [
        "contribution.decline",
        "contribution.restore",
        "contribution.decline",
    ]


def _choices(database: Database, line_id: int) -> list[tuple[int, bool, int | None]]:
    with database.read() as uow:
        found = uow.session.exec(
            select(ContributionChoice)
            .where(ContributionChoice.invoice_line_id == line_id)
            .order_by(col(ContributionChoice.id))
        ).all()
        return [(require_id(c), c.declined, c.chosen_by_id) for c in found]


def _line(database: Database, line_id: int) -> tuple[object, ...]:
    with database.engine.connect() as conn:
        return tuple(conn.execute(text(f"SELECT * FROM invoice_line WHERE id = {line_id}")).one())


def _chained(database: Database, kind: str) -> list[int]:
    with database.read() as uow:
        return list(
            uow.session.exec(
                select(LedgerLink.record_id)
                .where(LedgerLink.kind == kind)
                .order_by(col(LedgerLink.position))
            ).all()
        )


def test_declining_and_restoring_are_chained_choices_never_an_edit_of_the_line(
    database: Database, world: StatementWorld
) -> None:
    """Issue #13 point 14: the clerk's decline and restore are two rows of the ledger
    chain; the issued line never changes, and a choice edited behind the application's
    back is named by `verify`."""
    issued = _line(database, world.fondation_line_id)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, InvoiceScreen)
        await pilot.press("d")
        await settle(pilot)
        assert "Solde : 325,00 $" in plain(shown(screen.query_one("#invoice-figures", Static)))
        await pilot.press("d")
        await settle(pilot)
        assert "Cotisation rétablie" in shown(screen.query_one("#invoice-message", Static))
        assert "Solde : 350,00 $" in plain(shown(screen.query_one("#invoice-figures", Static)))
        lines = rows(screen.query_one("#invoice-lines", DataTable))
        assert any("Fondation" in row and "conservée" in row for row in lines)

    run(database, world.gagnon_id, scenario)

    choices = _choices(database, world.fondation_line_id)
    assert [(declined, by) for _id, declined, by in choices] == [
        (True, world.clerk_id),
        (False, world.clerk_id),
    ]
    # The two latest choices linked in the chain are these (the seeded world declined
    # another family's line before).
    assert _chained(database, "contribution_choice")[-2:] == [choice for choice, _, _ in choices]
    assert _line(database, world.fondation_line_id) == issued
    with pytest.raises(DatabaseError, match="append-only"), database.engine.begin() as conn:
        conn.execute(text("UPDATE contribution_choice SET declined = NOT declined"))

    with database.engine.begin() as conn:  # another tool, triggers dropped
        conn.execute(text("DROP TRIGGER contribution_choice_no_update"))
        conn.execute(
            text(f"UPDATE contribution_choice SET declined = 0 WHERE id = {choices[0][0]}")
        )
    with database.read() as uow:
        report = verify_chains(uow)
    # (The seeded counter world writes its payments without the services: unlinked.)
    broken = [b.describe() for b in report.breaks if b.problem != "unlinked"]
    assert broken == [
        "choix de cotisation, ligne 3 de la facture FAC00000103 : "
        "contenu modifié, l'empreinte ne correspond plus (hash)"
    ]


def test_decline_on_a_paid_invoice_is_refused_with_the_reason(
    database: Database, world: StatementWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("enter")  # the first row: the paid invoice
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, InvoiceScreen)
        lines = screen.query_one("#invoice-lines", DataTable)
        assert "Association" in rows(lines)[lines.cursor_row]  # the voluntary line
        await pilot.press("d")
        await settle(pilot)
        message = shown(screen.query_one("#invoice-message", Static))
        assert message == "Cette facture est déjà payée."

        await pilot.press("up", "d")  # a line that is not voluntary
        await settle(pilot)
        assert "volontaire" in shown(screen.query_one("#invoice-message", Static))

    run(database, world.gagnon_id, scenario)
    assert not _declined(database, world.paid_voluntary_line_id)
    assert _audit_actions(database, world.paid_voluntary_line_id) == []


def test_two_hundred_invoices_come_a_page_at_a_time(
    database: Database, world: StatementWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        shown_table = table(pilot)
        assert 0 < shown_table.row_count <= PAGE_SIZE
        assert rows(shown_table)[0].split(" | ")[2] == "FAC00100001"
        assert f"sur {BIG_FAMILY_INVOICES}" in status(pilot)
        assert "2 000,00 $" in totals(pilot)

        await pilot.press("pagedown")
        await settle(pilot)
        assert shown_table.row_count <= PAGE_SIZE
        assert rows(shown_table)[0].split(" | ")[2] == f"FAC00100{PAGE_SIZE + 1:03d}"

        for _ in range(BIG_FAMILY_INVOICES // PAGE_SIZE + 2):  # past the end: stays there
            await pilot.press("pagedown")
        await settle(pilot)
        assert shown_table.row_count <= PAGE_SIZE
        assert rows(shown_table)[-1].split(" | ")[2] == f"FAC00100{BIG_FAMILY_INVOICES:03d}"

        await pilot.press("pageup")
        await settle(pilot)
        assert shown_table.row_count == PAGE_SIZE
        # every invoice stays ticked across pages: F9 would pay all 200, oldest first
        ids = view(pilot).selected_invoice_ids()
        assert len(ids) == BIG_FAMILY_INVOICES

    run(database, world.big_family_id, scenario)


def test_statement_and_invoice_pdfs_are_saved(
    database: Database,
    world: StatementWorld,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(tmp_path))
    monkeypatch.delenv("REGISTRAR_PRINTER_COMMAND", raising=False)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("down", "down", "i")
        await settle(pilot)
        saved = [text for text in notices(pilot) if "PDF enregistré" in text]
        assert len(saved) == 2 and str(tmp_path) in saved[0]

    run(database, world.gagnon_id, scenario)
    statements = list(tmp_path.rglob("*.pdf"))
    assert len(statements) == 2
    by_kind = {path.parent.name: text_of(path.read_bytes()) for path in statements}
    assert set(by_kind) == {"statements", "invoices"}
    for number in ("FAC00000101", "FAC00000102", "FAC00000103"):
        assert number in by_kind["statements"]
    assert "470,00" in by_kind["statements"]
    assert "FAC00000103" in by_kind["invoices"] and "350,00" in by_kind["invoices"]
    assert "Fondation" in by_kind["invoices"]


def test_markup_and_escapes_in_names_are_shown_literally(
    database: Database, world: StatementWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        row = rows(table(pilot))[0]
        assert MARKUP_DESCRIPTION in row and MARKUP_FIRST_NAME in row
        assert "\x1b" not in row and "Roy[31m" in row
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, InvoiceScreen)
        about = shown(screen.query_one("#invoice-about", Static))
        assert MARKUP_DESCRIPTION in about and MARKUP_FIRST_NAME in about
        assert ESCAPE_LAST_NAME not in about and "\x1b" not in about
        assert "[red]Piano[/red]" in rows(screen.query_one("#invoice-lines", DataTable))[0]
        assert pilot.app.is_running  # [@click=app.quit] did not run

    run(database, world.markup_family_id, scenario)


def test_with_a_printer_the_pdf_is_also_printed_and_a_failure_is_said(
    database: Database,
    world: StatementWorld,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    printed = tmp_path / "printer"
    printed.mkdir()
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(tmp_path / "documents"))
    monkeypatch.setenv("REGISTRAR_PRINTER_COMMAND", f"cp --target-directory={printed}")

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("e")
        await settle(pilot)
        assert [path.suffix for path in printed.iterdir()] == [".pdf"]
        monkeypatch.setenv("REGISTRAR_PRINTER_COMMAND", "false")
        await pilot.press("e")
        await settle(pilot)
        errors = [n for n in pilot.app._notifications if n.severity == "error"]
        assert errors and "Traceback" not in str(errors[-1].message)

    run(database, world.gagnon_id, scenario)
    assert len(list((tmp_path / "documents").rglob("*.pdf"))) == 2  # saved even when printing fails


def test_scenario_2_in_the_family_screen_header_follows_the_decline(
    database: Database, world: StatementWorld
) -> None:
    """The real family screen: tab 3, the invoice, `d`, Escape; the header's balance drops."""
    from registrar_tui.screens.counter.family import FamilyScreen

    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await app.push_screen(FamilyScreen(world.gagnon_id))
            await settle(pilot)
            family = app.screen
            balance = family.query_one("#family-balance", Static)
            assert "Solde : 470,00 $" in plain(shown(balance))
            await pilot.press("3")
            await settle(pilot)
            assert app.focused is family.query_one("#statement-table", DataTable)
            await pilot.press("down", "down", "enter")
            await settle(pilot)
            assert isinstance(app.screen, InvoiceScreen)
            await pilot.press("d", "escape")
            await settle(pilot)
            assert app.screen is family
            assert "Solde : 445,00 $" in plain(shown(balance))
            assert "Solde dû : 445,00 $" in totals(pilot)

    asyncio.run(main())
    assert _declined(database, world.fondation_line_id)
