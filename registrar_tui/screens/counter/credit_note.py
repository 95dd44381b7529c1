"""Cancel an invoice by a credit note (a fee waived, an invoice issued in error): the
registrar says why; what was paid on it goes back to the family's credit."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Static

from registrar_tui.i18n import N_, _, format_money
from registrar_tui.screens.widgets.base import _SCREEN_BINDINGS, user_content
from registrar_tui.screens.widgets.reason import ReasonDialog

if TYPE_CHECKING:
    from registrar_tui.services.ledger.invoice_detail import InvoiceDetail


class CreditNoteScreen(ReasonDialog):
    """Ask why the invoice is cancelled; Enter dismisses the reason, Escape None."""

    CSS_PATH = "credit_note.tcss"
    REASON_ID = "credit-note-reason"
    STATUS_ID = "credit-note-status"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding("escape", "cancel", N_("Annuler"), id="credit-note.cancel",
                tooltip=N_("Fermer sans émettre de note de crédit")),
    ]  # fmt: skip

    def __init__(self, detail: InvoiceDetail) -> None:
        super().__init__()
        self._detail = detail

    def compose(self) -> ComposeResult:
        detail = self._detail
        with Vertical(id="credit-note-box"):
            yield Static(
                Content.assemble(
                    (_("Note de crédit · facture "), "bold"), user_content(detail.number, "bold")
                ),
                id="credit-note-title",
            )
            yield Static(user_content(detail.description), id="credit-note-subject")
            what = _("Annule la facture : {total}.").format(total=format_money(detail.total))
            if detail.paid:
                what += " " + _("Le montant payé ({paid}) devient un crédit de la famille.").format(
                    paid=format_money(detail.paid)
                )
            yield Static(Content(what), id="credit-note-effect")
            yield from self.reason_entry(
                _("Motif (frais annulés, facture émise par erreur…)"),
                _("Entrée : émettre la note de crédit · Échap : annuler"),
            )
        yield Footer(show_command_palette=False)
