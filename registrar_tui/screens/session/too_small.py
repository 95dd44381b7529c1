"""The terminal is smaller than the screens are drawn for: say so, and how big it must be.

Every screen is laid out for 80×24 at least (CONTRIBUTING: « must fit 80×24 »); below it
an amount could leave the screen (« Monnaie à rendre : » with no figure). Rather than
show part of a payment, the app covers the screen with this notice until the terminal is
made larger again; nothing underneath is touched, Ctrl+Q still quits.
"""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.geometry import Size
from textual.widgets import Static

from registrar_tui.i18n import _
from registrar_tui.screens.widgets.base import AppModalScreen

MINIMUM = Size(80, 24)
"""The smallest terminal every screen keeps every amount and label in sight in."""


def too_small(size: Size) -> bool:
    return size.width < MINIMUM.width or size.height < MINIMUM.height


class TooSmallScreen(AppModalScreen[None]):
    """Covers the app while the terminal is smaller than `MINIMUM`."""

    SHOWN_WHILE_LOCKED = True
    """It shows nothing of a record (screens/session/lock.py)."""

    CSS_PATH = "too_small.tcss"
    BINDINGS: ClassVar[list[BindingType]] = []

    def compose(self) -> ComposeResult:
        yield Static(self._message(self.app.size), id="too-small-message")

    def _message(self, size: Size) -> Content:
        text = _(
            "Terminal trop petit : {width}×{height}. "
            "Agrandissez-le à au moins {min_width}×{min_height} "
            "pour afficher l'écran en entier (Ctrl+Q : quitter)."
        ).format(
            width=size.width,
            height=size.height,
            min_width=MINIMUM.width,
            min_height=MINIMUM.height,
        )
        return Content(text)

    def on_screen_resume(self) -> None:
        # Back on top (after the lock, in another mode) once the terminal grew: not needed.
        if not too_small(self.app.size):
            self.call_after_refresh(self.dismiss)

    def on_resize(self, event: events.Resize) -> None:
        self.query_one("#too-small-message", Static).update(self._message(event.size))
