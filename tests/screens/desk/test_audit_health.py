"""Need-to-know in the audit viewer: a registrar outside `medical_roles` opens a student's
health change and reads the fields masked; once the setting names the registrar, the same
event shows its before → after. The trail's rows are never rewritten."""

from __future__ import annotations

import asyncio

from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Role, Student
from registrar_tui.screens.desk.audit_event import AuditEventScreen
from registrar_tui.screens.desk.audit_log import AuditLogScreen
from registrar_tui.services.records.need_to_know import set_medical_roles
from registrar_tui.services.records.students import StudentHealthChange, update_student_health
from tests.conftest import fixed_clock
from tests.screens.fixtures import seed
from tests.screens.helpers import rows, settle, shown, sign_in_registrar, type_text

ALLERGIES = "Arachides (EpiPen dans le sac)"
MEDICAL = "Asthme léger"


def _health_event(database: Database) -> tuple[int, str, str]:
    """The admin writes Léa's allergies and medical notes, then keeps them to admins."""
    seeded = seed(database)
    with database.write() as uow:
        lea = uow.session.exec(select(Student.id).where(col(Student.first_name) == "Léa")).one()
        assert lea is not None
        update_student_health(
            uow,
            lea,
            seeded.admin_id,
            StudentHealthChange("Marc Tremblay", "514-555-0102", ALLERGIES, MEDICAL),
        )
        set_medical_roles(uow, [Role.ADMIN], seeded.admin_id)
    with database.read() as uow:
        event = uow.session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "student.health_update")
        ).one()
        return seeded.admin_id, event.after_json, event.hash


def _fields(app: RegistrarApp) -> list[str]:
    return [shown(line) for line in app.screen.query(".audit-field").results(Static)]


def test_a_registrar_outside_medical_roles_reads_health_masked(database: Database) -> None:
    admin_id, *written = _health_event(database)
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await settle(pilot)
        await sign_in_registrar(pilot)
        await pilot.press("f12")
        await settle(pilot)
        assert isinstance(app.screen, AuditLogScreen)
        await pilot.press("f2")
        app.screen.query_one("#filter-action", Input).focus()
        await type_text(pilot, "santé")
        await pilot.press("enter")
        await settle(pilot)
        [line] = rows(app.screen.query_one("#audit-table", DataTable))
        # The list names the fields, as it always does; it never held values.
        assert "Élève (santé, urgence)" in line
        assert "Allergies, Contact d'urgence, Téléphone d'urgence, Conditions médicales" in line
        assert "Arachides" not in line

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AuditEventScreen)
        masked = _fields(app)
        assert masked[0] == "Allergies : (réservé au personnel autorisé)"
        assert masked[-1] == "Conditions médicales : (réservé au personnel autorisé)"
        # Whom to call is not need-to-know: shown as it was typed.
        assert masked[2].startswith("Téléphone d'urgence : ")
        assert masked[2].endswith(" → 514-555-0102")
        assert all("Arachides" not in shown(s) for s in app.screen.query(Static).results(Static))
        await pilot.press("escape")
        await settle(pilot)

        # The admin adds the registrar to the roles: the same event now reads in full.
        with database.write() as uow:
            set_medical_roles(uow, [Role.REGISTRAR, Role.ADMIN], admin_id)
        await pilot.press("enter")
        await settle(pilot)
        full = _fields(app)
        assert full[0].startswith("Allergies : ") and full[0].endswith(f" → {ALLERGIES}")
        assert full[-1].startswith("Conditions médicales : ")
        assert full[-1].endswith(f" → {MEDICAL}")
        assert full[1:3] == masked[1:3]

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await scenario(pilot)

    asyncio.run(main())
    with database.read() as uow:
        event = uow.session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "student.health_update")
        ).one()
        assert [event.after_json, event.hash] == written
        views = uow.session.exec(
            select(AuditEvent.entity_id).where(col(AuditEvent.action) == "audit.view_event")
        ).all()
        assert views == [event.id, event.id]  # both looks are on the trail
