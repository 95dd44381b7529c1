"""One invoice: its lines (voluntary ones kept or declined with one key, a fee waived by a
registrar), payments, PDF."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from registrar_tui.i18n import N_, _, format_date, format_datetime, format_money
from registrar_tui.screens.counter.statement import STATE_LABELS
from registrar_tui.screens.widgets.base import (
    AppModalScreen,
    KeysFooter,
    WorkFailed,
    label_cell,
    method_label,
    money_cell,
    user_cell,
    user_content,
)

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.screens.widgets.pdf_output import SavedPdf
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.ledger.contributions import ContributionChange
    from registrar_tui.services.ledger.credit import AppliedCredit, CancelledInvoice
    from registrar_tui.services.ledger.invoice_detail import InvoiceDetail, InvoiceLineView
    from registrar_tui.services.ledger.waivers import WaivedFee


class InvoiceScreen(AppModalScreen[None]):
    """An invoice as issued and as it stands; `d` declines or restores a voluntary line,
    `w` waives a fee (registrar)."""

    CSS_PATH = "invoice.tcss"
    COMMAND_NAMESPACE = N_("facture")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "escape",
            "close",
            N_("Fermer"),
            id="invoice.close",
            tooltip=N_("Revenir à l'état de compte"),
        ),
        Binding(
            "d",
            "toggle_contribution",
            N_("Refuser / rétablir"),
            id="invoice.toggle-contribution",
            tooltip=N_("Refuser ou rétablir la cotisation volontaire sélectionnée"),
        ),
        Binding(
            "c",
            "apply_credit",
            N_("Crédit"),
            id="invoice.apply-credit",
            tooltip=N_("Payer la facture avec le crédit de la famille"),
        ),
        Binding(
            "x",
            "credit_note",
            N_("Note de crédit"),
            id="invoice.credit-note",
            tooltip=N_(
                "Annuler toute la facture par une note de crédit, avec un motif (registraire)"
            ),
        ),
        Binding(
            "w",
            "waive_fee",
            N_("Renoncer"),
            id="invoice.waive-fee",
            tooltip=N_(
                "Renoncer aux frais de la ligne sélectionnée : note de crédit, avec un motif "
                "(registraire)"
            ),
        ),
        Binding(
            "i",
            "pdf",
            N_("PDF"),
            id="invoice.pdf",
            tooltip=N_("Enregistrer la facture en PDF (et l'imprimer si un poste l'a)"),
        ),
    ]

    def __init__(self, invoice_id: int) -> None:
        super().__init__()
        self.invoice_id = invoice_id
        self.detail: InvoiceDetail | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="invoice-box"):
            yield Static(Content(_("Chargement…")), id="invoice-title")
            yield Static(Content(""), id="invoice-about")
            yield Static(Content(""), id="invoice-figures")
            lines: DataTable[object] = DataTable(id="invoice-lines", cursor_type="row")
            yield lines
            yield Static(Content(""), id="invoice-message")
            payments: DataTable[object] = DataTable(id="invoice-payments", cursor_type="none")
            yield payments
        # Compact: every key of a registrar (and « c » when there is credit) fits 80 columns.
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        lines = self.query_one("#invoice-lines", DataTable)
        lines.add_column(label_cell(_("Code")), width=10)
        lines.add_column(label_cell(_("Description")), width=34)
        lines.add_column(Text(_("Montant"), justify="right"), width=11)
        lines.add_column(label_cell(_("État")), width=10)
        payments = self.query_one("#invoice-payments", DataTable)
        payments.add_column(label_cell(_("Reçu")), width=15)
        payments.add_column(label_cell(_("Date")), width=16)
        payments.add_column(label_cell(_("Mode")), width=16)
        payments.add_column(Text(_("Montant"), justify="right"), width=11)
        self._load()

    def _load(self) -> None:
        invoice_id = self.invoice_id

        def fetch(backend: Backend) -> InvoiceDetail:
            from registrar_tui.services.ledger.invoice_detail import invoice_detail

            return backend.read(invoice_detail, invoice_id)

        self.call_service(fetch, self._show, group="invoice")

    def show_refusal(self, error: DomainError) -> None:
        """Refusals show on the screen's message line."""
        self._message(error.translated(), error=True)

    def _message(self, text: str, *, error: bool = False) -> None:
        self.query_one("#invoice-message", Static).update(
            Content.styled(text, "bold $text-error" if error else "$text-success")
        )

    def _show(self, detail: InvoiceDetail) -> None:
        self.detail = detail
        state = str(detail.state)
        self.query_one("#invoice-title", Static).update(
            Content.assemble(
                (_("Facture "), "bold"),
                user_content(detail.number, "bold"),
                "  ",
                (_(STATE_LABELS.get(state, state)), "bold"),
                "  ",
                # The same style as the payments listed below (one date style per screen).
                _("échéance {date}").format(date=format_date(detail.due_on, "short")),
            )
        )
        about = [user_content(detail.description)]
        about += [user_content(v) for v in (detail.student_name, detail.term_code) if v]
        self.query_one("#invoice-about", Static).update(Content(" · ").join(about))
        figures = Content.assemble(_("Total : "), (format_money(detail.total), "bold"), "   ")
        if detail.waived:
            figures = Content.assemble(figures, _("Renoncé : "), format_money(detail.waived), "   ")
        figures = Content.assemble(
            figures,
            _("Payé : "),
            format_money(detail.paid),
            "   ",
            (_("Solde : "), "bold"),
            (format_money(detail.balance), "bold $text-warning" if detail.balance else "bold"),
        )
        if detail.declined:
            figures = Content.assemble(
                figures, "   ", _("Refusé : "), format_money(detail.declined)
            )
        if detail.credit_note_number is not None:
            figures = Content.assemble(
                (_("Note de crédit "), "bold"),
                user_content(detail.credit_note_number, "bold"),
                " : ",
                user_content(detail.credit_note_reason or ""),
            )
        elif detail.family_credit and detail.balance > 0:
            figures = Content.assemble(
                figures,
                "   ",
                _("Crédit : "),
                (format_money(detail.family_credit), "$text-success"),
            )
        self.query_one("#invoice-figures", Static).update(figures)
        table = self.query_one("#invoice-lines", DataTable)
        cursor = table.cursor_row
        table.clear()
        for line in detail.lines:
            struck = "strike dim" if line.is_declined or line.is_waived else ""
            table.add_row(
                user_cell(line.fee_code),
                user_cell(line.description),
                money_cell(line.amount, struck),
                label_cell(_line_state(line)),
                key=str(line.line_id),
            )
        if detail.lines:
            table.move_cursor(row=min(cursor, len(detail.lines) - 1))
            voluntary = next((i for i, line in enumerate(detail.lines) if line.is_voluntary), None)
            if cursor == 0 and voluntary is not None:
                table.move_cursor(row=voluntary)
        payments = self.query_one("#invoice-payments", DataTable)
        payments.clear()
        for payment in detail.payments:
            method = method_label(payment.method)
            if payment.is_voided:
                method = f"{method} · {_('annulé')}"
            payments.add_row(
                user_cell(payment.receipt_number or ""),
                label_cell(format_datetime(payment.received_at, "yyyy-MM-dd HH:mm")),
                label_cell(method),
                money_cell(payment.amount, "strike dim" if payment.is_voided else ""),
            )
        payments.display = bool(detail.payments)
        table.focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Credit keys show only when they can act (and a credit note for a registrar)."""
        detail = self.detail
        if action == "credit_note":
            identity = self.backend.identity
            if identity is None or not identity.can_issue_credit_notes:
                return False
            return detail is not None and detail.credit_note_number is None
        if action == "waive_fee":
            identity = self.backend.identity
            if identity is None or not identity.can_issue_credit_notes:
                return False
            return detail is not None and detail.credit_note_number is None
        if action == "apply_credit":
            return (
                detail is not None
                and detail.credit_note_number is None
                and detail.balance > 0
                and detail.family_credit > 0
            )
        return True

    def action_credit_note(self) -> None:
        from registrar_tui.screens.counter.credit_note import CreditNoteScreen

        detail = self.detail
        if detail is None or self.check_action("credit_note", ()) is not True:
            return

        def answered(reason: str | None) -> None:
            if reason:
                self._cancel(reason)

        self.app.push_screen(CreditNoteScreen(detail), answered)

    def _cancel(self, reason: str) -> None:
        invoice_id, identity = self.invoice_id, self.backend.identity
        if identity is None:
            return

        def cancel(backend: Backend) -> CancelledInvoice:
            from registrar_tui.services.ledger.credit import cancel_invoice

            return backend.write(cancel_invoice, invoice_id, reason, identity.id)

        def cancelled(done: CancelledInvoice) -> None:
            text = _("Note de crédit {number} : {amount}.").format(
                number=done.credit_note_number, amount=format_money(done.amount)
            )
            if done.returned_to_credit:
                text += " " + _("Porté au crédit de la famille : {amount}.").format(
                    amount=format_money(done.returned_to_credit)
                )
            self._message(text)
            self.notify(text, markup=False, timeout=8)
            self._load()

        self.call_service(cancel, cancelled, group="invoice-change", exclusive=False)

    def action_waive_fee(self) -> None:
        from registrar_tui.screens.counter.waiver import WaiverScreen
        from registrar_tui.services.ledger.errors import ContributionNotWaivable, FeeAlreadyWaived

        detail, line = self.detail, self._selected_line()
        if detail is None or line is None or self.check_action("waive_fee", ()) is not True:
            return
        # The service refuses these too; said here before any reason is typed.
        if line.waived_by is not None:
            self._message(FeeAlreadyWaived(number=line.waived_by).translated(), error=True)
            return
        if line.is_voluntary:
            self._message(ContributionNotWaivable().translated(), error=True)
            return
        self._message("")  # a refusal said about another line no longer applies
        dialog = WaiverScreen(detail, line)
        line_id = line.line_id

        def answered(reason: str | None) -> None:
            if reason:
                self._waive(line_id, reason)

        self.app.push_screen(dialog, answered)

    def _waive(self, line_id: int, reason: str) -> None:
        identity = self.backend.identity
        if identity is None:
            return

        def waive(backend: Backend) -> WaivedFee:
            from registrar_tui.services.ledger.waivers import waive_fee

            return backend.write(waive_fee, line_id, reason, identity.id)

        def waived(done: WaivedFee) -> None:
            text = _("Frais renoncés : {line}, note de crédit {number} ({amount}).").format(
                line=done.description,
                number=done.credit_note_number,
                amount=format_money(done.amount),
            )
            if done.returned_to_credit:
                text += " " + _("Porté au crédit de la famille : {amount}.").format(
                    amount=format_money(done.returned_to_credit)
                )
            self._message(text)
            self.notify(text, markup=False, timeout=8)
            self._load()

        self.call_service(waive, waived, group="invoice-change", exclusive=False)

    def action_apply_credit(self) -> None:
        invoice_id, identity = self.invoice_id, self.backend.identity
        if identity is None or self.check_action("apply_credit", ()) is not True:
            return

        def apply(backend: Backend) -> AppliedCredit:
            from registrar_tui.services.ledger.credit import apply_credit

            return backend.write(apply_credit, invoice_id, identity.id)

        def applied(done: AppliedCredit) -> None:
            text = _("Crédit imputé : {amount}. Crédit restant : {left}.").format(
                amount=format_money(done.amount), left=format_money(done.family_credit_after)
            )
            self._message(text)
            self.notify(text, markup=False, timeout=8)
            self._load()

        self.call_service(apply, applied, group="invoice-change", exclusive=False)

    def _selected_line(self) -> InvoiceLineView | None:
        table = self.query_one("#invoice-lines", DataTable)
        if self.detail is None or table.row_count == 0:
            return None
        return self.detail.lines[table.cursor_row]

    def action_toggle_contribution(self) -> None:
        line = self._selected_line()
        if line is None:
            return
        if not line.is_voluntary:
            self._message(_("Seule une cotisation volontaire peut être refusée."), error=True)
            return
        self._toggle(line.line_id, not line.is_declined)

    def _toggle(self, line_id: int, decline: bool) -> None:
        identity = self.backend.identity
        if identity is None:
            return

        def change(backend: Backend) -> ContributionChange:
            from registrar_tui.services.ledger.contributions import (
                decline_contribution,
                restore_contribution,
            )

            service = decline_contribution if decline else restore_contribution
            return backend.write(service, line_id, identity.id)

        self.call_service(change, self._changed, group="invoice-change", exclusive=False)

    def _changed(self, done: ContributionChange) -> None:
        text = (
            _("Cotisation refusée : {line}")
            if done.is_declined
            else _("Cotisation rétablie : {line}")
        )
        self._message(text.format(line=done.description))
        self._load()

    def action_pdf(self) -> None:
        self._save()

    def _save(self) -> None:
        invoice_id = self.invoice_id

        def save(backend: Backend) -> SavedPdf:
            from registrar_tui.screens.widgets.pdf_output import save_and_print
            from registrar_tui.services.documents.build import invoice_pdf

            return save_and_print(backend, invoice_pdf, invoice_id)

        self.call_service(
            save,
            self._saved,
            group="invoice-pdf",
            exclusive=False,
            refused=lambda error: self.post_message(WorkFailed(error)),
        )

    def _saved(self, saved: SavedPdf) -> None:
        self.notify(_("PDF enregistré : {path}").format(path=saved.path), markup=False, timeout=8)
        if saved.print_error is not None:
            self.notify(saved.print_error.translated(), severity="error", markup=False)

    def action_close(self) -> None:
        self.dismiss()


def _line_state(line: InvoiceLineView) -> str:
    if line.is_waived:
        return _("renoncés")
    if not line.is_voluntary:
        return ""
    return _("refusée") if line.is_declined else _("conservée")
