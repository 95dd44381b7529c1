"""Every key of the screen underneath, read from its bindings, in the UI language."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import DataTable, Static

from registrar_tui.i18n import N_, _
from registrar_tui.screens.widgets.base import AppModalScreen, label_cell

KEY_WIDTH = 12
BOX_WIDTH = 110
"""The help box's widest (help.tcss: `max-width`)."""


def _plain_first(keys: list[str]) -> list[str]:
    """The keys of one action, without "^fin" when "fin" does the same (a table's End and
    Ctrl+End both go to the last row): one is enough to read, and the column is narrow."""
    return [key for key in keys if not (key.startswith("^") and key[1:] in keys)]


_F_KEY = re.compile(r"^f\d{1,2}$")


def with_menu_key(app: App[object], action: str, keys: list[str]) -> list[str]:
    """`keys` (as shown), and the « Aller à… » menu's "^y a" after an F-key that has no
    other key: the school year's, the term fees', the activities' (desk_screens.py)."""
    from registrar_tui.screens.session.desk_screens import (
        GOTO_KEY,
        GOTO_LETTERS,
        goto_destination,
    )

    name = goto_destination(action)
    if name is None or not keys or not all(_F_KEY.match(key) for key in keys):
        return keys
    menu = app.get_key_display(Binding(GOTO_KEY, "goto"))
    return [*keys, f"{menu} {GOTO_LETTERS[name]}"]


def listed_bindings(screen: Screen[Any]) -> dict[str, ActiveBinding]:
    """The keys of `screen` as they work on it, read while the help or the palette (modal
    screens, over which the app opens no desk screen) is on top: the app's `check_action`
    answers for `screen` meanwhile (`RegistrarApp.listed_screen`)."""
    app = screen.app
    if not hasattr(app, "listed_screen"):
        return screen.active_bindings
    before = app.listed_screen
    app.listed_screen = screen
    try:
        return screen.active_bindings
    finally:
        app.listed_screen = before


def action_keys(
    app: App[object], bindings: dict[str, ActiveBinding], node: DOMNode, action: str
) -> str:
    """Every key of `node`'s `action` among `bindings`, as the help lists them ("f9, ^g"):
    the command palette shows them so, beside each command."""
    shown: list[str] = []
    for active in bindings.values():
        if active.node is node and active.binding.action == action:
            key = app.get_key_display(active.binding)
            if key not in shown:
                shown.append(key)
    return ", ".join(with_menu_key(app, action, _plain_first(shown)))


class HelpScreen(AppModalScreen[None]):
    """The keys of the screen below (its own, its focused widget's and the global ones)."""

    SHOWN_WHILE_LOCKED = True
    """It lists the lock screen's own keys and shows no record (screens/session/lock.py)."""

    CSS_PATH = "help.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", N_("Fermer"), id="help.close", tooltip=N_("Fermer l'aide")),
        Binding(
            "f1,ctrl+l,question_mark,q", "close", N_("Fermer"), show=False, id="help.close-alt"
        ),
    ]

    def __init__(self, below: Screen[object]) -> None:
        super().__init__()
        self._below = below

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(Content(_("Touches de cet écran")), id="help-title")
            table: DataTable[object] = DataTable(id="help-keys", cursor_type="row")
            yield table
            yield Static(Content(_("Échap pour fermer.")), id="help-hint")

    def on_mount(self) -> None:
        self._fill()
        self.query_one("#help-keys", DataTable).focus()

    def on_resize(self) -> None:
        self._fill()

    def _fill(self) -> None:
        """One row per action; a description wider than the box wraps onto more lines."""
        table = self.query_one("#help-keys", DataTable)
        table.clear(columns=True)
        table.add_column(label_cell(_("Touche")), width=KEY_WIDTH)
        table.add_column(label_cell(_("Action")), width=self._text_width())
        for key, description in self.key_lines():
            table.add_row(label_cell(key), Text(description), height=None)

    def _text_width(self) -> int:
        """What is left of the box for the descriptions: the box (the whole terminal up to
        BOX_WIDTH) less its border and padding, the scrollbar, the keys, the cell padding."""
        table = self.query_one("#help-keys", DataTable)
        box = min(self.app.size.width, BOX_WIDTH) - 4
        return max(box - 1 - (KEY_WIDTH + 2 * table.cell_padding) - 2 * table.cell_padding, 10)

    def key_lines(self) -> list[tuple[str, str]]:
        """(keys as shown, what they do) for the bindings of the screen below.

        Keys bound to the same action are listed together. Only the application's own
        bindings are listed (the app's, the screen's and those of its own widgets that
        have the focus, e.g. the statement's): the editing keys inside a text box or the
        arrows of a table are the usual ones and are not ours to explain.
        """
        keys: dict[str, list[str]] = {}
        texts: dict[str, str] = {}
        for active in listed_bindings(self._below).values():
            binding = active.binding
            if binding.system or not binding.description:
                continue
            if not type(active.node).__module__.startswith("registrar_tui."):
                continue
            text = binding.description
            if binding.tooltip and binding.tooltip != text:
                text = f"{text} — {binding.tooltip}"
            shown = self.app.get_key_display(binding)
            if shown not in keys.setdefault(binding.action, []):
                keys[binding.action].append(shown)
            if len(text) > len(texts.get(binding.action, "")):
                texts[binding.action] = text
        return [
            (", ".join(with_menu_key(self.app, action, _plain_first(keys[action]))), texts[action])
            for action in keys
        ]

    def action_close(self) -> None:
        self.dismiss()
