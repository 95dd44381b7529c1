"""The late-confirmation fee job, from the desk (F6, registrar and admin).

One row per term with an attendance-confirmation deadline: how many students the job
would charge now and how many were already charged. `f` shows who would be charged (the
students, their families, the total) and charges after a yes, queueing a message to each
family charged; running it again charges nobody twice (the service sees to it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Footer, Static

from registrar_tui.i18n import N_, _, format_date, format_money
from registrar_tui.screens.widgets.base import AppScreen, label_cell, user_cell

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.records.term_fees import LateFeePreview, LateFeeRun, LateFeeTerm


class TermFeesScreen(AppScreen):
    """Choose a term, see who would be charged, apply the late-confirmation fee."""

    CSS_PATH = "term_fees.tcss"
    COMMAND_NAMESPACE = N_("frais")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "f",
            "apply",
            N_("Facturer"),
            id="term-fees.apply",
            tooltip=N_("Facturer les frais de confirmation tardive de la session choisie"),
        ),
        Binding("escape", "back", N_("Retour"), id="term-fees.back", tooltip=N_("Retour")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._terms: tuple[LateFeeTerm, ...] = ()
        self._busy = False

    def compose(self) -> ComposeResult:
        yield Static(Content(_("Frais de confirmation tardive")), id="term-fees-title")
        yield Static(
            Content(
                _(
                    "Élèves inscrits qui n'ont pas confirmé leur présence à la date limite : "
                    "les frais sont facturés une seule fois par élève et par session."
                )
            ),
            id="term-fees-help",
        )
        table: DataTable[object] = DataTable(id="term-fees-table", cursor_type="row")
        yield table
        yield Static(Content(""), id="term-fees-result")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#term-fees-table", DataTable)
        for label in (
            _("Session"),
            _("Date limite"),
            _("Frais"),
            _("À facturer"),
            _("Déjà facturés"),
        ):
            table.add_column(label_cell(label))
        self._load()

    def _load(self) -> None:
        def load(backend: Backend) -> tuple[LateFeeTerm, ...]:
            from registrar_tui.services.records.term_fees import late_fee_terms

            return backend.read(late_fee_terms)

        self.call_service(load, self._show, group="term-fees-load")

    def _show(self, terms: tuple[LateFeeTerm, ...]) -> None:
        table = self.query_one("#term-fees-table", DataTable)
        row = table.cursor_row
        self._terms = terms
        table.clear()
        for term in terms:
            deadline = format_date(term.deadline)
            if not term.deadline_passed:
                deadline += " " + _("(à venir)")
            table.add_row(
                user_cell(term.term_code),
                label_cell(deadline),
                label_cell(format_money(term.fee) if term.fee is not None else "—"),
                label_cell(str(term.to_charge)),
                label_cell(str(term.already_charged)),
                key=term.term_code,
            )
        if terms:
            table.move_cursor(row=min(max(row, 0), len(terms) - 1))
        else:
            self.query_one("#term-fees-result", Static).update(
                Content(_("Aucune session n'a de date limite de confirmation."))
            )
        table.focus()
        self.refresh_bindings()

    def _selected(self) -> LateFeeTerm | None:
        table = self.query_one("#term-fees-table", DataTable)
        if not self._terms or table.row_count == 0:
            return None
        return self._terms[min(max(table.cursor_row, 0), len(self._terms) - 1)]

    @on(DataTable.RowHighlighted, "#term-fees-table")
    def _moved(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "apply":
            term = self._selected()
            if term is None or self._busy:
                return None
            return (term.deadline_passed and term.to_charge > 0) or None
        return True

    def action_apply(self) -> None:
        """Show who would be charged and the total; charge only after a yes."""
        term = self._selected()
        if term is None or self.check_action("apply", ()) is not True:
            return
        term_code = term.term_code

        def preview(backend: Backend) -> LateFeePreview:
            from registrar_tui.services.records.term_fees import late_fee_preview

            return backend.read(late_fee_preview, term_code)

        self.call_service(preview, self._ask, group="term-fees-preview", refused=self._refused)

    def _ask(self, preview: LateFeePreview) -> None:
        from registrar_tui.screens.desk.late_fee_preview import LateFeePreviewScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self._busy = True
                self.refresh_bindings()
                self._apply(preview.term_code)

        self.app.push_screen(LateFeePreviewScreen(preview), answered)

    def _apply(self, term_code: str) -> None:
        def apply(backend: Backend) -> LateFeeRun:
            from registrar_tui.services.records.term_fees import apply_late_confirmation_fees

            identity = backend.identity
            assert identity is not None
            return backend.write(
                apply_late_confirmation_fees, actor_id=identity.id, term_code=term_code
            )

        self.call_service(
            apply, self._applied, group="term-fees-apply", exclusive=False, refused=self._refused
        )

    def _applied(self, run: LateFeeRun) -> None:
        self._busy = False
        text = run.summary()
        self.query_one("#term-fees-result", Static).update(Content.styled(text, "bold"))
        self.notify(text, markup=False)
        self._load()

    def _refused(self, error: DomainError) -> None:
        self._busy = False
        self.notify(error.translated(), severity="error", markup=False)
        self._load()

    def action_back(self) -> None:
        self.dismiss()
