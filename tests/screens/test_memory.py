"""A clerk opens hundreds of families a day: a closed screen must leave nothing behind.

Textual 8.2.8 kept the last 1,024 widgets' line caches alive (Textualize/textual#6665);
the heap grew with every family opened and the full collections that interrupt a screen
opening grew with it (first paint p95 270–400 ms in `make bench`, under 100 ms after).
"""

from __future__ import annotations

import asyncio
import gc
import weakref

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.screens.counter.family import FamilyScreen
from tests.conftest import fixed_clock
from tests.screens.fixtures import seed
from tests.screens.helpers import settle, sign_in


def test_closed_family_screens_are_freed(database: Database) -> None:
    seeded = seed(database)
    app = create_app(database=database, clock=fixed_clock)
    screens: list[weakref.ref[FamilyScreen]] = []
    caches: list[list[weakref.ref[object]]] = []  # per screen: footers differ by family

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            for family_id in (seeded.tremblay_id, seeded.markup_id, seeded.escape_id) * 2:
                app.open_family(family_id, tab="billing")
                await settle(pilot)
                screen = app.screen
                assert isinstance(screen, FamilyScreen) and screen.family_id == family_id
                screens.append(weakref.ref(screen))
                caches.append([weakref.ref(w._styles_cache) for w in screen.walk_children()])
                del screen
                await pilot.press("escape")
                await settle(pilot)
            # The last one closed may still be referenced by Textual's last event; none
            # of the others may be, nor any of their widgets' line caches. On a busy
            # machine a closed screen's last worker may still be finishing: let it end.
            # A child holds its screen only weakly, so a worker or timer of one widget
            # keeps that widget (and its cache) after its screen is freed: CI saw two.
            # Under heavy load Textual was seen keeping one finished worker a while
            # longer: one straggler screen is tolerated; a leak keeps them all.
            for _ in range(20):
                gc.collect()
                alive = [ref for ref in screens[:-1] if ref() is not None]
                kept = kept_caches(screens[:-1], caches[:-1])
                if not alive and not kept:
                    break
                await settle(pilot)
                await pilot.pause(0.1)
            assert len(alive) <= 1, f"{len(alive)} of 5 closed family screens still alive"
            assert len(alive) + len(kept) <= 1, f"kept: {kept}, {len(alive)} screens alive"

    asyncio.run(main())


def kept_caches(
    screens: list[weakref.ref[FamilyScreen]], caches: list[list[weakref.ref[object]]]
) -> dict[int, int]:
    """Per freed screen (by position), how many of its widgets' line caches are alive."""
    kept = {}
    for position, (screen_ref, closed) in enumerate(zip(screens, caches, strict=True)):
        count = sum(1 for ref in closed if ref() is not None)
        if screen_ref() is None and count:
            kept[position] = count
    return kept


def test_the_start_up_heap_is_frozen_once_the_database_is_open(database: Database) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert gc.get_freeze_count() > 0

    asyncio.run(main())
