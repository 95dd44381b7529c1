"""The slips' PDFs (read back with pypdf), the summary PDF and its CSV."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader

from registrar_tui.db import Database
from registrar_tui.models import Family, Language
from registrar_tui.services.tax_slips import documents
from registrar_tui.services.tax_slips.build import build_slips
from tests.services.tax_slips.slips_data import build_slip_world


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_student_pdf_summary_and_csv(database: Database, tmp_path: Path) -> None:
    world = build_slip_world(database, sin="130692544")
    with database.write() as uow:
        build_slips(uow, world.school.admin_id, 2026, dry_run=False)
    with database.read() as uow:
        slip = documents.student_slips_pdf(uow, world.student_id, 2026)
        summary = documents.summary_pdf(uow, 2026, world.school.montreal_id, 0)
        csv_data = documents.summary_csv(uow, 2026)
    text = _text(slip.pdf)
    assert "Relevé 8" in text and "T2202" in text
    assert "Case B — Frais de scolarité ou d'examen 675,00 $" in text
    assert "675,00 $" in text
    assert "*** *** 544" in text and "130692544" not in text and "130 692 544" not in text
    assert "HIV-2026" in text and "500,00 $" in text and "175,00 $" in text
    (tmp_path / "slip.pdf").write_bytes(slip.pdf)
    (tmp_path / "summary.pdf").write_bytes(summary.pdf)
    assert "Sommaire des relevés fiscaux 2026".upper() in _text(summary.pdf)
    lines = csv_data.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("year,kind,status,count,eligible_tuition")
    assert lines[1:] == ["2026,rl8,R,1,675.00,1,0,5", "2026,t2202,R,1,675.00,1,0,5"]

    # In English for an English-speaking family.
    with database.write() as uow:
        family = uow.session.get_one(Family, world.family_id)
        family.language = Language.ENGLISH
        uow.session.add(family)
    with database.read() as uow:
        english = _text(documents.student_slips_pdf(uow, world.student_id, 2026).pdf)
    assert "$675.00" in english
