"""« Aller à… » (Ctrl+Y): the desk screens the signed-in person may open, one letter each.

The second key of the desk screens that have no Ctrl key of their own (school year, term
fees, activities: desk_screens.py), and a menu of all of them for whoever forgets their
F-keys. Keys only: the letter opens the screen as its F-key does (the app does it, with
the menu closed); Escape or Ctrl+Y again closes the menu.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Static

from registrar_tui.i18n import N_, _
from registrar_tui.screens.session.desk_screens import GOTO_KEY, GOTO_LABELS, GOTO_LETTERS
from registrar_tui.screens.widgets.base import AppModalScreen

TITLE = N_("Aller à…")


class GoToScreen(AppModalScreen[str | None]):
    """The menu; dismissed with the destination chosen ("fees", "day_close") or None."""

    CSS_PATH = "goto.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Fermer"), id="goto.close", tooltip=N_("Fermer le menu")),
        Binding(GOTO_KEY, "close", N_("Fermer"), show=False, id="goto.close-again"),
        *(
            Binding(letter, f"go('{name}')", GOTO_LABELS[name], show=False, id=f"goto.{name}")
            for name, letter in GOTO_LETTERS.items()
        ),
    ]

    def __init__(self, destinations: Sequence[str]) -> None:
        super().__init__()
        self._destinations = [name for name in GOTO_LETTERS if name in destinations]

    @property
    def destinations(self) -> list[str]:
        """What the menu offers, in its order (the person's own desk screens)."""
        return list(self._destinations)

    def compose(self) -> ComposeResult:
        with Vertical(id="goto-box"):
            yield Static(Content(_(TITLE)), id="goto-title")
            for name in self._destinations:
                yield Static(
                    Content.assemble((GOTO_LETTERS[name], "bold"), "  ", _(GOTO_LABELS[name])),
                    id=f"goto-{name.replace('_', '-')}",
                    classes="goto-line",
                )
            yield Static(Content(_("Une lettre pour y aller, Échap pour fermer.")), id="goto-hint")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "go" and parameters:
            return str(parameters[0]) in self._destinations
        return True

    def action_go(self, name: str) -> None:
        if name in self._destinations:
            self.dismiss(name)

    def action_close(self) -> None:
        self.dismiss(None)
