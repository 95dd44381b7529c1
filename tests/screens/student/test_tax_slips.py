"""The student screen and the tax slips: the SIN typed at the counter (masked after the
save, revealed to the registrar only, audited), the slips' PDF read back with pypdf."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import col, select
from textual.widgets import Input

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, StaffUser, Student
from registrar_tui.screens.student.screen import StudentScreen
from registrar_tui.screens.student.sin_form import StudentSinScreen
from registrar_tui.services.tax_slips.build import build_slips
from tests.conftest import fixed_clock
from tests.passwords import hash_password
from tests.screens.fixtures import (
    CLERK_PASSWORD,
    REGISTRAR_PASSWORD,
    REGISTRAR_USERNAME,
)
from tests.screens.helpers import settle, sign_in, type_text
from tests.services.tax_slips.slips_data import SlipWorld, build_slip_world


def _world(database: Database) -> SlipWorld:
    world = build_slip_world(database)
    with database.write() as uow:
        for user_id, password in (
            (world.school.clerk_id, CLERK_PASSWORD),
            (world.school.registrar_id, REGISTRAR_PASSWORD),
        ):
            user = uow.session.get_one(StaffUser, user_id)
            user.password_hash = hash_password(password)
    return world


def test_clerk_types_the_sin_registrar_reveals_it(database: Database) -> None:
    world = _world(database)
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await app.push_screen(StudentScreen(world.student_id))
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)
            assert isinstance(app.screen, StudentSinScreen)
            box = app.screen.query_one("#student-sin-number", Input)
            assert box.value == ""
            await type_text(pilot, "130 692 545")
            await pilot.press("ctrl+s")
            await settle(pilot)
            message = app.screen.query_one("#student-sin-message")
            assert "invalide" in str(message.render())
            box.value = ""
            await type_text(pilot, "130 692 544")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert box.value == "*** *** 544"
            # A clerk has no reveal key.
            assert app.screen.check_action("reveal", ()) is False
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert box.value == "*** *** 544"
            await pilot.press("escape")
            await settle(pilot)

    asyncio.run(main())
    with database.read() as uow:
        student = uow.session.get_one(Student, world.student_id)
        assert student.social_insurance_number == "130692544"

    registrar_app = create_app(database=database, clock=fixed_clock)

    async def reveal() -> None:
        async with registrar_app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)
            await registrar_app.push_screen(StudentScreen(world.student_id))
            await settle(pilot)
            await pilot.press("i")
            await settle(pilot)
            box = registrar_app.screen.query_one("#student-sin-number", Input)
            assert box.value == "*** *** 544"
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert box.value == "130 692 544"

    asyncio.run(reveal())
    with database.read() as uow:
        actions = uow.session.exec(
            select(AuditEvent.action).where(col(AuditEvent.action).startswith("student.sin"))
        ).all()
    assert actions == ["student.sin_set", "student.sin_view"]


def test_slips_of_one_student_saved_as_pdf_with_their_boxes(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(tmp_path))
    world = _world(database)
    with database.write() as uow:
        build_slips(uow, world.school.admin_id, 2026, dry_run=False)
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await app.push_screen(StudentScreen(world.student_id))
            await settle(pilot)
            await pilot.press("f")
            await settle(pilot)

    asyncio.run(main())
    saved = sorted(tmp_path.glob("tax-slips/*.pdf"))
    assert [path.relative_to(tmp_path).as_posix() for path in saved] == [
        "tax-slips/releves-2026-200690001.pdf"
    ]
    pages = PdfReader(io.BytesIO(saved[0].read_bytes())).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Case A — Sessions à temps plein (postsecondaire) 1" in text
    assert "Case B — Frais de scolarité ou d'examen 675,00 $" in text
    assert "HIV-2026 2026-01 2026-05 0 5 500,00 $" in text
    assert "Totaux (cases 24, 25, 26) 0 5 675,00 $" in text
    assert "N° d'assurance sociale non fourni" in text
