"""A small counter for the payment modal's tests: one clerk, two families that owe.

- Tremblay (payer Hélène, with an e-mail): one invoice of 275,00 $ (scenarios 1 and 4);
- Lavallée (payer without e-mail): two invoices, 150,00 $ due first and 200,00 $ due later
  (scenario 3: 400,00 $ by debit pays both and leaves 50,00 $ of credit).

The clerk signs in with the shared fixtures' username and password (`helpers.sign_in`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.models import (
    Establishment,
    Family,
    Guardian,
    Invoice,
    InvoiceLine,
    Role,
    StaffUser,
    Student,
)
from registrar_tui.services.staff.passwords import hash_password
from tests.screens.fixtures import CLERK_PASSWORD, CLERK_USERNAME

CREATED = datetime(2026, 8, 15, 12, 0, tzinfo=UTC)
D = Decimal
TREMBLAY = "Tremblay"
LAVALLEE = "Lavallée"
TREMBLAY_EMAIL = "helene.tremblay@example.ca"


@dataclass(frozen=True)
class Counter:
    clerk_id: int
    establishment_id: int
    tremblay_id: int
    tremblay_invoice_id: int
    lavallee_id: int
    lavallee_older_id: int
    lavallee_later_id: int


def _family(
    uow: UnitOfWork, site_id: int, number: str, name: str, email: str | None
) -> tuple[int, int]:
    """A family, its payer and one student: (family id, student id)."""
    family = Family(family_number=number, name=name, establishment_id=site_id, created_at=CREATED)
    uow.session.add(family)
    uow.session.flush()
    assert family.id is not None
    uow.session.add(
        Guardian(
            family_id=family.id, first_name="Hélène", last_name=name, is_payer=True, email=email
        )
    )
    student = Student(
        family_id=family.id,
        establishment_id=site_id,
        student_number=f"2013{family.id:05d}",
        first_name="Léa",
        last_name=name,
        birth_date=date(2014, 3, 9),
        created_at=CREATED,
    )
    uow.session.add(student)
    uow.session.flush()
    assert student.id is not None
    return family.id, student.id


def _invoice(
    uow: UnitOfWork,
    site_id: int,
    family_id: int,
    student_id: int,
    number: str,
    amount: Decimal,
    due_on: date,
    description: str,
) -> int:
    invoice = Invoice(
        number=number,
        family_id=family_id,
        student_id=student_id,
        establishment_id=site_id,
        description=description,
        issued_on=date(2026, 8, 20),
        due_on=due_on,
        created_at=CREATED,
    )
    uow.session.add(invoice)
    uow.session.flush()
    assert invoice.id is not None
    uow.session.add(
        InvoiceLine(
            invoice_id=invoice.id,
            position=1,
            fee_code="PIANO",
            description="Piano, 30 cours",
            amount=amount,
        )
    )
    uow.session.flush()
    return invoice.id


def seed_counter(db: Database) -> Counter:
    """Fill `db` (empty, migrated) with the payment tests' counter."""
    with db.write() as uow:
        site = Establishment(
            code="MTL",
            name="Conservatoire de musique de Montréal",
            address_line="4750, avenue Henri-Julien",
            city="Montréal",
            postal_code="H2T 2C8",
            phone="514-873-4031",
        )
        uow.session.add(site)
        uow.session.flush()
        assert site.id is not None
        clerk = StaffUser(
            username=CLERK_USERNAME,
            full_name="Josée Lavoie",
            role=Role.CLERK,
            password_hash=hash_password(CLERK_PASSWORD),
            establishment_id=site.id,
            created_at=CREATED,
        )
        uow.session.add(clerk)
        uow.session.flush()
        assert clerk.id is not None
        tremblay, lea = _family(uow, site.id, "F0000001", TREMBLAY, TREMBLAY_EMAIL)
        autumn = _invoice(
            uow, site.id, tremblay, lea, "FAC00000001", D("275.00"), date(2026, 9, 30), "AUT-2026"
        )
        lavallee, hugo = _family(uow, site.id, "F0000002", LAVALLEE, None)
        # Inserted later-due first: the form must still pay the older one first.
        later = _invoice(
            uow, site.id, lavallee, hugo, "FAC00000003", D("200.00"), date(2026, 12, 15), "HIV-2027"
        )
        older = _invoice(
            uow, site.id, lavallee, hugo, "FAC00000002", D("150.00"), date(2026, 9, 30), "AUT-2026"
        )
        return Counter(
            clerk_id=clerk.id,
            establishment_id=site.id,
            tremblay_id=tremblay,
            tremblay_invoice_id=autumn,
            lavallee_id=lavallee,
            lavallee_older_id=older,
            lavallee_later_id=later,
        )
