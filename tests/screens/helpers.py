"""Pilot helpers shared by the screen tests and the snapshot tests."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable

from tests.screens.fixtures import (
    CLERK_PASSWORD,
    CLERK_USERNAME,
    REGISTRAR_PASSWORD,
    REGISTRAR_USERNAME,
)


async def settle(pilot: Pilot[None]) -> None:
    """Let the workers finish and their messages be handled."""
    from textual.worker import WorkerCancelled

    for _ in range(3):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerCancelled:
            # A newer load replaced one still running (exclusive workers): wait for it.
            continue
        finally:
            await pilot.pause()


class CountedPresses:
    """Presses keys, each press settled, and keeps every key pressed (`pressed`): a test's
    key budget, or its check that no F-key was needed."""

    def __init__(self) -> None:
        self.pressed: list[str] = []

    async def __call__(self, pilot: Pilot[None], *keys: str) -> None:
        self.pressed.extend(keys)
        await pilot.press(*keys)
        await settle(pilot)


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*text)


async def sign_in(
    pilot: Pilot[None], password: str = CLERK_PASSWORD, username: str = CLERK_USERNAME
) -> None:
    """Type the username (the clerk's by default), Enter, the password, Enter.

    Each is typed at once, as a password manager types it, when it is made of letters,
    digits and '-' (`burst`): a key at a time costs Textual's Pilot two idle checks of
    20 ms each, a second per sign-in, and almost every screen test signs in."""
    for text in (username, password):
        if all(char == "-" or (char.isascii() and char.isalnum()) for char in text):
            await burst(pilot, *text)
        else:
            await type_text(pilot, text)
        await pilot.press("enter")
    await settle(pilot)


async def sign_in_registrar(pilot: Pilot[None]) -> None:
    await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)


async def search_for(pilot: Pilot[None], text: str) -> None:
    await type_text(pilot, text)
    await settle(pilot)


def shown(widget: Widget) -> str:
    """The text a widget shows."""
    return str(widget.render())


def rows(table: DataTable[object]) -> list[str]:
    """Each row of a table as its cells' text joined by ' | '."""
    return [
        " | ".join(str(cell) for cell in table.get_row_at(index))
        for index in range(table.row_count)
    ]


async def burst(pilot: Pilot[None], *keys: str) -> None:
    """Send keys all at once, as a scanner or a paste does, then let the app catch up.

    Each key is a letter, a digit or '-' (sent as typed) or 'enter'.
    """
    from textual import events

    named = {"enter": "\r", "minus": "-"}
    for key in keys:
        if key == "-":
            key = "minus"
        assert key in named or (len(key) == 1 and key.isalnum()), key
        pilot.app.post_message(events.Key(key, named.get(key, key)))
    await settle(pilot)


async def paste(pilot: Pilot[None], text: str) -> None:
    """Paste `text` as a terminal does: a bracketed paste read by the driver's parser (the
    one the application installs), in reads of 4 KiB, its events posted to the app."""
    from textual.drivers import linux_driver

    data = f"\x1b[200~{text}\x1b[201~"
    parser = linux_driver.XTermParser()
    for start in range(0, len(data), 4096):
        for event in parser.feed(data[start : start + 4096]):
            pilot.app.post_message(event)
    await settle(pilot)
