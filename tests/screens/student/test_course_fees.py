"""Issue #13 point 7 at the student record, by keyboard: what adding or dropping a course
bills (said before the key that confirms), a same-day drop cancelled by credit note, the
attendance confirmed at the counter, the certificate requested, paid, then handed over."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Static
from textual.worker import WorkerCancelled

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import (
    AuditEvent,
    CreditNote,
    Enrolment,
    EnrolmentStatus,
    Invoice,
    InvoiceLine,
    Sex,
    Student,
    Term,
)
from registrar_tui.screens.payment.screen import PaymentScreen
from registrar_tui.screens.student.certificate import CertificateScreen
from registrar_tui.screens.student.screen import StudentScreen
from registrar_tui.services.records.term_fees import late_fee_terms
from registrar_tui.services.staff.settings import INSTITUTION_NAME, set_setting
from tests.conftest import fixed_clock
from tests.screens.desk.reenrolment_fixtures import ReenrolmentWorld, seed_reenrolment
from tests.screens.fixtures import REGISTRAR_PASSWORD, REGISTRAR_USERNAME
from tests.screens.helpers import rows, shown, sign_in, type_text

D = Decimal
Scenario = Callable[[Pilot[None]], Awaitable[None]]


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.fixture
def world(database: Database) -> ReenrolmentWorld:
    return seed_reenrolment(database)


def run(database: Database, student_id: int, scenario: Scenario, *, registrar: bool) -> None:
    app = create_app(database=database, clock=fixed_clock, language="fr_CA")

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            if registrar:
                await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)
            else:
                await sign_in(pilot)
            await app.push_screen(StudentScreen(student_id))
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def screen_text(screen: Widget) -> str:
    """What the screen's text widgets show (non-breaking spaces as spaces)."""
    text = "\n".join(shown(static) for static in screen.query(Static) if static.display)
    return text.replace("\xa0", " ")


def footer_keys(screen: Widget) -> set[str]:
    return {str(key.key) for key in screen.query_one(Footer).query("FooterKey")}


def notices(pilot: Pilot[None]) -> str:
    return "\n".join(n.message for n in pilot.app._notifications).replace("\xa0", " ")


async def highlight(pilot: Pilot[None], table: DataTable[object], starts: str) -> None:
    """Move the table's cursor to the row starting with `starts` (arrow keys)."""
    index = next(i for i, row in enumerate(rows(table)) if row.startswith(starts))
    while table.cursor_row > index:
        await pilot.press("up")
    while table.cursor_row < index:
        await pilot.press("down")


def test_adding_a_course_says_what_it_bills_and_a_same_day_drop_cancels_it(
    database: Database, world: ReenrolmentWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        await pilot.press("2", "a")
        await settle(pilot)
        await pilot.press("enter")  # voice, the first course offered
        await settle(pilot)
        question = screen_text(pilot.app.screen)
        # The dialog names every line before the key that confirms: tuition + change fee.
        assert "Droits de scolarité — Chant : 180,00 $" in question
        assert "Frais de changement d'horaire (+ CHA) : 15,00 $" in question
        assert "Total : 195,00 $" in question
        await pilot.press("o")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "Cours ajouté. Facture FAC00000501 : 195,00 $." in notices(pilot)
        table = screen.query_one("#courses-table", DataTable)
        assert any(row.startswith("Chant") for row in rows(table))
        await highlight(pilot, table, "Chant")
        await pilot.press("d")
        await settle(pilot)
        question = screen_text(pilot.app.screen)
        assert "la facture FAC00000501 (195,00 $) sera annulée par une note de crédit" in question
        assert "Aucuns frais." in question
        await pilot.press("o")
        await settle(pilot)
        assert "Cours retiré. Note de crédit NC00000001 : 195,00 $." in notices(pilot)
        assert not any(row.startswith("Chant") and "en cours" in row for row in rows(table))

    run(database, world.students.lea_id, scenario, registrar=True)
    with database.read() as uow:
        voice = uow.session.exec(
            select(Enrolment).where(
                col(Enrolment.student_id) == world.students.lea_id,
                col(Enrolment.course_id) == world.voice_course_id,
            )
        ).one()
        assert voice.status == EnrolmentStatus.DROPPED
        invoice = uow.session.exec(
            select(Invoice).where(col(Invoice.number) == "FAC00000501")
        ).one()
        lines = uow.session.exec(
            select(InvoiceLine.fee_code, InvoiceLine.amount).where(
                col(InvoiceLine.invoice_id) == invoice.id
            )
        ).all()
        assert sorted(lines) == [("CHG-HORAIRE", D("15.00")), ("SCO-CHA", D("180.00"))]
        note = uow.session.exec(
            select(CreditNote).where(col(CreditNote.number) == "NC00000001")
        ).one()
        assert (note.invoice_id, note.amount) == (invoice.id, D("195.00"))
        # The drop billed nothing: no invoice after the cancelled one.
        assert uow.session.exec(select(Invoice).where(col(Invoice.id) > invoice.id)).all() == []


def test_a_clerk_confirms_attendance_so_no_late_fee_is_charged(
    database: Database, world: ReenrolmentWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        await pilot.press("2")
        await settle(pilot)
        assert "présence à confirmer" in shown(screen.query_one("#courses-title"))
        assert "p" in footer_keys(screen)
        await pilot.press("p")
        await settle(pilot)
        assert (
            "Avant la date limite du 30 nov. 2026 : les frais de confirmation tardive "
            "(25,00 $) ne seront pas facturés." in screen_text(pilot.app.screen)
        )
        await pilot.press("o")
        await settle(pilot)
        assert "Présence confirmée pour la session AUT-2026 (1 cours)." in notices(pilot)
        assert "présence confirmée" in shown(screen.query_one("#courses-title"))
        assert "p" not in footer_keys(screen)  # nothing left to confirm

    with database.write() as uow:  # the deadline is a week away
        autumn_term = uow.session.exec(select(Term).where(col(Term.code) == "AUT-2026")).one()
        autumn_term.confirmation_deadline = date(2026, 11, 30)
        uow.session.add(autumn_term)
    with database.read() as uow:
        (autumn,) = [t for t in late_fee_terms(uow) if t.term_code == "AUT-2026"]
    assert autumn.to_charge == 2  # Hugo among them
    run(database, world.students.hugo_id, scenario, registrar=False)
    with database.read() as uow:
        confirmed = uow.session.exec(
            select(Enrolment.attendance_confirmed_at).where(
                col(Enrolment.student_id) == world.students.hugo_id
            )
        ).all()
        assert confirmed and all(at is not None for at in confirmed)
        (autumn,) = [t for t in late_fee_terms(uow) if t.term_code == "AUT-2026"]
        actions = uow.session.exec(select(AuditEvent.action)).all()
    assert "enrolment.confirm_attendance" in actions
    assert autumn.to_charge == 1


def test_the_certificate_is_requested_paid_then_handed_over(
    database: Database, world: ReenrolmentWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(tmp_path))
    with database.write() as uow:
        set_setting(
            uow,
            INSTITUTION_NAME,
            "Conservatoire Laurentien de musique et d'art dramatique",
            world.students.seeded.admin_id,
        )
        lea = uow.session.get_one(Student, world.students.lea_id)
        lea.sex = Sex.FEMALE
        uow.session.add(lea)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("2", "t")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, CertificateScreen)
        assert "Frais : 10,00 $" in screen_text(dialog)
        assert "f" in footer_keys(dialog) and "enter" not in footer_keys(dialog)
        await pilot.press("f")  # request: the family is billed
        await settle(pilot)
        assert "Facture FAC00000501 : 10,00 $ à payer" in screen_text(dialog)
        assert {"f9", "enter"} <= footer_keys(dialog) and "f" not in footer_keys(dialog)
        await pilot.press("enter")  # not paid: the clerk is asked, and says no
        await settle(pilot)
        assert "n'est pas payée (10,00 $ à payer)" in screen_text(pilot.app.screen)
        await pilot.press("n")
        await settle(pilot)
        assert pilot.app.screen is dialog and not list(tmp_path.rglob("*.pdf"))
        await pilot.press("f9")  # pay: the payment screen on the certificate's invoice
        await settle(pilot)
        assert isinstance(pilot.app.screen, PaymentScreen)
        await type_text(pilot, "10")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")  # close the payment screen
        await settle(pilot)
        assert pilot.app.screen is dialog
        assert "Facture FAC00000501 payée. Entrée : remettre l'attestation." in screen_text(dialog)
        await pilot.press("enter")  # receive
        await settle(pilot)
        assert "Attestation remise (FAC00000501)" in screen_text(dialog)

    run(database, world.students.lea_id, scenario, registrar=False)
    (pdf,) = (tmp_path / "certificates").glob("*.pdf")
    assert pdf.name == "FAC00000501.pdf"
    text = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert "l’élève nommée ci-dessous est inscrite au Conservatoire Laurentien" in text
    assert "Léa Tremblay" in text
    with database.read() as uow:
        handed = uow.session.exec(
            select(AuditEvent.entity_id).where(col(AuditEvent.action) == "certificate.issue")
        ).all()
        invoice_id = uow.session.exec(
            select(Invoice.id).where(col(Invoice.number) == "FAC00000501")
        ).one()
    assert handed == [invoice_id]


def test_the_family_statement_shows_what_the_student_record_billed(
    database: Database, world: ReenrolmentWorld
) -> None:
    from registrar_tui.screens.counter.family import FamilyScreen

    app = create_app(database=database, clock=fixed_clock, language="fr_CA")

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            family = FamilyScreen(world.students.seeded.tremblay_id, initial_tab="billing")
            await app.push_screen(family)
            await settle(pilot)
            statement = family.query_one("#statement-table", DataTable)
            before = len(rows(statement))
            await pilot.press("2")
            await settle(pilot)
            students = family.query_one("#students-table", DataTable)
            await highlight(pilot, students, "Léa")
            await pilot.press("enter")
            await settle(pilot)
            await pilot.press("2", "t")
            await settle(pilot)
            await pilot.press("f")  # the certificate billed from the student record
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            await pilot.press("escape")  # back to the family
            await settle(pilot)
            await pilot.press("3")
            await settle(pilot)
            after = rows(statement)
            assert len(after) == before + 1
            assert any("FAC00000501" in row and "Attestation" in row for row in after)

    asyncio.run(main())
