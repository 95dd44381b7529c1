"""A small, fixed counter world for the screen and snapshot tests.

One establishment, one clerk, the Tremblay family (balance 275,00 $, credit 25,00 $),
families whose names look like markup or carry terminal escapes, and enough Bouchard
families to fill more than one page of search results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.models import (
    Allocation,
    CreditNote,
    Payment,
    PaymentMethod,
    PaymentVoid,
    Role,
)
from tests import builders
from tests.passwords import hash_password

D = Decimal

CLERK_USERNAME = "clerk"
CLERK_PASSWORD = "Comptoir-test-2026"
REGISTRAR_USERNAME = "registrar"
REGISTRAR_PASSWORD = "Registrariat-test-2026"
ADMIN_USERNAME = "admin"
ADMIN_PASSWORD = "Administration-test-2026"
CREATED = datetime(2026, 8, 15, 12, 0, tzinfo=UTC)
MARKUP_FAMILY = "[b]Tremblay[/b]"
MARKUP_GUARDIAN = "[@click=app.quit]"
ESCAPE_FAMILY = "Roy\x1b[31m"
BOUCHARD_FAMILIES = 15


@dataclass(frozen=True)
class Seeded:
    clerk_id: int
    registrar_id: int
    admin_id: int
    tremblay_id: int
    markup_id: int
    escape_id: int


def _billing(uow: UnitOfWork, family_id: int, site_id: int, student_id: int, clerk_id: int) -> None:
    """Kept lines 350,00 $ (a declined 25,00 $ contribution), 75,00 $ paid on it: 275,00 $ due.

    A payment of 100,00 $ leaves 25,00 $ of credit; a voided payment (allocation reversed)
    and an invoice cancelled by a credit note change neither.
    """
    live = builders.invoice(
        uow, family_id, site_id, number="FAC00000001", description="Session AUT-2026",
        student_id=student_id,
        lines=[
            builders.piano(D("300.00")),
            builders.Line("INSC", "Frais d'inscription", D("50.00")),
            builders.Line(
                "FOND", "Fondation (volontaire)", D("25.00"), voluntary=True, declined=True
            ),
        ],
    )  # fmt: skip
    cancelled = builders.invoice(
        uow, family_id, site_id, number="FAC00000002", description="Annulée",
        student_id=student_id, lines=[builders.Line("VIOL", "Violon", D("500.00"))],
    )  # fmt: skip
    uow.session.add(
        CreditNote(
            number="AVO00000001",
            invoice_id=cancelled,
            amount=D("500.00"),
            reason="Inscription annulée",
            created_at=CREATED,
            created_by_id=clerk_id,
        )
    )
    payments = []
    for key, amount in (("kept", Decimal("100.00")), ("voided", Decimal("40.00"))):
        payment = Payment(
            establishment_id=site_id,
            family_id=family_id,
            clerk_id=clerk_id,
            received_at=CREATED,
            amount=amount,
            method=PaymentMethod.CASH,
            tendered=amount,
            change=Decimal("0.00"),
            idempotency_key=f"seed-{key}",
            request_fingerprint=key,
        )
        uow.session.add(payment)
        uow.session.flush()
        payments.append(payment)
    kept, voided = payments
    assert kept.id is not None and voided.id is not None
    uow.session.add(
        Allocation(payment_id=kept.id, invoice_id=live, amount=D("75.00"), created_at=CREATED)
    )
    wrong = Allocation(payment_id=voided.id, invoice_id=live, amount=D("40.00"), created_at=CREATED)
    uow.session.add(wrong)
    uow.session.flush()
    uow.session.add(
        Allocation(
            payment_id=voided.id,
            invoice_id=live,
            amount=D("-40.00"),
            created_at=CREATED,
            reverses_id=wrong.id,
        )
    )
    uow.session.add(
        PaymentVoid(payment_id=voided.id, voided_at=CREATED, voided_by_id=clerk_id, reason="Erreur")
    )


def seed(db: Database) -> Seeded:
    """Fill `db` (empty, migrated) and build its search index."""
    from registrar_tui.services.search.index import rebuild_index

    with db.write() as uow:
        site = builders.establishment(uow)
        clerk, registrar, admin = (
            builders.staff(
                uow, site, username=username, full_name=name, role=role,
                password_hash=hash_password(password),
            )
            for username, name, role, password in (
                (CLERK_USERNAME, "Josée Lavoie", Role.CLERK, CLERK_PASSWORD),
                (REGISTRAR_USERNAME, "Martine Côté", Role.REGISTRAR, REGISTRAR_PASSWORD),
                (ADMIN_USERNAME, "Luc Bergeron", Role.ADMIN, ADMIN_PASSWORD),
            )
        )  # fmt: skip

        tremblay = builders.family(uow, site, number="F0000001", name="Tremblay")
        builders.guardian(
            uow,
            tremblay,
            first_name="Hélène",
            last_name="Tremblay",
            relationship_label="mère",
            is_payer=True,
            phone="514-555-0101",
            email="helene.tremblay@example.ca",
            address_line="1234, rue Saint-Denis",
            city="Montréal",
            postal_code="H2X 3K2",
        )
        builders.guardian(
            uow,
            tremblay,
            first_name="Marc",
            last_name="Gagnon",
            relationship_label="père",
            phone="514-555-0102",
        )
        lea = builders.student(
            uow,
            tremblay,
            site,
            number="201337007",
            first_name="Léa",
            last_name="Tremblay",
            code_permanent="TREL54030912",
            school_level="Primaire 6",
            group_name="601",
        )
        builders.student(
            uow,
            tremblay,
            site,
            number="201337015",
            first_name="Hugo",
            last_name="Tremblay",
            birth_date=date(2016, 11, 2),
        )
        _billing(uow, tremblay, site, lea, clerk)

        markup = builders.family(uow, site, number="F0000002", name=MARKUP_FAMILY)
        builders.guardian(
            uow,
            markup,
            first_name=MARKUP_GUARDIAN,
            last_name="Tremblay",
            is_payer=True,
            phone="[red]514[/red]",
        )
        escape = builders.family(uow, site, number="F0000003", name=ESCAPE_FAMILY)
        builders.guardian(uow, escape, first_name="Zoé\x1b[2J", last_name="Roy", is_payer=True)
        for index in range(1, BOUCHARD_FAMILIES + 1):
            family = builders.family(
                uow, site, number=f"F00001{index:02d}", name=f"Bouchard {index:02d}"
            )
            builders.student(
                uow, family, site, number=f"2013{index:05d}", first_name="Éloïse",
                last_name="Bouchard", birth_date=date(2015, 1, index),
            )  # fmt: skip
        seeded = Seeded(
            clerk_id=clerk,
            registrar_id=registrar,
            admin_id=admin,
            tremblay_id=tremblay,
            markup_id=markup,
            escape_id=escape,
        )
    with db.write() as uow:
        rebuild_index(uow)
    return seeded
