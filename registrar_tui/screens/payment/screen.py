"""Payment entry (modal): amount, method and its fields, allocation preview, one Enter posts.

Opened on a family's chosen invoices with the amount set to their balance and cash chosen,
so a payment in full is one Enter. Every figure (balance, split, credit, change due) comes
from `services.payment_preview`, re-asked in an exclusive worker as the amounts are typed.
Posting: post, then the receipt PDF saved (F7 prints it), then the e-mail queued; the
idempotency key is made when the form opens, so a second Enter never posts twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from registrar_tui.i18n import _, current_language, format_money
from registrar_tui.screens.payment.fields import (
    FIRST_DETAIL,
    METHODS,
    PAYMENT_BINDINGS,
    PaymentOutcome,
    amount_text,
    hand_over_receipt,
    method_keys_line,
)
from registrar_tui.screens.payment.form import PaymentForm
from registrar_tui.screens.payment.panels import ReceiptPanel
from registrar_tui.screens.widgets.base import AppModalScreen, KeysFooter, user_content

if TYPE_CHECKING:
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.ledger.payment_preview import PaymentPreview
    from registrar_tui.services.ledger.receipts import PostedPayment


_POST_GROUP = "payment-post"


class PaymentScreen(AppModalScreen["PaymentOutcome | None"]):
    """Take a payment for a family's chosen invoices; closes with a `PaymentOutcome` or None."""

    CSS_PATH = "screen.tcss"
    AUTO_FOCUS = FIRST_DETAIL["cash"]
    BINDINGS: ClassVar[list[BindingType]] = PAYMENT_BINDINGS

    method: reactive[str] = reactive("cash", init=False)
    """The chosen `PaymentMethod` value; its fields are shown by a CSS class."""

    @dataclass
    class PreviewReady(Message):
        """A preview arrived for the amounts typed at request `serial`."""

        serial: int
        preview: PaymentPreview

    @dataclass
    class PreviewRefused(Message):
        """The typed amounts cannot be previewed (shown next to their field)."""

        serial: int
        error: DomainError

    @dataclass
    class Posted(Message):
        """The payment is posted; its receipt saved at `path` (or `save_error`)."""

        posted: PostedPayment
        path: Path | None
        emailed_to: str | None
        problems: tuple[str, ...]

    @dataclass
    class Refused(Message):
        """Posting was refused: nothing was written."""

        error: DomainError
        stale: bool

    @dataclass
    class PrintDone(Message):
        """The printer command finished (error None) or failed."""

        error: DomainError | None

    def __init__(self, family_id: int, invoice_ids: tuple[int, ...]) -> None:
        super().__init__()
        self.family_id = family_id
        self.invoice_ids = tuple(invoice_ids)
        self.idempotency_key = uuid.uuid4().hex
        """Made when the form opens: every submission of this form is the same payment."""
        self._preview: PaymentPreview | None = None
        self._serial = 0
        self._default_text: str | None = None
        """The amount box's text as the form filled it (the clerk has not changed it)."""
        self._posting = False
        self._confirm_on_arrival = False
        self._outcome: PaymentOutcome | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="payment-box", classes="-cash"):
            yield Static(Content(_("Paiement · chargement…")), id="payment-title")
            yield Static(method_keys_line("cash"), id="payment-methods")
            yield PaymentForm(id="payment-form")
            yield ReceiptPanel(id="payment-done")
            yield Static(Content(""), id="payment-status")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        self._ask_preview()

    # -- method ---------------------------------------------------------------------------

    def action_method(self, value: str) -> None:
        self.method = value

    def watch_method(self, value: str) -> None:
        box = self.query_one("#payment-box")
        for method in METHODS:
            box.set_class(method.value == value, method.css_class)
        box.set_class(value in ("debit", "credit_card"), "-card")
        box.set_class(value in ("cheque", "certified_cheque"), "-cheques")
        self.query_one("#payment-methods", Static).update(method_keys_line(value))
        if self.is_mounted and self._outcome is None:
            self.call_after_refresh(self.query_one(FIRST_DETAIL[value], Input).focus)
        self._clear_messages()
        self._ask_preview()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Form keys until the payment is posted; after it Enter/Escape close and F7 prints.

        False hides a key from the footer; None shows it disabled (while posting).
        """
        done = self._outcome is not None
        if action in ("confirm", "method"):
            return not done and (not self._posting or None)
        if action == "cancel":
            return not done and (not self._posting or None)
        if action == "close":
            return done
        if action == "print_receipt":
            if self._outcome is None or self._outcome.pdf_path is None:
                return False
            from registrar_tui.services.documents.output import output_settings

            return output_settings().printer_command is not None
        return True

    # -- preview --------------------------------------------------------------------------

    @on(Input.Changed, "#amount, #amount_tendered")
    def _amount_changed(self) -> None:
        self._ask_preview()

    def _ask_preview(self) -> None:
        if self._outcome is not None:
            return
        self._serial += 1
        tendered = self._form.value("amount_tendered") if self.method == "cash" else ""
        self._load_preview(self._serial, self._form.value("amount"), tendered)

    @work(thread=True, exclusive=True, group="payment-preview", exit_on_error=False)
    def _load_preview(self, serial: int, amount: str, tendered: str) -> None:
        from registrar_tui.services.core.errors import DomainError
        from registrar_tui.services.core.money import parse_money
        from registrar_tui.services.ledger.payment_preview import payment_preview

        language = current_language()
        try:
            paid = parse_money(amount, language) if amount.strip() else None
            given = (
                parse_money(tendered, language, field="amount_tendered")
                if tendered.strip()
                else paid  # nothing typed: exactly the amount was handed over
            )
            preview = self.backend.read(
                payment_preview, self.family_id, self.invoice_ids, paid, given
            )
        except DomainError as error:
            if not get_current_worker().is_cancelled:
                self.post_message(self.PreviewRefused(serial, error))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.PreviewReady(serial, preview))

    @on(PreviewReady)
    def _show_preview(self, event: PreviewReady) -> None:
        preview = event.preview
        first = self._preview is None
        self._preview = preview
        self.query_one("#payment-title", Static).update(
            Content.assemble(
                (_("Paiement · "), "bold"),
                user_content(preview.family_name, "bold"),
                " · ",
                user_content(preview.family_number),
            )
        )
        self._form.query_one("#amount-note", Static).update(
            Content.assemble(_("Solde choisi : "), (format_money(preview.seen_balance), "bold"))
        )
        amount_box = self.query_one("#amount", Input)
        default = amount_text(preview.default_amount)
        if (first and not amount_box.value) or amount_box.value == self._default_text:
            # Untouched by the clerk: the whole (possibly reloaded) balance.
            self._default_text = default
            if amount_box.value != default:
                amount_box.value = default
                amount_box.select_all()
                return  # the box's change asks for the preview of this amount
        if event.serial != self._serial:
            return  # the clerk typed on since: a newer preview is on its way
        self._form.set_message("amount", "")
        self._form.set_message("amount_tendered", "")
        self._form.show(preview)
        if self._confirm_on_arrival:
            self._confirm_on_arrival = False
            self.action_confirm()

    @on(PreviewRefused)
    def _preview_refused(self, event: PreviewRefused) -> None:
        if event.serial == self._serial:
            self._show_error(event.error, focus=False)  # the clerk is typing: keep the cursor

    # -- messages -------------------------------------------------------------------------

    @property
    def _form(self) -> PaymentForm:
        return self.query_one(PaymentForm)

    def _set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#payment-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def _clear_messages(self) -> None:
        self._form.clear_messages()
        self._set_status("")

    def _show_error(self, error: DomainError, *, focus: bool = True) -> None:
        """Next to its field when the chosen method shows it, else on the status line."""
        message = error.translated()
        box = self._form.shown_box(error.field)
        if box is not None and error.field is not None:
            self._form.set_message(error.field, message)
            if focus:
                box.focus()
            return
        self._set_status(message, error=True)
        self.notify(message, severity="error", markup=False)

    # -- posting --------------------------------------------------------------------------

    def action_confirm(self) -> None:
        if self._posting or self._outcome is not None:
            return
        if self._preview is None:
            self._confirm_on_arrival = True  # Enter typed ahead of the first preview
            return
        identity = self.backend.identity
        if identity is None:
            return
        self._posting = True
        self.refresh_bindings()
        self._clear_messages()
        self._set_status(_("Enregistrement du paiement…"))
        texts = self._form.values()
        establishment_id = identity.establishment_id or self._preview.establishment_id
        self._post(identity.id, establishment_id, self._preview.seen_balance, texts)

    @work(thread=True, exclusive=True, group=_POST_GROUP, exit_on_error=False)
    def _post(
        self, clerk_id: int, establishment_id: int, seen: Decimal, texts: dict[str, str]
    ) -> None:
        from registrar_tui.services.core.errors import DomainError
        from registrar_tui.services.ledger.errors import StaleBalance
        from registrar_tui.services.ledger.payment_preview import build_payment_request
        from registrar_tui.services.ledger.payments import post_payment

        try:
            request = build_payment_request(
                idempotency_key=self.idempotency_key,
                family_id=self.family_id,
                establishment_id=establishment_id,
                actor_id=clerk_id,
                method=self.method,
                seen_balance=seen,
                invoice_ids=self.invoice_ids,
                texts=texts,
                language=current_language(),
            )
            posted = self.backend.write(post_payment, request)
        except DomainError as error:
            self.post_message(self.Refused(error, isinstance(error, StaleBalance)))
            return
        self.post_message(self.Posted(posted, *hand_over_receipt(self.backend, posted)))

    @on(Posted)
    def _posted(self, event: Posted) -> None:
        posted = event.posted
        self._posting = False
        self._outcome = PaymentOutcome(
            payment_id=posted.payment_id,
            receipt_number=posted.receipt_number,
            change_due=posted.change_due,
            pdf_path=event.path,
            printed=False,
            emailed_to=event.emailed_to,
        )
        self.query_one("#payment-box").add_class("-done")
        for box in self.query(Input):
            box.disabled = True  # the focus leaves the boxes: Enter now closes
        self.set_focus(None)
        self.query_one(ReceiptPanel).show(posted, event.path, event.emailed_to)
        self._show_printing(None)
        problems = " ".join(event.problems)
        self._set_status(problems or _("Entrée ou Échap pour fermer."), error=bool(problems))
        if problems:
            self.notify(problems, severity="warning", markup=False)
        self.refresh_bindings()

    def _show_printing(self, error: DomainError | None) -> None:
        from registrar_tui.services.documents.output import output_settings

        outcome = self._outcome
        self.query_one(ReceiptPanel).show_printing(
            can_print=bool(output_settings().printer_command and outcome and outcome.pdf_path),
            printed=bool(outcome and outcome.printed),
            error=error,
        )

    @on(Refused)
    def _refused(self, event: Refused) -> None:
        self._posting = False
        self.refresh_bindings()
        if event.stale:
            # Someone else changed these invoices: show the new balance, post nothing.
            self._set_status(
                _(
                    "Ces factures ont changé depuis l'ouverture : le solde est rechargé. "
                    "Vérifiez le montant, puis Entrée."
                ),
                error=True,
            )
            self.notify(event.error.translated(), severity="warning", markup=False)
            self._ask_preview()
            return
        self._show_error(event.error)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        super().on_worker_state_changed(event)
        if event.worker.group == _POST_GROUP and event.state is WorkerState.ERROR:
            self._posting = False  # the app shows the error; the form can be tried again
            self._set_status("")
            self.refresh_bindings()

    # -- after posting --------------------------------------------------------------------

    def action_print_receipt(self) -> None:
        if self._outcome is not None and self._outcome.pdf_path is not None:
            self._print(self._outcome.pdf_path)

    @work(thread=True, exclusive=True, group="payment-print", exit_on_error=False)
    def _print(self, path: Path) -> None:
        from registrar_tui.services.core.errors import DomainError
        from registrar_tui.services.documents.output import output_settings, print_pdf

        try:
            print_pdf(output_settings(), path)
        except DomainError as error:
            self.post_message(self.PrintDone(error))
        else:
            self.post_message(self.PrintDone(None))

    @on(PrintDone)
    def _print_done(self, event: PrintDone) -> None:
        if self._outcome is not None and event.error is None:
            self._outcome = replace(self._outcome, printed=True)
        self._show_printing(event.error)
        if event.error is not None:
            self.notify(event.error.translated(), severity="error", markup=False)

    def action_cancel(self) -> None:
        if not self._posting:  # a payment being committed is waited for, never abandoned
            self.dismiss(None)

    def action_close(self) -> None:
        self.dismiss(self._outcome)
