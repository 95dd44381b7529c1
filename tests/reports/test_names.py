"""Every family's name, whole, in every PDF; every font embedded (issue #13, point 13).

The fonts used to lack Vietnamese letters (« Thị Ánh Nguyễn » printed « Th Ánh Nguy n »,
« Đặng » printed « Đ ng »), and reportlab's Helvetica was named, unembedded, on every
page. The documents now embed DejaVu Sans only; a character it lacks prints as « � ».
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime

import pytest
from pypdf import PdfReader

from registrar_tui.reports.certificate import CertificateDocument, render_certificate
from registrar_tui.reports.day_close import render_day_close
from registrar_tui.reports.documents import (
    DayCloseTransaction,
    Issuer,
    PaymentMethod,
    ReceiptAllocationRow,
)
from registrar_tui.reports.invoice import render_invoice
from registrar_tui.reports.receipt import render_receipt
from registrar_tui.reports.statement import render_statement
from tests.reports import samples
from tests.reports.pdftext import text_of

D = samples.D
PAYER = "Thị Ánh Nguyễn"
STUDENT = "Đặng Văn Minh"
GREEK = "Αλέξανδρος Παπαδόπουλος"
CYRILLIC = "Анастасия Иванова"
POLISH = "Łukasz Żółć-Brzęczyszczykiewicz"
NAMES = (PAYER, STUDENT, GREEK, CYRILLIC, POLISH)
FAMILY = f"Famille {STUDENT.split()[0]}-Nguyễn"


def _receipt() -> bytes:
    return render_receipt(
        samples.card_receipt(
            family_name=FAMILY,
            payer_name=PAYER,
            clerk_name=GREEK,
            allocations=(
                ReceiptAllocationRow(
                    "FAC00000397", "Frais de scolarité", D("275.00"), D("0.00"), STUDENT
                ),
                ReceiptAllocationRow(
                    "FAC00000412", "Frais de scolarité", D("125.00"), D("0.00"), CYRILLIC
                ),
            ),
            student_numbers=("201337007",),
            refund_reason=POLISH,
        )
    )


def _invoice() -> bytes:
    return render_invoice(
        samples.invoice(
            family_name=FAMILY,
            billing_name=PAYER,
            student_name=STUDENT,
            billing_address=(f"12, rue {CYRILLIC}", f"{GREEK} (QC)"),
            description=POLISH,
        )
    )


def _statement() -> bytes:
    base = samples.statement(rows=1)
    row = base.rows[0]
    rows = tuple(
        replace(row, invoice_number=f"FAC0000100{index}", student_name=name)
        for index, name in enumerate((STUDENT, GREEK, CYRILLIC, POLISH))
    )
    return render_statement(
        replace(base, family_name=FAMILY, billing_name=PAYER, rows=rows)  # type: ignore[arg-type]
    )


def _certificate() -> bytes:
    return render_certificate(
        CertificateDocument(
            issuer=samples.ISSUER,
            certificate_number="FAC00000397",
            issued_at=samples.ISSUED_AT,
            student_name=STUDENT,
            student_number="201337007",
            code_permanent="DANM12031401",
            birth_date=date(2014, 3, 12),
            term_code="AUT-2026",
            term_starts_on=date(2026, 9, 1),
            term_ends_on=date(2026, 12, 20),
            disciplines=(f"Piano — {GREEK}", f"Solfège — {CYRILLIC}", POLISH),
            signed_by=PAYER,
        )
    )


def _day_close() -> bytes:
    base = samples.day_close()
    moves = tuple(
        DayCloseTransaction(
            datetime(2026, 11, 23, 19, index),
            f"MTL-2026-00012{index}",
            name,
            f"F001234{index}",
            PaymentMethod.CASH,
            D("10.00"),
        )
        for index, name in enumerate((FAMILY, GREEK, CYRILLIC, POLISH))
    )
    return render_day_close(replace(base, clerk_name=PAYER, transactions=moves))


DOCUMENTS: dict[str, Callable[[], bytes]] = {
    "receipt": _receipt,
    "invoice": _invoice,
    "statement": _statement,
    "certificate": _certificate,
    "day close": _day_close,
}


def _words(text: str) -> str:
    """The extracted text, its lines joined (a long name may wrap in a narrow cell)."""
    return " ".join(text.split())


@pytest.mark.parametrize("kind", list(DOCUMENTS))
def test_names_in_every_script_print_whole(kind: str) -> None:
    text = _words(text_of(DOCUMENTS[kind]()))

    shown = [name for name in (*NAMES, FAMILY) if name in text]
    expected = {
        "receipt": (PAYER, STUDENT, GREEK, CYRILLIC, FAMILY),
        "invoice": (PAYER, STUDENT, GREEK, CYRILLIC, POLISH, FAMILY),
        "statement": (PAYER, STUDENT, GREEK, CYRILLIC, POLISH, FAMILY),
        "certificate": (PAYER, STUDENT, GREEK, CYRILLIC, POLISH),
        "day close": (PAYER, GREEK, CYRILLIC, POLISH, FAMILY),
    }[kind]
    assert set(expected) <= set(shown), (kind, text)
    assert "\ufffd" not in text  # nothing was replaced: every letter has its glyph


def _fonts(pdf: bytes) -> dict[str, bool]:
    """Every font a page names, and whether its file is embedded in the PDF."""
    found: dict[str, bool] = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources = page["/Resources"].get_object()
        for reference in resources.get("/Font", {}).values():
            font = reference.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            embedded = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            found[str(font["/BaseFont"])] = embedded
    return found


@pytest.mark.parametrize("kind", list(DOCUMENTS))
def test_every_font_is_embedded(kind: str) -> None:
    fonts = _fonts(DOCUMENTS[kind]())

    assert fonts, kind
    assert all(fonts.values()), fonts  # Helvetica (base 14) used to be named, not embedded
    assert {name.split("+")[-1] for name in fonts} <= {"DejaVuSans", "DejaVuSans-Bold"}


def test_a_character_no_font_has_prints_as_a_visible_replacement() -> None:
    """A name in a script the fonts lack: each missing letter shows as « � », never
    dropped, so the document never prints a shorter, different name."""
    pdf = render_receipt(samples.card_receipt(payer_name="李小龍 Nguyễn"))
    text = _words(text_of(pdf))

    assert "��� Nguyễn" in text
    assert "李" not in text


def test_decomposed_accents_print_as_the_composed_letters() -> None:
    """« Nguyễn » typed with combining accents (NFD) prints, and is found, as one word."""
    decomposed = unicodedata.normalize("NFD", PAYER)
    assert decomposed != PAYER
    text = _words(text_of(render_receipt(samples.card_receipt(payer_name=decomposed))))

    assert PAYER in text


LONG_ISSUER = Issuer(
    institution_name="Conservatoire Laurentien de musique et d'art dramatique",
    establishment_name="Conservatoire Laurentien de musique et d'art dramatique — Montréal",
    establishment_code="MTL",
    address_line="3850, rue Saint-Urbain, pavillon des Arts-de-la-Scène, porte B",
    city="Montréal",
    province="QC",
    postal_code="H2W 1T7",
    phone="514-555-0142",
)


def test_the_receipt_against_seed_000() -> None:
    """Student numbers beside the client, a transaction reference that is not the
    receipt number, the family's balance, where it was paid (and why the number follows
    that site), the institution named once, a footer never cut."""
    doc = samples.card_receipt(
        issuer=LONG_ISSUER,
        student_numbers=("201337007", "201337015"),
        transaction_reference="TX-P00001620",
        family_balance=D("150.00"),
        balance_as_of=datetime(2026, 11, 23, 19, 31),
    )
    text = _words(text_of(render_receipt(doc)))

    assert "Client Famille Tremblay-Bélanger N° de client F0012345" in text
    assert "N° d'élèves 201337007, 201337015" in text
    assert "Réf. de transaction TX-P00001620" in text
    assert doc.receipt_number != "TX-P00001620"
    assert "Votre solde au 2026-11-23 14 h 31 150,00 $" in text
    assert "Payé à Montréal" in text
    assert "ce reçu est de la série MTL (Montréal)" in text
    assert text.count("Conservatoire Laurentien de musique et d'art dramatique") == 1
    # The footer, whole: the phone number is not cut to « Tél. : 5… ».
    assert "3850, rue Saint-Urbain, pavillon des Arts-de-la-Scène, porte B, Montréal" in text
    assert "Tél. : 514-555-0142" in text.split("Page 1 de 1")[0] + text
    assert "…" not in text


def test_a_footer_too_long_for_one_line_goes_on_two() -> None:
    """A long establishment name and address: the footer wraps, the phone stays whole."""
    issuer = replace(
        LONG_ISSUER,
        establishment_name="École de musique et de théâtre du Centre des arts de la scène",
        address_line="3850, rue Saint-Urbain, pavillon des Arts-de-la-Scène, porte B, local 204",
    )
    lines = text_of(render_receipt(samples.card_receipt(issuer=issuer))).splitlines()

    assert lines[0] == "École de musique et de théâtre du Centre des arts de la scène"
    assert lines[1] == (
        "3850, rue Saint-Urbain, pavillon des Arts-de-la-Scène, porte B, local 204, Montréal"
        " · Tél. : 514-555-0142"
    )
    assert "…" not in " ".join(lines)


def test_the_english_receipt_says_the_same() -> None:
    doc = samples.card_receipt(
        issuer=LONG_ISSUER,
        student_numbers=("201337007",),
        transaction_reference="TX-P00001620",
        family_balance=D("0.00"),
        language="en",
    )
    text = _words(text_of(render_receipt(doc)))

    assert "Student no. 201337007" in text
    assert "Transaction ref. TX-P00001620" in text
    assert "Your balance $0.00" in text
    assert "Paid at Montréal" in text
    assert "Tel.: 514-555-0142" in text


def test_the_fonts_ship_inside_the_package_with_their_licence() -> None:
    """A wheel carries the fonts (package data): no system font is ever needed."""
    import tomllib
    from fnmatch import fnmatch
    from pathlib import Path

    import registrar_tui
    from registrar_tui.reports.common import FONT_FILES, FONT_FOLDER

    package = Path(registrar_tui.__file__).parent
    pyproject = tomllib.loads((package.parent / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["registrar_tui"]
    shipped = [FONT_FOLDER / name for name in (*FONT_FILES.values(), "LICENSE")]
    for path in shipped:
        assert path.is_file(), path
        relative = path.relative_to(package).as_posix()
        assert any(fnmatch(relative, pattern) for pattern in patterns), relative
    assert "Bitstream Vera" in (FONT_FOLDER / "LICENSE").read_text(encoding="utf-8")
