"""Payment entry (modal): amount, method and its fields, allocation preview, one Enter posts.

Opened on a family's chosen invoices with the amount set to their balance and cash chosen,
so a payment in full is one Enter. Every figure (balance, split, credit, change due) comes
from `services.payment_preview`, re-asked in an exclusive worker as the amounts are typed.
Posting follows INTERFACES.md: post, then the receipt PDF saved (F7 prints it), then the
e-mail queued; the idempotency key is made when the form opens, so a second Enter or a
retry can never post twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import DataTable, Digits, Footer, Input, Static
from textual.worker import Worker, WorkerState, get_current_worker

from registrar_tui.i18n import N_, _, current_language, format_money
from registrar_tui.screens.base import AppModalScreen, label_cell, user_cell, user_content
from registrar_tui.screens.payment_fields import (
    FIELDS,
    METHODS,
    PaymentOutcome,
    amount_text,
    field_row,
    method_keys_line,
)
from registrar_tui.screens.receipts import money_cell

if TYPE_CHECKING:
    from registrar_tui.services.errors import DomainError
    from registrar_tui.services.payment_preview import PaymentPreview
    from registrar_tui.services.receipts import PostedPayment

__all__ = ["PaymentOutcome", "PaymentScreen"]

_POST_GROUP = "payment-post"


class PaymentScreen(AppModalScreen):
    """Take a payment for a family's chosen invoices; closes with a `PaymentOutcome` or None."""

    CSS_PATH = "payment.tcss"
    AUTO_FOCUS = "#amount"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "confirm",
            N_("Confirmer"),
            id="payment.confirm",
            tooltip=N_("Enregistrer le paiement et son reçu"),
        ),
        Binding("enter", "close", N_("Fermer"), id="payment.close", tooltip=N_("Fermer")),
        *(
            Binding(
                method.key,
                f"method('{method.value}')",
                method.label,
                id=f"payment.method-{method.value}",
                tooltip=N_("Changer le mode de paiement"),
            )
            for method in METHODS
        ),
        Binding(
            "f7",
            "print_receipt",
            N_("Imprimer"),
            id="payment.print",
            tooltip=N_("Envoyer le reçu à l'imprimante"),
        ),
        Binding("escape", "close", N_("Fermer"), id="payment.escape", tooltip=N_("Fermer")),
    ]

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
            with Vertical(id="payment-form"):
                yield field_row("amount", _("Montant"), max_length=20, with_note=True)
                yield field_row(
                    "amount_tendered",
                    _("Montant remis"),
                    classes="cash-only",
                    max_length=20,
                    placeholder=_("= montant"),
                    with_note=True,
                )
                yield field_row("card_brand", _("Marque"), classes="credit-only", max_length=20)
                yield field_row(
                    "card_last4",
                    _("4 derniers chiffres"),
                    classes="card-only",
                    max_length=4,
                    restrict=r"[0-9]*",
                )
                yield field_row(
                    "authorization_number",
                    _("N° d'autorisation"),
                    classes="card-only",
                    max_length=24,
                )
                yield field_row(
                    "cheque_number", _("N° du chèque"), classes="cheque-only", max_length=24
                )
                yield field_row("cheque_bank", _("Banque"), classes="cheque-only", max_length=100)
                yield Static(Content(_("Imputation")), classes="section-title")
                table: DataTable[object] = DataTable(id="allocation", cursor_type="none")
                table.can_focus = False  # nothing to choose there: the boxes keep the keys
                yield table
                yield Static(Content(""), id="credit-created")
            with Vertical(id="payment-done"):
                yield Static(Content(""), id="done-title")
                yield Static(Content(""), id="done-change-label")
                yield Digits("", id="done-change")
                yield Static(Content(""), id="done-path")
                yield Static(Content(""), id="done-print")
                yield Static(Content(""), id="done-email")
            yield Static(Content(""), id="payment-status")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#allocation", DataTable)
        table.add_column(label_cell(_("Facture")), width=11)
        table.add_column(label_cell(_("Description")))
        for label in (_("Solde"), _("Imputé"), _("Après")):
            table.add_column(label_cell(label), width=12)
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
        self._clear_messages()
        self._ask_preview()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Form keys until the payment is posted; after it Enter closes and F7 prints."""
        done = self._outcome is not None
        if action == "confirm" or action == "method":
            return (not done) or None
        if action == "close":
            return not self._posting
        if action == "print_receipt":
            if not done or self._outcome is None or self._outcome.pdf_path is None:
                return None
            from registrar_tui.services.output import output_settings

            return output_settings().printer_command is not None or None
        return True

    # -- preview --------------------------------------------------------------------------

    def _value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value

    @on(Input.Changed, "#amount, #amount_tendered")
    def _amount_changed(self) -> None:
        self._ask_preview()

    def _ask_preview(self) -> None:
        if self._outcome is not None:
            return
        self._serial += 1
        tendered = self._value("amount_tendered") if self.method == "cash" else ""
        self._load_preview(self._serial, self._value("amount"), tendered)

    @work(thread=True, exclusive=True, group="payment-preview", exit_on_error=False)
    def _load_preview(self, serial: int, amount: str, tendered: str) -> None:
        from registrar_tui.services.errors import DomainError
        from registrar_tui.services.money import parse_money
        from registrar_tui.services.payment_preview import payment_preview

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
        self.query_one("#amount-note", Static).update(
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
        self._set_message("amount", "")
        self._set_message("amount_tendered", "")
        self._show_split(preview)
        if self._confirm_on_arrival:
            self._confirm_on_arrival = False
            self.action_confirm()

    def _show_split(self, preview: PaymentPreview) -> None:
        table = self.query_one("#allocation", DataTable)
        table.clear()
        for line in preview.lines:
            style = "" if line.is_payable else "dim"
            table.add_row(
                user_cell(line.number),
                user_cell(line.description),
                money_cell(line.balance, style),
                money_cell(line.applied, "bold" if line.applied else style),
                money_cell(line.balance_after, style),
            )
        self.query_one("#credit-created", Static).update(
            Content.assemble(
                _("Crédit à la famille : "),
                (format_money(preview.credit_created), "bold $text-success"),
            )
        )
        note = self.query_one("#amount_tendered-note", Static)
        if preview.change_due is not None:
            note.update(
                Content.assemble(
                    _("Monnaie à rendre : "),
                    (format_money(preview.change_due), "bold $text-warning"),
                )
            )
        elif preview.tendered_short_by is not None:
            short = _("Il manque {amount}").format(amount=format_money(preview.tendered_short_by))
            note.update(Content.styled(short, "bold $text-error"))
        else:
            note.update(Content(""))

    @on(PreviewRefused)
    def _preview_refused(self, event: PreviewRefused) -> None:
        if event.serial == self._serial:
            self._show_error(event.error)

    # -- messages -------------------------------------------------------------------------

    def _set_message(self, field: str, text: str) -> None:
        message = self.query_one(f"#{field}-message", Static)
        message.update(Content(text))
        message.set_class(bool(text), "-visible")

    def _set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#payment-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def _clear_messages(self) -> None:
        for field in FIELDS:
            self._set_message(field, "")
        self._set_status("")

    def _show_error(self, error: DomainError) -> None:
        """Next to its field when it has a visible one, else on the status line."""
        message = error.translated()
        if error.field in FIELDS and self.query_one(f"#{error.field}", Input).display:
            box = self.query_one(f"#{error.field}", Input)
            if box.parent is not None and box.parent.parent is not None:
                visible = box.parent.parent.styles.display != "none"
                if visible:
                    self._set_message(error.field, message)
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
        texts = {field: self._value(field) for field in FIELDS}
        establishment_id = identity.establishment_id or self._preview.establishment_id
        self._post(identity.id, establishment_id, self._preview.seen_balance, texts)

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_confirm()

    @work(thread=True, exclusive=True, group=_POST_GROUP, exit_on_error=False)
    def _post(
        self, clerk_id: int, establishment_id: int, seen: Decimal, texts: dict[str, str]
    ) -> None:
        from registrar_tui.services.billing_errors import StaleBalance
        from registrar_tui.services.errors import DomainError
        from registrar_tui.services.payment_preview import build_payment_request
        from registrar_tui.services.payments import post_payment

        try:
            request = build_payment_request(
                idempotency_key=self.idempotency_key,
                family_id=self.family_id,
                establishment_id=establishment_id,
                clerk_id=clerk_id,
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
        self.post_message(self._hand_over(posted))

    def _hand_over(self, posted: PostedPayment) -> Posted:
        """Receipt PDF saved, e-mail queued: a failure here never undoes the payment."""
        from registrar_tui.reports.documents import CopyKind
        from registrar_tui.services.documents import receipt_pdf
        from registrar_tui.services.errors import DomainError
        from registrar_tui.services.outbox import queue_receipt_email
        from registrar_tui.services.output import output_settings, save_pdf

        problems: list[str] = []
        path: Path | None = None
        emailed: str | None = None
        try:
            document = self.backend.read(
                receipt_pdf, posted.payment_id, copy=CopyKind.ORIGINAL, language=None
            )
        except DomainError as error:
            return self.Posted(posted, None, None, (error.translated(),))
        try:
            path = save_pdf(output_settings(), document)
        except DomainError as error:
            problems.append(error.translated())
        try:
            emailed = self.backend.write(queue_receipt_email, posted.payment_id, document)
        except DomainError as error:
            problems.append(error.translated())
        return self.Posted(posted, path, emailed, tuple(problems))

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
        self.query_one("#done-title", Static).update(
            Content.assemble(
                (_("Paiement enregistré · reçu "), "bold $text-success"),
                user_content(posted.receipt_number, "bold"),
            )
        )
        if posted.change_due is not None:
            label, figure = _("Monnaie à rendre :"), posted.change_due
        else:
            label, figure = _("Montant reçu :"), posted.amount
        self.query_one("#done-change-label", Static).update(Content.styled(label, "bold"))
        self.query_one("#done-change", Digits).update(format_money(figure))
        where = (
            Content.assemble(_("Reçu enregistré : "), user_content(str(event.path)))
            if event.path is not None
            else Content.styled(_("Le reçu PDF n'a pas été enregistré."), "$text-error")
        )
        self.query_one("#done-path", Static).update(where)
        self._show_print_state(None)
        email = (
            Content.assemble(_("Reçu envoyé par courriel à : "), user_content(event.emailed_to))
            if event.emailed_to
            else Content(_("Aucun courriel au dossier : reçu non envoyé."))
        )
        self.query_one("#done-email", Static).update(email)
        problems = " ".join(event.problems)
        self._set_status(problems or _("Entrée ou Échap pour fermer."), error=bool(problems))
        if problems:
            self.notify(problems, severity="warning", markup=False)
        self.refresh_bindings()

    def _show_print_state(self, error: DomainError | None) -> None:
        from registrar_tui.services.output import output_settings

        line = self.query_one("#done-print", Static)
        if error is not None:
            line.update(Content.styled(error.translated(), "$text-error"))
        elif self._outcome is not None and self._outcome.printed:
            line.update(Content(_("Reçu envoyé à l'imprimante.")))
        elif output_settings().printer_command and self._outcome and self._outcome.pdf_path:
            line.update(Content(_("F7 pour imprimer le reçu.")))
        else:
            line.update(Content(_("Aucune imprimante configurée pour ce poste.")))

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
        from registrar_tui.services.errors import DomainError
        from registrar_tui.services.output import output_settings, print_pdf

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
        self._show_print_state(event.error)
        if event.error is not None:
            self.notify(event.error.translated(), severity="error", markup=False)

    def action_close(self) -> None:
        if self._posting:
            return  # the payment may be committing: wait for its answer
        self.dismiss(self._outcome)  # type: ignore[arg-type]  # AppModalScreen is ModalScreen[None]
