"""A text box of several lines (a letter's paragraphs) that leaves the app its keys.

Textual's TextArea takes Ctrl+Y for redo, the key of the app's « Aller à… » menu
(screens/session/goto.py), and F6/F7 to select a line or everything, the app's term fees
and pending-changes keys: in this box redo keeps only its Super+Y (undo stays on Ctrl+Z),
selecting goes by Shift and the arrows, and those keys do what they do everywhere else.
"""

from __future__ import annotations

from dataclasses import replace
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import TextArea

GIVEN_BACK = frozenset({"ctrl+y", "f6", "f7"})
"""The keys TextArea binds that belong to the app here."""


def _without_app_keys(bindings: list[Binding]) -> list[BindingType]:
    kept: list[BindingType] = []
    for binding in bindings:
        keys = [key for key in binding.key.split(",") if key.strip() not in GIVEN_BACK]
        if keys:
            kept.append(replace(binding, key=",".join(keys)))
    return kept


class MultilineText(TextArea, inherit_bindings=False):
    """TextArea without the keys in `GIVEN_BACK` (see the module's doc)."""

    BINDINGS: ClassVar[list[BindingType]] = _without_app_keys(
        [b if isinstance(b, Binding) else Binding(*b) for b in TextArea.BINDINGS]
    )
