"""Need-to-know on the student screen: with `medical_roles` set to the office, the clerk
reads "— (accès restreint)" where the registrar reads the allergies and health notes."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Static

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import AppSetting
from registrar_tui.screens.student import StudentScreen
from registrar_tui.services.settings import MEDICAL_ROLES
from tests.conftest import fixed_clock
from tests.screens.helpers import settle, shown, sign_in, sign_in_registrar
from tests.screens.student_fixtures import StudentWorld, seed_students

RESTRICTED = "— (accès restreint)"


def identity_lines(database: Database, student_id: int, *, registrar: bool) -> list[str]:
    """Sign in (clerk or registrar), open the student, read the identity tab's lines."""
    app = create_app(database=database, clock=fixed_clock)
    lines: list[str] = []

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await (sign_in_registrar(pilot) if registrar else sign_in(pilot))
            await app.push_screen(StudentScreen(student_id))
            await settle(pilot)
            fields = app.screen.query_one("#identity-fields")
            lines.extend(
                " ".join(shown(static) for static in row.query(Static))
                for row in fields.query(".field")
            )

    asyncio.run(main())
    return lines


@pytest.mark.parametrize(
    ("registrar", "allergies", "health"),
    [
        (False, f"Allergies {RESTRICTED}", RESTRICTED),
        (True, "Allergies [red]arachides[/red]", "Asthme sévère"),
    ],
    ids=["clerk", "registrar"],
)
def test_health_notes_follow_the_medical_roles_setting(
    database: Database, registrar: bool, allergies: str, health: str
) -> None:
    world: StudentWorld = seed_students(database)
    with database.write() as uow:
        uow.session.add(AppSetting(key=MEDICAL_ROLES, value="registrar,admin"))
    lines = identity_lines(database, world.markup_id, registrar=registrar)
    assert allergies in lines
    (health_line,) = [line for line in lines if line.startswith("Santé")]
    assert health in health_line
    assert ("arachides" in " ".join(lines)) is registrar
