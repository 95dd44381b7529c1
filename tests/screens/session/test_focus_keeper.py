"""Typing never vanishes for want of focus (issue #17, part 3: in a browser the click that
started the app left the login screen with nothing focused, and `clerk` typed next was
lost), and a click on a form's background keeps the focus where it was."""

from __future__ import annotations

import asyncio

import pytest
from textual import events
from textual.containers import VerticalScroll
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, Static

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.screens.counter.new_family import NewFamilyScreen
from registrar_tui.screens.counter.search import SearchScreen
from registrar_tui.screens.session.focus_keeper import on_background
from registrar_tui.screens.session.login import LoginScreen
from tests.conftest import fixed_clock
from tests.screens.fixtures import CLERK_PASSWORD, CLERK_USERNAME, seed
from tests.screens.helpers import settle, sign_in, type_text


@pytest.fixture
def seeded_db(database: Database) -> Database:
    seed(database)
    return database


def test_typing_with_nothing_focused_fills_the_login_form(seeded_db: Database) -> None:
    app = create_app(database=seeded_db, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, LoginScreen)
            screen.set_focus(None)  # as the browser's first click left it
            await pilot.pause()
            assert app.focused is None
            await type_text(pilot, CLERK_USERNAME)
            assert screen.query_one("#username", Input).value == CLERK_USERNAME
            await pilot.press("tab")
            assert app.focused is screen.query_one("#password", Input)
            await type_text(pilot, CLERK_PASSWORD)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, SearchScreen)
            assert app.backend.identity is not None
            assert app.backend.identity.username == CLERK_USERNAME

    asyncio.run(main())


def test_the_first_empty_box_gets_the_text(seeded_db: Database) -> None:
    """The username typed, focus lost: the next letters go to the (empty) password box."""
    app = create_app(database=seeded_db, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            await type_text(pilot, CLERK_USERNAME)
            screen.set_focus(None)
            await pilot.pause()
            await type_text(pilot, "abc")
            assert screen.query_one("#username", Input).value == CLERK_USERNAME
            assert screen.query_one("#password", Input).value == "abc"
            assert app.focused is screen.query_one("#password", Input)

    asyncio.run(main())


def test_keys_that_are_not_text_keep_their_meaning(seeded_db: Database) -> None:
    """Enter, Escape, F-keys with nothing focused focus no box."""
    app = create_app(database=seeded_db, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.screen.set_focus(None)
            await pilot.pause()
            await pilot.press("escape", "f5")
            assert app.focused is None

    asyncio.run(main())


def _background_cell(screen: Screen[object]) -> tuple[int, int]:
    """An empty cell between the form's fields (inside its scrolling container)."""
    width, height = screen.size
    for y in range(2, height - 2):
        for x in range(width):
            widget, _region = screen.get_widget_at(x, y)
            inside = screen.get_focusable_widget_at(x, y)
            if (
                not isinstance(widget, Static)
                and isinstance(inside, VerticalScroll)
                and on_background(screen, x, y)
            ):
                return x, y
    raise AssertionError("no background cell on the form")


async def click_as_the_terminal(pilot: Pilot[None], x: int, y: int) -> None:
    """A press and release at (x, y), posted to the app as a terminal's (or a browser's)
    driver posts them: through the app's event handling, which `Pilot.click` bypasses."""
    for kind in (events.MouseDown, events.MouseUp):
        pilot.app.post_message(
            kind(None, x, y, 0, 0, 1, False, False, False, screen_x=x, screen_y=y)
        )
        await pilot.pause()
    await pilot.pause()


def test_a_click_on_the_form_background_keeps_the_focus(seeded_db: Database) -> None:
    app = create_app(database=seeded_db, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await pilot.press("f2")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, NewFamilyScreen)
            focused = app.focused
            assert isinstance(focused, Input)
            x, y = _background_cell(screen)
            await click_as_the_terminal(pilot, x, y)
            assert app.focused is focused
            # The page losing focus blurs the field (textual-serve): a click on the
            # background as the person comes back gives it back too.
            app.app_focus = False
            await pilot.pause()
            assert screen.focused is None
            await click_as_the_terminal(pilot, x, y)
            assert app.focused is focused
            # A click on another box still moves the focus there.
            other = screen.query_one("#second-first_name", Input)
            region = other.region
            await click_as_the_terminal(pilot, region.x + 1, region.y)
            assert app.focused is other

    asyncio.run(main())
