"""Waive one fee of an invoice (a late fee, a schedule-change fee): the registrar sees the
line and its amount and says why; a credit note for that line is issued on Enter."""

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
    from registrar_tui.services.ledger.invoice_detail import InvoiceDetail, InvoiceLineView


class WaiverScreen(ReasonDialog):
    """Ask why the fee is waived; Enter dismisses the reason, Escape None."""

    CSS_PATH = "waiver.tcss"
    REASON_ID = "waiver-reason"
    STATUS_ID = "waiver-status"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding("escape", "cancel", N_("Annuler"), id="waiver.cancel",
                tooltip=N_("Fermer sans renoncer aux frais")),
    ]  # fmt: skip

    def __init__(self, detail: InvoiceDetail, line: InvoiceLineView) -> None:
        super().__init__()
        self._detail = detail
        self._line = line

    def compose(self) -> ComposeResult:
        detail, line = self._detail, self._line
        with Vertical(id="waiver-box"):
            yield Static(
                Content.assemble(
                    (_("Renoncer aux frais · facture "), "bold"),
                    user_content(detail.number, "bold"),
                ),
                id="waiver-title",
            )
            yield Static(
                Content.assemble(
                    user_content(line.fee_code, "bold"),
                    "  ",
                    user_content(line.description),
                    "  ",
                    (format_money(line.amount), "bold"),
                ),
                id="waiver-line",
            )
            what = _("Une note de crédit de {amount} sera émise pour ces frais.").format(
                amount=format_money(line.amount)
            )
            if line.credit_if_waived:
                what += " " + _("Déjà payé : {paid} devient un crédit de la famille.").format(
                    paid=format_money(line.credit_if_waived)
                )
            yield Static(Content(what), id="waiver-effect")
            yield from self.reason_entry(
                _("Motif (retard excusé, frais facturés par erreur…)"),
                _("Entrée : émettre la note de crédit · Échap : annuler"),
            )
        yield Footer(show_command_palette=False)
