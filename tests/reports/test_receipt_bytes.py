"""A receipt's bytes are fixed by its content: the same receipt printed again, in another
thread or after other documents, is the same file (its chain hash, an archived copy or a
reprint compared by a family all rely on it). The Letter digests below were taken when
the receipt was first drawn straight on the canvas (reports/canvas_form.py), its pages
compared by eye with the Platypus layout it replaced; the roll's before its renderer was
made faster (cached fonts, styles and font subsets; reportlab's C accelerator); the other
cases (copies, refund, cheque, online, pages of invoices, odd text, on both layouts) before
the drawing and the PDF's writing were made cheaper (cached font objects and widths): any
change to what the PDF holds, however small, fails here. Should the
layout of the receipt change on purpose, take the new digests after looking at the PDFs
(`python -m tests.reports.samples /tmp/reports`)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest

from registrar_tui.reports.documents import (
    CopyKind,
    PaymentMethod,
    ReceiptAllocationRow,
    ReceiptDocument,
    ReceiptKind,
)
from registrar_tui.reports.receipt import render_receipt
from registrar_tui.reports.receipt_roll import render_roll_receipt
from tests.reports.samples import ISSUED_AT, card_receipt, cash_receipt


def _voided_in_vietnamese_names() -> ReceiptDocument:
    return card_receipt(
        copy_kind=CopyKind.VOIDED,
        payer_name="Thị Ánh Nguyễn",
        family_name="Famille Đặng-Nguyễn",
        void_reason="Montant erroné",
        voided_at=ISSUED_AT + timedelta(minutes=5),
        voided_by="Françoise Côté",
    )


def _duplicate_in_english() -> ReceiptDocument:
    return card_receipt(
        language="en",
        copy_kind=CopyKind.DUPLICATE,
        printed_at=ISSUED_AT + timedelta(days=2, hours=3),
    )


def _refund() -> ReceiptDocument:
    return cash_receipt(
        kind=ReceiptKind.REFUND,
        allocations=(),
        amount_tendered=None,
        change_due=None,
        refund_reason="Crédit remboursé à la demande du payeur, après l’abandon du cours",
        family_credit_after=Decimal("0.00"),
    )


def _cheque_with_credit_and_balance() -> ReceiptDocument:
    return card_receipt(
        method=PaymentMethod.CERTIFIED_CHEQUE,
        card_brand=None,
        card_last4=None,
        authorization_number=None,
        cheque_number="004512",
        cheque_bank="Banque Nationale",
        amount=Decimal("1450.25"),
        credit_added=Decimal("50.25"),
        family_credit_after=Decimal("90.25"),
        family_balance=Decimal("12345.67"),
        balance_as_of=ISSUED_AT + timedelta(seconds=1),
        student_numbers=("201337007", "201337008"),
        transaction_reference="TX-P00000123",
    )


def _online_in_english() -> ReceiptDocument:
    return card_receipt(
        language="en",
        method=PaymentMethod.ONLINE,
        card_brand="Mastercard",
        processor_transaction_id="ch_3Q9xYz2eZvKYlo2C0AbCdEfG",
        paid_at=ISSUED_AT - timedelta(minutes=2),
        family_balance=Decimal("0.00"),
    )


def _many_invoices_and_odd_text() -> ReceiptDocument:
    """Pages of invoices (a running header, the table's head repeated), long words cut,
    markup and control characters, letters no font has (« � »)."""
    rows = tuple(
        ReceiptAllocationRow(
            invoice_number=f"FAC{400 + index:08d}",
            description=f"Frais de scolarité — piano, solfège et chant choral, niveau {index}",
            amount_applied=Decimal("12345.67"),
            balance_after=Decimal("123456.78"),
            student_name="Tremblay-Bélanger, Marie-Élodie-Françoise-Anticonstitutionnellement",
            term_code="AUT-2026",
        )
        for index in range(45)
    )
    return cash_receipt(
        allocations=rows,
        amount=Decimal("555555.15"),
        family_name="<b>Roy</b> & [b]Fils[/b] \x1b[31mrouge\x07 李小龍 🎻",
        payer_name="Nguyễn Thị Minh Khai, dite « Ωmega », Ђорђе",
        clerk_name="Marc-André Gagnon-Desrosiers-Vaillancourt-Lamontagne",
        family_balance=Decimal("0.00"),
    )


CASES: dict[str, tuple[Callable[[ReceiptDocument], bytes], Callable[[], ReceiptDocument]]] = {
    "cash, French": (render_receipt, cash_receipt),
    "card, English": (render_receipt, lambda: card_receipt(language="en")),
    "voided, other alphabets": (render_receipt, _voided_in_vietnamese_names),
    "roll, cash": (render_roll_receipt, cash_receipt),
    "duplicate, English": (render_receipt, _duplicate_in_english),
    "refund": (render_receipt, _refund),
    "cheque and balance": (render_receipt, _cheque_with_credit_and_balance),
    "online, English": (render_receipt, _online_in_english),
    "pages, odd text": (render_receipt, _many_invoices_and_odd_text),
    "roll, card, English": (render_roll_receipt, lambda: card_receipt(language="en")),
    "roll, voided, alphabets": (render_roll_receipt, _voided_in_vietnamese_names),
    "roll, duplicate, English": (render_roll_receipt, _duplicate_in_english),
    "roll, refund": (render_roll_receipt, _refund),
    "roll, cheque and balance": (render_roll_receipt, _cheque_with_credit_and_balance),
    "roll, online, English": (render_roll_receipt, _online_in_english),
    "roll, long, odd text": (render_roll_receipt, _many_invoices_and_odd_text),
}

DIGESTS = {
    "cash, French": "62fd20a88085962d264656f8de2b9628eb68c42f1656192d75dc5de35bfde899",
    "card, English": "792ce50bc0c8391ec44ff07d2cb5f4cba49c266225719ff2bb9db4c3de9120a8",
    "voided, other alphabets": "53a203da49ee38e9c24c966bf3b4b1593ec28b18973f1ebd8c715f89e0886e63",
    "roll, cash": "280ae4a687ebd6ba9689788dcd0038edbcbff07aa6fb4419790c86d4c4366390",
    "duplicate, English": "624e098f5d2f9dda7365a35c3c8be4ff5a7ff4bbff00a8d97e0040e8f0998082",
    "refund": "f522eea03fa1be1690c358f2942a5fea7c03711ae6b3fa7c9671c4c75cf74fd2",
    "cheque and balance": "d6523f8d868b5dc50637111899e7ca66f9a30e4a976c86dbdea8fb64df36fa60",
    "online, English": "c5d7d2f05bf8ea5e770f83b51bc08124d0c8ca7f01ee6fec0120794ee7716ae8",
    "pages, odd text": "05ba2c0abc6ac9790b5543559aca46417402cb2f2ae7527bb04caad5c57e425f",
    "roll, card, English": "1271a95974ee98e896733c2b603cef7ea2aeb744030a19a328e6e595fdbe559a",
    "roll, voided, alphabets": "7454fd8385685f982adcdce5d61f9017a4ef6a35c0ba09f9ccdd3723507f44e9",
    "roll, duplicate, English": "f06db3aae3e07c8d2788833c05b8a884c7379085bd4f93dfe34537e470e75635",
    "roll, refund": "2e89504d001c700894c0483a3274b1f5be3acf980d33244a52eaa418f513e562",
    "roll, cheque and balance": "4c31b36ebc37db636e27b5f53dd93605840e1a4b6fc839a7260c2d671fec5d7d",
    "roll, online, English": "b7f659f3848b0c8b2652d5b132ac2bbcc44d58a34cafd2842034864431343705",
    "roll, long, odd text": "88cb58ae0b37bd6c779b9a7555b2e3c06fe38ce438d3994cec0f62ce64a39213",
}


def _digest(case: str) -> str:
    render, document = CASES[case]
    return hashlib.sha256(render(document())).hexdigest()


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_same_receipt_gives_the_same_bytes(case: str) -> None:
    assert _digest(case) == DIGESTS[case]


def test_bytes_do_not_depend_on_what_was_printed_before_nor_on_the_thread() -> None:
    order = sorted(CASES)
    with ThreadPoolExecutor(max_workers=4) as pool:
        digests = list(pool.map(_digest, order * 3))
    assert digests == [DIGESTS[case] for case in order * 3]
