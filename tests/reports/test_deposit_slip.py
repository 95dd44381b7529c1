"""The deposit slip: cash by denomination, cheques one per line, adjustments, totals."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from registrar_tui.reports.deposit_slip import (
    DepositSlipAdjustment,
    DepositSlipCash,
    DepositSlipCheque,
    DepositSlipDocument,
    render_deposit_slip,
)
from registrar_tui.reports.documents import PaymentMethod
from tests.reports.pdftext import text_of
from tests.reports.samples import ISSUER

D = Decimal


def slip(**changes: object) -> DepositSlipDocument:
    document = DepositSlipDocument(
        issuer=ISSUER,
        number="MTL-DEP-0007",
        account="00123-815-4567890",
        deposited_on=datetime(2026, 11, 27, 20, 0),
        prepared_by="Louise Gagnon",
        is_made=True,
        cash=(
            DepositSlipCash(D("100.00"), 3, D("300.00")),
            DepositSlipCash(D("10.00"), 1, D("10.00")),
        ),
        cash_total=D("310.00"),
        cheques=(
            DepositSlipCheque("000123", "Desjardins", "MTL-2026-000004", D("100.00")),
            DepositSlipCheque(
                "987", "Banque <Nationale> & fils", "MTL-2026-000005", D("250.00"), True
            ),
        ),
        cheques_total=D("350.00"),
        adjustments=(
            DepositSlipAdjustment(
                "MTL-2026-000002", "Famille Roy", PaymentMethod.CASH, "MTL-DEP-0006", D("-20.00")
            ),
            DepositSlipAdjustment(
                "MTL-2026-000009", "Famille Gagnon", PaymentMethod.CASH, "", D("-10.00"), True
            ),
        ),
        cash_adjustments_total=D("-30.00"),
        cheque_adjustments_total=D("0.00"),
        total=D("660.00"),
    )
    return replace(document, **changes)  # type: ignore[arg-type]


def test_a_slip_a_teller_can_check() -> None:
    text = text_of(render_deposit_slip(slip()))
    lines = [line.strip() for line in text.splitlines()]

    for expected in (
        "BORDEREAU DE DÉPÔT",
        "MTL-DEP-0007",
        "27 novembre 2026",
        "00123-815-4567890",
        "Banque <Nationale> & fils",  # escaped, printed literally
        "000123",
        "987 (certifié)",
        "MTL-DEP-0006",
        "Signature du déposant",
    ):
        assert expected in text, expected
    assert lines[lines.index("100,00 $") + 1 : lines.index("100,00 $") + 3] == ["× 3", "300,00 $"]
    assert lines[lines.index("Total du comptant") + 1] == "310,00 $"
    assert lines[lines.index("Total des chèques") + 1] == "350,00 $"
    assert lines[lines.index("Total du dépôt") + 1] == "660,00 $"
    assert "-20,00 $" in text and "-10,00 $" in text
    assert "Remboursement" in text
    assert "Ajustements en comptant (-30,00 $) déjà déduits du comptant." in text
    assert "PAS ENCORE DÉPOSÉ" not in text


def test_no_account_leaves_a_line_and_a_prepared_slip_says_so() -> None:
    text = text_of(render_deposit_slip(slip(account="", is_made=False, language="en")))

    assert "DEPOSIT SLIP" in text
    assert "_" * 20 in text
    assert "PREPARED — NOT DEPOSITED YET" in text
