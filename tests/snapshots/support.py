"""What snapshot tests share besides their fixtures (tests/snapshots/conftest.py): the
types of those fixtures, and a still app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Input

from registrar_tui.app import RegistrarApp
from tests.screens.helpers import settle, sign_in_registrar

SnapCompare = Callable[..., bool]
Clock = Callable[[], datetime]
AppFactory = Callable[..., RegistrarApp]
"""`snapshot_app(db)`, or `snapshot_app(db, clock)` with a clock the test moves."""


async def still(pilot: Pilot[Any]) -> None:
    """No blinking cursor in the picture."""
    for box in pilot.app.screen.query(Input):
        box.cursor_blink = False
    await settle(pilot)


async def at_registrar_home(pilot: Pilot[Any]) -> None:
    """Signed in as the registrar: the home screen with the desk keys, still."""
    await settle(pilot)
    await sign_in_registrar(pilot)
    await still(pilot)
