"""The dialogs that ask staff why (a request rejected, an invoice cancelled, a fee
waived): the reason box and its status line, written once.

A dialog subclasses `ReasonDialog`, composes its own title and what will happen, and ends
its box with `reason_entry(placeholder, hint)`. Enter dismisses the reason; an empty one
is refused on the spot, under the box (the services refuse it too); Escape dismisses None.
"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Input, Static

from registrar_tui.i18n import _
from registrar_tui.screens.widgets.base import AppModalScreen

REASON_MAX_LENGTH = 500  # what the services keep (core.text.required_reason)


class ReasonDialog(AppModalScreen["str | None"]):
    """Base of a dialog that dismisses a typed reason (None when cancelled)."""

    REASON_ID: ClassVar[str] = "reason"
    """The reason box's id (each dialog keeps its own, its stylesheet names it)."""
    STATUS_ID: ClassVar[str] = "reason-status"
    """The line under the box: the keys, then what is wrong with the reason."""

    def reason_entry(self, placeholder: str, hint: str) -> ComposeResult:
        yield Input(placeholder=placeholder, max_length=REASON_MAX_LENGTH, id=self.REASON_ID)
        yield Static(Content(hint), id=self.STATUS_ID)

    def on_mount(self) -> None:
        self.query_one(f"#{self.REASON_ID}", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != self.REASON_ID:
            return
        event.stop()
        reason = event.value.strip()
        if not reason:
            self.show_problem(_("Indiquez un motif."))
            return
        self.dismiss(reason)

    def show_problem(self, text: str) -> None:
        """Say under the box why the reason cannot go (empty, or refused by a service)."""
        status = self.query_one(f"#{self.STATUS_ID}", Static)
        status.update(Content(text))
        status.add_class("-error")

    def action_cancel(self) -> None:
        self.dismiss(None)
