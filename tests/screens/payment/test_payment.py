"""Pilot tests of the payment modal (scenarios 1, 3, 4): keys pressed, screen, database, PDF."""

from __future__ import annotations

import asyncio
import stat
import threading
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Digits, Input, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.i18n import format_money
from registrar_tui.models import Allocation, OutboxMessage, Payment
from registrar_tui.models.base import PaymentMethod
from registrar_tui.screens.payment.fields import PaymentOutcome
from registrar_tui.screens.payment.screen import PaymentScreen
from registrar_tui.screens.payment.state import PaymentState
from registrar_tui.screens.widgets.service_call import field_error_id
from registrar_tui.services.ledger.payments import InvoiceChoice, PaymentRequest, post_payment
from tests.conftest import fixed_clock
from tests.screens.helpers import rows, settle, shown, sign_in, type_text
from tests.screens.payment.payment_fixtures import TREMBLAY, TREMBLAY_EMAIL, Counter, seed_counter

Scenario = Callable[[Pilot[None]], Awaitable[None]]
D = Decimal
VISA_TEST_NUMBER = "4111111111111111"


@pytest.fixture
def counter(database: Database) -> Counter:
    return seed_counter(database)


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(folder))
    monkeypatch.delenv("REGISTRAR_PRINTER_COMMAND", raising=False)
    return folder


class Modal:
    """Opens the payment modal on the app after signing in; keeps what it closed with."""

    def __init__(self, database: Database) -> None:
        self.app: RegistrarApp = create_app(database=database, clock=fixed_clock)
        self.closed_with: list[object] = []

    def run(self, family_id: int, invoice_ids: tuple[int, ...], scenario: Scenario) -> None:
        async def main() -> None:
            async with self.app.run_test(size=(80, 24)) as pilot:
                await settle(pilot)
                await sign_in(pilot)
                self.app.push_screen(
                    PaymentScreen(family_id, invoice_ids), callback=self.closed_with.append
                )
                await settle(pilot)
                await scenario(pilot)

        asyncio.run(main())

    @property
    def screen(self) -> PaymentScreen:
        screen = self.app.screen
        assert isinstance(screen, PaymentScreen)
        return screen

    def text(self, selector: str) -> str:
        return shown(self.screen.query_one(selector, Static))

    def value(self, field: str) -> str:
        return self.screen.query_one(f"#{field}", Input).value


def payments(database: Database) -> list[Payment]:
    """The payments in the database, detached copies readable after the session ends."""
    with database.read() as uow:
        found = uow.session.exec(select(Payment).order_by(col(Payment.id))).all()
        return [Payment.model_validate(payment.model_dump()) for payment in found]


def allocations(database: Database, payment_id: int) -> list[tuple[int, Decimal]]:
    with database.read() as uow:
        found = uow.session.exec(
            select(Allocation)
            .where(col(Allocation.payment_id) == payment_id)
            .order_by(col(Allocation.id))
        ).all()
        return [(a.invoice_id, a.amount) for a in found]


def test_cash_in_full_with_change_saves_the_receipt(
    database: Database, counter: Counter, documents: Path
) -> None:
    """Scenario 1: 300,00 $ handed over for 275,00 $; change due 25,00 $ and the receipt PDF."""
    modal = Modal(database)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = modal.screen
        assert modal.value("amount") == "275,00"
        # Cash is chosen and the cursor waits for the bills handed over.
        assert modal.app.focused is screen.query_one("#amount_tendered", Input)
        assert "Comptant" in modal.text("#payment-methods")
        assert f"Solde choisi : {format_money(D('275.00'))}" in modal.text("#amount-note")
        split = rows(screen.query_one("#allocation", DataTable))
        assert split == [
            f"FAC00000001 | AUT-2026 | {format_money(D('275.00'))} | "
            f"{format_money(D('275.00'))} | {format_money(D('0.00'))}"
        ]
        await type_text(pilot, "300")
        await settle(pilot)
        assert f"Monnaie à rendre : {format_money(D('25.00'))}" in modal.text(
            "#amount_tendered-note"
        )
        await pilot.press("enter")
        await settle(pilot)

        assert "MTL-2026-000001" in modal.text("#done-title")
        assert modal.text("#done-change-label") == "Monnaie à rendre :"
        assert screen.query_one("#done-change", Digits).value == format_money(D("25.00"))
        assert str(documents) in modal.text("#done-path")
        assert TREMBLAY_EMAIL in modal.text("#done-email")
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(modal.app.screen, PaymentScreen)

    modal.run(counter.tremblay_id, (counter.tremblay_invoice_id,), scenario)

    [payment] = payments(database)
    assert (payment.method, payment.amount) == (PaymentMethod.CASH, D("275.00"))
    assert (payment.tendered, payment.change) == (D("300.00"), D("25.00"))
    assert allocations(database, payment.id or 0) == [(counter.tremblay_invoice_id, D("275.00"))]
    [outcome] = modal.closed_with
    assert isinstance(outcome, PaymentOutcome)
    assert outcome.receipt_number == "MTL-2026-000001"
    assert outcome.change_due == D("25.00")
    assert outcome.emailed_to == TREMBLAY_EMAIL and not outcome.printed
    assert outcome.pdf_path == documents / "receipts" / "MTL-2026-000001.pdf"
    assert outcome.pdf_path.exists()
    text = "".join(page.extract_text() for page in PdfReader(outcome.pdf_path).pages)
    for expected in ("MTL-2026-000001", "275,00", "25,00", TREMBLAY):
        assert expected in text
    with database.read() as uow:
        queued = uow.session.exec(select(OutboxMessage)).all()
        assert [message.recipient for message in queued] == [TREMBLAY_EMAIL]


def test_one_enter_pays_the_selected_balance_in_cash(
    database: Database, counter: Counter, documents: Path
) -> None:
    """Counter speed: the form opens ready, Enter posts in full, Enter closes."""
    modal = Modal(database)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("enter")
        await settle(pilot)
        assert modal.text("#done-change-label") == "Monnaie à rendre :"
        assert modal.screen.query_one("#done-change", Digits).value == format_money(D("0.00"))
        await pilot.press("enter")
        await settle(pilot)

    modal.run(counter.tremblay_id, (counter.tremblay_invoice_id,), scenario)
    [payment] = payments(database)
    assert (payment.amount, payment.change) == (D("275.00"), D("0.00"))
    assert (documents / "receipts" / "MTL-2026-000001.pdf").exists()


def test_debit_over_two_invoices_pays_the_oldest_first_and_leaves_credit(
    database: Database, counter: Counter, documents: Path
) -> None:
    """Scenario 3: 400,00 $ by debit over 150,00 $ (due first) and 200,00 $; 50,00 $ credit."""
    modal = Modal(database)
    chosen = (counter.lavallee_older_id, counter.lavallee_later_id)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = modal.screen
        assert modal.value("amount") == "350,00"
        await pilot.press("f3")
        await settle(pilot)
        assert not screen.query_one(".cash-only").display  # no tendered amount for a card
        assert screen.query_one(".card-only").display
        assert not screen.query_one(".credit-only").display  # debit: no brand to type
        # The cursor went to the card's last digits; the amount is one shift+tab above.
        assert modal.app.focused is screen.query_one("#card_last4", Input)
        await pilot.press("shift+tab")
        await type_text(pilot, "400")
        await settle(pilot)
        split = rows(screen.query_one("#allocation", DataTable))
        assert [row.split(" | ")[0] for row in split] == ["FAC00000002", "FAC00000003"]
        assert [row.split(" | ")[3] for row in split] == [
            format_money(D("150.00")),
            format_money(D("200.00")),
        ]
        assert format_money(D("50.00")) in modal.text("#credit-created")
        await pilot.press("tab")
        await type_text(pilot, "4242")
        await pilot.press("tab")
        await type_text(pilot, "A1B2C3")
        await pilot.press("enter")
        await settle(pilot)
        # 50,00 $ would go to the family's credit: asked first, on one line.
        question = f"Porter {format_money(D('50.00'))} au crédit de la famille ? o/N"
        assert modal.text("#payment-status") == question
        assert payments(database) == []
        await pilot.press("o")
        await settle(pilot)
        assert modal.text("#done-change-label") == "Montant reçu :"
        assert "Aucun courriel" in modal.text("#done-email")

    modal.run(counter.lavallee_id, chosen, scenario)
    [payment] = payments(database)
    assert (payment.method, payment.amount) == (PaymentMethod.DEBIT, D("400.00"))
    assert (payment.card_brand, payment.card_last4) == ("Interac", "4242")
    assert payment.authorization_number == "A1B2C3"
    assert allocations(database, payment.id or 0) == [
        (counter.lavallee_older_id, D("150.00")),
        (counter.lavallee_later_id, D("200.00")),
    ]


def test_certified_cheque_after_another_clerk_paid_asks_to_reload(
    database: Database, counter: Counter, documents: Path
) -> None:
    """Scenario 4: the invoice was paid at another terminal meanwhile: nothing posted here."""
    modal = Modal(database)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("f5")
        await settle(pilot)
        await type_text(pilot, "000123")
        await pilot.press("tab")
        await type_text(pilot, "Desjardins")
        with database.write() as uow:  # the other terminal
            post_payment(
                uow,
                PaymentRequest(
                    idempotency_key=uuid.uuid4().hex,
                    family_id=counter.tremblay_id,
                    establishment_id=counter.establishment_id,
                    clerk_id=counter.clerk_id,
                    amount=D("275.00"),
                    method=PaymentMethod.CASH,
                    seen_balance=D("275.00"),
                    invoices=(InvoiceChoice(counter.tremblay_invoice_id),),
                ),
            )
        await pilot.press("enter")
        await settle(pilot)
        status = modal.text("#payment-status")
        assert "ont changé" in status and "rechargé" in status
        assert f"Solde choisi : {format_money(D('0.00'))}" in modal.text("#amount-note")
        assert modal.value("amount") == "0,00"
        # Enter again: still nothing posted (nothing is owed any more).
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(modal.app.screen, PaymentScreen)
        assert modal.screen.query_one("#payment-done").display is False

    modal.run(counter.tremblay_id, (counter.tremblay_invoice_id,), scenario)
    assert [p.method for p in payments(database)] == [PaymentMethod.CASH]


@pytest.mark.parametrize(
    ("method_key", "field", "before"),
    [
        ("f3", "authorization_number", ("4242", "tab")),
        ("f6", "cheque_bank", ("55", "tab")),
    ],
    ids=["authorization", "bank"],
)
def test_a_card_number_is_refused_next_to_its_field(
    database: Database,
    counter: Counter,
    documents: Path,
    method_key: str,
    field: str,
    before: tuple[str, ...],
) -> None:
    modal = Modal(database)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press(method_key)
        await settle(pilot)
        for keys in before:
            await (pilot.press("tab") if keys == "tab" else type_text(pilot, keys))
        await type_text(pilot, VISA_TEST_NUMBER)
        await pilot.press("enter")
        await settle(pilot)
        message = modal.text(f"#{field_error_id(field)}")
        assert "Ne saisissez jamais le numéro complet d'une carte" in message
        assert modal.app.focused is modal.screen.query_one(f"#{field}", Input)

    modal.run(counter.tremblay_id, (counter.tremblay_invoice_id,), scenario)
    assert payments(database) == []


def test_a_double_enter_posts_once(database: Database, counter: Counter, documents: Path) -> None:
    modal = Modal(database)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("enter", "enter")
        await settle(pilot)

    modal.run(counter.tremblay_id, (counter.tremblay_invoice_id,), scenario)
    assert len(payments(database)) == 1


def test_enter_before_the_first_preview_posts_once_it_arrives(
    database: Database, counter: Counter, documents: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import registrar_tui.services.ledger.payment_preview as previews

    gate = threading.Event()
    preview = previews.payment_preview

    def held(*args: Any) -> Any:
        assert gate.wait(10)  # the database is slow today: the preview waits for the test
        return preview(*args)

    monkeypatch.setattr(previews, "payment_preview", held)
    modal = Modal(database)

    async def main() -> None:
        async with modal.app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await settle(pilot)
            screen = PaymentScreen(counter.tremblay_id, (counter.tremblay_invoice_id,))
            modal.app.push_screen(screen, callback=modal.closed_with.append)
            await pilot.pause()
            await pilot.press("enter")  # typed ahead of the balance
            assert screen.state is PaymentState.WAITING and payments(database) == []
            gate.set()
            await settle(pilot)
            assert screen.state is PaymentState.POSTED
            assert "MTL-2026-000001" in modal.text("#done-title")

    asyncio.run(main())
    [payment] = payments(database)
    assert payment.amount == D("275.00")  # the whole balance, as the form filled it


def test_an_unexpected_failure_while_posting_is_said_once_and_the_form_stays(
    database: Database, counter: Counter, documents: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app says it once (not once per class handling the worker's failure), and the
    clerk can press Enter again once the cause is gone."""
    import registrar_tui.services.ledger.payments as posting

    real = posting.post_payment
    failures = [RuntimeError("disk full")]

    def failing_once(*args: Any, **kwargs: Any) -> Any:
        if failures:
            raise failures.pop()
        return real(*args, **kwargs)

    monkeypatch.setattr(posting, "post_payment", failing_once)
    modal = Modal(database)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("enter")
        await settle(pilot)
        said = [str(n.message) for n in modal.app._notifications]
        assert said == ["Erreur inattendue : RuntimeError"]
        assert modal.screen.state is PaymentState.EDITING and payments(database) == []
        await pilot.press("enter")
        await settle(pilot)
        assert modal.screen.state is PaymentState.POSTED

    modal.run(counter.tremblay_id, (counter.tremblay_invoice_id,), scenario)
    assert len(payments(database)) == 1


def test_f7_sends_the_receipt_to_the_printer_command(
    database: Database,
    counter: Counter,
    documents: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    printed = tmp_path / "printed.pdf"
    script = tmp_path / "fake-lp"
    script.write_text(f'#!/bin/sh\ncp "$1" "{printed}"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("REGISTRAR_PRINTER_COMMAND", str(script))
    modal = Modal(database)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("enter")
        await settle(pilot)
        assert "F7" in modal.text("#done-print")
        await pilot.press("f7")
        await settle(pilot)
        assert modal.text("#done-print") == "Reçu envoyé à l'imprimante."
        await pilot.press("escape")
        await settle(pilot)

    modal.run(counter.tremblay_id, (counter.tremblay_invoice_id,), scenario)
    assert printed.read_bytes() == (documents / "receipts" / "MTL-2026-000001.pdf").read_bytes()
    [outcome] = modal.closed_with
    assert isinstance(outcome, PaymentOutcome) and outcome.printed


def test_escape_before_posting_closes_with_nothing(
    database: Database, counter: Counter, documents: Path
) -> None:
    modal = Modal(database)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("escape")
        await settle(pilot)

    modal.run(counter.tremblay_id, (counter.tremblay_invoice_id,), scenario)
    assert modal.closed_with == [None]
    assert payments(database) == []


def other_terminal_pays(database: Database, counter: Counter, amount: str) -> None:
    """Another clerk pays `amount` on Tremblay's invoice meanwhile."""
    with database.write() as uow:
        post_payment(
            uow,
            PaymentRequest(
                idempotency_key=uuid.uuid4().hex,
                family_id=counter.tremblay_id,
                establishment_id=counter.establishment_id,
                clerk_id=counter.clerk_id,
                amount=D(amount),
                method=PaymentMethod.CASH,
                seen_balance=D("275.00"),
                invoices=(InvoiceChoice(counter.tremblay_invoice_id),),
            ),
        )


def test_cash_handed_over_above_the_amount_is_asked_about_never_kept_as_credit(
    database: Database, counter: Counter, documents: Path
) -> None:
    """Issue #13 point 2: Tab, 295, Enter typed 295 in « Montant », not « Montant remis ».

    The form asks on one line before leaving 20,00 $ of credit; n (or Enter, Escape) goes
    back to the form with nothing written; 295 handed over for 275 is change.
    """
    modal = Modal(database)
    question = f"Porter {format_money(D('20.00'))} au crédit de la famille ? o/N"

    async def scenario(pilot: Pilot[None]) -> None:
        screen = modal.screen
        await pilot.press("tab")
        assert modal.app.focused is screen.query_one("#amount", Input)
        await type_text(pilot, "295")
        await settle(pilot)
        for answer in ("n", "enter", "escape"):
            await pilot.press("enter")
            await settle(pilot)
            assert modal.text("#payment-status") == question
            assert screen.state is PaymentState.CONFIRMING and payments(database) == []
            await pilot.press(answer)
            await settle(pilot)
            assert screen.state is PaymentState.EDITING and payments(database) == []
            assert "Rien n'a été enregistré" in modal.text("#payment-status")
            assert modal.value("amount") == "295"  # the answer was typed nowhere
            assert modal.app.focused is screen.query_one("#amount", Input)
        await pilot.press("backspace", "backspace", "backspace")
        await type_text(pilot, "275")
        await pilot.press("tab")
        await type_text(pilot, "295")
        await settle(pilot)
        assert f"Monnaie à rendre : {format_money(D('20.00'))}" in modal.text(
            "#amount_tendered-note"
        )
        assert f"Crédit à la famille : {format_money(D('0.00'))}" == modal.text("#credit-created")
        await pilot.press("enter")  # no question: nothing goes to credit
        await settle(pilot)
        assert screen.state is PaymentState.POSTED
        assert screen.query_one("#done-change", Digits).value == format_money(D("20.00"))
        assert not screen.query_one("#done-credit").display  # change, no credit

    modal.run(counter.tremblay_id, (counter.tremblay_invoice_id,), scenario)
    [payment] = payments(database)
    assert (payment.amount, payment.tendered, payment.change) == (
        D("275.00"),
        D("295.00"),
        D("20.00"),
    )
    assert allocations(database, payment.id or 0) == [(counter.tremblay_invoice_id, D("275.00"))]


def test_o_leaves_the_credit_it_was_asked_about(
    database: Database, counter: Counter, documents: Path
) -> None:
    modal = Modal(database)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("tab")
        await type_text(pilot, "295")
        await pilot.press("enter")
        await settle(pilot)
        assert "au crédit de la famille ? o/N" in modal.text("#payment-status")
        await pilot.press("o")
        await settle(pilot)
        assert modal.screen.state is PaymentState.POSTED
        assert modal.text("#done-credit") == (
            f"Porté au crédit de la famille : {format_money(D('20.00'))}"
        )

    modal.run(counter.tremblay_id, (counter.tremblay_invoice_id,), scenario)
    [payment] = payments(database)
    assert (payment.amount, payment.tendered, payment.change) == (
        D("295.00"),
        D("295.00"),
        D("0.00"),
    )
    assert allocations(database, payment.id or 0) == [(counter.tremblay_invoice_id, D("275.00"))]
    from tests.services.ledger_data import credit

    assert credit(database, counter.tremblay_id) == D("20.00")


def test_a_refused_enter_says_nothing_was_written(
    database: Database, counter: Counter, documents: Path
) -> None:
    """It used to keep saying « Enregistrement du paiement… » after the refusal."""
    modal = Modal(database)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("f6")  # a cheque, its number and bank left empty
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert modal.screen.state is PaymentState.EDITING
        status = modal.text("#payment-status")
        assert "Enregistrement" not in status
        assert status == "Rien n'a été enregistré : corrigez le champ signalé."
        assert modal.text("#cheque-number-error") == "Indiquez le numéro du chèque."
        assert modal.app.focused is modal.screen.query_one("#cheque_number", Input)

    modal.run(counter.tremblay_id, (counter.tremblay_invoice_id,), scenario)
    assert payments(database) == []


def test_an_invalid_field_blanks_the_preview_and_says_why(
    database: Database, counter: Counter, documents: Path
) -> None:
    """`1e9` showed « Imputé 1,00 $ » (the preview of `1`); a refused tendered amount showed
    the change of an earlier one."""
    modal = Modal(database)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = modal.screen
        table = screen.query_one("#allocation", DataTable)
        await type_text(pilot, "99999999")  # handed over: more than a payment can be
        await settle(pilot)
        assert "Montant trop élevé" in modal.text("#amount-tendered-error")
        assert modal.text("#amount_tendered-note") == ""  # no change worked out
        assert rows(table)[0].split(" | ")[3] == format_money(D("275.00"))  # amount is fine
        await pilot.press("tab")
        await type_text(pilot, "1e9")
        await settle(pilot)
        assert "« 1e9 » n'est pas un montant" in modal.text("#amount-error")
        [row] = rows(table)
        assert row.split(" | ")[2:] == [format_money(D("275.00")), "—", "—"]
        assert modal.text("#credit-created") == "Crédit à la famille : —"
        await pilot.press("enter")  # refused: the cursor stays in the box to correct
        await settle(pilot)
        assert screen.state is PaymentState.EDITING
        assert modal.app.focused is screen.query_one("#amount", Input)
        assert "Rien n'a été enregistré" in modal.text("#payment-status")

    modal.run(counter.tremblay_id, (counter.tremblay_invoice_id,), scenario)
    assert payments(database) == []


def test_after_the_invoices_changed_the_whole_form_shows_the_new_balance(
    database: Database, counter: Counter, documents: Path
) -> None:
    """The losing form showed the new balance in « Solde choisi » only."""
    modal = Modal(database)

    async def scenario(pilot: Pilot[None]) -> None:
        table = modal.screen.query_one("#allocation", DataTable)
        other_terminal_pays(database, counter, "275.00")
        await pilot.press("enter")
        await settle(pilot)
        assert "ont changé" in modal.text("#payment-status")
        assert f"Solde choisi : {format_money(D('0.00'))}" in modal.text("#amount-note")
        [row] = rows(table)
        assert row.split(" | ")[2] == format_money(D("0.00"))
        assert format_money(D("275.00")) not in row
        assert format_money(D("275.00")) not in modal.text("#credit-created")
        assert modal.text("#amount_tendered-note") == ""

    modal.run(counter.tremblay_id, (counter.tremblay_invoice_id,), scenario)
    assert len(payments(database)) == 1  # the other terminal's only


def test_after_the_invoices_changed_the_statement_below_shows_the_new_balance_too(
    database: Database, documents: Path
) -> None:
    """The statement's totals under the form kept the old balance (F9 from the statement)."""
    from registrar_tui.models import Family
    from tests.screens.counter.statement_fixtures import StatementHarness, seed_statement

    world = seed_statement(database)
    before = len(payments(database))
    with database.read() as uow:
        family = uow.session.get(Family, world.gagnon_id)
        assert family is not None
        site = family.establishment_id
    app = create_app(database=database, clock=fixed_clock)

    def totals() -> str:
        harness = app.screen_stack[-2] if isinstance(app.screen, PaymentScreen) else app.screen
        return shown(harness.query_one("#statement-totals", Static))

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await app.push_screen(StatementHarness(world.gagnon_id))
            await settle(pilot)
            assert f"Solde dû : {format_money(D('470.00'))}" in totals()
            await pilot.press("f9")
            await settle(pilot)
            assert isinstance(app.screen, PaymentScreen)
            with database.write() as uow:  # another terminal pays both invoices
                post_payment(
                    uow,
                    PaymentRequest(
                        idempotency_key=uuid.uuid4().hex,
                        family_id=world.gagnon_id,
                        establishment_id=site,
                        clerk_id=world.clerk_id,
                        amount=D("470.00"),
                        method=PaymentMethod.CASH,
                        seen_balance=D("470.00"),
                    ),
                )
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, PaymentScreen)
            assert "ont changé" in shown(app.screen.query_one("#payment-status", Static))
            assert f"Solde dû : {format_money(D('0.00'))}" in totals()

    asyncio.run(main())
    assert len(payments(database)) == before + 1  # the other terminal's only


def test_a_click_in_a_box_during_the_credit_question_goes_back_to_the_form(
    database: Database, counter: Counter, documents: Path
) -> None:
    modal = Modal(database)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = modal.screen
        await pilot.press("tab")
        await type_text(pilot, "295")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.state is PaymentState.CONFIRMING
        await pilot.click("#amount_tendered")
        await settle(pilot)
        assert screen.state is PaymentState.EDITING
        assert "Rien n'a été enregistré" in modal.text("#payment-status")
        await type_text(pilot, "o")  # typed in the box, not an answer
        await settle(pilot)
        assert modal.value("amount_tendered") == "o" and payments(database) == []

    modal.run(counter.tremblay_id, (counter.tremblay_invoice_id,), scenario)
    assert payments(database) == []


def test_the_credit_question_takes_the_yes_of_the_clerks_language() -> None:
    from registrar_tui.i18n import _, set_language
    from registrar_tui.screens.payment.screen import _yes_key

    try:
        set_language("en")
        assert _yes_key() == "y"
        question = _("Porter {amount} au crédit de la famille ? {yes}/N")
        assert question.format(amount="$20.00", yes=_yes_key()) == (
            "Carry $20.00 to the family's credit? y/N"
        )
    finally:
        set_language("fr_CA")
    assert _yes_key() == "o"
