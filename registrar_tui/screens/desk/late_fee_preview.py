"""Before the late-confirmation fee is charged: who (students and their families, a page
at a time) and how much in all. `o` charges, `n` or Escape leaves everything as it was."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Footer, Static

from registrar_tui.i18n import N_, _, format_date, format_money, ngettext
from registrar_tui.screens.widgets.base import (
    _SCREEN_BINDINGS,
    AppModalScreen,
    label_cell,
    page_bindings,
    user_cell,
    user_content,
)
from registrar_tui.screens.widgets.paged_table import PagedTable

if TYPE_CHECKING:
    from registrar_tui.services.records.term_fees import LateFeePreview, LateStudent

PAGE_ROWS = 8


def preview_summary(preview: LateFeePreview) -> str:
    """« 2 élèves · 2 familles · 50,00 $ (25,00 $ par élève) »."""
    students = ngettext("{count} élève", "{count} élèves", len(preview.students)).format(
        count=len(preview.students)
    )
    families = ngettext("{count} famille", "{count} familles", preview.families).format(
        count=preview.families
    )
    total = _("total {total} ({fee} par élève)").format(
        total=format_money(preview.total), fee=format_money(preview.fee)
    )
    return f"{students} · {families} · {total}"


class LateFeePreviewScreen(AppModalScreen[bool]):
    """The students the job would charge; dismisses True when the registrar says yes."""

    CSS_PATH = "late_fee_preview.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding("o,y", "answer(True)", N_("Facturer"), id="late-fee-preview.yes",
                tooltip=N_("Facturer ces élèves et prévenir leurs familles")),
        Binding("n,escape", "answer(False)", N_("Non"), id="late-fee-preview.no",
                tooltip=N_("Ne rien facturer")),
        *page_bindings("late-fee-preview", N_("Élèves précédents"), N_("Élèves suivants")),
    ]  # fmt: skip

    def __init__(self, preview: LateFeePreview) -> None:
        super().__init__()
        self.preview = preview

    def compose(self) -> ComposeResult:
        preview = self.preview
        with Vertical(id="late-fee-box"):
            yield Static(
                Content.assemble(
                    (_("Frais de confirmation tardive · "), "bold"),
                    user_content(preview.term_code, "bold"),
                ),
                id="late-fee-title",
            )
            yield Static(
                Content(
                    _("Date limite : {deadline}").format(deadline=format_date(preview.deadline))
                ),
                id="late-fee-deadline",
            )
            yield Static(Content.styled(preview_summary(preview), "bold"), id="late-fee-summary")
            table: PagedTable[LateStudent] = PagedTable(id="late-fee-students")
            yield table
            yield Static(Content(""), id="late-fee-page")
            yield Static(
                Content(
                    _("o : facturer et envoyer un message à chaque famille · n : ne rien faire")
                ),
                id="late-fee-status",
            )
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#late-fee-students", DataTable)
        for label in (_("Élève"), _("N° d'élève"), _("Famille")):
            table.add_column(label_cell(label))
        self._fill(0)
        table.focus()

    def _fill(self, offset: int) -> None:
        from registrar_tui.services.core.paging import Page

        table: PagedTable[LateStudent] = self.query_one("#late-fee-students", PagedTable)
        table.show_page(
            Page.slice(self.preview.students, offset, PAGE_ROWS),
            lambda s: (
                user_cell(s.student_name),
                user_cell(s.student_number),
                user_cell(s.family_name),
            ),
        )
        status = table.status(_("Élèves {first}–{last} de {total}"), "")
        self.query_one("#late-fee-page", Static).update(Content.styled(status, "$text-muted"))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "page":
            direction = int(str(parameters[0])) if parameters else 1
            return self.query_one("#late-fee-students", PagedTable).can_page(direction)
        return True

    def action_page(self, direction: int) -> None:
        offset = self.query_one("#late-fee-students", PagedTable).page_offset(direction)
        if offset is not None:
            self._fill(offset)
            self.refresh_bindings()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
