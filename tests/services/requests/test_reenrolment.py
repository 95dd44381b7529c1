"""Re-enrolment requests (issue #5 point 2): the window, the preview, validation, rejection."""

from __future__ import annotations

import multiprocessing
from datetime import date
from decimal import Decimal
from multiprocessing.connection import Connection
from typing import Any

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import (
    AuditEvent,
    Course,
    Enrolment,
    Invoice,
    InvoiceLine,
    OutboxMessage,
    ReenrolmentRequest,
)
from registrar_tui.models.base import Language, RequestStatus
from registrar_tui.services.core.errors import InvalidInput, PermissionDenied, ReasonRequired
from registrar_tui.services.requests.reenrolment.decide import (
    RequestAlreadyDecided,
    reenrolment_detail,
    reject_reenrolment,
    validate_reenrolment,
)
from registrar_tui.services.requests.reenrolment.submit import (
    ReenrolmentAlreadyPending,
    ReenrolmentClosed,
    reenrolment_options,
    submit_reenrolment,
)
from tests.conftest import fixed_clock
from tests.services.reenrolment_data import (
    World,
    add_student_family,
    build_world,
    enrol,
    set_today,
)

D = Decimal


def _submit(
    db: Database,
    world: World,
    *codes: str,
    student_id: int | None = None,
    administrative: bool = False,
    note: str = "Piano avec Mme Bélanger svp",
) -> int:
    with db.write() as uow:
        return submit_reenrolment(
            uow,
            actor_id=world.school.clerk_id,
            student_id=student_id or world.student_id,
            term_code="HIV-2027",
            discipline_codes=codes,
            administrative=administrative,
            note=note,
        ).request_id


@pytest.fixture
def world(database: Database) -> World:
    return build_world(database)


def test_a_request_inside_the_window_is_recorded_pending(database: Database, world: World) -> None:
    request_id = _submit(database, world, "sol", "PIA")
    with database.read() as uow:
        request = uow.session.get_one(ReenrolmentRequest, request_id)
        status, note = request.status, request.note
        detail = reenrolment_detail(uow, request_id)
        options = reenrolment_options(uow, world.student_id)
        audit = uow.session.exec(
            select(AuditEvent.action).where(col(AuditEvent.entity_id) == request_id)
        ).all()
    assert status == RequestStatus.PENDING and note == "Piano avec Mme Bélanger svp"
    assert [s.discipline.code for s in detail.sections] == ["PIA", "SOL"]
    assert "reenrolment.submit" in audit
    assert options.term_code == "HIV-2027" and options.refusal == ""
    assert [(d.code, d.taken_now) for d in options.disciplines] == [
        ("PIA", True),
        ("SOL", True),
    ]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 10, 31), "ouvre le 1 nov. 2026"),
        (date(2026, 12, 6), "fermée depuis le 5 déc. 2026"),
    ],
)
def test_outside_the_window_the_request_is_refused_with_the_dates(
    database: Database, world: World, today: date, expected: str
) -> None:
    set_today(database, today)
    with pytest.raises(ReenrolmentClosed) as refused:
        _submit(database, world, "PIA")
    assert expected in refused.value.translated()
    assert "HIV-2027" in refused.value.translated()
    with database.read() as uow:
        assert uow.session.exec(select(ReenrolmentRequest)).all() == []
        assert reenrolment_options(uow, world.student_id).refusal == refused.value.translated()


def test_the_window_bounds_are_inclusive(database: Database, world: World) -> None:
    set_today(database, date(2026, 12, 5))
    assert _submit(database, world, "PIA") > 0


def test_one_pending_request_per_student_and_term(database: Database, world: World) -> None:
    _submit(database, world, "PIA")
    with pytest.raises(ReenrolmentAlreadyPending):
        _submit(database, world, "SOL")
    with pytest.raises(InvalidInput):
        _submit(database, world, student_id=world.student_id)


def test_preview_chooses_a_section_with_room_and_prices_from_the_schedule(
    database: Database, world: World
) -> None:
    request_id = _submit(database, world, "PIA", "SOL")
    with database.read() as uow:
        detail = reenrolment_detail(uow, request_id)
    piano = detail.sections[0]
    assert piano.section == "02" and piano.course_id == world.courses["HIV-PIA-02"]
    assert piano.seats_left == 12
    # Tuition per discipline, registration (nothing billed this school year), contribution.
    assert [(line.fee_code, line.amount, line.is_voluntary) for line in detail.lines] == [
        ("SCO-PIA", D("200.00"), False),
        ("SCO-SOL", D("90.00"), False),
        ("INS", D("50.00"), False),
        ("FONDATION", D("25.00"), True),
    ]
    assert detail.total == D("365.00") and detail.problem == ""
    assert detail.note == "Piano avec Mme Bélanger svp"


def test_validation_enrols_invoices_messages_and_audits(database: Database, world: World) -> None:
    request_id = _submit(database, world, "PIA", "SOL")
    with database.write() as uow:
        decided = validate_reenrolment(uow, request_id, world.school.registrar_id)
    assert decided.status == RequestStatus.APPROVED and decided.enrolment_count == 2
    assert decided.invoice_total == D("365.00") and decided.message_to == "helene@example.ca"
    with database.read() as uow:
        courses = set(
            uow.session.exec(
                select(Enrolment.course_id).where(col(Enrolment.student_id) == world.student_id)
            )
        )
        invoice = uow.session.exec(
            select(Invoice).where(col(Invoice.number) == decided.invoice_number)
        ).one()
        codes = uow.session.exec(
            select(InvoiceLine.fee_code)
            .where(col(InvoiceLine.invoice_id) == invoice.id)
            .order_by(col(InvoiceLine.position))
        ).all()
        message = uow.session.exec(select(OutboxMessage)).one()
        request = uow.session.get_one(ReenrolmentRequest, request_id)
        actions = set(uow.session.exec(select(AuditEvent.action)))
        uow.session.expunge_all()  # keep the rows readable after the read transaction
    assert {world.courses["HIV-PIA-02"], world.courses["HIV-SOL"]} <= courses
    assert invoice.term_id == world.winter_id and invoice.student_id == world.student_id
    assert invoice.due_on == date(2027, 1, 31)
    assert codes == ["SCO-PIA", "SCO-SOL", "INS", "FONDATION"]
    assert request.status == RequestStatus.APPROVED and request.decided_by_id is not None
    assert message.recipient == "helene@example.ca" and message.kind == "reenrolment"
    assert "acceptée" in message.subject and decided.invoice_number in message.body
    assert "365,00" in message.body
    assert {"reenrolment.validate", "invoice.issue"} <= actions


def test_a_second_validation_is_refused_and_changes_nothing(
    database: Database, world: World
) -> None:
    request_id = _submit(database, world, "PIA")
    with database.write() as uow:
        validate_reenrolment(uow, request_id, world.school.registrar_id)
    for decide in (
        lambda uow: validate_reenrolment(uow, request_id, world.school.admin_id),
        lambda uow: reject_reenrolment(uow, request_id, world.school.admin_id, "Trop tard"),
    ):
        with pytest.raises(RequestAlreadyDecided), database.write() as uow:
            decide(uow)
    with database.read() as uow:
        assert len(uow.session.exec(select(Invoice)).all()) == 1
        assert len(uow.session.exec(select(OutboxMessage)).all()) == 1


def test_only_a_registrar_or_an_admin_decides(database: Database, world: World) -> None:
    request_id = _submit(database, world, "PIA")
    with pytest.raises(PermissionDenied), database.write() as uow:
        validate_reenrolment(uow, request_id, world.school.clerk_id)
    with pytest.raises(PermissionDenied), database.write() as uow:
        reject_reenrolment(uow, request_id, world.school.inactive_id, "Non")


def test_rejection_needs_a_reason_and_tells_the_family_why_in_its_language(
    database: Database, world: World
) -> None:
    _family, student = add_student_family(
        database, world.school, "Smith", email="pat@example.com", language=Language.ENGLISH
    )
    enrol(database, student, world.courses["AUT-PIA"])
    request_id = _submit(database, world, "PIA", student_id=student)
    with pytest.raises(ReasonRequired), database.write() as uow:
        reject_reenrolment(uow, request_id, world.school.registrar_id, "   ")
    with database.write() as uow:
        reject_reenrolment(uow, request_id, world.school.registrar_id, "Dossier incomplet")
    with database.read() as uow:
        request = uow.session.get_one(ReenrolmentRequest, request_id)
        message = uow.session.exec(select(OutboxMessage)).one()
        assert uow.session.exec(select(Invoice)).all() == []
        uow.session.expunge_all()
    assert request.status == RequestStatus.REJECTED
    assert request.decision_reason == "Dossier incomplet"
    assert message.language == Language.ENGLISH and "Dossier incomplet" in message.body


def test_an_administrative_request_goes_on_with_this_terms_disciplines(
    database: Database, world: World
) -> None:
    request_id = _submit(database, world, administrative=True, note="")
    with database.write() as uow:
        decided = validate_reenrolment(uow, request_id, world.school.registrar_id)
    with database.read() as uow:
        winter = set(
            uow.session.exec(
                select(Course.section)
                .join(Enrolment, col(Enrolment.course_id) == col(Course.id))
                .where(
                    col(Enrolment.student_id) == world.student_id,
                    col(Course.term_id) == world.winter_id,
                )
            )
        )
    assert decided.enrolment_count == 2 and winter == {"01", "02"}


def test_a_full_discipline_is_reported_and_refused(database: Database, world: World) -> None:
    _family, student = add_student_family(database, world.school, "Roy")
    with database.write() as uow:
        course = uow.session.get_one(Course, world.courses["HIV-PIA-02"])
        course.capacity = 1
        uow.session.add(course)
    enrol(database, student, world.courses["HIV-PIA-02"])
    request_id = _submit(database, world, "PIA")
    with database.read() as uow:
        detail = reenrolment_detail(uow, request_id)
    assert detail.sections[0].course_id is None and "Piano" in detail.problem
    with pytest.raises(Exception, match="Piano"), database.write() as uow:
        validate_reenrolment(uow, request_id, world.school.registrar_id)
    with database.read() as uow:
        status = uow.session.get_one(ReenrolmentRequest, request_id).status
    assert status == RequestStatus.PENDING


# --------------------------------------------------------------------------- concurrency


def _registrar(
    url: str, request_ids: list[int], user_id: int, barrier: Any, pipe: Connection
) -> None:
    db = Database.open(url, clock=fixed_clock)
    outcomes = []
    for request_id in request_ids:
        barrier.wait(timeout=30)
        try:
            with db.write() as uow:
                outcomes.append(
                    "ok:" + str(validate_reenrolment(uow, request_id, user_id).invoice_number)
                )
        except RequestAlreadyDecided:
            outcomes.append("decided")
        except Exception as error:  # reported to the test, which fails on it
            outcomes.append(f"error:{type(error).__name__}:{error}")
    pipe.send(outcomes)
    db.dispose()


def test_two_registrars_validating_at_once_bill_once(database: Database, world: World) -> None:
    request_ids = []
    for n in range(4):
        _family, student = add_student_family(database, world.school, f"Course{n}")
        request_ids.append(_submit(database, world, "SOL", student_id=student))
    database.engine.dispose()  # no pooled connection crosses the fork
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(2)
    pipes, workers = [], []
    for user_id in (world.school.registrar_id, world.school.admin_id):
        ours, theirs = context.Pipe()
        worker = context.Process(
            target=_registrar,
            args=(database.url, request_ids, user_id, barrier, theirs),
            daemon=True,
        )
        worker.start()
        pipes.append(ours)
        workers.append(worker)
    results = [pipe.recv() for pipe in pipes]
    for worker in workers:
        worker.join(timeout=30)
    for pair in zip(*results, strict=True):
        assert sorted(outcome.split(":")[0] for outcome in pair) == ["decided", "ok"], pair
    with database.read() as uow:
        invoices = uow.session.exec(select(Invoice.student_id)).all()
        messages = uow.session.exec(select(OutboxMessage)).all()
    assert len(invoices) == len(set(invoices)) == 4
    assert messages == []  # these families have no e-mail on file
