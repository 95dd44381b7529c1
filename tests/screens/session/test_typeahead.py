"""Keys typed while the app starts, or faster than it handles them, land in order in the
field that has focus when they land (issue #13, point 5: `clerk` Tab password typed as the
login screen appeared came out as `clerkC`, the rest lost)."""

from __future__ import annotations

import asyncio

import pytest
from sqlmodel import col, select
from textual import events
from textual.screen import Screen
from textual.widgets import DataTable, Input

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import AuditEvent
from registrar_tui.screens.counter.search import SearchScreen
from registrar_tui.screens.session.login import LoginScreen
from tests.conftest import fixed_clock
from tests.screens.fixtures import CLERK_PASSWORD, CLERK_USERNAME, seed
from tests.screens.helpers import rows, settle

HOLD_SECONDS = 0.3
"""How long the held start-up keeps the login screen from composing."""

_NAMED = {"tab": "\t", "enter": "\r", "ctrl+j": "\n", "minus": "-"}


@pytest.fixture
def seeded_db(database: Database) -> Database:
    seed(database)
    return database


def _key(key: str) -> events.Key:
    """A key as the terminal driver posts it (letters, digits, '-', tab, enter)."""
    if key == "-":
        key = "minus"
    return events.Key(key, _NAMED.get(key, key))


def _typed(*parts: str) -> list[events.Key]:
    """Words typed letter by letter, named keys ('tab', 'enter') as they are."""
    keys: list[events.Key] = []
    for part in parts:
        if part in _NAMED:
            keys.append(_key(part))
        else:
            keys.extend(_key(letter) for letter in part)
    return keys


class HeldLoginScreen(LoginScreen):
    """The login screen of a loaded machine: it composes a while after the app started."""

    async def _compose(self) -> None:
        await asyncio.sleep(HOLD_SECONDS)
        await super()._compose()


def _held_app(database: Database, keys: list[events.Key]) -> RegistrarApp:
    """The app whose first screen is held, with `keys` typed from launch on (before the
    login screen exists: the driver posts them to the app as they are read)."""
    app = create_app(database=database, clock=fixed_clock)

    def default_screen() -> Screen[None]:
        return HeldLoginScreen()

    app.get_default_screen = default_screen  # type: ignore[method-assign]
    for key in keys:
        app.post_message(key)
    return app


def _field(app: RegistrarApp, name: str) -> Input:
    return app.screen.query_one(f"#{name}", Input)


def _sign_ins(database: Database) -> list[tuple[str, int | None]]:
    with database.read() as uow:
        rows = uow.session.exec(
            select(AuditEvent.action, AuditEvent.actor_id)
            .where(col(AuditEvent.action).startswith("auth."))
            .order_by(col(AuditEvent.id))
        ).all()
    return [(action, actor) for action, actor in rows]


def test_keys_typed_from_launch_fill_the_fields_in_order(seeded_db: Database) -> None:
    """`clerk` Tab password typed before the login screen is drawn: both fields whole."""
    app = _held_app(seeded_db, _typed(CLERK_USERNAME, "tab", CLERK_PASSWORD))

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await asyncio.sleep(HOLD_SECONDS)
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen)
            assert _field(app, "username").value == CLERK_USERNAME
            assert _field(app, "password").value == CLERK_PASSWORD
            assert app.focused is _field(app, "password")
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, SearchScreen)

    asyncio.run(main())
    assert [action for action, _actor in _sign_ins(seeded_db)] == ["auth.login"]


def test_a_sign_in_and_a_search_typed_from_launch(seeded_db: Database) -> None:
    """`clerk` Tab password Enter `helene`, all typed before the login screen is drawn:
    the letters typed while the password is checked go to the search box. (Enter typed
    before the app took the terminal arrives as a line feed: the terminal's line editing
    turned it into one.)"""
    app = _held_app(seeded_db, _typed(CLERK_USERNAME, "tab", CLERK_PASSWORD, "ctrl+j", "helene"))

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await asyncio.sleep(HOLD_SECONDS)
            await settle(pilot)
            assert isinstance(app.screen, SearchScreen)
            assert app.backend.identity is not None
            assert app.backend.identity.username == CLERK_USERNAME
            assert app.screen.query_one("#query", Input).value == "helene"
            await settle(pilot)
            hits = rows(app.screen.query_one("#hits", DataTable))
            assert any("Tremblay" in row for row in hits), hits

    asyncio.run(main())
    sign_ins = _sign_ins(seeded_db)
    assert [action for action, _actor in sign_ins] == ["auth.login"]


def test_a_tab_typed_ahead_moves_the_keys_after_it(seeded_db: Database) -> None:
    """On a drawn screen, keys arriving faster than they are handled (a loaded machine):
    the letters after Tab go to the password box, not to the username box."""
    app = create_app(database=seeded_db, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            for key in _typed(CLERK_USERNAME, "tab", CLERK_PASSWORD):
                app.post_message(key)
            await settle(pilot)
            assert _field(app, "username").value == CLERK_USERNAME
            assert _field(app, "password").value == CLERK_PASSWORD
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, SearchScreen)

    asyncio.run(main())
    assert [action for action, _actor in _sign_ins(seeded_db)] == ["auth.login"]


def test_a_line_feed_read_once_the_login_screen_is_ready_still_signs_in(
    seeded_db: Database,
) -> None:
    """A sign-in typed before the program started may be read only once the login screen
    is ready (the app took the terminal late): its Enter, a line feed by then, still
    signs in, and the letters after it wait for the next screen."""
    app = create_app(database=seeded_db, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            for key in _typed(CLERK_USERNAME, "tab", CLERK_PASSWORD, "ctrl+j", "helene"):
                app.post_message(key)
            await settle(pilot)
            assert isinstance(app.screen, SearchScreen)
            assert app.screen.query_one(Input).value == "helene"

    asyncio.run(main())
    assert [action for action, _actor in _sign_ins(seeded_db)] == ["auth.login"]


def test_keys_typed_in_a_terminal_before_the_app_starts(seeded_db: Database) -> None:
    """The real thing: the console script in a terminal, `clerk` Tab password Enter
    `helene` written before the program has even started (the terminal still edits lines,
    so Enter arrives as a line feed): the clerk is signed in and Hélène is found."""
    import fcntl
    import os
    import pty
    import select
    import struct
    import sys
    import termios
    import time

    path = seeded_db.url.removeprefix("sqlite:///")
    script = os.path.join(os.path.dirname(sys.executable), "registrar-tui")
    environment = {
        **os.environ,
        "TERM": "xterm-256color",
        "REGISTRAR_LANG": "fr_CA",
        "REGISTRAR_IDLE_MINUTES": "60",
    }
    pid, terminal = pty.fork()
    if pid == 0:  # the child: the program, as a clerk starts it
        os.execve(script, [script, "--db", path], environment)
    try:
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        os.write(terminal, f"{CLERK_USERNAME}\t{CLERK_PASSWORD}\rhelene".encode())
        seen = b""
        deadline = time.monotonic() + 90  # a loaded machine: not a speed measure
        while b"Tremblay" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([terminal], [], [], 1.0)
            if ready:
                try:
                    seen += os.read(terminal, 65536)
                except OSError:
                    break  # the program ended
        assert b"Tremblay" in seen, seen[-2000:]
        assert "Connecté".encode() in seen
    finally:
        try:
            os.write(terminal, b"\x11")  # ctrl+q
            for _ in range(50):
                done, _status = os.waitpid(pid, os.WNOHANG)
                if done:
                    break
                time.sleep(0.1)
            else:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
        finally:
            os.close(terminal)
