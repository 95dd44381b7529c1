"""A year's PDFs in bulk: read in one pass, rendered by worker processes, the same files
as the student's PDF printed alone (the portal's and the screen's)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from registrar_tui.db import Database
from registrar_tui.models import Family, Language
from registrar_tui.services.tax_slips import documents
from registrar_tui.services.tax_slips.build import build_slips
from registrar_tui.services.tax_slips.bulk import CHUNK, write_slip_pdfs
from tests.services.tax_slips.slips_data import build_slip_world


def _text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(page.extract_text() for page in pages).split())


def test_bulk_pdfs_are_the_students_pdfs(database: Database, tmp_path: Path) -> None:
    world = build_slip_world(database, sin="130692544")
    with database.write() as uow:
        build_slips(uow, world.school.admin_id, 2026, dry_run=False)
        family = uow.session.get_one(Family, world.family_id)
        family.language = Language.ENGLISH
        uow.session.add(family)
    with database.read() as uow:
        alone = documents.student_slips_pdf(uow, world.student_id, 2026)
        # A student without a slip of the year (an unknown id too) gets no file.
        found = documents.year_slip_documents(uow, 2026, [world.student_id, 999_999])

    assert [name for name, _document in found] == [alone.filename]
    assert write_slip_pdfs(found, tmp_path / "one", workers=1) == 1
    written = (tmp_path / "one" / alone.filename).read_bytes()
    assert written == alone.pdf
    text = _text(written)
    assert "$675.00" in text and "*** *** 544" in text

    # Enough students for the worker processes: every file the same bytes.
    many = [(f"{n:03d}-{name}", document) for n in range(2 * CHUNK + 3) for name, document in found]
    done: list[int] = []
    count = write_slip_pdfs(
        many, tmp_path / "many", workers=2, progress=lambda d, _total: done.append(d)
    )
    assert count == len(many) and done[-1] == len(many)
    files = sorted((tmp_path / "many").iterdir())
    assert len(files) == len(many)
    assert all(path.read_bytes() == alone.pdf for path in files)


def test_a_file_a_worker_cannot_write_is_an_error(database: Database, tmp_path: Path) -> None:
    world = build_slip_world(database, sin="130692544")
    with database.write() as uow:
        build_slips(uow, world.school.admin_id, 2026, dry_run=False)
    with database.read() as uow:
        found = documents.year_slip_documents(uow, 2026, [world.student_id])
    many = [(f"{n:03d}-{name}", document) for n in range(2 * CHUNK + 3) for name, document in found]
    # A folder where one student's file should go: that worker's chunk fails.
    blocked = tmp_path / "many" / many[-1][0]
    blocked.mkdir(parents=True)

    with pytest.raises(IsADirectoryError):
        write_slip_pdfs(many, tmp_path / "many", workers=2)

    # The other chunks may have been written; the blocked student has no PDF.
    assert blocked.is_dir()
