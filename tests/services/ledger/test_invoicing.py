"""Issuing invoices from the fee schedule: numbering, lines, audit and search."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, FeeScheduleItem, Invoice, InvoiceLine
from registrar_tui.models.base import FeeKind, Language
from registrar_tui.services.core.errors import InvalidInput, NotFound, PermissionDenied
from registrar_tui.services.ledger.invoicing import (
    NewLine,
    issue_invoice,
    schedule_fee,
    schedule_fee_of_kind,
)
from registrar_tui.services.search.query import search
from tests.services.ledger_data import add_family, build_school


def _schedule(db: Database, term_id: int) -> None:
    with db.write() as uow:
        uow.session.add_all(
            [
                FeeScheduleItem(
                    term_id=term_id,
                    code="CONF-TARD",
                    kind=FeeKind.LATE_CONFIRMATION,
                    description_fr="Frais de confirmation tardive",
                    description_en="Late confirmation fee",
                    amount=Decimal("25.00"),
                ),
                FeeScheduleItem(
                    term_id=term_id,
                    code="FONDATION",
                    kind=FeeKind.VOLUNTARY,
                    description_fr="Contribution volontaire — Fondation",
                    description_en="Voluntary contribution — Foundation",
                    amount=Decimal("25.00"),
                    is_voluntary=True,
                ),
            ]
        )


def test_invoices_are_numbered_in_sequence_audited_and_searchable(database: Database) -> None:
    school = build_school(database)
    family_id = add_family(database, school)
    _schedule(database, school.term_id)
    with database.write() as uow:
        late = schedule_fee_of_kind(uow, school.term_id, FeeKind.LATE_CONFIRMATION)
        gift = schedule_fee(uow, school.term_id, "FONDATION", Language.ENGLISH)
        first = issue_invoice(
            uow,
            actor_id=school.clerk_id,
            family_id=family_id,
            description="Frais",
            lines=[NewLine.of(late), NewLine.of(gift)],
            due_on=date(2000, 1, 1),
            term_id=school.term_id,
        )
        second = issue_invoice(
            uow,
            actor_id=school.registrar_id,
            family_id=family_id,
            description="Autres frais",
            lines=[NewLine("X", "Ligne", Decimal("10.50"))],
            due_on=date(2026, 12, 31),
        )
    assert gift.description == "Voluntary contribution — Foundation"
    assert first.total == Decimal("50.00") and second.total == Decimal("10.50")
    assert int(second.number[3:]) == int(first.number[3:]) + 1
    assert first.due_on >= date(2026, 1, 1)  # never due before it was issued
    with database.read() as uow:
        lines = uow.session.exec(
            select(InvoiceLine)
            .where(col(InvoiceLine.invoice_id) == first.invoice_id)
            .order_by(col(InvoiceLine.position))
        ).all()
        assert [(line.fee_code, line.is_voluntary) for line in lines] == [
            ("CONF-TARD", False),
            ("FONDATION", True),
        ]
        event = uow.session.exec(
            select(AuditEvent).where(
                col(AuditEvent.action) == "invoice.issue",
                col(AuditEvent.entity_id) == first.invoice_id,
            )
        ).one()
        assert first.number in event.after_json
        hits = search(uow, first.number)
        assert [hit.ref_id for hit in hits.rows] == [first.invoice_id]


def test_refusals_write_nothing(database: Database) -> None:
    school = build_school(database)
    family_id = add_family(database, school)
    with database.write() as uow, pytest.raises(NotFound):
        schedule_fee(uow, school.term_id, "NOPE")
    for kwargs, error in (
        (
            {"actor_id": school.inactive_id, "lines": [NewLine("X", "x", Decimal("0.01"))]},
            PermissionDenied,
        ),
        ({"actor_id": school.clerk_id, "lines": []}, InvalidInput),
        (
            {"actor_id": school.clerk_id, "lines": [NewLine("X", "x", Decimal("-0.01"))]},
            InvalidInput,
        ),
    ):
        with pytest.raises(error), database.write() as uow:
            issue_invoice(
                uow,
                family_id=family_id,
                description="x",
                due_on=date(2026, 12, 1),
                **kwargs,  # type: ignore[arg-type]
            )
    with database.read() as uow:
        assert uow.session.exec(select(Invoice)).all() == []
