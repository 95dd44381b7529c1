"""Need-to-know on the student screen: with `medical_roles` set to the office, the clerk
reads "— (accès restreint)" instead of the allergies and health notes (the services'
tests cover every role; tests/screens/student/test_student.py shows the notes to a clerk when
the setting is not set)."""

from __future__ import annotations

import asyncio

from textual.widgets import Static

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import AppSetting
from registrar_tui.screens.student.screen import StudentScreen
from registrar_tui.services.staff.settings import MEDICAL_ROLES
from tests.conftest import fixed_clock
from tests.screens.helpers import settle, shown, sign_in
from tests.screens.student.student_fixtures import StudentWorld, seed_students

RESTRICTED = "— (accès restreint)"


def identity_lines(database: Database, student_id: int) -> list[str]:
    """Sign in as the clerk, open the student, read the identity tab's lines."""
    app = create_app(database=database, clock=fixed_clock)
    lines: list[str] = []

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await app.push_screen(StudentScreen(student_id))
            await settle(pilot)
            fields = app.screen.query_one("#identity-fields")
            lines.extend(
                " ".join(shown(static) for static in row.query(Static))
                for row in fields.query(".field")
            )

    asyncio.run(main())
    return lines


def test_a_clerk_reads_restricted_where_the_office_reads_health_notes(
    database: Database,
) -> None:
    world: StudentWorld = seed_students(database)
    with database.write() as uow:
        uow.session.add(AppSetting(key=MEDICAL_ROLES, value="registrar,admin"))
    lines = identity_lines(database, world.markup_id)
    assert f"Allergies {RESTRICTED}" in lines
    assert f"Santé {RESTRICTED}" in lines
    assert "arachides" not in " ".join(lines) and "Asthme" not in " ".join(lines)
