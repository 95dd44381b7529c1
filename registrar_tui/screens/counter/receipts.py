"""A family's receipts, a page at a time; any payment receipt reprints marked DUPLICATA.

`ReceiptsView` is a widget: the family screen embeds it as its "Reçus" tab, and
`ReceiptsScreen` shows it alone. Reprinting saves the PDF (DUPLICATA, or ANNULÉ with the
reason for a voided payment) in this terminal's documents folder, and prints it on `p`
when the terminal has a printer. `v` voids the payment (registrar/admin only: scenario 5).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Static

from registrar_tui.i18n import N_, NP_, _, format_datetime
from registrar_tui.screens.widgets.base import (
    AppScreen,
    label_cell,
    method_label,
    money_cell,
    page_bindings,
    user_cell,
    user_content,
    user_text,
)
from registrar_tui.screens.widgets.paged_table import PagedTable
from registrar_tui.screens.widgets.service_call import ServiceCaller

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.core.paging import Page
    from registrar_tui.services.ledger.receipt_list import FamilyReceipts, ReceiptRow
    from registrar_tui.services.ledger.voids import VoidedPayment

# Numeric and compact in every language: the column stays 16 wide.
_DATE_TIME = "yyyy-MM-dd HH:mm"


class ReceiptsView(ServiceCaller, Widget):
    """One page of a family's receipts; Enter or `r` reprints, `p` reprints and prints."""

    DEFAULT_CSS = """
    ReceiptsView {
        height: 1fr;
    }
    ReceiptsView > #receipts-status, ReceiptsView > #receipts-result {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    ReceiptsView > #receipts-result.-error {
        color: $text-error;
        text-style: bold;
    }
    ReceiptsView > DataTable {
        height: 1fr;
        scrollbar-size-horizontal: 0;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "r",
            "reprint",
            N_("Réimprimer"),
            id="receipts.reprint",
            tooltip=N_("Enregistrer une copie du reçu (DUPLICATA)"),
        ),
        Binding(
            "p",
            "reprint(True)",
            N_("Imprimer"),
            id="receipts.print",
            tooltip=N_("Réimprimer le reçu et l'envoyer à l'imprimante"),
        ),
        Binding(
            "v",
            "void",
            NP_("annuler un paiement", "Annuler"),
            id="receipts.void",
            tooltip=N_("Annuler le paiement de ce reçu, avec un motif (registraire)"),
        ),
        *page_bindings(
            "receipts", N_("Afficher les reçus plus récents"), N_("Afficher les reçus plus anciens")
        ),
    ]

    @dataclass
    class PageLoaded(Message):
        """A page of receipts arrived (a hosting screen shows the family's name from it)."""

        receipts: FamilyReceipts

    def __init__(self, family_id: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.family_id = family_id
        self._offset = 0
        self._printer = False  # this terminal has a printer command (read on mount)

    @property
    def page(self) -> Page[ReceiptRow] | None:
        """The page shown (None until the first one arrives)."""
        return self._table().page

    def _table(self) -> PagedTable[ReceiptRow]:
        return self.query_one("#receipts-table", PagedTable)

    def compose(self) -> ComposeResult:
        yield Static(Content(_("Chargement…")), id="receipts-status")
        table: PagedTable[ReceiptRow] = PagedTable(id="receipts-table", cursor_type="row")
        yield table
        yield Static(Content(""), id="receipts-result")

    def on_mount(self) -> None:
        from registrar_tui.services.documents.output import output_settings

        self._printer = output_settings().printer_command is not None
        table = self.query_one("#receipts-table", DataTable)
        table.add_column(label_cell(_("N° de reçu")), width=15)
        table.add_column(label_cell(_("Date")), width=16)
        table.add_column(Text(_("Montant"), justify="right"), width=11)
        table.add_column(label_cell(_("Mode")), width=15)
        table.add_column(label_cell(_("État")), width=30)
        table.add_column(label_cell(_("Par")))
        self.load(0)

    def focus_table(self) -> None:  # the family screen calls it when the tab opens
        self.query_one("#receipts-table", DataTable).focus()

    def load(self, offset: int) -> None:
        """Fetch the page starting at `offset` (0: the newest receipts)."""
        self._offset = offset
        self._fetch(offset)

    def reload(self) -> None:
        """Show the newest receipts again (after a payment, a void or a refund)."""
        self.load(0)

    def _fetch(self, offset: int) -> None:
        family_id = self.family_id

        def fetch(backend: Backend) -> FamilyReceipts:
            from registrar_tui.services.ledger.receipt_list import PAGE_SIZE, family_receipts

            return backend.read(family_receipts, family_id, offset=offset, limit=PAGE_SIZE)

        self.call_service(fetch, self._show_page, group="receipts")

    def _show_page(self, receipts: FamilyReceipts) -> None:
        # Bubbles: a hosting screen may show the family's name from the page.
        self.post_message(self.PageLoaded(receipts))
        page = receipts.page
        if page.offset != self._offset:
            return  # the user turned the page again since
        table = self._table()
        table.show_page(
            page,
            lambda row: (
                user_cell(row.receipt_number),
                label_cell(format_datetime(row.issued_at, _DATE_TIME)),
                money_cell(row.amount, "" if not row.is_voided else "strike"),
                label_cell(method_label(row.method)),
                self._state_cell(row),
                user_cell(row.clerk_name),
            ),
        )
        status = table.status(
            _("Reçus {first}–{last} sur {total}, du plus récent au plus ancien"),
            _("Aucun reçu pour cette famille."),
        )
        self.query_one("#receipts-status", Static).update(Content(status))
        self.screen.refresh_bindings()

    @staticmethod
    def _state_cell(row: ReceiptRow) -> Text:
        if row.is_voided:
            # The label is ours, the reason was typed by a person: never parsed as markup.
            cell = Text(_("ANNULÉ"), style="bold red", no_wrap=True, overflow="ellipsis")
            if row.void_reason:
                cell.append(" — " + user_text(row.void_reason))
            return cell
        if row.is_refund:
            return label_cell(_("Remboursement"))
        return label_cell("")

    def selected(self) -> ReceiptRow | None:
        """The receipt under the cursor."""
        return self._table().selected_row()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Page keys dim with no page that way; reprint needs a receipt; `v` a supervisor."""
        if action == "page" and parameters:
            return self._table().can_page(int(str(parameters[0])))
        if action == "reprint":
            if parameters and parameters[0] is True and not self._printer:
                return False  # no printer at this terminal: `r` saves the copy
            return self.selected() is not None or None
        if action == "void":
            identity = self.backend.identity
            if identity is None or not identity.can_void:  # the service checks too
                return False
            row = self.selected()
            return (row is not None and row.payment_id is not None and not row.is_voided) or None
        return True

    def action_page(self, direction: int) -> None:
        offset = self._table().page_offset(direction)
        if offset is not None:
            self.load(offset)

    @on(DataTable.RowSelected, "#receipts-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_reprint()

    @on(DataTable.RowHighlighted, "#receipts-table")
    def _row_moved(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.screen.refresh_bindings()

    def action_reprint(self, send_to_printer: bool = False) -> None:
        row = self.selected()
        if row is None:
            return
        self._show_result(_("Réimpression du reçu {number}…").format(number=row.receipt_number))
        self._reprint(row.payment_id, row.refund_id, row.receipt_number, send_to_printer)

    def _reprint(
        self, payment_id: int | None, refund_id: int | None, number: str, send_to_printer: bool
    ) -> None:
        def reprint(backend: Backend) -> _Reprinted:
            from registrar_tui.services.core.errors import DomainError
            from registrar_tui.services.documents.build import receipt_pdf, refund_receipt_pdf
            from registrar_tui.services.documents.output import (
                output_settings,
                print_pdf,
                save_pdf,
            )

            settings = output_settings()
            # copy=None: DUPLICATA, or ANNULÉ with its reason; in the family's language, on
            # this terminal's receipt page (Letter or roll).
            page = settings.receipt_format
            if payment_id is not None:
                document = backend.read(
                    receipt_pdf, payment_id, copy=None, language=None, receipt_format=page
                )
            else:
                assert refund_id is not None
                document = backend.read(
                    refund_receipt_pdf, refund_id, language=None, receipt_format=page
                )
            path = save_pdf(settings, document)
            print_error: DomainError | None = None
            if send_to_printer:
                try:
                    print_pdf(settings, path)
                except DomainError as error:
                    print_error = error
            return _Reprinted(number, path, send_to_printer and print_error is None, print_error)

        self.call_service(reprint, self._saved, group="receipts-reprint", exclusive=False)

    def action_void(self) -> None:
        """Open the void form for the highlighted payment; refresh everything once voided."""
        from registrar_tui.screens.counter.statement import StatementView
        from registrar_tui.screens.payment.void import VoidPaymentScreen

        row = self.selected()
        if row is None or not self.check_action("void", ()):
            return

        def done(voided: VoidedPayment | None) -> None:
            if voided is None:
                return
            message = _("Paiement du reçu {number} annulé.").format(number=voided.receipt_number)
            self._show_result(message)
            self.notify(message, markup=False)
            self.reload()
            # The family screen's statement too: its Changed message refreshes the header.
            for statement in self.screen.query(StatementView):
                statement.reload()

        self.app.push_screen(VoidPaymentScreen(row), done)

    def _saved(self, event: _Reprinted) -> None:
        if event.printed:
            text = _("Reçu {number} imprimé et enregistré : {path}")
        else:
            text = _("Reçu {number} enregistré : {path}")
        message = text.format(number=event.receipt_number, path=event.path)
        self._show_result(message)
        self.notify(message, markup=False)
        if event.print_error is not None:
            self.notify(event.print_error.translated(), severity="error", markup=False)

    def show_refusal(self, error: DomainError) -> None:
        """Loading or reprinting was refused: the result line says why, and a notice."""
        message = error.translated()
        if self.page is None:
            self.query_one("#receipts-status", Static).update(Content(message))
        self._show_result(message, error=True)
        self.notify(message, severity="error", markup=False)

    def _show_result(self, message: str, *, error: bool = False) -> None:
        result = self.query_one("#receipts-result", Static)
        result.update(Content(message))
        result.set_class(error, "-error")


@dataclass(frozen=True)
class _Reprinted:
    """A reprint was saved (and printed when asked)."""

    receipt_number: str
    path: Path
    printed: bool
    print_error: DomainError | None


class ReceiptsScreen(AppScreen):
    """A family's receipts on their own screen (the family screen embeds `ReceiptsView`)."""

    CSS_PATH = "receipts.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Retour"), id="receipts.back", tooltip=N_("Fermer")),
    ]

    def __init__(self, family_id: int) -> None:
        super().__init__()
        self.family_id = family_id

    def compose(self) -> ComposeResult:
        yield Static(Content(_("Reçus")), id="receipts-title")
        yield ReceiptsView(self.family_id, id="receipts")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one(ReceiptsView).focus_table()

    @on(ReceiptsView.PageLoaded)
    def _title(self, event: ReceiptsView.PageLoaded) -> None:
        # The view's page bubbles up here: it carries the family's name.
        receipts = event.receipts
        self.query_one("#receipts-title", Static).update(
            Content.assemble(
                (_("Reçus"), "bold"),
                " · ",
                user_content(receipts.family_name, "bold"),
                "  ",
                user_content(receipts.family_number),
            )
        )

    def action_back(self) -> None:
        self.dismiss()
