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
    Establishment,
    Family,
    Guardian,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
    PaymentVoid,
    Role,
    StaffUser,
    Student,
)
from registrar_tui.services.staff.passwords import hash_password

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


def _family(uow: UnitOfWork, number: str, name: str, establishment_id: int) -> Family:
    family = Family(
        family_number=number, name=name, establishment_id=establishment_id, created_at=CREATED
    )
    uow.session.add(family)
    uow.session.flush()
    return family


def _student(
    uow: UnitOfWork, family: Family, number: str, first: str, last: str, born: date, **extra: str
) -> Student:
    assert family.id is not None
    student = Student(
        family_id=family.id,
        establishment_id=family.establishment_id,
        student_number=number,
        first_name=first,
        last_name=last,
        birth_date=born,
        created_at=CREATED,
        **extra,
    )
    uow.session.add(student)
    uow.session.flush()
    return student


def _billing(uow: UnitOfWork, family: Family, student: Student, clerk_id: int) -> None:
    """Kept lines 350,00 $ (a declined 25,00 $ contribution), 75,00 $ paid on it: 275,00 $ due.

    A payment of 100,00 $ leaves 25,00 $ of credit; a voided payment (allocation reversed)
    and an invoice cancelled by a credit note change neither.
    """
    assert family.id is not None and student.id is not None
    invoices = []
    for number, description in (("FAC00000001", "Session AUT-2026"), ("FAC00000002", "Annulée")):
        invoice = Invoice(
            number=number,
            family_id=family.id,
            student_id=student.id,
            establishment_id=family.establishment_id,
            description=description,
            issued_on=date(2026, 8, 20),
            due_on=date(2026, 9, 30),
            created_at=CREATED,
        )
        uow.session.add(invoice)
        uow.session.flush()
        invoices.append(invoice)
    live, cancelled = invoices
    assert live.id is not None and cancelled.id is not None
    lines = [
        (live.id, 1, "PIANO", "Piano, 30 cours", Decimal("300.00"), False, False),
        (live.id, 2, "INSC", "Frais d'inscription", Decimal("50.00"), False, False),
        (live.id, 3, "FOND", "Fondation (volontaire)", Decimal("25.00"), True, True),
        (cancelled.id, 1, "VIOL", "Violon", Decimal("500.00"), False, False),
    ]
    for invoice_id, position, code, text, amount, voluntary, declined in lines:
        uow.session.add(
            InvoiceLine(
                invoice_id=invoice_id,
                position=position,
                fee_code=code,
                description=text,
                amount=amount,
                is_voluntary=voluntary,
                is_declined=declined,
            )
        )
    uow.session.add(
        CreditNote(
            number="AVO00000001",
            invoice_id=cancelled.id,
            amount=Decimal("500.00"),
            reason="Inscription annulée",
            created_at=CREATED,
            created_by_id=clerk_id,
        )
    )
    payments = []
    for key, amount in (("kept", Decimal("100.00")), ("voided", Decimal("40.00"))):
        payment = Payment(
            establishment_id=family.establishment_id,
            family_id=family.id,
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
        Allocation(
            payment_id=kept.id, invoice_id=live.id, amount=Decimal("75.00"), created_at=CREATED
        )
    )
    wrong = Allocation(
        payment_id=voided.id, invoice_id=live.id, amount=Decimal("40.00"), created_at=CREATED
    )
    uow.session.add(wrong)
    uow.session.flush()
    uow.session.add(
        Allocation(
            payment_id=voided.id,
            invoice_id=live.id,
            amount=Decimal("-40.00"),
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
        registrar = StaffUser(
            username=REGISTRAR_USERNAME,
            full_name="Martine Côté",
            role=Role.REGISTRAR,
            password_hash=hash_password(REGISTRAR_PASSWORD),
            establishment_id=site.id,
            created_at=CREATED,
        )
        admin = StaffUser(
            username=ADMIN_USERNAME,
            full_name="Luc Bergeron",
            role=Role.ADMIN,
            password_hash=hash_password(ADMIN_PASSWORD),
            establishment_id=site.id,
            created_at=CREATED,
        )
        uow.session.add_all([registrar, admin])
        uow.session.flush()
        assert clerk.id is not None and registrar.id is not None and admin.id is not None

        tremblay = _family(uow, "F0000001", "Tremblay", site.id)
        assert tremblay.id is not None
        uow.session.add(
            Guardian(
                family_id=tremblay.id,
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
        )
        uow.session.add(
            Guardian(
                family_id=tremblay.id,
                first_name="Marc",
                last_name="Gagnon",
                relationship_label="père",
                phone="514-555-0102",
            )
        )
        lea = _student(
            uow,
            tremblay,
            "201337007",
            "Léa",
            "Tremblay",
            date(2014, 3, 9),
            code_permanent="TREL54030912",
            school_level="Primaire 6",
            group_name="601",
        )
        _student(uow, tremblay, "201337015", "Hugo", "Tremblay", date(2016, 11, 2))
        _billing(uow, tremblay, lea, clerk.id)

        markup = _family(uow, "F0000002", MARKUP_FAMILY, site.id)
        assert markup.id is not None
        uow.session.add(
            Guardian(
                family_id=markup.id,
                first_name=MARKUP_GUARDIAN,
                last_name="Tremblay",
                is_payer=True,
                phone="[red]514[/red]",
            )
        )
        escape = _family(uow, "F0000003", ESCAPE_FAMILY, site.id)
        assert escape.id is not None
        uow.session.add(
            Guardian(family_id=escape.id, first_name="Zoé\x1b[2J", last_name="Roy", is_payer=True)
        )
        for index in range(1, BOUCHARD_FAMILIES + 1):
            family = _family(uow, f"F00001{index:02d}", f"Bouchard {index:02d}", site.id)
            _student(uow, family, f"2013{index:05d}", "Éloïse", "Bouchard", date(2015, 1, index))
        seeded = Seeded(
            clerk_id=clerk.id,
            registrar_id=registrar.id,
            admin_id=admin.id,
            tremblay_id=tremblay.id,
            markup_id=markup.id,
            escape_id=escape.id,
        )
    with db.write() as uow:
        rebuild_index(uow)
    return seeded
