"""Void a wrong payment (registrar or admin): a modal asking why, then the reversal.

The receipt number stays used and the receipt reprints marked ANNULÉ; the invoices'
balances come back. A payment already counted in a closed drawer also needs an
override reason: its box appears when the service asks for it. Each refusal is shown
under the box it is about.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Label, Static

from registrar_tui.i18n import N_, _, format_datetime, format_money
from registrar_tui.screens.payment.state import PaymentState
from registrar_tui.screens.widgets.base import (
    _SCREEN_BINDINGS,
    AppModalScreen,
    method_label,
    user_content,
)
from registrar_tui.screens.widgets.service_call import field_error_id

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.ledger.receipt_list import ReceiptRow
    from registrar_tui.services.ledger.voids import VoidedPayment

FIELDS = ("reason", "override_reason")
"""The service's field names, which are also the boxes' ids (`void-<field>`)."""


class VoidPaymentScreen(AppModalScreen["VoidedPayment | None"]):
    """Asks the reason (and the override reason when the drawer is closed); dismisses the
    service's `VoidedPayment` once the payment is voided, None when closed without."""

    CSS_PATH = "void.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "ctrl+s",
            "confirm",
            N_("Confirmer"),
            id="void.confirm",
            tooltip=N_("Annuler le paiement (journalisé)"),
            priority=True,
        ),
        Binding(
            "escape", "close", N_("Fermer"), id="void.close", tooltip=N_("Fermer sans annuler")
        ),
    ]

    def __init__(self, receipt: ReceiptRow) -> None:
        super().__init__()
        assert receipt.payment_id is not None, "only a payment's receipt is voided"
        self.receipt = receipt
        self.payment_id = receipt.payment_id
        self._state = PaymentState.EDITING
        """EDITING, POSTING while the void is written, POSTED once it is (state.py)."""

    def compose(self) -> ComposeResult:
        receipt = self.receipt
        before, _n, after = _("Annuler le paiement du reçu {number}").partition("{number}")
        with Vertical(id="void-payment"):
            yield Static(
                Content.assemble(
                    (before, "bold"), user_content(receipt.receipt_number, "bold"), (after, "bold")
                ),
                id="void-title",
            )
            yield Static(
                Content.assemble(
                    format_money(receipt.amount),
                    " · ",
                    method_label(receipt.method),
                    " · ",
                    format_datetime(receipt.issued_at, "yyyy-MM-dd HH:mm"),
                    " · ",
                    user_content(receipt.clerk_name),
                ),
                id="void-payment-line",
            )
            yield Static(
                Content(
                    _(
                        "Le numéro de reçu reste utilisé : le reçu se réimprime marqué ANNULÉ "
                        "et les soldes des factures sont rétablis."
                    )
                ),
                id="void-explanation",
            )
            with Horizontal(classes="field-row", id="reason-row"):
                yield Label(Content(_("Motif")), classes="field-label")
                yield Input(id="void-reason", max_length=500)
            yield Static(Content(""), id=field_error_id("void-reason"), classes="field-message")
            with Horizontal(classes="field-row", id="override_reason-row"):
                yield Label(Content(_("Dérogation")), classes="field-label")
                yield Input(id="void-override_reason", max_length=500)
            yield Static(
                Content(""), id=field_error_id("void-override_reason"), classes="field-message"
            )
            yield Static(
                Content(_("Entrée : confirmer · Échap : fermer sans annuler")), id="void-status"
            )
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#override_reason-row").display = False
        self._box("reason").focus()

    def _box(self, name: str) -> Input:
        return self.query_one(f"#void-{name}", Input)

    def _show_message(self, name: str, text: str) -> None:
        # `#<box>-error`: where a refused paste into the box is said too (widgets/paste.py).
        message = self.query_one(f"#{field_error_id(f'void-{name}')}", Static)
        message.update(Content(text))
        message.set_class(bool(text), "-visible")
        message.remove_class("-paste-refusal")
        message.display = bool(text)

    def _show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#void-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    @on(Input.Changed)
    def _clear_message(self, event: Input.Changed) -> None:
        if event.input.id:
            self._show_message(event.input.id.removeprefix("void-"), "")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        """Enter confirms (from the reason box, or the override box once it is shown)."""
        event.stop()
        self.action_confirm()

    def action_confirm(self) -> None:
        if self._state is not PaymentState.EDITING:
            return
        self._state = self._state.move(PaymentState.POSTING)
        for name in FIELDS:
            self._show_message(name, "")
        self._show_status(_("Annulation du paiement…"))
        override = self._box("override_reason")
        reason = self._box("reason").value
        override_reason = override.value if override.display else ""
        payment_id, identity = self.payment_id, self.backend.identity

        def void(backend: Backend) -> VoidedPayment:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.ledger.voids import void_payment

            if identity is None:
                raise PermissionDenied()
            return backend.write(void_payment, payment_id, reason, identity.id, override_reason)

        self.call_service(void, self._voided, group="void-payment", refused=self._refused)

    def _voided(self, voided: VoidedPayment) -> None:
        self._state = self._state.move(PaymentState.POSTED)
        self.dismiss(voided)

    def _refused(self, error: DomainError) -> None:
        from registrar_tui.services.ledger.errors import DayClosedOverrideRequired

        self._state = self._state.move(PaymentState.EDITING)
        if isinstance(error, DayClosedOverrideRequired):
            self.query_one("#override_reason-row").display = True
        if error.field in FIELDS:
            name = error.field or FIELDS[0]
            self._show_message(name, error.translated())
            self._show_status(_("Corrigez le champ indiqué."), error=True)
            self._box(name).focus()
        else:
            self._show_status(error.translated(), error=True)

    def action_close(self) -> None:
        self.dismiss(None)
