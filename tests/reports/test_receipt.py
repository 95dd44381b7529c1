"""The receipt handed over at the counter: what the family reads on it."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from registrar_tui.i18n import current_language
from registrar_tui.reports.documents import CopyKind, PaymentMethod, ReceiptKind
from registrar_tui.reports.receipt import render_receipt
from tests.reports.pdftext import metadata, page_texts, text_of
from tests.reports.samples import ISSUED_AT, card_receipt, cash_receipt


def test_card_receipt_holds_every_fact_of_the_payment() -> None:
    text = text_of(render_receipt(card_receipt()))
    for expected in (
        "Conservatoire de musique et d’art",  # institution
        "Conservatoire de musique de Montréal",  # establishment where it was paid
        "4750, avenue Henri-Julien",
        "Montréal (QC)",
        "H2T 2C8",
        "514 873-4031",
        "Famille Tremblay-Bélanger",
        "F0012345",
        "Hélène Tremblay",
        "MTL-2026-000123",
        "23 novembre 2026 à 14 h 30",  # 19:30 UTC is 14 h 30 in Montréal
        "Carte de crédit",
        "Visa ••••1234",
        "A7K93Q",
        "400,00 $",
        "Françoise Côté",
        "Conservez cette copie",
    ):
        assert expected in text, expected
    assert "DUPLICATA" not in text
    assert "ANNULÉ" not in text


def test_each_invoice_paid_is_listed_with_its_balance_after() -> None:
    lines = text_of(render_receipt(card_receipt())).splitlines()
    first = lines.index("FAC00000397")
    second = lines.index("FAC00000412")
    assert [line.strip() for line in lines[first : first + 5]][-2:] == ["275,00 $", "0,00 $"]
    assert [line.strip() for line in lines[second : second + 5]][-2:] == [
        "125,00 $",
        "1 150,00 $",
    ]


def test_cash_receipt_shows_tendered_and_change_due() -> None:
    text = text_of(render_receipt(cash_receipt()))
    assert "Comptant" in text
    assert "Montant remis" in text
    assert "300,00 $" in text
    assert "Monnaie à rendre" in text
    assert "25,00 $" in text
    assert "••••" not in text
    assert "autorisation" not in text


def test_cheque_receipt_shows_number_and_bank() -> None:
    doc = card_receipt(
        method=PaymentMethod.CERTIFIED_CHEQUE,
        card_brand=None,
        card_last4=None,
        authorization_number=None,
        cheque_number="004512",
        cheque_bank="Banque Nationale",
    )
    text = text_of(render_receipt(doc))
    assert "Chèque certifié" in text
    assert "004512" in text
    assert "Banque Nationale" in text
    assert "Monnaie à rendre" not in text


def test_excess_left_as_family_credit_is_stated() -> None:
    text = text_of(
        render_receipt(
            card_receipt(credit_added=Decimal("60.00"), family_credit_after=Decimal("85.00"))
        )
    )
    assert "Porté au crédit du dossier" in text
    assert "60,00 $" in text
    assert "85,00 $" in text


def test_reprint_says_duplicata_with_the_reprint_time() -> None:
    doc = card_receipt(copy_kind=CopyKind.DUPLICATE, printed_at=ISSUED_AT + timedelta(days=2))
    text = text_of(render_receipt(doc))
    assert "DUPLICATA" in text
    assert "25 novembre 2026 à 14 h 30" in text
    assert "MTL-2026-000123" in text  # same receipt number


def test_voided_receipt_says_annule_with_the_reason() -> None:
    doc = card_receipt(
        copy_kind=CopyKind.VOIDED,
        void_reason="Montant saisi en double",
        voided_at=ISSUED_AT + timedelta(hours=1),
        voided_by="Marc-André Gagnon",
    )
    text = text_of(render_receipt(doc))
    assert "ANNULÉ" in text
    assert "Montant saisi en double" in text
    assert "Marc-André Gagnon" in text
    assert "DUPLICATA" not in text


def test_refund_receipt_has_its_own_title_and_reason() -> None:
    doc = cash_receipt(
        kind=ReceiptKind.REFUND,
        allocations=(),
        amount_tendered=None,
        change_due=None,
        refund_reason="Crédit remboursé à la demande du payeur",
    )
    text = text_of(render_receipt(doc))
    assert "REÇU DE REMBOURSEMENT" in text
    assert "Montant remboursé" in text
    assert "Crédit remboursé à la demande du payeur" in text
    assert "Monnaie à rendre" not in text


def test_english_receipt_while_the_ui_stays_french() -> None:
    text = text_of(render_receipt(cash_receipt(language="en")))
    for expected in (
        "PAYMENT RECEIPT",
        "Client no.",
        "Amount paid",
        "$275.00",
        "Change due",
        "$25.00",
        "November 23, 2026 at 2:30",
        "Cash",
        "Invoices paid",
        "Keep this copy",
    ):
        assert expected in text, expected
    assert "Monnaie à rendre" not in text
    assert "Conservez" not in text
    assert current_language() == "fr_CA"


def test_english_duplicate_and_void_stamps() -> None:
    duplicate = text_of(render_receipt(card_receipt(language="en", copy_kind=CopyKind.DUPLICATE)))
    voided = text_of(
        render_receipt(
            card_receipt(language="en", copy_kind=CopyKind.VOIDED, void_reason="Wrong family")
        )
    )
    assert "DUPLICATE" in duplicate
    assert "Visa ••••1234" in duplicate
    assert "Authorization no." in duplicate
    assert "VOID" in voided
    assert "Reason: Wrong family" in voided


def test_pdf_metadata_comes_from_the_receipt() -> None:
    info = metadata(render_receipt(card_receipt()))
    assert info["/Title"] == "Reçu de paiement MTL-2026-000123"
    assert info["/Author"] == "Conservatoire de musique et d’art dramatique du Québec"
    assert info["/CreationDate"].startswith("D:20261123193000")


def test_online_receipt_says_paiement_en_ligne_with_the_processor_transaction() -> None:
    from datetime import UTC, datetime

    doc = card_receipt(
        method=PaymentMethod.ONLINE,
        card_brand="Mastercard",
        card_last4="5454",
        authorization_number="OK7781",
        processor_transaction_id="ch_3PqR7x2026",
        paid_at=datetime(2026, 11, 23, 4, 40, tzinfo=UTC),
        clerk_name="Portail des familles",
    )

    text = text_of(render_receipt(doc))

    for expected in (
        "Paiement en ligne",
        "Mastercard ••••5454",
        "OK7781",
        "N° de transaction du processeur",
        "ch_3PqR7x2026",
        "22 novembre 2026 à 23 h 40",  # when the parent paid, in Montréal's time
    ):
        assert expected in text, expected


def test_sixty_invoices_run_over_pages_under_the_running_header() -> None:
    rows = tuple(
        replace(card_receipt().allocations[0], invoice_number=f"FAC{400 + index:08d}")
        for index in range(60)
    )
    pages = page_texts(render_receipt(card_receipt(allocations=rows)))

    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} de {len(pages)}" in text
    for text in pages[1:]:
        assert "Reçu de paiement MTL-2026-000123 — Famille Tremblay-Bélanger" in text
    for text in pages[1:-1]:
        assert "Montant imputé" in text  # the table's header row again
    listed = [line.strip() for text in pages for line in text.splitlines()]
    assert [line for line in listed if line.startswith("FAC")] == [
        row.invoice_number for row in rows
    ]
    assert "Conservez cette copie" in pages[-1]
    assert "Conservez cette copie" not in pages[0]
