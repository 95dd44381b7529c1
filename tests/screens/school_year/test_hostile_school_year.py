"""Hostile text on the school year's screens (issue #6 § 5, extended to issue #14's fields).

As tests/screens/test_hostile_input.py does for the counter: one app, a Hypothesis
property inside it. A group's room and level and a teacher's name are written with the
hostile value; the groups list and the rollover's dry run show them with nothing reaching
the terminal, the dry run shows the cleaned value whole. Then the value is typed into the
group form's room box: kept literally (controls removed) and saved cleaned, or refused
with its reason under a field (a card number always).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from hypothesis import example, given, settings
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import Course, Teacher
from registrar_tui.screens.school_year.group_form import GroupFormScreen
from registrar_tui.screens.school_year.groups import GroupsScreen
from registrar_tui.screens.school_year.rollover import RolloverScreen
from tests.conftest import fixed_clock
from tests.screens.helpers import rows, settle, shown, sign_in_registrar
from tests.screens.hostile_support import (
    AppDriver,
    drive,
    expected,
    hazards_in,
    hostile_text,
    screen_output,
)
from tests.screens.school_year.fixtures import seed_school_year
from tests.screens.test_hostile_input import PROPERTY, known_bad_examples

EXAMPLES = 4


def test_hostile_group_text_shown_and_typed(database: Database) -> None:
    world = seed_school_year(database)
    app = create_app(database=database, clock=fixed_clock)
    counts: dict[str, int] = {}
    outcomes = {"saved": 0, "refused": 0}

    def write(value: str) -> None:
        with database.write() as uow:
            course = uow.session.get_one(Course, world.piano01_id)
            course.room = value
            course.level = value
            uow.session.get_one(Teacher, world.tremblay_id).last_name = value

    async def shown_path(pilot: Pilot[None], value: str) -> None:
        from registrar_tui.services.school_year.rollover import plan_rollover

        groups = app.screen
        assert isinstance(groups, GroupsScreen)
        groups._load(keep_cursor=True)
        await settle(pilot)
        assert not hazards_in(screen_output(app))
        with database.read() as uow:
            plan = plan_rollover(uow, "AUT-2026", "HIV-2027")
        await app.push_screen(RolloverScreen(plan))
        await settle(pilot)
        text = " ".join("\n".join(rows(app.screen.query_one(DataTable))).split())
        wanted = " ".join(expected(value).split())
        assert wanted in text, f"{wanted[:80]!r} not in {text[:200]!r}"
        assert not hazards_in(screen_output(app))
        app.pop_screen()
        await settle(pilot)

    async def typed_path(pilot: Pilot[None], value: str) -> None:
        from registrar_tui.services.core.text import safe_text
        from registrar_tui.services.school_year.groups import group_row
        from registrar_tui.text import strip_controls

        with database.write() as uow:  # so that every value typed is a change
            uow.session.get_one(Course, world.piano02_id).room = "Salle d'avant"
        with database.read() as uow:
            group = group_row(uow, world.piano02_id)
        await app.push_screen(GroupFormScreen(world.autumn_id, "AUT-2026", group))
        await settle(pilot)
        form = app.screen
        room = form.query_one("#field-room", Input)
        room.value = ""
        room.insert_text_at_cursor(value)
        kept = "" if len(value) > 40 else strip_controls(value)
        await pilot.pause()
        assert room.value == kept
        assert not hazards_in(screen_output(app))
        await pilot.press("ctrl+s")
        await settle(pilot)
        if app.screen is form:
            said = " ".join(shown(m) for m in form.query(".field-message").results(Static))
            said += shown(form.query_one("#group-form-status", Static))
            assert said.strip(), f"{value!r}: neither saved nor refused"
            if "4111" in value:
                assert "numéro complet d'une carte" in said
            assert not hazards_in(screen_output(app))
            outcomes["refused"] += 1
            await pilot.press("escape")
            await settle(pilot)
            return
        outcomes["saved"] += 1
        with database.read() as uow:
            stored = uow.session.get_one(Course, world.piano02_id).room
        assert stored == (safe_text(kept, field="room") or "")

    def make_property(path: Callable[[Pilot[None], str], Awaitable[None]], name: str):  # type: ignore[no-untyped-def]
        @settings(PROPERTY, max_examples=EXAMPLES)
        @given(value=hostile_text)
        @known_bad_examples
        @example(value="Voir 4111 1111 1111 1111")
        def property_test(on_app: AppDriver, value: str) -> None:
            if name == "shown":
                write(value)
            on_app(lambda: path(pilot, value))
            counts[name] = counts.get(name, 0) + 1

        return property_test

    async def main() -> None:
        nonlocal pilot
        async with app.run_test(size=(120, 36)) as running:
            pilot = running
            await settle(pilot)
            await sign_in_registrar(pilot)
            await app.push_screen(GroupsScreen(world.autumn_id, "AUT-2026"))
            await settle(pilot)
            await drive(make_property(shown_path, "shown"))
            await drive(make_property(typed_path, "typed"))

    pilot: Pilot[None] = None  # type: ignore[assignment]
    asyncio.run(main())
    print(f"\nhostile school year: {counts}, typed room: {outcomes}")
    assert counts["shown"] >= EXAMPLES and counts["typed"] >= EXAMPLES
    assert outcomes["saved"] and outcomes["refused"]
