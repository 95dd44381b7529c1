"""A Vietnamese family's receipt, reprinted at the counter: the names whole on the screen
and in the PDF, with the student's number, the transaction reference, the family's
balance and where it was paid (issue #13, point 13)."""

from __future__ import annotations

import asyncio
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import PaymentMethod, Role
from registrar_tui.reports.common import DocLanguage
from registrar_tui.screens.counter.receipts import ReceiptsScreen
from registrar_tui.services.ledger.payments import InvoiceChoice, PaymentRequest, post_payment
from tests import builders
from tests.conftest import fixed_clock
from tests.passwords import hash_password
from tests.reports.pdftext import text_of
from tests.screens.fixtures import CLERK_PASSWORD, CLERK_USERNAME
from tests.screens.helpers import rows, settle, shown, sign_in

D = Decimal
FAMILY = "Famille Nguyễn"
PAYER = "Thị Ánh Nguyễn"
STUDENT_NUMBER = "201337007"


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(folder))
    monkeypatch.delenv("REGISTRAR_PRINTER_COMMAND", raising=False)
    return folder


def _seed(database: Database) -> tuple[int, int, str]:
    """The Nguyễn family: Minh Đặng's 300,00 $ and 120,00 $ invoices, 300,00 $ paid."""
    with database.write() as uow:
        site = builders.establishment(uow)
        clerk = builders.staff(
            uow,
            site,
            username=CLERK_USERNAME,
            full_name="Josée Lavoie",
            role=Role.CLERK,
            password_hash=hash_password(CLERK_PASSWORD),
        )
        family = builders.family(
            uow, site, number="F0000042", name=FAMILY, payer="Thị Ánh", payer_last_name="Nguyễn"
        )
        student = builders.student(
            uow, family, site, number=STUDENT_NUMBER, first_name="Minh", last_name="Đặng"
        )
        first = builders.invoice(
            uow, family, site, number="FAC00000001", description="Session AUT-2026",
            student_id=student, lines=[builders.piano(D("300.00"))],
        )  # fmt: skip
        builders.invoice(
            uow, family, site, number="FAC00000002", description="Session HIV-2027",
            student_id=student, lines=[builders.piano(D("120.00"))],
        )  # fmt: skip
    with database.write() as uow:
        posted = post_payment(
            uow,
            PaymentRequest(
                idempotency_key=uuid.uuid4().hex,
                family_id=family,
                establishment_id=site,
                clerk_id=clerk,
                amount=D("300.00"),
                method=PaymentMethod.CASH,
                seen_balance=D("300.00"),
                invoices=(InvoiceChoice(first),),
                amount_tendered=D("300.00"),
            ),
        )
    return family, posted.payment_id, posted.receipt_number


def test_the_reprinted_receipt_of_a_vietnamese_family(database: Database, documents: Path) -> None:
    family_id, payment_id, receipt_number = _seed(database)
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await app.push_screen(ReceiptsScreen(family_id))
            await settle(pilot)
            assert FAMILY in shown(app.screen.query_one("#receipts-title", Static))
            [row] = rows(app.screen.query_one("#receipts-table", DataTable))
            assert row.startswith(receipt_number)
            await pilot.press("r")
            await settle(pilot)

    asyncio.run(main())
    # The original was handed over at sign-in (the payment was pending); `r` adds the copy.
    [saved] = [p for p in (documents / "receipts").iterdir() if "duplicata" in p.name]
    text = " ".join(text_of(saved.read_bytes()).split())
    assert "DUPLICATA" in text and receipt_number in text
    assert f"Client {FAMILY} N° de client F0000042 N° d'élève {STUDENT_NUMBER}" in text
    assert f"Payeur {PAYER}" in text
    assert "Minh Đặng" in text
    assert f"Réf. de transaction TX-P{payment_id:08d}" in text
    when = DocLanguage("fr_CA").short_datetime(fixed_clock()).replace("\u00a0", " ")
    assert f"Votre solde au {when} 120,00 $" in text  # the reprint's time, what is owed
    assert "Payé à Conservatoire de musique de Montréal" in text
    assert "Tél. : 514-873-4031" in text
