"""The reminders a family received, under its statement on the « 3 Facturation » tab:
date, level, invoice and the amount overdue then. Hidden while the family has none."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from registrar_tui.i18n import _, format_date, format_money, ngettext
from registrar_tui.screens.widgets.service_call import ServiceCaller

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.ledger.reminders import SentReminderRow

SHOWN = 3
"""Reminders listed (newest first); the line above counts them all."""


class FamilyRemindersView(ServiceCaller, Widget, can_focus=False):
    DEFAULT_CSS = """
    FamilyRemindersView {
        height: auto;
        max-height: 4;
        padding: 0 1;
        display: none;
    }
    FamilyRemindersView.-shown {
        display: block;
    }
    FamilyRemindersView > Static {
        height: auto;
        color: $text-warning;
    }
    """

    def __init__(self, family_id: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.family_id = family_id

    def compose(self) -> ComposeResult:
        yield Static(Content(""), id="family-reminders-text")

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        family_id = self.family_id

        def load(backend: Backend) -> tuple[SentReminderRow, ...]:
            from registrar_tui.services.ledger.reminders import family_reminders

            return backend.read(family_reminders, family_id)

        self.call_service(load, self._show, group="family-reminders")

    def show_refusal(self, error: DomainError) -> None:
        self.remove_class("-shown")

    def _show(self, found: tuple[SentReminderRow, ...]) -> None:
        self.set_class(bool(found), "-shown")
        if not found:
            return
        heading = ngettext(
            "{count} relance envoyée :", "{count} relances envoyées :", len(found)
        ).format(count=len(found))
        lines = [heading]
        for row in found[:SHOWN]:
            target = row.invoice_number
            if row.instalment_sequence is not None:
                target = _("échéance {sequence}").format(sequence=row.instalment_sequence)
            lines.append(
                _("{date} · niveau {level} · {invoice} · {amount}").format(
                    date=format_date(row.sent_at.date()),
                    level=row.level,
                    invoice=target,
                    amount=format_money(row.amount_overdue),
                )
            )
        self.query_one("#family-reminders-text", Static).update(Content("\n".join(lines)))
