"""An audit trail for the viewer's screen and snapshot tests, on top of `fixtures.seed`.

Twenty events before the fixed "now" (14:30 UTC on 23 November 2026), one minute apart
from 13:00 UTC: the clerk's payments and contact changes (one whose value looks like
markup and carries a terminal escape), the registrar's voids. More than a page (15).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Guardian
from registrar_tui.services.audit.record import record_event
from tests.screens.fixtures import Seeded, seed

START = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
MARKUP_PHONE = "[@click=app.quit]514[/]\x1b[31m"
TRAIL_EVENTS = 20


@dataclass(frozen=True)
class AuditWorld:
    seeded: Seeded
    contact_event_id: int
    """The clerk's change of a guardian's phone to MARKUP_PHONE (the newest clerk event)."""


def seed_audit(db: Database) -> AuditWorld:
    seeded = seed(db)
    with db.read() as uow:
        helene = uow.session.exec(
            select(Guardian.id).where(col(Guardian.email) == "helene.tremblay@example.ca")
        ).one()
    assert helene is not None
    fixed = db.clock
    minutes = iter(range(TRAIL_EVENTS))
    db.clock = lambda: START + timedelta(minutes=next(minutes))
    try:
        with db.write() as uow:
            for n in range(TRAIL_EVENTS - 1):
                if n % 3 == 2:
                    record_event(
                        uow,
                        seeded.registrar_id,
                        "payment.void",
                        "payment",
                        100 + n,
                        {"voided": False},
                        {"voided": True, "reason": "Erreur de montant"},
                    )
                else:
                    record_event(
                        uow,
                        seeded.clerk_id,
                        "payment.post",
                        "payment",
                        100 + n,
                        {},
                        {"amount_cents": 1000 * (n + 1), "receipt_number": f"MTL-2026-{n:06d}"},
                    )
            record_event(
                uow,
                seeded.clerk_id,
                "guardian.contact_update",
                "guardian",
                helene,
                {"phone": "514-555-0101", "email": "helene.tremblay@example.ca"},
                {"phone": MARKUP_PHONE, "email": "helene.tremblay@example.ca"},
            )
            uow.session.flush()
            newest = uow.session.exec(select(func.max(col(AuditEvent.id)))).one()
    finally:
        db.clock = fixed
    assert newest is not None
    return AuditWorld(seeded=seeded, contact_event_id=int(newest))
