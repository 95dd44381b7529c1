"""The receipt on an 80 mm roll: the Letter receipt's content, one page, 72 mm printed."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader

from registrar_tui.reports.documents import CopyKind, ReceiptAllocationRow, ReceiptKind
from registrar_tui.reports.receipt_roll import render_roll_receipt
from tests.reports.pdftext import metadata
from tests.reports.pdftext import text_of as lines_of
from tests.reports.samples import ISSUED_AT, ISSUER, card_receipt, cash_receipt

REPO = Path(__file__).resolve().parents[2]
MM = 72 / 25.4
# The hostile input of test_safety.py: markup, BBCode, an escape sequence and a bell.
NASTY = "<b>Roy</b> & [b]Fils[/b] \x1b[31mrouge\x07"
PRINTED = "<b>Roy</b> & [b]Fils[/b] [31mrouge"  # escape and bell bytes removed


def text_of(pdf: bytes) -> str:
    """The text on one line: a 72 mm column wraps names and phrases the Letter page
    keeps whole."""
    return " ".join(lines_of(pdf).split())


def _invoices(count: int) -> tuple[ReceiptAllocationRow, ...]:
    """`count` invoices with long descriptions and names, and large amounts."""
    return tuple(
        ReceiptAllocationRow(
            invoice_number=f"FAC{400 + index:08d}",
            description=f"Frais de scolarité — piano, solfège et chant choral, niveau {index}",
            amount_applied=Decimal("12345.67"),
            balance_after=Decimal("123456.78"),
            student_name="Tremblay-Bélanger, Marie-Élodie-Françoise",
            term_code="AUT-2026",
        )
        for index in range(count)
    )


def _pages(pdf: bytes) -> list[tuple[float, float]]:
    return [
        (float(page.mediabox.width), float(page.mediabox.height))
        for page in PdfReader(io.BytesIO(pdf)).pages
    ]


@pytest.mark.parametrize("count", [1, 20, 60])
def test_one_page_80_mm_wide_however_many_invoices(count: int) -> None:
    pdf = render_roll_receipt(card_receipt(allocations=_invoices(count)))
    pages = _pages(pdf)
    assert len(pages) == 1
    width, _height = pages[0]
    assert width == pytest.approx(80 * MM, abs=0.01)  # 226.77 pt
    assert width == pytest.approx(226.77, abs=0.01)
    text = text_of(pdf)
    assert "FAC00000400" in text
    assert f"FAC{400 + count - 1:08d}" in text  # the last invoice is on the page too
    assert "Conservez cette copie" in text  # and the end of the receipt under it


def test_the_page_is_as_long_as_the_receipt() -> None:
    short = _pages(render_roll_receipt(cash_receipt()))[0][1]
    long = _pages(render_roll_receipt(card_receipt(allocations=_invoices(20))))[0][1]
    assert 100 * MM < short < 300 * MM  # a short receipt stays short
    assert long > short + 19 * 10 * MM  # each invoice adds its rows


def test_card_receipt_holds_every_fact_of_the_payment() -> None:
    text = text_of(render_roll_receipt(card_receipt()))
    for expected in (
        "Conservatoire de musique et d’art",
        "Conservatoire de musique de Montréal",
        "4750, avenue Henri-Julien",
        "H2T 2C8",
        "514 873-4031",
        "REÇU DE PAIEMENT",
        "MTL-2026-000123",
        "23 novembre 2026 à 14 h 30",
        "Famille Tremblay-Bélanger",
        "F0012345",
        "Hélène Tremblay",
        "Carte de crédit",
        "Visa ••••1234",
        "A7K93Q",
        "400,00 $",
        "Françoise Côté",
        "Factures réglées",
        "FAC00000397",
        "275,00 $",
        "FAC00000412",
        "125,00 $",
        "1 150,00 $",
        "Solde après",
        "Conservez cette copie pour vos dossiers.",
        "Empreinte : 9f2c4e1ab37d5c60",
    ):
        assert expected in text, expected
    assert "DUPLICATA" not in text and "ANNULÉ" not in text
    assert text.count("MTL-2026-000123") == 1  # in the heading, not again in the facts


def test_cash_receipt_shows_tendered_change_and_balance() -> None:
    doc = cash_receipt(family_balance=Decimal("1150.00"), balance_as_of=ISSUED_AT)
    text = text_of(render_roll_receipt(doc))
    for expected in ("Comptant", "Montant remis", "300,00 $", "Monnaie à rendre", "25,00 $"):
        assert expected in text, expected
    assert "Votre solde au 2026-11-23" in text
    assert "••••" not in text


def test_cheque_number_and_credit() -> None:
    from registrar_tui.reports.documents import PaymentMethod

    doc = card_receipt(
        method=PaymentMethod.CHEQUE,
        cheque_number="004512",
        cheque_bank="Desjardins",
        credit_added=Decimal("50.00"),
        family_credit_after=Decimal("75.00"),
    )
    text = text_of(render_roll_receipt(doc))
    for expected in ("N° de chèque", "004512", "Desjardins", "Porté au crédit du dossier"):
        assert expected in text, expected
    assert "75,00 $" in text


def test_duplicate_and_void_stamps() -> None:
    duplicate = text_of(
        render_roll_receipt(
            card_receipt(copy_kind=CopyKind.DUPLICATE, printed_at=ISSUED_AT + timedelta(days=2))
        )
    )
    assert "DUPLICATA" in duplicate
    assert "25 novembre 2026 à 14 h 30" in duplicate
    voided = text_of(
        render_roll_receipt(
            card_receipt(
                copy_kind=CopyKind.VOIDED,
                void_reason="Montant saisi en double",
                voided_by="Marc-André Gagnon",
            )
        )
    )
    assert "ANNULÉ" in voided
    assert "Montant saisi en double" in voided
    assert "Marc-André Gagnon" in voided


def test_refund_receipt() -> None:
    doc = cash_receipt(
        kind=ReceiptKind.REFUND,
        allocations=(),
        amount_tendered=None,
        change_due=None,
        refund_reason="Crédit remboursé à la demande du payeur",
    )
    text = text_of(render_roll_receipt(doc))
    assert "REÇU DE REMBOURSEMENT" in text
    assert "Montant remboursé" in text
    assert "Crédit remboursé à la demande du payeur" in text


def test_english_while_the_ui_stays_french() -> None:
    from registrar_tui.i18n import current_language

    text = text_of(render_roll_receipt(cash_receipt(language="en", copy_kind=CopyKind.DUPLICATE)))
    for expected in (
        "PAYMENT RECEIPT",
        "Receipt no.",
        "Amount paid",
        "$275.00",
        "Change due",
        "$25.00",
        "November 23, 2026 at 2:30",
        "Invoices paid",
        "DUPLICATE",
        "Keep this copy",
    ):
        assert expected in text, expected
    assert "Conservez" not in text
    assert current_language() == "fr_CA"


def test_user_text_prints_literally() -> None:
    doc = card_receipt(
        family_name=NASTY,
        payer_name=NASTY,
        clerk_name=NASTY,
        copy_kind=CopyKind.VOIDED,
        void_reason=NASTY,
        issuer=replace(ISSUER, establishment_name="Pavillon <Nord> & Cie"),
        allocations=tuple(replace(a, description=NASTY) for a in card_receipt().allocations),
    )
    text = text_of(render_roll_receipt(doc))
    assert PRINTED in text
    assert "Pavillon <Nord> & Cie" in text
    assert "\x1b" not in text and "\x07" not in text
    assert "MTL-2026-000123" in text and "400,00 $" in text


def test_characters_outside_the_font_do_not_crash() -> None:
    name = "Nguyễn Thị Minh Khai 李小龍 🎻"
    text = text_of(render_roll_receipt(cash_receipt(family_name=name, payer_name=name)))
    assert "Nguyễn Thị Minh Khai" in text


def test_metadata_and_identical_bytes() -> None:
    doc = card_receipt(allocations=_invoices(20))
    first = render_roll_receipt(doc)
    assert render_roll_receipt(cash_receipt(language="en")) != first
    assert render_roll_receipt(doc) == first
    info = metadata(first)
    assert info["/Title"] == "Reçu de paiement MTL-2026-000123"
    assert info["/CreationDate"].startswith("D:20261123193000")


def test_identical_bytes_across_processes() -> None:
    script = (
        "import hashlib\n"
        "from registrar_tui.reports.receipt_roll import render_roll_receipt\n"
        "from tests.reports.samples import card_receipt\n"
        "print(hashlib.sha256(render_roll_receipt(card_receipt())).hexdigest())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=REPO,
    )
    expected = hashlib.sha256(render_roll_receipt(card_receipt())).hexdigest()
    assert result.stdout.strip() == expected


def _gray_pixels(pdf: bytes, dpi: int, folder: Path) -> tuple[int, int, bytes]:
    """The page rendered in grey levels by poppler (binary PGM): width, height, pixels."""
    source = folder / "receipt.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-gray", "-r", str(dpi), "-singlefile", str(source), str(folder / "page")],
        capture_output=True,
        check=True,
        timeout=60,
    )
    data = (folder / "page.pgm").read_bytes()
    magic, width, height, maximum, pixels = data.split(maxsplit=4)
    assert magic == b"P5" and maximum == b"255"
    width_px, height_px = int(width), int(height)
    assert len(pixels) == width_px * height_px
    return width_px, height_px, pixels


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler's pdftoppm")
@pytest.mark.parametrize("count", [1, 20])
def test_nothing_is_printed_outside_the_72_mm(count: int, tmp_path: Path) -> None:
    """The outer 4 mm of each side stay blank: long names, amounts and descriptions wrap
    inside the printable width instead of running off the paper."""
    long_word = "Wolfeschlegelsteinhausenbergerdorff-Tremblay-Bélanger-Gagnon"
    doc = card_receipt(
        family_name=f"Famille {long_word}",
        payer_name=long_word,
        amount=Decimal("246913.40"),
        allocations=_invoices(count),
        family_balance=Decimal("123456.78"),
        balance_as_of=ISSUED_AT,
        copy_kind=CopyKind.VOIDED,
        void_reason=long_word,
    )
    dpi = 100
    width, height, pixels = _gray_pixels(render_roll_receipt(doc), dpi, tmp_path)
    margin = int(3.6 * MM * dpi / 72)  # a little inside the 4 mm margins
    assert width == round(80 * MM * dpi / 72)
    assert min(pixels) < 100  # the receipt is there, in ink
    for row in range(height):
        line = pixels[row * width : (row + 1) * width]
        assert min(line[:margin]) > 200, f"left margin inked at row {row}"
        assert min(line[width - margin :]) > 200, f"right margin inked at row {row}"
