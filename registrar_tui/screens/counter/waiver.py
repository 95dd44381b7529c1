"""Waive one fee of an invoice (a late fee, a schedule-change fee): the registrar sees the
line and its amount and says why; a credit note for that line is issued on Enter."""

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
    from registrar_tui.services.ledger.invoice_detail import InvoiceDetail, InvoiceLineView

REASON_MAX_LENGTH = 500  # what the services keep (core.text.required_reason)


class WaiverScreen(AppModalScreen["str | None"]):
    """Ask why the fee is waived; Enter dismisses the reason, Escape None."""

    CSS_PATH = "waiver.tcss"
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
            yield Input(
                placeholder=_("Motif (retard excusé, frais facturés par erreur…)"),
                max_length=REASON_MAX_LENGTH,
                id="waiver-reason",
            )
            yield Static(
                Content(_("Entrée : émettre la note de crédit · Échap : annuler")),
                id="waiver-status",
            )
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#waiver-reason", Input).focus()

    @on(Input.Submitted, "#waiver-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        reason = event.value.strip()
        if not reason:
            self.show_problem(_("Indiquez un motif."))
            return
        self.dismiss(reason)

    def show_problem(self, text: str) -> None:
        status = self.query_one("#waiver-status", Static)
        status.update(Content(text))
        status.add_class("-error")

    def action_cancel(self) -> None:
        self.dismiss(None)
