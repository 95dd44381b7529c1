"""Payment entry (modal): amount, method and its fields, allocation preview, one Enter posts.

Opened on a family's chosen invoices with the amount set to their balance and cash chosen,
so a payment in full is one Enter. Every figure (balance, split, credit, change due) comes
from `services.payment_preview`, re-asked in an exclusive worker as the amounts are typed.
Posting: post, then the receipt handed over (`services.outbox.handover`: PDF saved, e-mail
queued; F7 prints it); the idempotency key is made when the form opens, so a second Enter
never posts twice. Where the form stands is one `PaymentState` (screens/payment/state.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from registrar_tui.i18n import N_, _, current_language, format_money
from registrar_tui.screens.payment.fields import (
    FIRST_DETAIL,
    METHODS,
    PRINT_LETTER,
    PaymentOutcome,
    amount_text,
    method_keys,
    method_keys_line,
)
from registrar_tui.screens.payment.form import PaymentForm
from registrar_tui.screens.payment.panels import ReceiptPanel
from registrar_tui.screens.payment.state import PaymentState
from registrar_tui.screens.widgets.base import AppModalScreen, KeysFooter, user_content

if TYPE_CHECKING:
    from decimal import Decimal

    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.ledger.payment_preview import PaymentPreview
    from registrar_tui.services.ledger.posted_receipts import PostedPayment
    from registrar_tui.services.outbox.handover import HandedOverReceipt


_POST_GROUP = "payment-post"
YES = N_("oui")
"""Its first letter answers yes to the credit question (o in French, y in English)."""


def _yes_key() -> str:
    return _(YES)[:1].lower()


_METHOD_GROUP = Binding.Group(N_("Mode"))


class PaymentScreen(AppModalScreen["PaymentOutcome | None"]):
    """Take a payment for a family's chosen invoices; closes with a `PaymentOutcome` or None."""

    CSS_PATH = "screen.tcss"
    AUTO_FOCUS = FIRST_DETAIL["cash"]
    BINDINGS: ClassVar[list[BindingType]] = [
        # Enter is read before the focused box takes it (priority), so it shows in the
        # footer; the first of these two bindings whose action is allowed runs.
        Binding("enter", "confirm", N_("Confirmer"), id="payment.confirm",
                tooltip=N_("Enregistrer le paiement et son reçu"), priority=True),
        Binding("enter", "close", N_("Fermer"), id="payment.close", tooltip=N_("Fermer"),
                priority=True),
        Binding("escape", "cancel", N_("Annuler"), id="payment.cancel",
                tooltip=N_("Fermer sans rien enregistrer")),
        Binding("escape", "close", N_("Fermer"), id="payment.escape", tooltip=N_("Fermer")),
        # F-keys, not letters: the focus is always in a text box (see METHODS). The form
        # names each key ("Mode : F2 Comptant …"): the footer groups them ("f2 f3 f4 f5 f6
        # Mode"), so that f1 Aide fits at 80 columns.
        *(
            Binding(method_keys(method), f"method('{method.value}')", method.label,
                    id=f"payment.method-{method.value}",
                    tooltip=N_("Changer le mode de paiement"), group=_METHOD_GROUP)
            for method in METHODS
        ),
        Binding(f"f7,{PRINT_LETTER}", "print_receipt", N_("Imprimer"), id="payment.print",
                tooltip=N_("Envoyer le reçu à l'imprimante")),
    ]  # fmt: skip

    method: reactive[str] = reactive("cash", init=False)
    """The chosen `PaymentMethod` value; its fields are shown by a CSS class."""

    def __init__(
        self,
        family_id: int,
        invoice_ids: tuple[int, ...],
        *,
        balance_changed: Callable[[], object] | None = None,
    ) -> None:
        super().__init__()
        self.family_id = family_id
        self.invoice_ids = tuple(invoice_ids)
        self._balance_changed = balance_changed
        """Called when posting finds the invoices changed: the screen below (a statement
        and its totals) reads them again, so no figure on screen is the old balance."""
        self.idempotency_key = uuid.uuid4().hex
        """Made when the form opens: every submission of this form is the same payment."""
        self._state = PaymentState.EDITING
        self._preview: PaymentPreview | None = None
        """The preview shown (of the boxes' text at request `_preview_serial`)."""
        self._serial = 0
        self._preview_serial = -1
        self._focus_before_question: Widget | None = None
        self._credit_asked: Decimal | None = None
        """The family credit the question was about (what posting then accepts)."""
        self._default_text: str | None = None
        """The amount box's text as the form filled it (the clerk has not changed it)."""
        self._outcome: PaymentOutcome | None = None
        """Set with the move to POSTED (its `printed` is the state's, when closing)."""

    @property
    def state(self) -> PaymentState:
        return self._state

    def _move(self, to: PaymentState) -> None:
        """Every change of state goes through the table (state.py): IllegalMove otherwise."""
        self._state = self._state.move(to)

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
        if self.is_mounted and not self.state.done:
            self.call_after_refresh(self.query_one(FIRST_DETAIL[value], Input).focus)
        self._clear_messages()
        self._ask_preview()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Form keys until the payment is posted; after it Enter/Escape close and F7 prints.

        False hides a key from the footer; None shows it disabled (while posting). While
        the credit question is asked, every key answers it (`on_key`).
        """
        state = self.state
        if state is PaymentState.CONFIRMING and action in ("confirm", "method", "cancel"):
            return False
        if action in ("confirm", "method", "cancel"):
            return not state.done and (state is not PaymentState.POSTING or None)
        if action == "close":
            return state.done
        if action == "print_receipt":
            if not state.done or self._outcome is None or self._outcome.pdf_path is None:
                return False
            from registrar_tui.services.documents.output import output_settings

            return output_settings().printer_command is not None
        return True

    # -- preview --------------------------------------------------------------------------

    @on(Input.Changed, "#amount, #amount_tendered")
    def _amount_changed(self) -> None:
        self._ask_preview()

    def _ask_preview(self) -> None:
        if self.state.done:
            return
        self._serial += 1
        serial = self._serial
        amount = self._form.value("amount")
        tendered = self._form.value("amount_tendered") if self.method == "cash" else None
        family_id, invoice_ids = self.family_id, self.invoice_ids

        def preview(backend: Backend) -> PaymentPreview:
            from registrar_tui.services.ledger.payment_preview import typed_payment_preview

            return backend.loose_read(
                typed_payment_preview,
                family_id,
                invoice_ids,
                amount,
                tendered,
                current_language(),
            )

        self.call_service(
            preview,
            lambda answer: self._show_preview(serial, answer),
            group="payment-preview",
            refused=lambda error: self._preview_refused(serial, error),
        )

    @property
    def _preview_is_current(self) -> bool:
        """The preview shown is the one of what the boxes hold now."""
        return self._preview is not None and self._preview_serial == self._serial

    def _show_preview(self, serial: int, preview: PaymentPreview) -> None:
        """A preview arrived for the amounts typed at request `serial`."""
        self.query_one("#payment-title", Static).update(
            Content.assemble(
                (_("Paiement · "), "bold"),
                user_content(preview.family_name, "bold"),
                " · ",
                user_content(preview.family_number),
            )
        )
        amount_box = self.query_one("#amount", Input)
        default = amount_text(preview.default_amount)
        if (self._default_text is None and not amount_box.value) or (
            amount_box.value == self._default_text
        ):
            # Untouched by the clerk: the whole (possibly reloaded) balance.
            self._default_text = default
            if amount_box.value != default:
                amount_box.value = default
                amount_box.select_all()
                return  # the box's change asks for the preview of this amount
        if serial != self._serial:
            return  # the clerk typed on since: a newer preview is on its way
        self._preview = preview
        self._preview_serial = serial
        refusals = {error.field: error.translated() for error in preview.refusals}
        for field in ("amount", "amount_tendered"):
            self._form.set_message(field, refusals.get(field, ""), keep_paste_refusal=True)
        self._form.show(preview)
        if self.state is PaymentState.WAITING:
            self._move(PaymentState.EDITING)
            self.action_confirm()

    def _preview_refused(self, serial: int, error: DomainError) -> None:
        """The chosen invoices cannot be previewed (shown next to their field)."""
        if serial == self._serial:
            if self.state is PaymentState.WAITING:
                self._move(PaymentState.EDITING)
            self._show_error(error, focus=False)  # the clerk is typing: keep the cursor

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
            self._set_status(_("Rien n'a été enregistré : corrigez le champ signalé."), error=True)
            if focus:
                box.focus()
            return
        self._set_status(message, error=True)
        self.notify(message, severity="error", markup=False)

    # -- posting --------------------------------------------------------------------------

    def action_confirm(self) -> None:
        """Enter: post what the form holds, once its preview says what that is."""
        if self.state is not PaymentState.EDITING and self.state is not PaymentState.WAITING:
            return
        if not self._preview_is_current:
            self._move(PaymentState.WAITING)  # Enter typed ahead of the preview: it posts then
            return
        preview = self._preview
        assert preview is not None  # _preview_is_current
        self._move(PaymentState.EDITING)
        if preview.refusals:
            first = preview.refusals[0]
            self._show_error(first)
            return
        if preview.leaves_credit and preview.credit_created is not None:
            self._ask_about_credit(preview.credit_created)
            return
        self._post(preview.credit_created)

    # -- family credit: asked first, on one line ---------------------------------------

    def _ask_about_credit(self, credit: Decimal) -> None:
        """The payment would leave `credit` to the family: o posts it, any other key does not.

        The focus leaves the boxes meanwhile, so that the answer is typed nowhere.
        """
        self._move(PaymentState.CONFIRMING)
        self._focus_before_question = self.focused
        self.set_focus(None)
        question = _("Porter {amount} au crédit de la famille ? {yes}/N").format(
            amount=format_money(credit), yes=_yes_key()
        )
        self._set_status(question)
        self.query_one("#payment-status", Static).add_class("-question")
        self._credit_asked = credit
        self.refresh_bindings()

    @property
    def answers_typed_keys(self) -> bool:
        """While the question is asked, the key typed is its answer, not text for the first
        empty box (screens/session/focus_keeper.py)."""
        return self.state is PaymentState.CONFIRMING

    def on_key(self, event: events.Key) -> None:
        if self.state is not PaymentState.CONFIRMING:
            return
        event.stop()
        event.prevent_default()
        if (event.character or "").lower() == _yes_key():
            self.query_one("#payment-status", Static).remove_class("-question")
            self._post(self._credit_asked)
            return
        self._decline_credit(refocus=True)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # A click in a box while the question is asked: the clerk went back to the form.
        if self.state is PaymentState.CONFIRMING:
            self._decline_credit(refocus=False)

    def _decline_credit(self, *, refocus: bool) -> None:
        """Anything but o: back to the form where it was, nothing written."""
        self._move(PaymentState.EDITING)
        self.query_one("#payment-status", Static).remove_class("-question")
        self._set_status(_("Rien n'a été enregistré : corrigez le montant, puis Entrée."))
        self.refresh_bindings()
        if refocus:
            before = self._focus_before_question
            (before if before is not None and before.is_attached else self._form.amount_box).focus()

    def _post(self, credit_accepted: Decimal | None) -> None:
        """Post the payment; `credit_accepted` is the family credit the clerk agreed to."""
        preview = self._preview
        identity = self.backend.identity
        if identity is None or preview is None:
            return
        self._move(PaymentState.POSTING)
        self.refresh_bindings()
        self._clear_messages()
        self._set_status(_("Enregistrement du paiement…"))
        texts = self._form.values()
        establishment_id = identity.establishment_id or preview.establishment_id
        seen, clerk_id, method = preview.seen_balance, identity.id, self.method

        def post(backend: Backend) -> tuple[PostedPayment, HandedOverReceipt]:
            from registrar_tui.services.documents.output import output_settings
            from registrar_tui.services.ledger.payment_preview import build_payment_request
            from registrar_tui.services.ledger.payments import post_payment
            from registrar_tui.services.outbox.handover import hand_over_receipt

            request = build_payment_request(
                idempotency_key=self.idempotency_key,
                family_id=self.family_id,
                establishment_id=establishment_id,
                actor_id=clerk_id,
                method=method,
                seen_balance=seen,
                invoice_ids=self.invoice_ids,
                texts=texts,
                language=current_language(),
                credit_accepted=credit_accepted,
            )
            posted = backend.write(post_payment, request)
            # The clerk prints with F7: not every payer wants the receipt on paper.
            handed = hand_over_receipt(
                backend.database(),
                posted.payment_id,
                output_settings(),
                print_now=False,
                posted=posted,
            )
            return posted, handed

        self.call_service(post, self._posted, group=_POST_GROUP, refused=self._refused)

    def _posted(self, answer: tuple[PostedPayment, HandedOverReceipt]) -> None:
        """The payment is posted; its receipt handed over (or the problems why not)."""
        posted, handed = answer
        self._outcome = PaymentOutcome(
            payment_id=posted.payment_id,
            receipt_number=posted.receipt_number,
            change_due=posted.change_due,
            pdf_path=handed.path,
            printed=False,
            emailed_to=handed.emailed_to,
        )
        self._move(PaymentState.POSTED)
        self.query_one("#payment-box").add_class("-done")
        for box in self.query(Input):
            box.disabled = True  # the focus leaves the boxes: Enter now closes
        self.set_focus(None)
        self.query_one(ReceiptPanel).show(posted, handed.path, handed.emailed_to)
        self._show_printing(None)
        problems = " ".join(error.translated() for error in handed.problems)
        self._set_status(problems or _("Entrée ou Échap pour fermer."), error=bool(problems))
        if problems:
            self.notify(problems, severity="warning", markup=False)
        self.refresh_bindings()

    def _show_printing(self, error: DomainError | None) -> None:
        from registrar_tui.services.documents.output import output_settings

        outcome = self._outcome
        self.query_one(ReceiptPanel).show_printing(
            can_print=bool(output_settings().printer_command and outcome and outcome.pdf_path),
            printed=self.state is PaymentState.PRINTED,
            error=error,
        )

    def _refused(self, error: DomainError) -> None:
        """Posting was refused: nothing was written."""
        from registrar_tui.services.ledger.errors import CreditNotAccepted, StaleBalance

        self._move(PaymentState.EDITING)
        self.refresh_bindings()
        self._set_status("")  # no longer « Enregistrement du paiement… »
        if isinstance(error, CreditNotAccepted):
            # The split changed between the question and posting: ask again from the form.
            self._show_error(error)
            self._ask_preview()
            return
        if isinstance(error, StaleBalance):
            # Someone else changed these invoices: show the new balance, post nothing.
            self._set_status(
                _(
                    "Ces factures ont changé depuis l'ouverture : le solde est rechargé. "
                    "Vérifiez le montant, puis Entrée."
                ),
                error=True,
            )
            self.notify(error.translated(), severity="warning", markup=False)
            self._ask_preview()
            if self._balance_changed is not None:
                self._balance_changed()
            return
        self._show_error(error)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Textual also calls the base classes' handler (ServiceCaller reports the error to
        # the app): calling super() here would report it twice.
        if event.worker.group == _POST_GROUP and event.state is WorkerState.ERROR:
            # The app shows the error; the form can be tried again.
            self._move(PaymentState.EDITING)
            self._set_status("")
            self.refresh_bindings()

    # -- after posting --------------------------------------------------------------------

    def action_print_receipt(self) -> None:
        if not self.state.done or self._outcome is None or self._outcome.pdf_path is None:
            return
        path = self._outcome.pdf_path

        def print_receipt(backend: Backend) -> None:
            from registrar_tui.services.documents.output import output_settings, print_pdf

            print_pdf(output_settings(), path)

        self.call_service(
            print_receipt,
            lambda _none: self._print_done(None),
            group="payment-print",
            refused=self._print_done,
        )

    def _print_done(self, error: DomainError | None) -> None:
        """The printer command finished (error None) or failed."""
        if error is None:
            self._move(PaymentState.PRINTED)
        self._show_printing(error)
        if error is not None:
            self.notify(error.translated(), severity="error", markup=False)

    def action_cancel(self) -> None:
        if self.state is not PaymentState.POSTING:  # a payment being committed is waited for
            self.dismiss(None)

    def action_close(self) -> None:
        outcome = self._outcome
        if outcome is not None:
            outcome = replace(outcome, printed=self.state is PaymentState.PRINTED)
        self.dismiss(outcome)
