"""Cancel an invoice by a credit note (a fee waived, an invoice issued in error): the
registrar says why; what was paid on it goes back to the family's credit."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Static

from registrar_tui.i18n import N_, _, format_money
from registrar_tui.screens.widgets.base import _SCREEN_BINDINGS, AppModalScreen, user_content

if TYPE_CHECKING:
    from registrar_tui.services.ledger.invoice_detail import InvoiceDetail

REASON_MAX_LENGTH = 500  # what the services keep (core.text.required_reason)


class CreditNoteScreen(AppModalScreen["str | None"]):
    """Ask why the invoice is cancelled; Enter dismisses the reason, Escape None."""

    CSS_PATH = "credit_note.tcss"
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
            yield Input(
                placeholder=_("Motif (frais annulés, facture émise par erreur…)"),
                max_length=REASON_MAX_LENGTH,
                id="credit-note-reason",
            )
            yield Static(
                Content(_("Entrée : émettre la note de crédit · Échap : annuler")),
                id="credit-note-status",
            )
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#credit-note-reason", Input).focus()

    @on(Input.Submitted, "#credit-note-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        reason = event.value.strip()
        if not reason:
            status = self.query_one("#credit-note-status", Static)
            status.update(Content(_("Indiquez un motif.")))
            status.add_class("-error")
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        self.dismiss(None)
