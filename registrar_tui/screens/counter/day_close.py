"""Closing the drawer (scenario 9): expected totals by method, counted cash, the difference.

The signed-in clerk's drawer at their establishment: the screen shows what the services
expect since the last close, reads the counted cash as it is typed (the difference comes
from `services.cash_count`, never from arithmetic here), and on F9 records the close, then
saves its PDF report in this terminal's documents folder (F8 prints it).

Registrars and admins press F4 for the portal's « en ligne » drawers (online payments, no
cash to count): the first one opens over their own, F4 again goes to the next one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Input, Static

from registrar_tui.i18n import N_, _, current_language, format_datetime, format_money, pgettext
from registrar_tui.screens.payment.fields import PRINT_LETTER
from registrar_tui.screens.widgets.base import (
    AppScreen,
    KeysFooter,
    label_cell,
    method_label,
    money_cell,
    user_content,
)

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.ledger.day_close.cash_count import CashCount
    from registrar_tui.services.ledger.day_close.close import DayCloseSummary, OnlineDrawer

_FIELDS = {"counted_cash": "#counted-message", "note": "#note-message"}


class DayCloseScreen(AppScreen):
    """The clerk counts the drawer; F9 records the close and saves the report."""

    CSS_PATH = "day_close.tcss"
    AUTO_FOCUS = "#counted"
    BINDINGS: ClassVar[list[BindingType]] = [
        # F9 and Ctrl+G: the screen's main key, as « Payer » and the office are elsewhere.
        Binding(
            "f9,ctrl+g",
            "close_day",
            N_("Fermer la caisse"),
            id="day-close.confirm",
            tooltip=N_("Enregistrer la fermeture et son rapport PDF"),
        ),
        Binding(
            f"f8,{PRINT_LETTER}",
            "print_report",
            N_("Imprimer"),
            id="day-close.print",
            tooltip=N_("Envoyer le rapport enregistré à l'imprimante"),
        ),
        # Ctrl+O opened this screen (F10); pressed again here it goes on to the online drawer.
        Binding(
            "f4,ctrl+o",
            "online_drawer",
            N_("En ligne"),
            id="day-close.online",
            tooltip=N_("La caisse « en ligne » des paiements du portail (encore : la suivante)"),
        ),
        Binding("escape", "back", N_("Retour"), id="day-close.back", tooltip=N_("Fermer")),
    ]

    def __init__(
        self, online: tuple[OnlineDrawer, ...] = (), drawer_index: int | None = None
    ) -> None:
        super().__init__()
        self._online = online
        """The « en ligne » drawers (registrars), once F4 read them."""
        self._drawer = None if drawer_index is None else online[drawer_index]
        """The « en ligne » drawer this screen closes (None: the signed-in user's own)."""
        self._drawer_index = drawer_index
        self._summary: DayCloseSummary | None = None
        self._recorded: DayCloseSummary | None = None
        self._report: Path | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="day-close-header"):
            yield Static(Content(_("Fermeture de caisse")), id="day-close-title")
            yield Static(Content(_("Chargement…")), id="day-close-period")
        table: DataTable[object] = DataTable(id="totals", cursor_type="none")
        table.can_focus = False
        yield table
        yield Static(Content(""), id="expected")
        with Horizontal(classes="count-row"):
            yield Static(Content(_("Comptant compté")), classes="field-label")
            yield Input(id="counted", placeholder=format_money(Decimal(0)))
            yield Static(Content(""), id="difference")
        yield Static(Content(""), id="counted-message", classes="field-message")
        with Horizontal(classes="count-row"):
            yield Static(Content(pgettext("remarque", "Note")), classes="field-label")
            yield Input(id="note", placeholder=_("Facultative"), max_length=1000)
        yield Static(Content(""), id="note-message", classes="field-message")
        yield Static(Content(""), id="day-close-status")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#totals", DataTable)
        table.add_column(label_cell(_("Mode")), width=15)
        table.add_column(Text(_("Nb"), justify="right"), width=3)
        for label in (_("Encaissé"), _("Annulé"), _("Remboursé"), _("Attendu")):
            table.add_column(Text(label, justify="right"), width=11)
        identity = self.backend.identity
        if identity is not None and self._drawer is not None:
            # No cash in an online drawer: nothing to count, the close records 0,00 $.
            counted = self.query_one("#counted", Input)
            counted.value = format_money(Decimal(0))
            counted.disabled = True
            self.query_one("#note", Input).focus()
            self._load(identity.id, self._drawer.establishment_id)
            return
        if identity is None or identity.establishment_id is None:
            self._set_status(_("Votre compte n'est rattaché à aucun établissement."), error=True)
            return
        self._load(identity.id, identity.establishment_id)

    def _load(self, clerk_id: int, establishment_id: int) -> None:
        drawer_id = None if self._drawer is None else self._drawer.portal_user_id

        def preview(backend: Backend) -> DayCloseSummary:
            from registrar_tui.services.ledger.day_close.close import preview_day_close

            return backend.read(preview_day_close, clerk_id, establishment_id, drawer_id)

        self.call_service(preview, self._show_preview, group="day-close")

    def _show_preview(self, summary: DayCloseSummary) -> None:
        self._summary = summary
        self._show_summary(summary)
        self._update_difference()
        self.refresh_bindings()

    def _show_summary(self, summary: DayCloseSummary) -> None:
        establishment = summary.establishment
        self.query_one("#day-close-title", Static).update(
            Content.assemble(
                (_("Caisse en ligne") if summary.is_online else _("Fermeture de caisse"), "bold"),
                " · ",
                user_content(summary.clerk_name, "bold"),
                " · ",
                user_content(establishment.code, "bold"),
                " ",
                user_content(establishment.name),
            )
        )
        until = format_datetime(summary.closed_at)
        if summary.period_start is None:
            period = _("Période : jusqu'au {end} (première fermeture)").format(end=until)
        else:
            period = _("Période : du {start} au {end}").format(
                start=format_datetime(summary.period_start), end=until
            )
        self.query_one("#day-close-period", Static).update(Content(period))
        table = self.query_one("#totals", DataTable)
        table.clear()
        for total in summary.totals:
            table.add_row(
                label_cell(method_label(total.method)),
                Text(str(total.payment_count), justify="right"),
                money_cell(total.received),
                money_cell(total.voided),
                money_cell(total.refunded),
                money_cell(total.expected, "bold"),
            )
        if summary.is_online:
            cash = Content(_("Paiements en ligne : aucun comptant à compter."))
        else:
            cash = Content.assemble(
                _("Comptant attendu : "),
                (format_money(summary.expected_cash), "bold $text-warning"),
            )
        self.query_one("#expected", Static).update(
            Content.assemble(
                _("Total attendu : "), (format_money(summary.expected_total), "bold"), "    ", cash
            )
        )

    def _count(self) -> CashCount:
        """The typed counted cash against the expected cash; raises InvalidInput."""
        from registrar_tui.services.ledger.day_close.cash_count import count_cash

        assert self._summary is not None
        typed = self.query_one("#counted", Input).value
        return count_cash(typed, self._summary.expected_cash, current_language())

    @on(Input.Changed, "#counted")
    def _counted_changed(self) -> None:
        self._update_difference()

    def _update_difference(self) -> None:
        from registrar_tui.services.core.errors import DomainError

        if self._summary is None or self._recorded is not None or self._drawer is not None:
            return  # an online drawer has no cash, hence no difference
        difference = self.query_one("#difference", Static)
        if not self.query_one("#counted", Input).value.strip():
            difference.update(Content(""))
            self._show_field_error("counted_cash", "")
            return
        try:
            count = self._count()
        except DomainError as error:
            difference.update(Content(""))
            self._show_field_error("counted_cash", error.translated())
            return
        self._show_field_error("counted_cash", "")
        difference.update(self._describe_difference(count))

    @staticmethod
    def _describe_difference(count: CashCount) -> Content:
        if count.is_short:
            word, style = _("manque"), "bold $text-error"
        elif count.is_over:
            word, style = _("surplus"), "bold $text-warning"
        else:
            word, style = _("caisse juste"), "bold $text-success"
        return Content.assemble(
            _("Écart : "), (format_money(count.discrepancy), style), " ", (f"({word})", style)
        )

    @on(Input.Submitted, "#counted")
    def _counted_done(self) -> None:
        self.query_one("#note", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """F9 until the close is recorded, F8 after it (with a printer): one at a time, so
        that the footer fits 80 columns."""
        if action == "close_day":
            if self._recorded is not None:
                return False
            return (self._summary is not None and not self._busy) or None
        if action == "online_drawer":
            identity = self.backend.identity
            return identity is not None and identity.can_close_online_drawers
        if action == "print_report":
            if self._report is None:
                return False
            from registrar_tui.services.documents.output import output_settings

            return output_settings().printer_command is not None
        return True

    def action_close_day(self) -> None:
        from registrar_tui.services.core.errors import DomainError

        identity = self.backend.identity
        if self._summary is None or self._recorded is not None or self._busy or identity is None:
            return
        try:
            count = self._count()
        except DomainError as error:
            self._show_field_error("counted_cash", error.translated())
            self.query_one("#counted", Input).focus()
            return
        self._busy = True
        self.refresh_bindings()
        self._set_status(_("Enregistrement de la fermeture…"))
        note = self.query_one("#note", Input).value
        self._close(identity.id, self._summary.establishment.establishment_id, count, note)

    def _close(self, clerk_id: int, establishment_id: int, count: CashCount, note: str) -> None:
        language = current_language()
        drawer_id = None if self._drawer is None else self._drawer.portal_user_id

        def close(backend: Backend) -> _Closed:
            from registrar_tui.services.core.errors import DomainError
            from registrar_tui.services.documents.day_close import day_close_pdf
            from registrar_tui.services.documents.output import output_settings, save_pdf
            from registrar_tui.services.ledger.day_close.close import (
                attach_day_close_report,
                close_day,
            )

            summary = backend.write(
                close_day, clerk_id, establishment_id, count.counted, note, drawer_id=drawer_id
            )
            # The close is recorded: from here a failure only costs the report, never the
            # close.
            assert summary.day_close_id is not None
            try:
                document = backend.read(day_close_pdf, summary.day_close_id, language=language)
                backend.write(attach_day_close_report, summary.day_close_id, document.pdf)
                path = save_pdf(output_settings(), document)
            except DomainError as error:
                return _Closed(summary, None, error)
            return _Closed(summary, path, None)

        self.call_service(close, self._closed_day, group="day-close", exclusive=False)

    def _closed_day(self, event: _Closed) -> None:
        self._busy = False
        self._recorded = event.summary
        self._report = event.path
        summary = event.summary
        self._show_summary(summary)
        from registrar_tui.services.ledger.day_close.cash_count import compare_cash

        assert summary.counted_cash is not None
        if not summary.is_online:
            recorded = compare_cash(summary.counted_cash, summary.expected_cash)
            self.query_one("#difference", Static).update(self._describe_difference(recorded))
        for box in self.query(Input):
            box.disabled = True
        if event.path is not None:
            message = _("Caisse fermée. Rapport enregistré : {path}").format(path=event.path)
            self._set_status(message)
            self.notify(message, markup=False)
        else:
            problem = event.save_error.translated() if event.save_error else ""
            message = _("Caisse fermée, mais le rapport n'a pas pu être produit : {problem}")
            self._set_status(message.format(problem=problem), error=True)
            self.notify(message.format(problem=problem), severity="error", markup=False)
        self.refresh_bindings()

    def show_refusal(self, error: DomainError) -> None:
        """The preview, the close or the printing was refused: under the counted cash or
        the note when it is about one of them, else on the status line and in a notice."""
        self._busy = False
        message = error.translated()
        if error.field in _FIELDS:
            self._show_field_error(error.field, message)
            self.query_one("#counted" if error.field == "counted_cash" else "#note", Input).focus()
        else:
            self._set_status(message, error=True)
            self.notify(message, severity="error", markup=False)
        self.refresh_bindings()

    def action_print_report(self) -> None:
        if self._report is not None:
            self._print(self._report)

    def _print(self, path: Path) -> None:
        def send(backend: Backend) -> None:
            from registrar_tui.services.documents.output import output_settings, print_pdf

            print_pdf(output_settings(), path)

        self.call_service(send, self._printed, group="day-close-print", exclusive=False)

    def _printed(self, _sent: None) -> None:
        self.notify(_("Rapport envoyé à l'imprimante."), markup=False)

    def _show_field_error(self, field: str, message: str) -> None:
        self.query_one(_FIELDS[field], Static).update(Content(message))

    def _set_status(self, message: str, *, error: bool = False) -> None:
        status = self.query_one("#day-close-status", Static)
        status.update(Content(message))
        status.set_class(error, "-error")

    def action_back(self) -> None:
        self.dismiss()

    def action_online_drawer(self) -> None:
        """The next « en ligne » drawer: over the user's own drawer, or in place of this one."""
        identity = self.backend.identity
        if identity is None or not identity.can_close_online_drawers:
            return
        if self._drawer_index is not None:
            following = (self._drawer_index + 1) % len(self._online)
            self.app.switch_screen(DayCloseScreen(self._online, following))
            return
        actor_id = identity.id

        def drawers(backend: Backend) -> tuple[OnlineDrawer, ...]:
            from registrar_tui.services.ledger.day_close.close import online_drawers

            return backend.read(online_drawers, actor_id)

        self.call_service(drawers, self._open_online, group="day-close-online")

    def _open_online(self, drawers: tuple[OnlineDrawer, ...]) -> None:
        if not drawers:
            self.notify(_("Aucun paiement en ligne n'a encore été reçu."), markup=False)
            return
        # The first drawer with something to close, else the first one.
        first = next((n for n, drawer in enumerate(drawers) if drawer.open_count), 0)
        self.app.push_screen(DayCloseScreen(drawers, first))


@dataclass(frozen=True)
class _Closed:
    """The close is recorded; its report saved at `path` unless `save_error`."""

    summary: DayCloseSummary
    path: Path | None
    save_error: DomainError | None
