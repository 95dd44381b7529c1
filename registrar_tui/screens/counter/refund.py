"""Give family credit back (registrar): amount, cash or cheque, a reason; the refund's
receipt is saved (and printed when the terminal has a printer)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Static

from registrar_tui.i18n import N_, _, current_language, format_money
from registrar_tui.screens.payment.fields import METHOD_ALTERNATIVE_KEYS
from registrar_tui.screens.widgets.base import _SCREEN_BINDINGS, AppModalScreen, user_content
from registrar_tui.screens.widgets.reason import REASON_MAX_LENGTH

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.screens.widgets.pdf_output import SavedPdf
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.ledger.credit import RefundedCredit


FIELDS = ("amount", "cheque_number", "reason")


class RefundScreen(AppModalScreen["tuple[RefundedCredit, SavedPdf] | None"]):
    """The refund form; Ctrl+S (or Enter in the reason) gives the credit back."""

    CSS_PATH = "refund.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        # The payment form's cash and cheque keys have the same Ctrl alternatives.
        Binding(f"f2,{METHOD_ALTERNATIVE_KEYS['cash']}", "method('cash')", N_("Comptant"),
                id="refund.cash",
                tooltip=N_("Rembourser en argent comptant")),
        Binding(f"f3,{METHOD_ALTERNATIVE_KEYS['cheque']}", "method('cheque')", N_("Chèque"),
                id="refund.cheque",
                tooltip=N_("Rembourser par chèque")),
        Binding("ctrl+s", "save", N_("Rembourser"), id="refund.save",
                tooltip=N_("Rembourser le crédit et imprimer le reçu"), priority=True),
        Binding("escape", "cancel", N_("Annuler"), id="refund.cancel",
                tooltip=N_("Fermer sans rien rembourser")),
    ]  # fmt: skip

    def __init__(self, family_id: int, family_name: str, credit: Decimal) -> None:
        super().__init__()
        self.family_id = family_id
        self._family_name = family_name
        self._credit = credit
        self.method = "cash"
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="refund-box"):
            yield Static(
                Content.assemble(
                    (_("Remboursement du crédit · "), "bold"),
                    user_content(self._family_name, "bold"),
                ),
                id="refund-title",
            )
            yield Static(
                Content(_("Crédit de la famille : {credit}").format(
                    credit=format_money(self._credit)
                )),
                id="refund-credit",
            )  # fmt: skip
            yield Static(Content(_("Montant")), classes="refund-label")
            yield Input(format_money(self._credit), max_length=20, id="refund-amount")
            yield Static(Content(""), id="refund-amount-error", classes="refund-error")
            yield Static(Content(""), id="refund-method")
            yield Input(placeholder=_("Numéro du chèque"), max_length=20, id="refund-cheque_number")
            yield Static(Content(""), id="refund-cheque_number-error", classes="refund-error")
            yield Static(Content(_("Motif")), classes="refund-label")
            yield Input(
                placeholder=_("Motif du remboursement"),
                max_length=REASON_MAX_LENGTH,
                id="refund-reason",
            )
            yield Static(Content(""), id="refund-reason-error", classes="refund-error")
            yield Static(
                Content(_("F2/Ctrl+O, F3/Ctrl+G : mode · Ctrl+S : rembourser")),
                id="refund-status",
            )
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self._show_method()
        self.query_one("#refund-amount", Input).focus()

    def _show_method(self) -> None:
        label = _("Comptant") if self.method == "cash" else _("Chèque")
        self.query_one("#refund-method", Static).update(
            Content.assemble(_("Mode : "), (label, "bold"))
        )
        self.query_one("#refund-cheque_number", Input).display = self.method == "cheque"

    def action_method(self, method: str) -> None:
        self.method = method
        self._show_method()
        if method == "cheque":
            self.query_one("#refund-cheque_number", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "refund-reason":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        if self._busy:
            return
        self._busy = True
        for field in FIELDS:
            self.query_one(f"#refund-{field}-error", Static).update(Content(""))
        amount_text = self.query_one("#refund-amount", Input).value
        cheque = self.query_one("#refund-cheque_number", Input).value
        reason = self.query_one("#refund-reason", Input).value
        family_id, method, language = self.family_id, self.method, current_language()

        def refund(backend: Backend) -> tuple[RefundedCredit, SavedPdf]:
            from registrar_tui.reports.documents import CopyKind
            from registrar_tui.screens.widgets.pdf_output import save_and_print
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.core.money import parse_money
            from registrar_tui.services.documents.build import refund_receipt_pdf
            from registrar_tui.services.documents.output import output_settings
            from registrar_tui.services.ledger.credit import refund_credit

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            done = backend.write(
                refund_credit,
                family_id,
                identity.establishment_id or 0,  # none: refused as an unknown site
                parse_money(amount_text, language),
                method,
                reason,
                identity.id,
                cheque_number=cheque if method == "cheque" else None,
            )
            saved = save_and_print(
                backend,
                refund_receipt_pdf,
                done.refund_id,
                copy=CopyKind.ORIGINAL,
                receipt_format=output_settings().receipt_format,
            )
            return done, saved

        self.call_service(refund, self.dismiss, group="refund", exclusive=False)

    def show_refusal(self, error: DomainError) -> None:
        """Under the field it names, else on the status line."""
        self._busy = False
        field = error.field if error.field in FIELDS else None
        target = f"#refund-{field}-error" if field else "#refund-status"
        widget = self.query_one(target, Static)
        widget.update(Content.styled(error.translated(), "bold $text-error"))

    def action_cancel(self) -> None:
        self.dismiss(None)
