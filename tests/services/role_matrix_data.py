"""The world the role matrix runs in, and fresh targets for each call.

On top of `reenrolment_data.build_world` (staff of every role, two terms, courses, fee
schedules, a family): the payer's social insurance number and the student's allergies,
an activity still open and one past its deadline, and an audit event to look at.
Every action of the matrix is called once per role; an allowed call consumes its
target (a voided payment, a decided request), so each call gets a fresh one from the
`fresh_*` helpers, written in its own unit of work before the call.
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import (
    AuditEvent,
    ChangeRequest,
    ChangeRequestField,
    Guardian,
    InvoiceLine,
    Student,
)
from registrar_tui.models.base import ChangeTarget, PaymentMethod, Role
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.ledger.payments import PaymentRequest, post_payment
from registrar_tui.services.requests.reenrolment.submit import submit_reenrolment
from tests import builders
from tests.services.activities.activities_data import add_activity
from tests.services.ledger_data import add_invoice, cash
from tests.services.reenrolment_data import World, add_student_family, at, build_world, enrol

SIN = "130692544"
ALLERGIES = "Arachides"
ROLES = ("clerk", "registrar", "admin", "inactive")
"""Columns of the matrix; "inactive" is a disabled registrar account."""

_serial = itertools.count(1)


@dataclass(frozen=True)
class MatrixWorld:
    db: Database
    world: World
    payer_id: int
    """Payer of `world.family_id`, with a social insurance number on file."""
    open_activity: tuple[int, int]
    """(activity id, item id), deadline still ahead."""
    late_activity: tuple[int, int]
    """(activity id, item id), deadline passed: needs a registrar and a reason."""
    audit_event_id: int

    def user(self, role: str) -> int:
        school = self.world.school
        return {
            "clerk": school.clerk_id,
            "registrar": school.registrar_id,
            "admin": school.admin_id,
            "inactive": school.inactive_id,
        }[role]


def build_matrix_world(db: Database) -> MatrixWorld:
    world = build_world(db)
    school = world.school
    with db.write() as uow:
        session = uow.session
        payer = session.exec(
            select(Guardian).where(col(Guardian.family_id) == world.family_id)
        ).one()
        payer.social_insurance_number = SIN
        student = session.get_one(Student, world.student_id)
        student.allergies = ALLERGIES
        session.add_all([payer, student])
        open_id, open_items = add_activity(
            uow,
            title="Sortie au musée",
            held_on=date(2026, 12, 10),
            deadline=date(2026, 12, 1),
            items=[("Billet", Decimal("15.00"), None)],
            establishment_id=school.montreal_id,
        )
        late_id, late_items = add_activity(
            uow,
            title="Concert de Noël",
            held_on=date(2026, 12, 5),
            deadline=date(2026, 11, 1),
            items=[("Billet", Decimal("10.00"), None)],
            establishment_id=school.montreal_id,
        )
        record_event(uow, school.admin_id, "test.seed", "family", world.family_id, {}, {})
        event_id = session.exec(select(func.max(AuditEvent.id))).one()
        assert payer.id is not None and event_id is not None
    return MatrixWorld(
        db=db,
        world=world,
        payer_id=payer.id,
        open_activity=(open_id, open_items[0]),
        late_activity=(late_id, late_items[0]),
        audit_event_id=event_id,
    )


def fresh_family(mw: MatrixWorld) -> tuple[int, int]:
    """A new family (payer with an e-mail) and its student at Montréal."""
    n = next(_serial)
    return add_student_family(mw.db, mw.world.school, f"Roy{n}", email=f"roy{n}@example.ca")


def fresh_invoice(mw: MatrixWorld) -> tuple[int, int]:
    """A new family's 275,00 $ invoice: (invoice id, its voluntary line id)."""
    family_id, _student = fresh_family(mw)
    invoice_id = add_invoice(mw.db, mw.world.school, family_id)
    with mw.db.read() as uow:
        line_id = uow.session.exec(
            select(InvoiceLine.id).where(
                col(InvoiceLine.invoice_id) == invoice_id, col(InvoiceLine.is_voluntary)
            )
        ).one()
    assert line_id is not None
    return invoice_id, line_id


def fresh_fee_line(mw: MatrixWorld) -> int:
    """The tuition line (not voluntary: a fee that can be waived) of a new invoice."""
    invoice_id, _line = fresh_invoice(mw)
    with mw.db.read() as uow:
        line_id = uow.session.exec(
            select(InvoiceLine.id).where(
                col(InvoiceLine.invoice_id) == invoice_id, ~col(InvoiceLine.is_voluntary)
            )
        ).one()
    assert line_id is not None
    return line_id


def fresh_payment(mw: MatrixWorld, taken_by: int) -> int:
    """A 275,00 $ cash payment of a new invoice, taken by `taken_by`."""
    invoice_id, _line = fresh_invoice(mw)
    with mw.db.read() as uow:
        from registrar_tui.models import Invoice

        family_id = uow.session.get_one(Invoice, invoice_id).family_id
    with mw.db.write() as uow:
        request = cash(
            mw.world.school, family_id, "275.00", "275.00", tendered="275.00", clerk_id=taken_by
        )
        return post_payment(uow, request).payment_id


def fresh_credit(mw: MatrixWorld, with_invoice: bool = False) -> tuple[int, int | None]:
    """A new family holding 100,00 $ of credit (paid with nothing owed): (family, invoice).

    With `with_invoice`, an unpaid invoice is issued after the payment.
    """
    family_id, _student = fresh_family(mw)
    with mw.db.write() as uow:
        post_payment(uow, cash(mw.world.school, family_id, "100.00", "0.00", tendered="100.00"))
    invoice_id = add_invoice(mw.db, mw.world.school, family_id) if with_invoice else None
    return family_id, invoice_id


def payment_request(mw: MatrixWorld, clerk_id: int) -> PaymentRequest:
    """A cash payment of a new invoice as the form submits it, taken by `clerk_id`."""
    invoice_id, _line = fresh_invoice(mw)
    with mw.db.read() as uow:
        from registrar_tui.models import Invoice

        family_id = uow.session.get_one(Invoice, invoice_id).family_id
    request = cash(mw.world.school, family_id, "50.00", "275.00", tendered="50.00")
    return PaymentRequest(
        idempotency_key=uuid.uuid4().hex,
        family_id=family_id,
        establishment_id=request.establishment_id,
        clerk_id=clerk_id,
        amount=request.amount,
        method=PaymentMethod.CASH,
        seen_balance=request.seen_balance,
        amount_tendered=request.amount_tendered,
    )


def fresh_change_request(mw: MatrixWorld) -> int:
    """A pending portal request (new e-mail) for a new family's payer, without conflict."""
    family_id, _student = fresh_family(mw)
    with mw.db.write() as uow:
        payer = uow.session.exec(select(Guardian).where(col(Guardian.family_id) == family_id)).one()
        assert payer.id is not None
        request = ChangeRequest(
            family_id=family_id,
            target_kind=ChangeTarget.GUARDIAN,
            target_id=payer.id,
            submitted_at=datetime(2026, 11, 20, 13, tzinfo=UTC),
        )
        uow.session.add(request)
        uow.session.flush()
        assert request.id is not None
        uow.session.add(
            ChangeRequestField(
                request_id=request.id,
                field_name="email",
                value_at_submission=payer.email or "",
                requested_value=f"nouveau{request.id}@example.ca",
            )
        )
        return request.id


def fresh_reenrolment(mw: MatrixWorld) -> int:
    """A pending winter re-enrolment (piano) of a new student taking piano this autumn."""
    _family, student_id = fresh_family(mw)
    enrol(mw.db, student_id, mw.world.courses["AUT-PIA"], confirmed=at(date(2026, 9, 10)))
    with mw.db.write() as uow:
        submitted = submit_reenrolment(
            uow,
            actor_id=mw.world.school.admin_id,
            student_id=student_id,
            term_code="HIV-2027",
            discipline_codes=("PIA",),
        )
    return submitted.request_id


def fresh_enrolment(mw: MatrixWorld) -> int:
    """A new student's active winter piano enrolment (section 02)."""
    _family, student_id = fresh_family(mw)
    return enrol(mw.db, student_id, mw.world.courses["HIV-PIA-02"])


def fresh_enrolled_student(mw: MatrixWorld) -> int:
    """A new student with an active autumn piano course (the current term)."""
    _family, student_id = fresh_family(mw)
    enrol(mw.db, student_id, mw.world.courses["AUT-PIA"])
    return student_id


def fresh_staff(mw: MatrixWorld, *, active: bool = True) -> str:
    """A new clerk account's username (target of the user administration actions)."""
    username = f"cible{next(_serial)}"
    with mw.db.write() as uow:
        builders.staff(
            uow,
            mw.world.school.montreal_id,
            username=username,
            full_name="Compte Cible",
            role=Role.CLERK,
            is_active=active,
            created_at=datetime(2026, 1, 5, 12, 0, tzinfo=UTC),
        )
    return username
