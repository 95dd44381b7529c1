"""Hostile text for the display and input tests (issue #6 § 5).

`hostile_text` mixes generated Unicode with the forbidden characters and the known-bad
strings of the issue (markup, an OSC 52 clipboard write, a C1 CSI, a right-to-left
override, a 10,000-character name). `drive` runs a Hypothesis property in a thread
against ONE running Pilot app: each example prepares the database, then asks the app
(on its own event loop) to show it, so dozens of examples cost one app start.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from hypothesis import strategies as st
from textual.app import App

from registrar_tui.text import FORBIDDEN_CODE_POINTS, clean_text

T = TypeVar("T")

KNOWN_BAD = (
    "[",
    "[/",
    "[@click=app.quit]",
    "[b]Tremblay[/b]",
    "[/bold red]fin",
    "\x1b]52;c;SGVsbG8gY2xpcGJvYXJk\x07",
    "Roy\x1b[2J\x1b[31mrouge",
    "\x9b31mCôté",
    "Ga\u202egnon",
    "\u2066Roy\u2069 \u200f",
    "Lévesque " * 1000 + "x" * 1000,  # 10,000 characters
    "\x00\x7f\x85\x08nul",
    "<b>&amp;</b> &lt;",
    "%s {name} {0}",
)
assert len(KNOWN_BAD[10]) == 10_000

_forbidden = st.sampled_from([chr(cp) for cp in sorted(FORBIDDEN_CODE_POINTS)])
_letters = st.characters(codec="utf-8", exclude_categories=("Cs",))
hostile_text = st.one_of(
    st.sampled_from(KNOWN_BAD),
    st.text(st.one_of(_letters, _forbidden, st.sampled_from("[]/@=\\<>&")), max_size=40),
)
"""A name, note or reason someone could type or import."""

TERMINAL_HAZARDS = frozenset({"\x1b", "\x9b", "\x07"}) | {
    chr(cp) for cp in FORBIDDEN_CODE_POINTS if cp >= 0x200E
}
"""Nothing of this may reach the terminal: escapes, bell, bidi controls."""


def expected(value: str) -> str:
    """What a screen must show for `value`: the one sanitising path."""
    return clean_text(value)


def hazards_in(text: str) -> set[str]:
    return {char for char in text if char in TERMINAL_HAZARDS}


def screen_output(app: App[object]) -> str:
    """Every character the compositor would send for the current screen."""
    strips = app.screen._compositor.render_strips()
    return "".join(segment.text for strip in strips for segment in strip)


class AppDriver:
    """Lets a thread run coroutines on the app's event loop and wait for them."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def __call__(self, make: Callable[[], Awaitable[T]]) -> T:
        async def wrapped() -> T:
            return await make()

        return asyncio.run_coroutine_threadsafe(wrapped(), self.loop).result(timeout=60)


async def drive(property_test: Callable[[AppDriver], None]) -> None:
    """Run a (Hypothesis) property in a worker thread while the app keeps running."""
    driver = AppDriver(asyncio.get_running_loop())
    await asyncio.to_thread(property_test, driver)
