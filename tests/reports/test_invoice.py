"""The invoice PDF: its lines, voluntary contributions kept or declined, what is left to pay."""

from __future__ import annotations

from decimal import Decimal

from registrar_tui.reports.documents import InvoiceState
from registrar_tui.reports.invoice import render_invoice
from tests.reports.pdftext import text_of
from tests.reports.samples import invoice


def _line_block(text: str, start: str, size: int) -> list[str]:
    lines = [line.strip() for line in text.splitlines()]
    index = lines.index(start)
    return lines[index : index + size]


def test_invoice_lists_lines_totals_and_the_family() -> None:
    text = text_of(render_invoice(invoice()))
    for expected in (
        "FACTURE",
        "FAC00000397",
        "15 août 2026",
        "30 septembre 2026",
        "Hélène Tremblay",
        "1234, rue Saint-Denis, app. 5",
        "F0012345",
        "Tremblay, Élodie",
        "201337007",
        "AUT-2026",
        "Piano — cours individuel (30 min)",
        "190,00 $",
        "Total de la facture",
        "325,00 $",
        "Paiements reçus",
        "Solde à payer",
        "275,00 $",
        "MTL-2026-000045",  # the payment already received
    ):
        assert expected in text, expected


def test_voluntary_line_is_marked_and_a_declined_one_shown_as_declined() -> None:
    text = text_of(render_invoice(invoice()))
    kept = _line_block(text, "FOND", 4)
    assert "[cotisation volontaire]" in kept[1]
    assert kept[2:] == ["Incluse", "25,00 $"]
    declined = _line_block(text, "ASSO", 5)
    assert "[cotisation volontaire]" in declined[1]
    assert "Refusée par le payeur — non facturée" in declined
    assert "Refusée" in declined
    assert "Les cotisations volontaires sont facultatives" in text


def test_english_invoice() -> None:
    text = text_of(render_invoice(invoice(language="en")))
    for expected in (
        "INVOICE",
        "Issued on: August 15, 2026",
        "[voluntary contribution]",
        "Declined by the payer — not charged",
        "Balance due",
        "$275.00",
        "Please pay the balance by September 30, 2026.",
    ):
        assert expected in text, expected
    assert "Solde à payer" not in text


def test_cancelled_invoice_says_so_with_its_credit_note() -> None:
    doc = invoice(
        state=InvoiceState.CANCELLED,
        balance=Decimal("0.00"),
        credit_note_number="NC00000012",
        credit_note_reason="Inscription annulée avant le début des cours",
    )
    text = text_of(render_invoice(doc))
    assert "ANNULÉE" in text
    assert "NC00000012" in text
    assert "Inscription annulée avant le début des cours" in text
    assert "Veuillez payer" not in text


def test_paid_invoice_is_stamped_paid() -> None:
    doc = invoice(state=InvoiceState.PAID, paid=Decimal("325.00"), balance=Decimal("0.00"))
    text = text_of(render_invoice(doc))
    assert "PAYÉE" in text
    assert "Veuillez payer" not in text
