"""The student's SIN: typed at the counter, masked, revealed only to a supervisor, audited."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent
from registrar_tui.services.core.errors import PermissionDenied
from registrar_tui.services.records import sin
from tests.services.tax_slips.slips_data import build_slip_world


def test_student_sin_set_masked_revealed_and_audited(database: Database) -> None:
    world = build_slip_world(database)
    school = world.school
    with pytest.raises(sin.InvalidSin), database.write() as uow:
        sin.set_student_sin(uow, school.clerk_id, world.student_id, "130 692 545")
    with database.write() as uow:
        assert sin.set_student_sin(uow, school.clerk_id, world.student_id, "130-692-544") == (
            "*** *** 544"
        )
    with database.read() as uow:
        assert sin.student_sin_masked(uow, world.student_id) == "*** *** 544"
    with pytest.raises(PermissionDenied), database.write() as uow:
        sin.reveal_student_sin(uow, school.clerk_id, world.student_id)
    with database.write() as uow:
        revealed = sin.reveal_student_sin(uow, school.registrar_id, world.student_id)
    assert revealed.formatted == "130 692 544"
    assert "130692544" not in repr(revealed)
    with database.read() as uow:
        events = uow.session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action).in_(["student.sin_set", "student.sin_view"]))
            .order_by(col(AuditEvent.id))
        ).all()
        assert [e.action for e in events] == ["student.sin_set", "student.sin_view"]
        assert all("130692544" not in e.after_json + e.before_json for e in events)
