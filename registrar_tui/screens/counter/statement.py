"""The statement of account, as the family's "3 Facturation" tab shows it.

Invoices oldest due first, one page at a time (the table never holds more than a page,
so a family with 200 invoices opens as fast as one with 2); unpaid ones pre-selected;
space toggles; Enter opens the invoice (voluntary lines declined or restored there);
F9 pays the selection; `i` and `e` save the invoice and the statement as PDF; `p` opens
the family's payment plan (registrar).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Static

from registrar_tui.i18n import N_, _, format_date, format_money, ngettext
from registrar_tui.screens.payment.fields import PAY_KEYS
from registrar_tui.screens.widgets.base import (
    WorkFailed,
    label_cell,
    money_cell,
    page_bindings,
    user_cell,
)
from registrar_tui.screens.widgets.paged_table import PagedTable
from registrar_tui.screens.widgets.service_call import ServiceCaller

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.screens.widgets.pdf_output import SavedPdf
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.ledger.credit import CreditApplied, RefundedCredit
    from registrar_tui.services.ledger.statement import Statement, StatementLine

PAGE_SIZE = 10

STATE_LABELS = {
    "open": N_("à payer"),
    "partial": N_("partielle"),
    "paid": N_("payée"),
    "overdue": N_("en retard"),
    "cancelled": N_("annulée"),
}


class StatementView(ServiceCaller, Widget, can_focus=False):
    """A family's statement of account: select invoices, open one, pay, save PDFs."""

    DEFAULT_CSS = """
    StatementView {
        height: 1fr;
    }
    StatementView > DataTable {
        height: 1fr;
        scrollbar-size-horizontal: 0;
    }
    StatementView > #statement-totals, StatementView > #statement-status {
        height: 1;
        padding: 0 1;
    }
    StatementView > #statement-status {
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space",
            "toggle_selection",
            N_("Cocher"),
            id="statement.toggle",
            tooltip=N_("Sélectionner ou retirer la facture pour le paiement"),
        ),
        Binding(
            PAY_KEYS,
            "pay",
            N_("Payer"),
            id="statement.pay",
            tooltip=N_("Payer les factures cochées"),
        ),
        Binding(
            "c",
            "apply_credit",
            N_("Crédit"),
            id="statement.apply-credit",
            tooltip=N_("Payer les factures cochées avec le crédit de la famille"),
        ),
        Binding(
            "r",
            "refund",
            N_("Rembourser"),
            id="statement.refund",
            tooltip=N_("Rembourser le crédit de la famille (registraire)"),
        ),
        Binding(
            "i",
            "invoice_pdf",
            N_("Facture"),
            id="statement.invoice-pdf",
            tooltip=N_("Enregistrer la facture en PDF (et l'imprimer si un poste l'a)"),
        ),
        Binding(
            "e",
            "statement_pdf",
            N_("Relevé"),
            id="statement.statement-pdf",
            tooltip=N_("Enregistrer l'état de compte en PDF (et l'imprimer si un poste l'a)"),
        ),
        Binding(
            "p",
            "payment_plan",
            N_("Échéancier"),
            id="statement.payment-plan",
            tooltip=N_("L'échéancier de la famille : le voir, en convenir un, l'annuler"),
        ),
        # Not in the footer: the status line says "Factures 1–10 de 200 · PgPréc/PgSuiv".
        *page_bindings(
            "statement", N_("Factures précédentes"), N_("Factures suivantes"), show=False
        ),
    ]

    @dataclass
    class Changed(Message):
        """The statement was (re)loaded: the family header may show a new balance."""

        statement: Statement

    def __init__(self, family_id: int, *, id: str | None = None, autoload: bool = True) -> None:
        super().__init__(id=id)
        self.family_id = family_id
        self._autoload = autoload
        self._requested = False  # a load was started (ensure_loaded starts one otherwise)
        self._pay_when_loaded = False  # F9 came before the statement: pay once it arrives
        self.statement: Statement | None = None
        """The statement shown (None until it arrives)."""
        self.selected: set[int] = set()
        """Invoice ids ticked for the next payment."""
        self._first_load = True

    def compose(self) -> ComposeResult:
        yield Static(Content(_("Chargement…")), id="statement-status")
        table: PagedTable[StatementLine] = PagedTable(id="statement-table", cursor_type="row")
        yield table
        yield Static(Content(""), id="statement-totals")

    def on_mount(self) -> None:
        table = next(iter(self.query("#statement-table").results(DataTable)), None)
        if table is None:
            return  # removed as it was mounted: its screen closed meanwhile
        table.add_column(label_cell("✓"), width=1, key="mark")
        table.add_column(label_cell(_("Session")), width=8)
        table.add_column(label_cell(_("N°")), width=11)
        table.add_column(label_cell(_("Échéance")), width=10)
        table.add_column(Text(_("Solde"), justify="right"), width=11)
        table.add_column(label_cell(_("État")), width=9)
        table.add_column(label_cell(_("Description")))
        if self._autoload:
            self.reload()

    def focus_table(self) -> None:
        self.query_one("#statement-table", DataTable).focus()

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        """Read the statement again (after a payment, a decline, another clerk's change)."""
        self._requested = True
        self._fetch()

    def ensure_loaded(self) -> None:
        """Load the statement unless a load was already started."""
        if not self._requested:
            self.reload()

    def _fetch(self) -> None:
        family_id = self.family_id

        def fetch(backend: Backend) -> Statement:
            from registrar_tui.services.ledger.statement import statement

            return backend.read(statement, family_id)

        self.call_service(fetch, self.show, group="statement")

    def show_refusal(self, error: DomainError) -> None:
        """Refusals show on the statement's status line."""
        self.query_one("#statement-status", Static).update(
            Content.styled(error.translated(), "bold $text-error")
        )

    def expect(self) -> None:
        """The owner reads the statement itself and will hand it to `show` (no own load)."""
        self._requested = True

    def show(self, found: Statement) -> None:
        """Show a statement just read (by this view's worker or by its owner's)."""
        if not self.query("#statement-table"):
            return  # read for a screen closed meanwhile (its widgets already removed)
        payable = {line.invoice_id for line in found.invoices if _payable(line)}
        if self._first_load:
            self.selected = payable
            self._first_load = False
        else:
            self.selected &= payable
        self.statement = found
        shown = self._table().page
        start = shown.offset if shown is not None else 0
        self._show_page(min(start, _last_page_start(len(found.invoices))))
        self.post_message(self.Changed(found))
        if self._pay_when_loaded:
            self._pay_when_loaded = False
            self.action_pay()

    def _table(self) -> PagedTable[StatementLine]:
        return self.query_one("#statement-table", PagedTable)

    def _show_page(self, start: int, *, keep_cursor: bool = True) -> None:
        """Show the invoices from `start` (the cursor on the same row, or on the first)."""
        from registrar_tui.services.core.paging import Page

        found = self.statement
        if found is None:
            return
        table = self._table()
        table.show_page(
            Page.slice(found.invoices, start, PAGE_SIZE),
            self._cells,
            keep_cursor=keep_cursor,
            key=lambda line: str(line.invoice_id),
        )
        ticked = len(self.selected)
        status = table.status(
            _("Factures {first}–{last} sur {total} · {ticked}"),
            _("Aucune facture."),
            ticked=ngettext("{count} cochée", "{count} cochées", ticked).format(count=ticked),
        )
        if len(found.invoices) > PAGE_SIZE:
            status = f"{status} · {_('PgPréc/PgSuiv : autres pages')}"
        if found.plan is not None:
            # The clerk at the counter sees that the family pays by instalments.
            plan = _("échéancier : {left} à payer").format(
                left=format_money(found.plan.outstanding)
            )
            status = f"{status} · {plan}"
        self.query_one("#statement-status", Static).update(Content(status))
        totals = Content.assemble(
            (_("Solde dû : "), "bold"),
            (format_money(found.total_due), "bold $text-warning" if found.total_due else "bold"),
            "  ",
            _("En retard : "),
            (format_money(found.overdue), "$text-error" if found.overdue else ""),
            "  ",
            _("Crédit : "),
            (format_money(found.credit), "$text-success" if found.credit else ""),
            "  ",
            _("Net : "),
            (format_money(found.net_balance), "bold"),
        )
        self.query_one("#statement-totals", Static).update(totals)
        self.refresh_bindings()  # the credit keys follow the credit and the ticks

    # ------------------------------------------------------------------ actions

    def _cells(self, line: StatementLine) -> tuple[Text, ...]:
        state = str(line.state)
        return (
            label_cell("✓" if line.invoice_id in self.selected else " "),
            user_cell(line.term_code or ""),
            user_cell(line.number),
            label_cell(format_date(line.due_on, "short")),
            money_cell(line.balance, "bold" if line.balance else ""),
            Text(_(STATE_LABELS.get(state, state)), style=_rich_style(state), no_wrap=True),
            self._description(line),
        )

    @staticmethod
    def _description(line: StatementLine) -> Text:
        cell = user_cell(
            f"{line.description} · {line.student_name}" if line.student_name else line.description
        )
        if line.waived:
            # The amount first: the description column is narrow at 80 columns.
            waived = _("{amount} renoncés").format(amount=format_money(line.waived))
            cell = Text.assemble(Text(f"{waived} · ", style="italic"), cell)
        return cell

    def _current(self) -> StatementLine | None:
        return self._table().selected_row() if self.statement is not None else None

    def action_toggle_selection(self) -> None:
        line = self._current()
        if line is None:
            return
        if line.invoice_id in self.selected:
            self.selected.discard(line.invoice_id)
        elif _payable(line):
            self.selected.add(line.invoice_id)
        else:
            self.app.notify(_("Cette facture n'a rien à payer."), markup=False)
            return
        table = self._table()
        if table.page is not None:
            self._show_page(table.page.offset)
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1)

    def action_page(self, step: int) -> None:
        start = self._table().page_offset(step)
        if self.statement is not None and start is not None:
            self._show_page(start, keep_cursor=False)

    def selected_invoice_ids(self) -> tuple[int, ...]:
        """The ticked invoices, oldest due first (the statement's order)."""
        found = self.statement
        if found is None:
            return ()
        return tuple(line.invoice_id for line in found.invoices if line.invoice_id in self.selected)

    def action_pay(self) -> None:
        """Open the payment form on the ticked invoices; reload once it closes."""
        from registrar_tui.screens.payment.screen import PaymentScreen

        if self.statement is None:
            # A quick F9 right after opening the family: pay as soon as the rows arrive.
            self._pay_when_loaded = True
            self.ensure_loaded()
            return
        chosen = self.selected_invoice_ids()
        if not chosen:
            if not any(_payable(line) for line in self.statement.invoices):
                self.app.notify(_("Rien à payer : cette famille ne doit rien."), markup=False)
                return
            self.app.notify(
                _("Aucune facture cochée : cochez-en avec la barre d'espace."), markup=False
            )
            return

        def paid(outcome: object) -> None:
            self.reload()

        self.app.push_screen(
            PaymentScreen(self.family_id, chosen, balance_changed=self.reload), paid
        )

    @on(DataTable.RowSelected, "#statement-table")
    def _open_invoice(self, event: DataTable.RowSelected) -> None:
        from registrar_tui.screens.counter.invoice import InvoiceScreen

        if event.row_key.value is None:
            return

        def closed(_result: object) -> None:
            self.reload()

        self.app.push_screen(InvoiceScreen(int(event.row_key.value)), closed)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The credit keys show only while the family has credit (a refund: registrar)."""
        found = self.statement
        if action == "apply_credit":
            return found is not None and found.credit > 0 and bool(self.selected_invoice_ids())
        if action == "payment_plan":
            identity = self.backend.identity
            return identity is not None and identity.can_manage_payment_plans
        if action == "refund":
            identity = self.backend.identity
            if identity is None or not identity.can_issue_credit_notes:
                return False
            return found is not None and found.credit > 0
        return True

    def action_apply_credit(self) -> None:
        """Pay the ticked invoices from the family's credit, oldest due first, after a yes."""
        from registrar_tui.screens.desk.modals import ConfirmScreen

        found, chosen = self.statement, self.selected_invoice_ids()
        if found is None or self.check_action("apply_credit", ()) is not True:
            return
        question = _(
            "Imputer le crédit de la famille ({credit}) aux factures cochées, "
            "la plus ancienne d'abord ?"
        ).format(credit=format_money(found.credit))

        def answered(yes: bool | None) -> None:
            if yes:
                self._apply_credit(chosen)

        self.app.push_screen(ConfirmScreen(_("Crédit de la famille"), question), answered)

    def _apply_credit(self, chosen: tuple[int, ...]) -> None:
        family_id = self.family_id

        def apply(backend: Backend) -> CreditApplied:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.ledger.credit import apply_credit_to_invoices

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            return backend.write(apply_credit_to_invoices, family_id, chosen, identity.id)

        def applied(done: CreditApplied) -> None:
            self.app.notify(
                _("Crédit imputé : {amount}. Crédit restant : {left}.").format(
                    amount=format_money(done.total), left=format_money(done.family_credit_after)
                ),
                markup=False,
                timeout=8,
            )
            self.reload()

        self.call_service(apply, applied, group="statement-credit", exclusive=False)

    def action_refund(self) -> None:
        from registrar_tui.screens.counter.refund import RefundScreen

        found = self.statement
        if found is None or self.check_action("refund", ()) is not True:
            return

        def done(outcome: tuple[RefundedCredit, SavedPdf] | None) -> None:
            if outcome is None:
                return
            refunded, saved = outcome
            self.app.notify(
                _("Remboursé : {amount} (reçu {number}). PDF enregistré : {path}").format(
                    amount=format_money(refunded.amount),
                    number=refunded.receipt_number,
                    path=saved.path,
                ),
                markup=False,
                timeout=8,
            )
            if saved.print_error is not None:
                self.app.notify(saved.print_error.translated(), severity="error", markup=False)
            self.reload()

        self.app.push_screen(RefundScreen(self.family_id, found.family_name, found.credit), done)

    def action_payment_plan(self) -> None:
        """The family's payment plan (registrar); the statement is read again after."""
        from registrar_tui.screens.counter.plan import PaymentPlanScreen

        if self.check_action("payment_plan", ()) is not True:
            return

        def closed(_result: object) -> None:
            self.reload()

        self.app.push_screen(PaymentPlanScreen(self.family_id), closed)

    def action_invoice_pdf(self) -> None:
        line = self._current()
        if line is not None:
            self._save("invoice", line.invoice_id)

    def action_statement_pdf(self) -> None:
        self._save("statement", self.family_id)

    def _save(self, kind: str, record_id: int) -> None:
        def save(backend: Backend) -> SavedPdf:
            from registrar_tui.screens.widgets.pdf_output import save_and_print
            from registrar_tui.services.documents.build import invoice_pdf, statement_pdf

            build = invoice_pdf if kind == "invoice" else statement_pdf
            return save_and_print(backend, build, record_id)

        self.call_service(
            save,
            self._saved,
            group="statement-pdf",
            exclusive=False,
            refused=lambda error: self.post_message(WorkFailed(error)),
        )

    def _saved(self, saved: SavedPdf) -> None:
        self.app.notify(
            _("PDF enregistré : {path}").format(path=saved.path), markup=False, timeout=8
        )
        if saved.print_error is not None:
            self.app.notify(saved.print_error.translated(), severity="error", markup=False)


def _payable(line: StatementLine) -> bool:
    return str(line.state) != "cancelled" and line.balance > 0


def _last_page_start(count: int) -> int:
    return max(0, (count - 1) // PAGE_SIZE * PAGE_SIZE)


def _rich_style(state: str) -> str:
    return {"overdue": "bold red", "paid": "green", "cancelled": "dim"}.get(state, "")
