"""The payment modal's two panels: the allocation preview and the receipt once posted."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Digits, Static

from registrar_tui.i18n import _, format_money
from registrar_tui.screens.widgets.base import label_cell, money_cell, user_cell, user_content

if TYPE_CHECKING:
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.ledger.payment_preview import PaymentPreview
    from registrar_tui.services.ledger.posted_receipts import PostedPayment

UNKNOWN = "—"
"""In place of a figure that depends on a field that cannot be read."""


def _figure_cell(amount: Decimal | None, style: str = "") -> Text:
    if amount is None:
        return Text(UNKNOWN, style="dim", justify="right", no_wrap=True)
    return money_cell(amount, style)


class AllocationPreview(Vertical):
    """Which invoice gets what, and what becomes credit, as the preview service says."""

    def compose(self) -> ComposeResult:
        yield Static(Content(_("Imputation")), classes="section-title")
        table: DataTable[object] = DataTable(id="allocation", cursor_type="none")
        table.can_focus = False  # nothing to choose there: the boxes keep the keys
        yield table
        yield Static(Content(""), id="credit-created")

    def on_mount(self) -> None:
        table = self.query_one("#allocation", DataTable)
        table.add_column(label_cell(_("Facture")), width=11)
        # Bounded widths: at 80 columns the last amount must not be cut off.
        table.add_column(label_cell(_("Description")), width=22)
        for label in (_("Solde"), _("Imputé"), _("Après")):
            table.add_column(label_cell(label), width=10)

    def show(self, preview: PaymentPreview) -> None:
        table = self.query_one("#allocation", DataTable)
        table.clear()
        for line in preview.lines:
            # An invoice that owes nothing any more is dimmed: posting would refuse it.
            style = "" if line.is_payable else "dim"
            table.add_row(
                user_cell(line.number),
                user_cell(line.description),
                money_cell(line.balance, style),
                _figure_cell(line.applied, "bold" if line.applied else style),
                _figure_cell(line.balance_after, style),
            )
        credit = preview.credit_created
        self.query_one("#credit-created", Static).update(
            Content.assemble(
                _("Crédit à la famille : "),
                (UNKNOWN, "dim")
                if credit is None
                else (format_money(credit), "bold $text-success"),
            )
        )


class ReceiptPanel(Vertical):
    """After posting: the receipt number, the change due in large type, where the PDF went."""

    def compose(self) -> ComposeResult:
        yield Static(Content(""), id="done-title")
        yield Static(Content(""), id="done-change-label")
        yield Digits("", id="done-change")
        yield Static(Content(""), id="done-credit")
        yield Static(Content(""), id="done-path")
        yield Static(Content(""), id="done-print")
        yield Static(Content(""), id="done-email")

    def show(self, posted: PostedPayment, path: Path | None, emailed_to: str | None) -> None:
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
        credit = self.query_one("#done-credit", Static)
        credit.display = bool(posted.credit_created)  # the clerk said o to the question
        credit.update(
            Content.assemble(
                _("Porté au crédit de la famille : "),
                (format_money(posted.credit_created), "bold $text-success"),
            )
        )
        where = (
            Content.assemble(_("Reçu enregistré : "), user_content(str(path)))
            if path is not None
            else Content.styled(_("Le reçu PDF n'a pas été enregistré."), "$text-error")
        )
        self.query_one("#done-path", Static).update(where)
        email = (
            Content.assemble(
                _("Reçu mis en file d'envoi par courriel pour : "), user_content(emailed_to)
            )
            if emailed_to
            else Content(_("Aucun courriel au dossier : reçu non envoyé."))
        )
        self.query_one("#done-email", Static).update(email)

    def show_printing(self, *, can_print: bool, printed: bool, error: DomainError | None) -> None:
        line = self.query_one("#done-print", Static)
        if error is not None:
            line.update(Content.styled(error.translated(), "$text-error"))
        elif printed:
            line.update(Content(_("Reçu envoyé à l'imprimante.")))
        elif can_print:
            line.update(Content(_("F7 ou I pour imprimer le reçu.")))
        else:
            line.update(Content(_("Aucune imprimante configurée pour ce poste.")))
