"""Building the slips: originals, an amendment, a cancellation, the dry run, numbering."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, SlipKind, SlipStatus, Student, TaxSlip
from registrar_tui.services.core.errors import InvalidInput, PermissionDenied
from registrar_tui.services.ledger import voids
from registrar_tui.services.tax_slips.build import build_slips
from tests.services.tax_slips.slips_data import build_slip_world

D = Decimal


def _slips(db: Database, year: int) -> list[tuple[str, int, str, int | None, Decimal, bool]]:
    with db.read() as uow:
        rows = uow.session.exec(
            select(TaxSlip).where(col(TaxSlip.year) == year).order_by(col(TaxSlip.id))
        ).all()
        by_id = {row.id: row.number for row in rows}
        return [
            (
                row.kind.value,
                row.number,
                row.status.value,
                by_id.get(row.amends_id) if row.amends_id else None,
                row.eligible_tuition,
                row.has_sin,
            )
            for row in rows
        ]


def test_dry_run_then_originals_then_amendment_and_cancellation(database: Database) -> None:
    world = build_slip_world(database)
    admin = world.school.admin_id
    with database.write() as uow:
        dry = build_slips(uow, admin, 2026, dry_run=True)
    assert [(a.kind, a.status, a.eligible_tuition) for a in dry.actions] == [
        (SlipKind.RL8, SlipStatus.ORIGINAL, D("675.00")),
        (SlipKind.T2202, SlipStatus.ORIGINAL, D("675.00")),
    ]
    assert [m.student_name for m in dry.missing_sin] == ["Élodie Tremblay"]
    assert _slips(database, 2026) == []  # a dry run writes nothing

    with database.write() as uow:
        run = build_slips(uow, admin, 2026, dry_run=False)
    assert [a.number for a in run.actions] == [1, 1]
    assert _slips(database, 2026) == [
        ("rl8", 1, "R", None, D("675.00"), False),
        ("t2202", 1, "R", None, D("675.00"), False),
    ]
    # Nothing changed: a second run issues nothing.
    with database.write() as uow:
        assert build_slips(uow, admin, 2026, dry_run=False).actions == ()

    # The SIN arrives and a payment of 2026 is voided: both slips are amended.
    with database.write() as uow:
        student = uow.session.get_one(Student, world.student_id)
        student.social_insurance_number = "130692544"
        uow.session.add(student)
    from tests.services.tax_slips.slips_data import _pay

    database.clock = lambda: datetime(2026, 6, 1, 15, tzinfo=UTC)
    with database.write() as uow:
        from registrar_tui.models import Payment

        p3 = uow.session.exec(select(Payment.id).where(col(Payment.amount) == D("175.00"))).one()
        voids.void_payment(uow, p3, "Chèque sans provision", world.school.registrar_id)
    with database.write() as uow:
        run = build_slips(uow, admin, 2026, dry_run=False)
    assert run.missing_sin == ()
    assert _slips(database, 2026)[2:] == [
        ("rl8", 2, "A", 1, D("500.00"), True),
        ("t2202", 2, "A", 1, D("500.00"), True),
    ]
    assert _pay  # the helper stays importable for the screens' test

    # An issued slip is never edited (append-only triggers).
    with pytest.raises((IntegrityError, DBAPIError)), database.write() as uow:
        slip = uow.session.exec(select(TaxSlip)).first()
        assert slip is not None
        slip.eligible_tuition = D("1.00")
        uow.session.add(slip)
        uow.session.flush()
    with database.read() as uow:
        events = uow.session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "tax_slips.build")
        ).all()
        assert len(events) == 3


def test_cancellation_when_nothing_is_left(database: Database) -> None:
    world = build_slip_world(database, sin="130692544")
    admin = world.school.admin_id
    with database.write() as uow:
        build_slips(uow, admin, 2025, dry_run=False)
    # Every 2025 payment voided: the 2025 slips are cancelled (RL-8 box A still holds the
    # full-time session, so the RL-8 is amended; the T2202 months remain too).
    database.clock = lambda: datetime(2026, 6, 1, 15, tzinfo=UTC)
    from registrar_tui.models import Payment

    with database.write() as uow:
        paid = uow.session.exec(
            select(Payment.id).where(col(Payment.amount).in_([D("400.00"), D("100.00")]))
        ).all()
    for payment_id in paid:
        with database.write() as uow:
            voids.void_payment(uow, payment_id, "Erreur", world.school.registrar_id)
    with database.write() as uow:
        build_slips(uow, admin, 2025, dry_run=False)
    assert _slips(database, 2025) == [
        ("rl8", 1, "R", None, D("425.00"), True),
        ("t2202", 1, "R", None, D("425.00"), True),
        ("rl8", 2, "A", 1, D("0.00"), True),
        ("t2202", 2, "A", 1, D("0.00"), True),
    ]
    # Enrolment dropped too: nothing left to report, the slips are cancelled.
    from registrar_tui.models import Enrolment, EnrolmentStatus

    with database.write() as uow:
        for enrolment in uow.session.exec(select(Enrolment)).all():
            enrolment.status = EnrolmentStatus.DROPPED
            uow.session.add(enrolment)
    with database.write() as uow:
        run = build_slips(uow, admin, 2025, dry_run=False)
    assert {(a.status, a.amends_number) for a in run.actions} == {(SlipStatus.CANCELLED, 2)}
    assert _slips(database, 2025)[4:] == [
        ("rl8", 3, "D", 2, D("0.00"), True),
        ("t2202", 3, "D", 2, D("0.00"), True),
    ]


def test_refusals(database: Database) -> None:
    world = build_slip_world(database)
    with pytest.raises(PermissionDenied), database.write() as uow:
        build_slips(uow, world.school.registrar_id, 2025)
    with pytest.raises(InvalidInput), database.write() as uow:
        build_slips(uow, world.school.admin_id, 2027)


def test_two_builds_at_once_issue_each_slip_once(database: Database) -> None:
    import threading
    import time

    world = build_slip_world(database, sin="130692544")
    admin = world.school.admin_id
    inside = threading.Event()
    results: dict[str, int] = {}

    def first() -> None:
        def progress(done: int, total: int) -> None:
            inside.set()
            time.sleep(1.0)  # the second build starts while this one holds the lock

        with database.write() as uow:
            results["first"] = len(
                build_slips(uow, admin, 2026, dry_run=False, progress=progress).actions
            )

    def second() -> None:
        inside.wait(10)
        with database.write() as uow:
            results["second"] = len(build_slips(uow, admin, 2026, dry_run=False).actions)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == {"first": 2, "second": 0}
    assert [row[:3] for row in _slips(database, 2026)] == [("rl8", 1, "R"), ("t2202", 1, "R")]
