"""A family for the need-to-know tests: a student with health notes, a payer with a
social insurance number, an invoice paid in cash (so a receipt and a statement exist)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import Guardian, Student
from registrar_tui.services.ledger.payments import post_payment
from tests.services.ledger_data import School, add_family, add_invoice, build_school, cash

SIN = "130692544"
"""A Luhn-valid number (first digit 1: an individual's, Atlantic provinces)."""
SIN_GROUPED = "130 692 544"
SIN_MASKED = "*** *** 544"
OTHER_SIN = "193456787"
ALLERGIES = "Arachides (EpiPen dans le sac)"
MEDICAL = "Asthme léger"


@dataclass(frozen=True)
class NeedToKnowWorld:
    school: School
    family_id: int
    payer_id: int
    """Hélène Tremblay, the payer, whose number is `SIN`."""
    student_id: int
    """Élodie Tremblay, with `ALLERGIES` and `MEDICAL`."""
    invoice_id: int
    payment_id: int


def build_world(db: Database) -> NeedToKnowWorld:
    school = build_school(db)
    family_id = add_family(db, school)
    invoice_id = add_invoice(db, school, family_id)
    with db.write() as uow:
        payer = uow.session.exec(select(Guardian).where(col(Guardian.family_id) == family_id)).one()
        payer.social_insurance_number = SIN
        payer.phone = "514-555-0101"
        student = uow.session.exec(select(Student).where(col(Student.family_id) == family_id)).one()
        student.allergies = ALLERGIES
        student.medical_conditions = MEDICAL
        uow.session.add_all([payer, student])
        uow.session.flush()
        posted = post_payment(uow, cash(school, family_id, "300.00", "275.00", tendered="300.00"))
        assert payer.id is not None and student.id is not None
        return NeedToKnowWorld(
            school=school,
            family_id=family_id,
            payer_id=payer.id,
            student_id=student.id,
            invoice_id=invoice_id,
            payment_id=posted.payment_id,
        )
