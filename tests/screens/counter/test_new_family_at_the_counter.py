"""Scenario 12, « A new family at the counter », end to end as a CLERK and by keys only:
the search finds no Gauthier, F2 admits the family (the mother payer, the father second
guardian), `2` `n` adds the son (a code permanent that disagrees with his birth date is
flagged, then corrected), his first enrolment bills tuition + registration, and the whole
balance is paid by debit card from the family's billing tab."""

from __future__ import annotations

import asyncio
from datetime import date, time
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, OptionList, Static

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import (
    Allocation,
    Course,
    Discipline,
    Enrolment,
    Establishment,
    Family,
    FeeScheduleItem,
    Guardian,
    Invoice,
    InvoiceLine,
    NumberSequence,
    Payment,
    PaymentMethod,
    Student,
    Teacher,
)
from registrar_tui.models.base import DisciplineKind, EnrolmentStatus, FeeKind, Season
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.counter.new_family import NewFamilyScreen
from registrar_tui.screens.counter.search import SearchScreen
from registrar_tui.screens.payment.screen import PaymentScreen
from registrar_tui.screens.student.actions import CoursePickerScreen
from registrar_tui.screens.student.identity_form import StudentFormScreen
from registrar_tui.screens.student.screen import StudentScreen
from registrar_tui.services.ledger.statement import statement
from tests import builders
from tests.conftest import fixed_clock
from tests.screens.fixtures import seed
from tests.screens.helpers import rows, settle, shown, sign_in, type_text

D = Decimal

MOTHER = ("Nathalie", "Gauthier", "mère", "819 555 0140", "", "nathalie@example.ca", "", "",
          "QC", "")  # fmt: skip
FATHER = ("Marc", "Gauthier", "père", "819 555 0141")
SON = ("Félix", "Gauthier", "M", "2015-06-12", "GAUF13061501", "École Saint-Denis",
       "Primaire 5", "", "", "", "", "Nathalie Gauthier", "819 555 0140")  # fmt: skip
"""What the clerk types, field by field; the code permanent says born on the 13th."""
GOOD_CODE = "GAUF12061501"


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(folder))
    monkeypatch.delenv("REGISTRAR_PRINTER_COMMAND", raising=False)
    return folder


def seed_groups(database: Database) -> None:
    """The screens world plus autumn solfège and the coming winter's piano group (the
    winter term starts within 60 days of the fixed clock, 23 November 2026), and the
    winter fee schedule: piano 200,00 $, registration 50,00 $, schedule change 15,00 $."""
    seed(database)
    with database.write() as uow:
        site = uow.session.exec(select(Establishment.id)).first()
        assert site is not None
        autumn = builders.term(uow)
        winter = builders.term(
            uow,
            code="HIV-2027",
            season=Season.WINTER,
            year=2027,
            starts_on=date(2027, 1, 11),
            ends_on=date(2027, 4, 30),
            payment_due_on=date(2027, 1, 31),
        )
        # The world's invoices were written with their numbers: the counter goes on at 101.
        uow.session.add(NumberSequence(key="invoice", last_value=100))
        teacher = Teacher(first_name="Marie", last_name="Lavoie")
        piano = Discipline(
            code="PIA", name_fr="Piano", name_en="Piano", kind=DisciplineKind.INSTRUMENT
        )
        solfege = Discipline(
            code="SOL", name_fr="Solfège", name_en="Music theory", kind=DisciplineKind.THEORY
        )
        uow.session.add_all([teacher, piano, solfege])
        uow.session.flush()
        for term_id, discipline, weekday, start in (
            (autumn, solfege, 2, time(16, 0)),
            (winter, piano, 3, time(17, 30)),
        ):
            uow.session.add(
                Course(
                    term_id=term_id,
                    establishment_id=site,
                    discipline_id=discipline.id,
                    teacher_id=teacher.id,
                    capacity=8,
                    weekday=weekday,
                    starts_at=start,
                    ends_at=time(start.hour + 1, start.minute),
                )
            )
        for code, kind, fr, amount, discipline_id in (
            ("SCO-PIA", FeeKind.TUITION, "Droits de scolarité — Piano", D("200.00"), piano.id),
            ("INS", FeeKind.REGISTRATION, "Frais d'inscription", D("50.00"), None),
            ("CHG-HORAIRE", FeeKind.SCHEDULE_CHANGE, "Frais de changement d'horaire",
             D("15.00"), None),
        ):  # fmt: skip
            uow.session.add(
                FeeScheduleItem(
                    term_id=winter,
                    code=code,
                    kind=kind,
                    description_fr=fr,
                    description_en=fr,
                    amount=amount,
                    discipline_id=discipline_id,
                )
            )


async def fill_column(pilot: Pilot[None], values: tuple[str, ...]) -> None:
    """The family form: type each value, Enter walks down the column."""
    for value in values:
        await pilot.press("home", "ctrl+k")
        await type_text(pilot, value)
        await pilot.press("enter")


async def fill_student(pilot: Pilot[None], values: tuple[str, ...]) -> None:
    """The student form: each box emptied (Home, Ctrl+K), typed, Enter to the next."""
    for value in values:
        assert isinstance(pilot.app.focused, Input), pilot.app.focused
        await pilot.press("home", "ctrl+k")
        await type_text(pilot, value)
        await pilot.press("enter")
    await settle(pilot)


def text_of(screen: Screen[object]) -> str:
    """What the screen's text widgets show (non-breaking spaces as spaces)."""
    statics = [static for static in screen.query(Static) if static.display]
    return "\n".join(shown(static) for static in statics).replace("\xa0", " ")


def test_a_clerk_admits_a_family_bills_the_registration_and_takes_a_debit_payment(
    database: Database, documents: Path
) -> None:
    seed_groups(database)
    app = create_app(database=database, clock=fixed_clock, language="fr_CA")
    seen: dict[str, str] = {}

    async def scenario(pilot: Pilot[None]) -> None:
        # Not a client yet: the search finds no Gauthier.
        assert isinstance(app.screen, SearchScreen)
        await type_text(pilot, "Gauthier")
        await settle(pilot)
        assert "Aucun résultat" in shown(app.screen.query_one("#search-status", Static))
        await pilot.press("f2")
        await settle(pilot)
        assert isinstance(app.screen, NewFamilyScreen)
        await fill_column(pilot, MOTHER)
        await fill_column(pilot, FATHER)
        await pilot.press("ctrl+s")
        await settle(pilot)
        family = app.screen
        assert isinstance(family, FamilyScreen)
        title = shown(family.query_one("#family-title", Static))
        assert "Gauthier" in title
        guardians = rows(family.query_one("#guardians", DataTable))
        assert guardians[0].startswith("Nathalie Gauthier | mère · payeur")
        assert guardians[1].startswith("Marc Gauthier | père")

        # The son: the code permanent disagrees with his birth date, said before saving.
        await pilot.press("2", "n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, StudentFormScreen)
        await fill_student(pilot, SON)  # Enter on the last box saves
        assert app.screen is form
        warning = shown(form.query_one("#code_permanent-message", Static))
        assert "13/06/15" in warning
        code = form.query_one("#student-code_permanent", Input)
        code.focus()
        await pilot.press("home", "ctrl+k")
        await type_text(pilot, GOOD_CODE)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is family, text_of(form)
        students = family.query_one("#students-table", DataTable)
        [felix] = [row for row in rows(students) if "Félix" in row]
        assert "261000001" in felix

        # His record, courses tab: the coming winter's piano group is offered to a clerk.
        await pilot.press("enter")
        await settle(pilot)
        student = app.screen
        assert isinstance(student, StudentScreen)
        assert "261000001" in shown(student.query_one("#student-title", Static))
        await pilot.press("2", "a")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, CoursePickerScreen)
        offered = text_of(picker)
        assert "AUT-2026 · HIV-2027" in offered
        listed = picker.query_one("#course-choices", OptionList)
        choices = [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)]
        assert choices[1].startswith("Piano · groupe 01 · HIV-2027")
        assert "mer. 17:30–18:30 · Marie Lavoie · 8 places libres" in choices[1]
        await pilot.press("down", "enter")
        await settle(pilot)
        question = text_of(app.screen)
        seen["question"] = question
        assert "Droits de scolarité — Piano : 200,00 $" in question
        assert "Frais d'inscription : 50,00 $" in question
        assert "changement d'horaire" not in question
        assert "Total : 250,00 $" in question
        await pilot.press("o")
        await settle(pilot)
        assert app.screen is student
        notes = "\n".join(n.message for n in app._notifications).replace("\xa0", " ")
        assert "Cours ajouté. Facture FAC00000101 : 250,00 $." in notes

        # The family's billing tab: F9 pays the selected balance by debit card.
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is family
        await pilot.press("3")
        await settle(pilot)
        assert "Solde dû : 250,00 $" in text_of(family)
        await pilot.press("space")  # not due before January: ticked by hand
        await settle(pilot)
        assert "1 cochée" in text_of(family)
        await pilot.press("f9")
        await settle(pilot)
        payment = app.screen
        assert isinstance(payment, PaymentScreen), text_of(app.screen)
        assert payment.query_one("#amount", Input).value == "250,00"
        await pilot.press("f3")
        await settle(pilot)
        assert app.focused is payment.query_one("#card_last4", Input)
        await type_text(pilot, "4321")
        await pilot.press("tab")
        await type_text(pilot, "B7C8D9")
        await pilot.press("enter")
        await settle(pilot)
        seen["receipt"] = shown(payment.query_one("#done-title", Static))
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is family

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)  # the clerk
            await scenario(pilot)

    asyncio.run(main())

    with database.read() as uow:
        family_row = uow.session.exec(select(Family).where(col(Family.name) == "Gauthier")).one()
        guardians = uow.session.exec(
            select(Guardian)
            .where(col(Guardian.family_id) == family_row.id)
            .order_by(col(Guardian.id))
        ).all()
        assert [(g.first_name, g.is_payer) for g in guardians] == [
            ("Nathalie", True),
            ("Marc", False),
        ]
        son = uow.session.exec(select(Student).where(col(Student.family_id) == family_row.id)).one()
        assert (son.student_number, son.code_permanent) == ("261000001", GOOD_CODE)
        enrolment = uow.session.exec(
            select(Enrolment).where(col(Enrolment.student_id) == son.id)
        ).one()
        assert enrolment.status == EnrolmentStatus.ACTIVE
        invoice = uow.session.exec(
            select(Invoice).where(col(Invoice.family_id) == family_row.id)
        ).one()
        assert invoice.id == enrolment.added_invoice_id
        lines = uow.session.exec(
            select(InvoiceLine.fee_code, InvoiceLine.amount).where(
                col(InvoiceLine.invoice_id) == invoice.id
            )
        ).all()
        assert sorted(lines) == [("INS", D("50.00")), ("SCO-PIA", D("200.00"))]
        payment = uow.session.exec(
            select(Payment).where(col(Payment.family_id) == family_row.id)
        ).one()
        assert (payment.method, payment.amount) == (PaymentMethod.DEBIT, D("250.00"))
        assert (payment.card_last4, payment.authorization_number) == ("4321", "B7C8D9")
        allocated = uow.session.exec(
            select(Allocation.invoice_id, Allocation.amount).where(
                col(Allocation.payment_id) == payment.id
            )
        ).all()
        assert allocated == [(invoice.id, D("250.00"))]
        figures = statement(uow, family_row.id or 0)
        assert (figures.total_due, figures.net_balance) == (D("0.00"), D("0.00"))
    assert seen["receipt"].startswith("Reçu") or "MTL-" in seen["receipt"]
    assert list((documents / "receipts").glob("MTL-*.pdf"))
