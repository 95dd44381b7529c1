"""Sample documents for the report tests (and for looking at the PDFs by eye).

`python -m tests.reports.samples /tmp/reports` writes one PDF of each document there.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from registrar_tui.reports.documents import (
    CopyKind,
    DayCloseDocument,
    DayCloseMethodTotal,
    DayCloseTransaction,
    InvoiceDocument,
    InvoiceLineRow,
    InvoicePaymentRow,
    InvoiceState,
    Issuer,
    PaymentMethod,
    ReceiptAllocationRow,
    ReceiptDocument,
    StatementDocument,
    StatementRow,
)

D = Decimal
ISSUED_AT = datetime(2026, 11, 23, 19, 30)  # UTC: 14 h 30 in Montréal

ISSUER = Issuer(
    institution_name="Conservatoire de musique et d’art dramatique du Québec",
    establishment_name="Conservatoire de musique de Montréal",
    establishment_code="MTL",
    address_line="4750, avenue Henri-Julien",
    city="Montréal",
    province="QC",
    postal_code="H2T 2C8",
    phone="514 873-4031",
    email="cmm@conservatoire.gouv.qc.ca",
)


def card_receipt(**changes: object) -> ReceiptDocument:
    doc = ReceiptDocument(
        issuer=ISSUER,
        receipt_number="MTL-2026-000123",
        issued_at=ISSUED_AT,
        family_name="Famille Tremblay-Bélanger",
        family_number="F0012345",
        payer_name="Hélène Tremblay",
        amount=D("400.00"),
        method=PaymentMethod.CREDIT_CARD,
        card_brand="Visa",
        card_last4="1234",
        authorization_number="A7K93Q",
        clerk_name="Françoise Côté",
        allocations=(
            ReceiptAllocationRow(
                invoice_number="FAC00000397",
                description="Frais de scolarité — automne 2026",
                amount_applied=D("275.00"),
                balance_after=D("0.00"),
                student_name="Tremblay, Élodie",
                term_code="AUT-2026",
            ),
            ReceiptAllocationRow(
                invoice_number="FAC00000412",
                description="Frais de scolarité — hiver 2027",
                amount_applied=D("125.00"),
                balance_after=D("1150.00"),
                student_name="Tremblay, Élodie",
                term_code="HIV-2027",
            ),
        ),
        chain_hash="9f2c4e1ab37d5c60e8a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6b",
    )
    return replace(doc, **changes)  # type: ignore[arg-type]


def cash_receipt(**changes: object) -> ReceiptDocument:
    doc = card_receipt(
        receipt_number="MTL-2026-000124",
        amount=D("275.00"),
        method=PaymentMethod.CASH,
        card_brand=None,
        card_last4=None,
        authorization_number=None,
        amount_tendered=D("300.00"),
        change_due=D("25.00"),
        allocations=card_receipt().allocations[:1],
    )
    return replace(doc, **changes)  # type: ignore[arg-type]


def invoice(**changes: object) -> InvoiceDocument:
    doc = InvoiceDocument(
        issuer=ISSUER,
        invoice_number="FAC00000397",
        issued_on=date(2026, 8, 15),
        due_on=date(2026, 9, 30),
        family_name="Famille Tremblay-Bélanger",
        family_number="F0012345",
        description="Frais de scolarité — automne 2026",
        lines=(
            InvoiceLineRow("INSCR", "Frais d’inscription", D("60.00")),
            InvoiceLineRow("PIANO-IND", "Piano — cours individuel (30 min)", D("190.00")),
            InvoiceLineRow("SOLFEGE", "Formation auditive et solfège", D("50.00")),
            InvoiceLineRow("FOND", "Fondation du Conservatoire", D("25.00"), is_voluntary=True),
            InvoiceLineRow(
                "ASSO",
                "Association étudiante",
                D("15.00"),
                is_voluntary=True,
                is_declined=True,
            ),
        ),
        total=D("325.00"),
        paid=D("50.00"),
        balance=D("275.00"),
        state=InvoiceState.PARTIAL,
        billing_name="Hélène Tremblay",
        billing_address=("1234, rue Saint-Denis, app. 5", "Montréal (QC)  H2X 3K8"),
        student_name="Tremblay, Élodie",
        student_number="201337007",
        term_code="AUT-2026",
        payments=(
            InvoicePaymentRow(
                received_at=datetime(2026, 9, 2, 15, 5),
                receipt_number="MTL-2026-000045",
                method=PaymentMethod.DEBIT,
                amount=D("50.00"),
            ),
        ),
    )
    return replace(doc, **changes)  # type: ignore[arg-type]


def statement(rows: int = 4, **changes: object) -> StatementDocument:
    states = [InvoiceState.PAID, InvoiceState.PARTIAL, InvoiceState.OVERDUE, InvoiceState.OPEN]
    items = []
    for index in range(rows):
        state = states[index % len(states)]
        total = D("325.00") + index
        paid = {InvoiceState.PAID: total, InvoiceState.PARTIAL: D("50.00")}.get(state, D("0"))
        items.append(
            StatementRow(
                invoice_number=f"FAC{397 + index:08d}",
                description="Frais de scolarité — piano et solfège",
                due_on=date(2025, 9, 30) + timedelta(days=30 * index),
                total=total,
                paid=paid,
                balance=total - paid,
                state=state,
                term_code=("AUT-2025", "HIV-2026", "ETE-2026", "AUT-2026")[index % 4],
                student_name=("Tremblay, Élodie", "Tremblay, Mathis")[index % 2],
            )
        )
    doc = StatementDocument(
        issuer=ISSUER,
        as_of=ISSUED_AT,
        family_name="Famille Tremblay-Bélanger",
        family_number="F0012345",
        rows=tuple(items),
        total_invoiced=sum((r.total for r in items), D("0")),
        total_paid=sum((r.paid for r in items), D("0")),
        total_balance=sum((r.balance for r in items), D("0")),
        credit=D("40.00"),
        amount_due=max(sum((r.balance for r in items), D("0")) - D("40.00"), D("0")),
        overdue=D("327.00"),
        billing_name="Hélène Tremblay",
        billing_address=("1234, rue Saint-Denis, app. 5", "Montréal (QC)  H2X 3K8"),
    )
    return replace(doc, **changes)  # type: ignore[arg-type]


def day_close(**changes: object) -> DayCloseDocument:
    doc = DayCloseDocument(
        issuer=ISSUER,
        clerk_name="Françoise Côté",
        closed_at=datetime(2026, 11, 23, 22, 5),
        period_start=datetime(2026, 11, 23, 13, 0),
        totals=(
            DayCloseMethodTotal(PaymentMethod.CASH, 3, D("575.00")),
            DayCloseMethodTotal(PaymentMethod.DEBIT, 2, D("450.00")),
            DayCloseMethodTotal(PaymentMethod.CREDIT_CARD, 1, D("400.00")),
            DayCloseMethodTotal(PaymentMethod.CERTIFIED_CHEQUE, 1, D("1200.00")),
            DayCloseMethodTotal(PaymentMethod.CHEQUE, 0, D("0.00")),
        ),
        expected_total=D("2625.00"),
        expected_cash=D("575.00"),
        counted_cash=D("570.00"),
        discrepancy=D("-5.00"),
        note="Un billet de 5 $ manquant; vérifié deux fois.",
        reference="FC-000042",
        transactions=(
            DayCloseTransaction(
                ISSUED_AT,
                "MTL-2026-000124",
                "Famille Tremblay-Bélanger",
                "F0012345",
                PaymentMethod.CASH,
                D("275.00"),
            ),
            DayCloseTransaction(
                ISSUED_AT + timedelta(minutes=12),
                "MTL-2026-000125",
                "Famille Nguyen",
                "F0012400",
                PaymentMethod.DEBIT,
                D("250.00"),
            ),
            DayCloseTransaction(
                ISSUED_AT + timedelta(minutes=40),
                "MTL-2026-000119",
                "Famille Roy",
                "F0011002",
                PaymentMethod.CASH,
                D("-100.00"),
                is_void=True,
            ),
        ),
    )
    return replace(doc, **changes)  # type: ignore[arg-type]


def main(folder: str) -> None:
    from registrar_tui.reports.day_close import render_day_close
    from registrar_tui.reports.invoice import render_invoice
    from registrar_tui.reports.receipt import render_receipt
    from registrar_tui.reports.statement import render_statement

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    outputs = {
        "receipt_card": render_receipt(card_receipt()),
        "receipt_cash": render_receipt(cash_receipt()),
        "receipt_duplicate": render_receipt(
            card_receipt(copy_kind=CopyKind.DUPLICATE, printed_at=ISSUED_AT + timedelta(days=2))
        ),
        "receipt_voided": render_receipt(
            card_receipt(
                copy_kind=CopyKind.VOIDED,
                void_reason="Montant saisi en double",
                voided_at=ISSUED_AT + timedelta(hours=1),
                voided_by="Marc-André Gagnon",
                printed_at=ISSUED_AT + timedelta(hours=1),
            )
        ),
        "receipt_en": render_receipt(cash_receipt(language="en")),
        "invoice": render_invoice(invoice()),
        "invoice_en": render_invoice(invoice(language="en")),
        "statement": render_statement(statement()),
        "statement_long": render_statement(statement(rows=200)),
        "day_close": render_day_close(day_close()),
        "day_close_en": render_day_close(day_close(language="en")),
    }
    for name, pdf in outputs.items():
        (out / f"{name}.pdf").write_bytes(pdf)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/reports")
