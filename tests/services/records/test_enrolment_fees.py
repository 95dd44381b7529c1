"""Course changes and term fees (issue #5 point 3): schedule change, late confirmation
(once only, also under two runs at once), attendance certificate invoice and PDF."""

from __future__ import annotations

import io
import multiprocessing
from datetime import date
from decimal import Decimal
from multiprocessing.connection import Connection
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import (
    AuditEvent,
    CreditNote,
    Enrolment,
    Invoice,
    InvoiceLine,
    OutboxMessage,
    Student,
)
from registrar_tui.models.base import EnrolmentStatus, Sex
from registrar_tui.services.core.errors import PermissionDenied
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.statement import statement
from registrar_tui.services.records.certificate import (
    CertificateUnpaid,
    NotEnrolledThisTerm,
    certificate_pdf,
    certificate_status,
    issue_certificate,
    request_certificate,
)
from registrar_tui.services.records.enrolment import (
    AlreadyEnrolled,
    CourseFull,
    EnrolmentNotActive,
    add_course,
    add_course_bill,
    attendance_outlook,
    course_choices,
    drop_course,
    drop_course_bill,
)
from registrar_tui.services.records.term_fees import (
    DeadlineNotPassed,
    apply_late_confirmation_fees,
    late_fee_preview,
    late_fee_terms,
)
from registrar_tui.services.staff.settings import INSTITUTION_NAME, set_setting
from tests.conftest import fixed_clock
from tests.services.ledger_data import cash
from tests.services.reenrolment_data import (
    DEADLINE,
    World,
    add_student_family,
    at,
    build_world,
    enrol,
    set_today,
)

D = Decimal


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database)


def _lines(db: Database, code: str) -> list[tuple[int | None, Decimal]]:
    """(student, amount) of every invoice line with this fee code."""
    with db.read() as uow:
        return list(
            uow.session.exec(
                select(Invoice.student_id, InvoiceLine.amount)
                .join(InvoiceLine, col(InvoiceLine.invoice_id) == col(Invoice.id))
                .where(col(InvoiceLine.fee_code) == code)
                .order_by(col(Invoice.student_id))
            )
        )


def _count(db: Database, table: Any) -> int:
    with db.read() as uow:
        return int(uow.session.exec(select(func.count()).select_from(table)).one())


# --------------------------------------------------------------------------- course changes


def _invoice_lines(db: Database, number: str) -> list[tuple[str, str, Decimal]]:
    with db.read() as uow:
        return [
            (code, description, amount)
            for code, description, amount in uow.session.exec(
                select(InvoiceLine.fee_code, InvoiceLine.description, InvoiceLine.amount)
                .join(Invoice, col(Invoice.id) == col(InvoiceLine.invoice_id))
                .where(col(Invoice.number) == number)
                .order_by(col(InvoiceLine.position))
            )
        ]


def test_a_course_added_after_the_term_started_bills_its_tuition_and_the_change_fee(
    database: Database, world: World
) -> None:
    with database.read() as uow:
        offered = [
            c.discipline.code
            for c in course_choices(uow, world.student_id)
            if c.term_code == "AUT-2026"
        ]
        bill = add_course_bill(uow, world.student_id, world.courses["AUT-VLN"])
    assert offered == ["VLN"]  # piano and solfège are already taken this term
    assert [(line.fee_code, line.amount) for line in bill.lines] == [
        ("SCO-VLN", D("200.00")),
        ("CHG-HORAIRE", D("15.00")),
    ]
    assert bill.total == D("215.00") and bill.cancels_invoice is None
    with database.write() as uow:
        change = add_course(
            uow,
            actor_id=world.school.registrar_id,
            student_id=world.student_id,
            course_id=world.courses["AUT-VLN"],
        )
    assert change.billed == D("215.00") and change.invoice_number is not None
    assert _invoice_lines(database, change.invoice_number) == [
        ("SCO-VLN", "Droits de scolarité — VLN", D("200.00")),
        ("CHG-HORAIRE", "Frais de changement d'horaire (+ VLN)", D("15.00")),
    ]
    with database.read() as uow:
        enrolment = uow.session.get_one(Enrolment, change.enrolment_id)
        assert enrolment.status == EnrolmentStatus.ACTIVE
        invoice = uow.session.exec(
            select(Invoice).where(col(Invoice.number) == change.invoice_number)
        ).one()
        assert enrolment.added_invoice_id == invoice.id
        assert invoice.student_id == world.student_id and invoice.term_id == world.autumn_id


def test_a_course_added_before_its_term_starts_bills_its_tuition_only(
    database: Database, world: World
) -> None:
    """A change (the student already has winter piano): no fee before the term starts.
    A first enrolment in the term is billed otherwise: tests/services/records/
    test_first_enrolment.py."""
    enrol(database, world.student_id, world.courses["HIV-PIA-02"])
    with database.write() as uow:
        change = add_course(
            uow,
            actor_id=world.school.admin_id,
            student_id=world.student_id,
            course_id=world.courses["HIV-SOL"],
        )
    assert change.invoice_number is not None and change.billed == D("90.00")
    assert [code for code, *_ in _invoice_lines(database, change.invoice_number)] == ["SCO-SOL"]
    assert _lines(database, "CHG-HORAIRE") == []


def test_a_course_dropped_the_day_it_was_added_is_cancelled_by_credit_note_without_fee(
    database: Database, world: World
) -> None:
    with database.write() as uow:
        added = add_course(
            uow,
            actor_id=world.school.registrar_id,
            student_id=world.student_id,
            course_id=world.courses["AUT-VLN"],
        )
    with database.read() as uow:
        bill = drop_course_bill(uow, added.enrolment_id)
    assert (bill.lines, bill.total) == ((), D("0.00"))
    assert (bill.cancels_invoice, bill.cancelled_amount) == (added.invoice_number, D("215.00"))
    with database.write() as uow:
        dropped = drop_course(
            uow, actor_id=world.school.registrar_id, enrolment_id=added.enrolment_id
        )
    assert dropped.invoice_number is None and dropped.billed is None
    assert dropped.credit_note_number is not None and dropped.credited == D("215.00")
    # No schedule-change fee for the drop: the only one is the cancelled add's.
    assert _lines(database, "CHG-HORAIRE") == [(world.student_id, D("15.00"))]
    with database.read() as uow:
        invoice = uow.session.exec(
            select(Invoice).where(col(Invoice.number) == added.invoice_number)
        ).one()
        note = uow.session.exec(
            select(CreditNote).where(col(CreditNote.invoice_id) == invoice.id)
        ).one()
        assert (note.number, note.amount) == (dropped.credit_note_number, D("215.00"))
        assert "retiré le jour de son ajout" in note.reason
        figures = statement(uow, world.family_id)
    cancelled = [line for line in figures.invoices if line.number == added.invoice_number]
    assert str(cancelled[0].state) == "cancelled" and cancelled[0].balance == D("0.00")


def test_a_course_dropped_another_day_bills_the_change_fee(
    database: Database, world: World
) -> None:
    with database.write() as uow:
        added = add_course(
            uow,
            actor_id=world.school.registrar_id,
            student_id=world.student_id,
            course_id=world.courses["AUT-VLN"],
        )
    set_today(database, date(2026, 11, 24))
    with database.read() as uow:
        bill = drop_course_bill(uow, added.enrolment_id)
    assert bill.cancels_invoice is None and bill.total == D("15.00")
    with database.write() as uow:
        dropped = drop_course(
            uow, actor_id=world.school.registrar_id, enrolment_id=added.enrolment_id
        )
    assert dropped.credit_note_number is None and dropped.billed == D("15.00")
    assert _count(database, CreditNote) == 0


def test_dropping_a_course_after_the_start_costs_the_fee_once(
    database: Database, world: World
) -> None:
    with database.read() as uow:
        piano = uow.session.exec(
            select(Enrolment.id).where(
                col(Enrolment.student_id) == world.student_id,
                col(Enrolment.course_id) == world.courses["AUT-PIA"],
            )
        ).one()
    assert piano is not None
    with database.write() as uow:
        change = drop_course(uow, actor_id=world.school.registrar_id, enrolment_id=piano)
    assert change.status == EnrolmentStatus.DROPPED and change.billed == D("15.00")
    with pytest.raises(EnrolmentNotActive), database.write() as uow:
        drop_course(uow, actor_id=world.school.registrar_id, enrolment_id=piano)
    assert _lines(database, "CHG-HORAIRE") == [(world.student_id, D("15.00"))]
    with database.read() as uow:
        assert uow.session.get_one(Enrolment, piano).dropped_at is not None
        actions = set(uow.session.exec(select(AuditEvent.action)))
    assert "enrolment.drop" in actions


def test_course_changes_are_refused_to_clerks_and_when_full_or_taken(
    database: Database, world: World
) -> None:
    school = world.school
    with pytest.raises(PermissionDenied), database.write() as uow:
        add_course(
            uow, actor_id=school.clerk_id, student_id=world.student_id,
            course_id=world.courses["AUT-VLN"],
        )  # fmt: skip
    with pytest.raises(AlreadyEnrolled), database.write() as uow:
        add_course(
            uow, actor_id=school.registrar_id, student_id=world.student_id,
            course_id=world.courses["AUT-PIA"],
        )  # fmt: skip
    with pytest.raises(CourseFull), database.write() as uow:
        add_course(
            uow, actor_id=school.registrar_id, student_id=world.student_id,
            course_id=world.courses["HIV-PIA-01"],
        )  # fmt: skip
    assert _count(database, Invoice) == 0


# --------------------------------------------------------------------------- late confirmation


def _late_world(database: Database, world: World) -> dict[str, int]:
    """Besides Élodie (confirmed on time): one never confirmed, one confirmed late, one
    unconfirmed but dropped, one with two unconfirmed courses (charged once)."""
    students = {}
    for name in ("Jamais", "Tard", "Abandon", "Double"):
        _family, students[name] = add_student_family(database, world.school, name)
    enrol(database, students["Jamais"], world.courses["AUT-PIA"])
    enrol(database, students["Tard"], world.courses["AUT-PIA"], confirmed=at(date(2026, 10, 3)))
    dropped = enrol(database, students["Abandon"], world.courses["AUT-SOL"])
    with database.write() as uow:
        enrolment = uow.session.get_one(Enrolment, dropped)
        enrolment.status = EnrolmentStatus.DROPPED
        uow.session.add(enrolment)
    enrol(database, students["Double"], world.courses["AUT-PIA"])
    enrol(database, students["Double"], world.courses["AUT-SOL"])
    return students


def test_the_late_fee_is_billed_once_to_each_student_who_did_not_confirm(
    database: Database, world: World
) -> None:
    students = _late_world(database, world)
    with database.read() as uow:
        (autumn,) = late_fee_terms(uow)
    assert (autumn.term_code, autumn.to_charge, autumn.already_charged) == ("AUT-2026", 3, 0)
    with database.write() as uow:
        run = apply_late_confirmation_fees(
            uow, actor_id=world.school.registrar_id, term_code="AUT-2026"
        )
    assert (run.charged, run.already_charged, run.total) == (3, 0, D("75.00"))
    expected = sorted((students[n], D("25.00")) for n in ("Jamais", "Tard", "Double"))
    assert _lines(database, "CONF-TARD") == expected
    invoices, events = _count(database, Invoice), _count(database, AuditEvent)

    with database.write() as uow:
        again = apply_late_confirmation_fees(
            uow, actor_id=world.school.admin_id, term_code="AUT-2026"
        )
    assert (again.charged, again.already_charged) == (0, 3)
    # The second run changed nothing at all: no invoice, no audit event.
    assert (_count(database, Invoice), _count(database, AuditEvent)) == (invoices, events)
    with database.read() as uow:
        (autumn,) = late_fee_terms(uow)
    assert (autumn.to_charge, autumn.already_charged) == (0, 3)


def test_the_late_fee_job_waits_for_the_deadline_and_a_registrar(
    database: Database, world: World
) -> None:
    _late_world(database, world)
    with pytest.raises(PermissionDenied), database.write() as uow:
        apply_late_confirmation_fees(uow, actor_id=world.school.clerk_id, term_code="AUT-2026")
    set_today(database, date(2026, 10, 1))
    with pytest.raises(DeadlineNotPassed) as refused, database.write() as uow:
        apply_late_confirmation_fees(uow, actor_id=world.school.registrar_id, term_code="AUT-2026")
    assert "1 oct. 2026" in refused.value.translated()
    assert _lines(database, "CONF-TARD") == []


def _job(url: str, user_id: int, barrier: Any, pipe: Connection) -> None:
    db = Database.open(url, clock=fixed_clock)
    barrier.wait(timeout=30)
    try:
        with db.write() as uow:
            outcome = str(
                apply_late_confirmation_fees(uow, actor_id=user_id, term_code="AUT-2026").charged
            )
    except Exception as error:  # reported to the test, which fails on it
        outcome = f"error:{type(error).__name__}:{error}"
    pipe.send(outcome)
    db.dispose()


def test_two_runs_at_once_still_bill_each_student_once(database: Database, world: World) -> None:
    _late_world(database, world)
    database.engine.dispose()  # no pooled connection crosses the fork
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    pipes, workers = [], []
    for user_id in (world.school.registrar_id, world.school.admin_id):
        ours, theirs = context.Pipe()
        worker = context.Process(
            target=_job, args=(database.url, user_id, barrier, theirs), daemon=True
        )
        worker.start()
        pipes.append(ours)
        workers.append(worker)
    outcomes = sorted(pipe.recv() for pipe in pipes)
    for worker in workers:
        worker.join(timeout=30)
    assert outcomes == ["0", "3"]
    assert len(_lines(database, "CONF-TARD")) == 3


# --------------------------------------------------------------------------- certificate


def test_a_certificate_is_invoiced_and_printed_with_the_terms_courses(
    database: Database, world: World
) -> None:
    with database.write() as uow:
        student = uow.session.get_one(Student, world.student_id)
        student.first_name = "<b>Élodie</b> & Cie"
        uow.session.add(student)
    with database.write() as uow:
        issued = request_certificate(
            uow, actor_id=world.school.clerk_id, student_id=world.student_id
        )
    assert issued.fee == D("10.00") and issued.term_code == "AUT-2026"
    assert _lines(database, "ATTESTATION") == [(world.student_id, D("10.00"))]
    with database.read() as uow:
        document = certificate_pdf(uow, issued.invoice_id)
    text = " ".join(PdfReader(io.BytesIO(document.pdf)).pages[0].extract_text().split())
    assert (document.kind, document.filename) == ("certificate", f"{issued.invoice_number}.pdf")
    for expected in (
        "ATTESTATION DE FRÉQUENTATION",
        "<b>Élodie</b> & Cie Tremblay",
        "AUT-2026",
        "Piano",
        "Solfège",
        issued.invoice_number,
        "Clerk Test",
    ):
        assert expected in text, expected


def test_no_certificate_without_a_course_this_term(database: Database, world: World) -> None:
    _family, student = add_student_family(database, world.school, "Absent")
    with pytest.raises(NotEnrolledThisTerm), database.write() as uow:
        request_certificate(uow, actor_id=world.school.clerk_id, student_id=student)
    assert _count(database, Invoice) == 0


def _certificate_text(database: Database, invoice_id: int) -> str:
    with database.read() as uow:
        document = certificate_pdf(uow, invoice_id)
    return " ".join(PdfReader(io.BytesIO(document.pdf)).pages[0].extract_text().split())


@pytest.mark.parametrize(
    ("sex", "wording"),
    [
        (Sex.FEMALE, "l’élève nommée ci-dessous est inscrite au Conservatoire"),
        (Sex.MALE, "l’élève nommé ci-dessous est inscrit au Conservatoire"),
        (None, "l’inscription de l’élève dont le nom suit au Conservatoire"),
    ],
)
def test_the_certificate_agrees_with_the_students_sex_and_reads_au_conservatoire(
    database: Database, world: World, sex: Sex | None, wording: str
) -> None:
    with database.write() as uow:
        set_setting(
            uow, INSTITUTION_NAME, "Conservatoire Laurentien de musique", world.school.admin_id
        )
        student = uow.session.get_one(Student, world.student_id)
        student.sex = sex
        uow.session.add(student)
    with database.write() as uow:
        issued = request_certificate(
            uow, actor_id=world.school.clerk_id, student_id=world.student_id
        )
    text = _certificate_text(database, issued.invoice_id)
    assert wording + " Laurentien de musique pour la session AUT-2026" in text
    assert "inscrit à Conservatoire" not in text and "inscrite à Conservatoire" not in text


def test_a_certificate_is_handed_over_once_paid_or_when_the_clerk_chooses(
    database: Database, world: World
) -> None:
    clerk = world.school.clerk_id
    with database.write() as uow:  # another invoice of the term is no certificate
        add_course(
            uow,
            actor_id=world.school.registrar_id,
            student_id=world.student_id,
            course_id=world.courses["AUT-VLN"],
        )
    with database.read() as uow:
        before = certificate_status(uow, world.student_id)
    assert (before.term_code, before.fee, before.enrolled, before.request) == (
        "AUT-2026", D("10.00"), True, None,
    )  # fmt: skip
    with database.write() as uow:
        issued = request_certificate(uow, actor_id=clerk, student_id=world.student_id)
    with database.read() as uow:
        requested = certificate_status(uow, world.student_id).request
    assert requested is not None and requested.invoice_number == issued.invoice_number
    assert (requested.balance, requested.is_paid, requested.issued) == (D("10.00"), False, False)
    with pytest.raises(CertificateUnpaid) as refused, database.write() as uow:
        issue_certificate(uow, actor_id=clerk, invoice_id=issued.invoice_id)
    assert "10,00" in refused.value.translated()
    with database.write() as uow:
        post_payment(
            uow,
            cash(world.school, world.family_id, "10.00", "10.00", invoices=(issued.invoice_id,)),
        )
    with database.write() as uow:
        handed = issue_certificate(uow, actor_id=clerk, invoice_id=issued.invoice_id)
    assert handed.is_paid and handed.issued
    with database.read() as uow:
        original = certificate_pdf(uow, issued.invoice_id)
        status = certificate_status(uow, world.student_id).request
    assert original.copy is None and status is not None and status.issued
    with database.write() as uow:
        issue_certificate(uow, actor_id=clerk, invoice_id=issued.invoice_id)
    with database.read() as uow:
        again = certificate_pdf(uow, issued.invoice_id)
    assert again.copy is not None  # saved as …-duplicata.pdf, marked DUPLICATA
    assert "DUPLICATA" in " ".join(PdfReader(io.BytesIO(again.pdf)).pages[0].extract_text().split())


def test_a_clerk_may_hand_over_an_unpaid_certificate_by_choice(
    database: Database, world: World
) -> None:
    with database.write() as uow:
        issued = request_certificate(
            uow, actor_id=world.school.clerk_id, student_id=world.student_id
        )
    with database.write() as uow:
        handed = issue_certificate(
            uow, actor_id=world.school.clerk_id, invoice_id=issued.invoice_id, before_payment=True
        )
    assert not handed.is_paid and handed.issued
    with database.read() as uow:
        entity = uow.session.exec(
            select(AuditEvent.entity_id).where(col(AuditEvent.action) == "certificate.issue")
        ).one()
    assert entity == issued.invoice_id


def test_confirming_attendance_says_whether_the_late_fee_still_applies(
    database: Database, world: World
) -> None:
    _family, student = add_student_family(database, world.school, "Présent")
    enrol(database, student, world.courses["AUT-PIA"])
    set_today(database, date(2026, 9, 20))
    with database.read() as uow:
        early = attendance_outlook(uow, student, "AUT-2026")
    assert (early.to_confirm, early.on_time, early.late_fee) == (1, True, D("25.00"))
    set_today(database, date(2026, 10, 2))
    with database.read() as uow:
        late = attendance_outlook(uow, student, "AUT-2026")
    assert (late.deadline, late.on_time) == (DEADLINE, False)


def test_the_late_fee_preview_names_who_is_charged_and_each_family_gets_a_message(
    database: Database, world: World
) -> None:
    students = _late_world(database, world)
    _family, mailed = add_student_family(
        database, world.school, "Courriel", email="courriel@example.org"
    )
    enrol(database, mailed, world.courses["AUT-SOL"])
    with database.read() as uow:
        preview = late_fee_preview(uow, "AUT-2026")
    charged = {s.student_id for s in preview.students}
    assert charged == {students["Jamais"], students["Tard"], students["Double"], mailed}
    assert (preview.families, preview.total, preview.fee) == (4, D("100.00"), D("25.00"))
    assert preview.deadline_passed and preview.already_charged == 0
    assert "Famille Courriel" in {s.family_name for s in preview.students}
    with database.write() as uow:
        run = apply_late_confirmation_fees(
            uow, actor_id=world.school.registrar_id, term_code="AUT-2026"
        )
    assert (run.charged, run.families, run.total) == (4, 4, preview.total)
    assert run.messages == 1  # the only payer with an e-mail
    with database.read() as uow:
        (message,) = uow.session.exec(
            select(OutboxMessage).where(col(OutboxMessage.kind) == "late-confirmation")
        ).all()
        assert message.recipient == "courriel@example.org"
        assert "Élodie Courriel" in message.body and "1 octobre 2026" in message.body
        assert "25,00" in message.body


def test_a_course_added_after_the_deadline_never_makes_its_student_late(
    database: Database, world: World
) -> None:
    _family, newcomer = add_student_family(database, world.school, "Nouveau")
    with database.write() as uow:
        added = add_course(
            uow,
            actor_id=world.school.registrar_id,
            student_id=newcomer,
            course_id=world.courses["AUT-VLN"],
        )
    with database.read() as uow:
        assert uow.session.get_one(Enrolment, added.enrolment_id).attendance_confirmed_at
        preview = late_fee_preview(uow, "AUT-2026")
    assert newcomer not in {s.student_id for s in preview.students}
    # Even unconfirmed (say, a correction), an enrolment made after the deadline is not late.
    with database.write() as uow:
        enrolment = uow.session.get_one(Enrolment, added.enrolment_id)
        enrolment.attendance_confirmed_at = None
        uow.session.add(enrolment)
    with database.read() as uow:
        assert newcomer not in {s.student_id for s in late_fee_preview(uow, "AUT-2026").students}
