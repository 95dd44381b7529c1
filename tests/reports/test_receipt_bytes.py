"""A receipt's bytes are fixed by its content: the same receipt printed again, in another
thread or after other documents, is the same file (its chain hash, an archived copy or a
reprint compared by a family all rely on it). The Letter digests below were taken when
the receipt was first drawn straight on the canvas (reports/canvas_form.py), its pages
compared by eye with the Platypus layout it replaced; the roll's before its renderer was
made faster (cached fonts, styles and font subsets; reportlab's C accelerator): any
change to what the PDF holds, however small, fails here. Should the
layout of the receipt change on purpose, take the new digests after looking at the PDFs
(`python -m tests.reports.samples /tmp/reports`)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from registrar_tui.reports.documents import CopyKind, ReceiptDocument
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


CASES: dict[str, tuple[Callable[[ReceiptDocument], bytes], Callable[[], ReceiptDocument]]] = {
    "cash, French": (render_receipt, cash_receipt),
    "card, English": (render_receipt, lambda: card_receipt(language="en")),
    "voided, other alphabets": (render_receipt, _voided_in_vietnamese_names),
    "roll, cash": (render_roll_receipt, cash_receipt),
}

DIGESTS = {
    "cash, French": "62fd20a88085962d264656f8de2b9628eb68c42f1656192d75dc5de35bfde899",
    "card, English": "792ce50bc0c8391ec44ff07d2cb5f4cba49c266225719ff2bb9db4c3de9120a8",
    "voided, other alphabets": "53a203da49ee38e9c24c966bf3b4b1593ec28b18973f1ebd8c715f89e0886e63",
    "roll, cash": "280ae4a687ebd6ba9689788dcd0038edbcbff07aa6fb4419790c86d4c4366390",
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
