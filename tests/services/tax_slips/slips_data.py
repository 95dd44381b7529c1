"""The hand-computed family of the slips' tests: payments in two years, a void, a credit note.

Élodie Tremblay (collegial piano, post-secondary and full time) has two invoices:

- A, autumn 2025: SCOL 600,00 (eligible), INSC 50,00, FOND 25,00 voluntary (kept):
  eligible E = 600, ineligible I = 75.
- B, winter 2026: SCOL 500,00, EXAM 40,00 (both eligible), INSC 50,00: E = 540, I = 50;
  EXAM is waived by a credit note after B was paid, so E = 500.

Payments (the clerk), by the school's clock:
- P1 2025-10-15: 400,00 on A → eligible by the end of 2025: min(600, 400 - 75) = 325.
- P2 2025-12-31 23:30 in Montréal (2026-01-01 04:30 UTC): 100,00 on A → 2025 again:
  min(600, 500 - 75) = 425. **2025 = 425,00.**
- P3 2026-01-20: 175,00 on A → A paid 675: eligible 600, so 175 in 2026.
- P4 2026-02-01: 300,00 on B, voided the next day by the registrar → nothing.
- P5 2026-02-05: 590,00 on B; EXAM waived on 2026-03-01 gives 40,00 back to the family's
  credit: P5 pays 550 on B → eligible min(500, 550 - 50) = 500.
  **2026 = 175 + 500 = 675,00**, of which 175 on the autumn 2025 term and 500 on winter 2026.

Sessions: AUT-2025 (2025-09-01 → 2025-12-20) and HIV-2026 (2026-01-12 → 2026-05-08), both
full time: 2025 has 1 session and 4 full-time months (Sept-Dec), 2026 1 session and 5.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import (
    Course,
    Discipline,
    DisciplineKind,
    Enrolment,
    EnrolmentStatus,
    Season,
)
from registrar_tui.services.ledger import voids, waivers
from registrar_tui.services.ledger.payments import InvoiceChoice, post_payment
from registrar_tui.services.tax_slips import setup
from tests import builders
from tests.services.ledger_data import School, build_school, cash

D = Decimal
MONTREAL = ZoneInfo("America/Toronto")


@dataclass(frozen=True)
class SlipWorld:
    school: School
    family_id: int
    student_id: int
    invoice_a: int
    invoice_b: int


def _at(db: Database, instant: datetime) -> None:
    db.clock = lambda: instant


def _pay(db: Database, world: School, family_id: int, invoice_id: int, amount: str) -> int:
    from registrar_tui.services.ledger.statement import invoice_figures

    with db.read() as uow:
        seen = invoice_figures(uow, invoice_ids=(invoice_id,))[0].balance
    request = cash(world, family_id, amount, str(seen), invoices=(invoice_id,))
    request = request.__class__(
        **{**request.__dict__, "invoices": (InvoiceChoice(invoice_id, D(amount)),)}
    )
    with db.write() as uow:
        return post_payment(uow, request).payment_id


def build_slip_world(db: Database, *, sin: str | None = None) -> SlipWorld:
    """The family above, every payment posted through the counter's services."""
    school = build_school(db)
    with db.write() as uow:
        aut = builders.term(
            uow,
            code="AUT-2025",
            year=2025,
            starts_on=date(2025, 9, 1),
            ends_on=date(2025, 12, 20),
            payment_due_on=date(2025, 9, 30),
        )
        hiv = builders.term(
            uow,
            code="HIV-2026",
            season=Season.WINTER,
            year=2026,
            starts_on=date(2026, 1, 12),
            ends_on=date(2026, 5, 8),
            payment_due_on=date(2026, 1, 31),
        )
        family_id = builders.family(
            uow, school.montreal_id, number="F900001", name="Famille Tremblay", payer="Hélène"
        )
        student_id = builders.student(
            uow,
            family_id,
            school.montreal_id,
            number="200690001",
            first_name="Élodie",
            last_name="Tremblay",
            birth_date=date(2006, 5, 2),
            social_insurance_number=sin,
        )
        piano = Discipline(
            code="PIANOC",
            name_fr="Piano (collégial)",
            name_en="Piano (college)",
            kind=DisciplineKind.INSTRUMENT,
            is_post_secondary=True,
            is_full_time=True,
        )
        uow.session.add(piano)
        uow.session.flush()
        assert piano.id is not None
        for term_id in (aut, hiv):
            course = Course(
                term_id=term_id, establishment_id=school.montreal_id, discipline_id=piano.id
            )
            uow.session.add(course)
            uow.session.flush()
            assert course.id is not None
            uow.session.add(
                Enrolment(
                    student_id=student_id,
                    course_id=course.id,
                    status=EnrolmentStatus.ACTIVE,
                    enrolled_at=datetime(2025, 8, 20, 12, tzinfo=UTC),
                )
            )
        invoice_a = builders.invoice(
            uow,
            family_id,
            school.montreal_id,
            number="FAC00090001",
            description="Automne 2025",
            lines=[
                builders.Line("SCOL", "Piano, scolarité", D("600.00")),
                builders.Line("INSC", "Inscription", D("50.00")),
                builders.Line("FOND", "Fondation", D("25.00"), voluntary=True),
            ],
            student_id=student_id,
            term_id=aut,
            issued_on=date(2025, 8, 20),
            due_on=date(2025, 9, 30),
            created_at=datetime(2025, 8, 20, 12, tzinfo=UTC),
        )
        invoice_b = builders.invoice(
            uow,
            family_id,
            school.montreal_id,
            number="FAC00090002",
            description="Hiver 2026",
            lines=[
                builders.Line("SCOL", "Piano, scolarité", D("500.00")),
                builders.Line("EXAM", "Examen", D("40.00")),
                builders.Line("INSC", "Inscription", D("50.00")),
            ],
            student_id=student_id,
            term_id=hiv,
            issued_on=date(2025, 12, 1),
            due_on=date(2026, 1, 31),
            created_at=datetime(2025, 12, 1, 12, tzinfo=UTC),
        )
        setup.set_fee_codes_eligible(uow, school.admin_id, ["SCOL", "exam"])
    _at(db, datetime(2025, 10, 15, 15, tzinfo=UTC))
    _pay(db, school, family_id, invoice_a, "400.00")
    _at(db, datetime(2025, 12, 31, 23, 30, tzinfo=MONTREAL))
    _pay(db, school, family_id, invoice_a, "100.00")
    _at(db, datetime(2026, 1, 20, 15, tzinfo=UTC))
    _pay(db, school, family_id, invoice_a, "175.00")
    _at(db, datetime(2026, 2, 1, 15, tzinfo=UTC))
    wrong = _pay(db, school, family_id, invoice_b, "300.00")
    _at(db, datetime(2026, 2, 2, 15, tzinfo=UTC))
    with db.write() as uow:
        voids.void_payment(uow, wrong, "Mauvaise famille", school.registrar_id)
    _at(db, datetime(2026, 2, 5, 15, tzinfo=UTC))
    _pay(db, school, family_id, invoice_b, "590.00")
    _at(db, datetime(2026, 3, 1, 15, tzinfo=UTC))
    with db.write() as uow:
        exam_line = builders.line_ids(uow, invoice_b)[1]
        waivers.waive_fee(uow, exam_line, "Examen non passé", school.registrar_id)
    from tests.conftest import fixed_clock

    db.clock = fixed_clock
    with db.read() as uow:
        assert uow.session.exec(select(Course.id).where(col(Course.term_id) == aut)).first()
    return SlipWorld(school, family_id, student_id, invoice_a, invoice_b)


def new_id() -> str:
    return uuid.uuid4().hex
