"""A student's tax slips PDF (RL-8 and T2202), drawn at fixed places on the canvas.

Read back with pypdf: the boxes' labels and values, user text printed literally and whole
(or visibly shortened with « … » when it cannot fit its box), a second page when the
periods do not fit one, every font embedded, the same bytes for the same slips.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

from pypdf import PdfReader

from registrar_tui.reports.tax_slip import (
    PeriodRow,
    SlipBoxes,
    TaxSlipDocument,
    render_tax_slips,
)
from tests.reports.pdftext import page_texts, text_of
from tests.reports.samples import ISSUER
from tests.reports.test_names import _fonts

PERIODS = (
    PeriodRow("HIV-2026", "2026-01", "2026-05", 0, 5, Decimal("500.00")),
    PeriodRow("AUT-2026", "2026-09", "2026-12", 0, 4, Decimal("175.00")),
)
NASTY = "<b>Roy</b> & [b]Fils[/b] \x1b[31mrouge\x07"
PRINTED = "<b>Roy</b> & [b]Fils[/b] [31mrouge"


def _slip(kind: str, status: str = "R", periods: tuple[PeriodRow, ...] = PERIODS) -> SlipBoxes:
    total = sum((period.eligible_tuition for period in periods), Decimal("0"))
    return SlipBoxes(
        kind=kind,
        number=1234,
        status=status,
        amends_number=1200 if status != "R" else None,
        eligible_tuition=total,
        full_time_sessions=1,
        months_part_time=0,
        months_full_time=sum(period.months_full_time for period in periods),
        periods=periods if kind == "t2202" else (),
        program_name="Musique — préparatoire",
    )


def _document(**changes: object) -> TaxSlipDocument:
    document = TaxSlipDocument(
        issuer=ISSUER,
        year=2026,
        student_name="Thị Ánh Nguyễn",
        student_number="200690001",
        address_lines=("4750, avenue Henri-Julien", "Montréal (QC)  H2T 2C8"),
        sin_masked="*** *** 544",
        slips=(_slip("rl8"), _slip("t2202")),
        built_at=datetime(2027, 2, 10, 14, 0),
    )
    return replace(document, **changes)  # type: ignore[arg-type]


def _words(text: str) -> str:
    return " ".join(text.split())


def test_the_boxes_in_french_and_in_english() -> None:
    french = _words(text_of(render_tax_slips(_document())))
    english = _words(text_of(render_tax_slips(_document(language="en"))))

    assert "RELEVÉS FISCAUX 2026" in french and "Thị Ánh Nguyễn" in french
    assert "Case B — Frais de scolarité ou d'examen 675,00 $" in french
    assert "Case 17 — N° d'assurance sociale *** *** 544" in french
    assert "HIV-2026 2026-01 2026-05 0 5 500,00 $" in french
    assert "675,00 $" in french.split("Totaux")[-1]
    assert "R — Original" in french and "O — Original" in french
    assert "Page 1 de 1" in french
    assert "TAX SLIPS 2026" in english and "$675.00" in english
    assert "Page 1 of 1" in english


def test_a_cancelled_slip_is_stamped_and_names_the_slip_it_cancels() -> None:
    pdf = render_tax_slips(_document(slips=(_slip("rl8", "D"), _slip("t2202", "D"))))
    text = _words(text_of(pdf))

    assert text.count("ANNULÉ") == 2
    assert "D — Annulé — annule le relevé n° 1200" in text
    assert "C — Annulé — annule le relevé n° 1200" in text


def test_user_text_prints_literally_and_a_long_name_is_never_cut_silently() -> None:
    long_name = (
        "Marie-Ève-Geneviève Tremblay-Desrosiers-Lévesque de la Montagne-Saint-Hilaire "
        "Ouellet-Bérubé-Charbonneau"
    )
    pdf = render_tax_slips(
        _document(student_name=long_name, address_lines=(NASTY,), student_number=NASTY)
    )
    text = text_of(pdf)

    assert PRINTED in _words(text)
    assert "\x1b" not in text and "\x07" not in text
    assert "Marie-Ève-Geneviève" in text and "Tremblay-Desrosiers-Lévesque" in text
    assert "Ouellet-Bérubé-Charbonneau" in _words(text.replace("-\n", "-"))


def test_many_periods_go_on_a_second_page_with_the_running_header() -> None:
    periods = tuple(
        PeriodRow(f"S{index:02d}-2026", "2026-01", "2026-02", 1, 0, Decimal("10.00"))
        for index in range(40)
    )
    pdf = render_tax_slips(_document(slips=(_slip("rl8"), _slip("t2202", periods=periods))))
    pages = [_words(page) for page in page_texts(pdf)]

    assert len(pages) == 2
    assert "Page 1 de 2" in pages[0] and "Page 2 de 2" in pages[1]
    assert "Relevés fiscaux 2026 — Thị Ánh Nguyễn" in pages[1]
    assert "S39-2026" in pages[1] and "400,00 $" in pages[1]
    assert "Session Case 19 — Début" in pages[1]  # the header row again atop page 2


def test_fonts_embedded_and_the_same_bytes_for_the_same_slips() -> None:
    pdf = render_tax_slips(_document(student_name="Αλέξανδρος Анастасия Łukasz"))

    assert "Αλέξανδρος Анастасия Łukasz" in text_of(pdf)
    fonts = _fonts(pdf)
    assert fonts and all(fonts.values())
    assert {name.split("+")[-1] for name in fonts} <= {"DejaVuSans", "DejaVuSans-Bold"}
    assert render_tax_slips(_document(student_name="Αλέξανδρος Анастасия Łukasz")) == pdf
    assert render_tax_slips(_document()) != pdf
    assert PdfReader(io.BytesIO(pdf)).metadata.title == "Relevés fiscaux 2026"
