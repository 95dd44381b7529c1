"""A small counter for the payment modal's tests: one clerk, two families that owe.

- Tremblay (payer Hélène, with an e-mail): one invoice of 275,00 $ (scenarios 1 and 4);
- Lavallée (payer without e-mail): two invoices, 150,00 $ due first and 200,00 $ due later
  (scenario 3: 400,00 $ by debit pays both and leaves 50,00 $ of credit).

The clerk signs in with the shared fixtures' username and password (`helpers.sign_in`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.models import Role
from tests import builders
from tests.passwords import hash_password
from tests.screens.fixtures import CLERK_PASSWORD, CLERK_USERNAME

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
    family_id = builders.family(
        uow, site_id, number=number, name=name, payer="Hélène", payer_email=email
    )
    student_id = builders.student(
        uow, family_id, site_id, number=f"2013{family_id:05d}", first_name="Léa", last_name=name
    )
    return family_id, student_id


def seed_counter(db: Database) -> Counter:
    """Fill `db` (empty, migrated) with the payment tests' counter."""
    with db.write() as uow:
        site = builders.establishment(uow)
        clerk = builders.staff(
            uow,
            site,
            username=CLERK_USERNAME,
            full_name="Josée Lavoie",
            role=Role.CLERK,
            password_hash=hash_password(CLERK_PASSWORD),
        )
        tremblay, lea = _family(uow, site, "F0000001", TREMBLAY, TREMBLAY_EMAIL)
        autumn = builders.invoice(
            uow, tremblay, site, number="FAC00000001", description="AUT-2026",
            lines=[builders.piano(D("275.00"))], student_id=lea,
        )  # fmt: skip
        lavallee, hugo = _family(uow, site, "F0000002", LAVALLEE, None)
        # Inserted later-due first: the form must still pay the older one first.
        later = builders.invoice(
            uow, lavallee, site, number="FAC00000003", description="HIV-2027",
            lines=[builders.piano(D("200.00"))], student_id=hugo, due_on=date(2026, 12, 15),
        )  # fmt: skip
        older = builders.invoice(
            uow, lavallee, site, number="FAC00000002", description="AUT-2026",
            lines=[builders.piano(D("150.00"))], student_id=hugo,
        )  # fmt: skip
        return Counter(
            clerk_id=clerk,
            establishment_id=site,
            tremblay_id=tremblay,
            tremblay_invoice_id=autumn,
            lavallee_id=lavallee,
            lavallee_older_id=older,
            lavallee_later_id=later,
        )
