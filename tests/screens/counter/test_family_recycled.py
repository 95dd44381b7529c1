"""The family screen closed is kept and shows the next family: exactly as a new one would.

The counter opens family after family; composing, mounting and styling the screen each
time was about 40 % of the time from Enter on a search hit to the family drawn. The app
keeps the last one (emptied once home is drawn) and shows the next family in it.
"""

from __future__ import annotations

import asyncio
import gc
import weakref

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.counter.statement import StatementView
from tests.conftest import fixed_clock
from tests.screens.fixtures import seed
from tests.screens.helpers import settle, sign_in
from tests.screens.hostile_support import screen_output


async def _opened(app: object, pilot: object, family_id: int) -> FamilyScreen:
    from textual.pilot import Pilot

    from registrar_tui.app import RegistrarApp

    assert isinstance(app, RegistrarApp) and isinstance(pilot, Pilot)
    app.open_family(family_id)
    await settle(pilot)
    await pilot.pause(0.1)
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, FamilyScreen) and screen.family_id == family_id
    return screen


async def _tabs(app: object, pilot: object) -> str:
    """What the family's identity, students and billing tabs show, one after the other."""
    from textual.app import App
    from textual.pilot import Pilot

    assert isinstance(app, App) and isinstance(pilot, Pilot)
    shown = [screen_output(app)]
    for key in ("2", "3", "1"):
        await pilot.press(key)
        await settle(pilot)
        shown.append(screen_output(app))
    return "\n".join(shown)


def test_the_next_family_in_the_kept_screen_looks_as_in_a_new_one(database: Database) -> None:
    seeded = seed(database)
    drawn: dict[str, str] = {}
    statements: list[weakref.ref[StatementView]] = []

    async def fresh() -> None:
        app = create_app(database=database, clock=fixed_clock)
        app.animation_level = "none"  # the tabs' underline drawn where it ends, not on its way
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await _opened(app, pilot, seeded.markup_id)
            drawn["new"] = await _tabs(app, pilot)

    async def recycled() -> None:
        app = create_app(database=database, clock=fixed_clock)
        app.animation_level = "none"
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            first = await _opened(app, pilot, seeded.tremblay_id)
            # The clerk looked around: billing tab, a guardian further down.
            await pilot.press("3")
            await settle(pilot)
            statements.extend(weakref.ref(view) for view in first.query(StatementView))
            await pilot.press("1", "down")
            await settle(pilot)
            await pilot.press("escape")
            await settle(pilot)
            await pilot.pause(0.2)  # emptied once home is drawn
            await settle(pilot)
            assert first.recycled
            second = await _opened(app, pilot, seeded.markup_id)
            assert second is first
            drawn["recycled"] = await _tabs(app, pilot)
            # Tremblay's statement (a tab mounted after the first frame) went with it, once
            # a reading of its own still running in a thread (cancelled: threads finish)
            # has ended: on a busy machine that can take a moment.
            await app.workers.wait_for_complete()
            for _attempt in range(40):
                gc.collect()
                if all(ref() is None for ref in statements):
                    break
                await pilot.pause(0.05)
            assert statements and all(ref() is None for ref in statements)

    asyncio.run(fresh())
    asyncio.run(recycled())
    assert drawn["recycled"] == drawn["new"]
    assert "F0000002" in drawn["recycled"] and "F0000001" not in drawn["recycled"]
