"""Choose the course group a re-enrolled discipline goes to (pushed by the decision screen).

Lists the term's open groups of the discipline at the student's establishment with their
day, time, teacher, room, level, seats left and students in line; the group chosen now is
marked. Enter picks the highlighted group (a full one means the waiting list), Escape
keeps the choice as it was.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Footer, Static

from registrar_tui.i18n import N_, _
from registrar_tui.screens.widgets.base import (
    _SCREEN_BINDINGS,
    AppModalScreen,
    label_cell,
    user_cell,
    user_content,
)
from registrar_tui.screens.widgets.schedule import time_span, weekday_label

if TYPE_CHECKING:
    from registrar_tui.services.records.enrolment_plan import GroupOption


def seats_cell(group: GroupOption) -> Text:
    """Seats left, or « complet » (only ever said of a full group)."""
    if group.is_full:
        return Text(_("complet"), style="bold yellow", justify="right")
    return Text(str(group.seats_left), justify="right")


class GroupChooserScreen(AppModalScreen["int | None"]):
    """The groups of one discipline; Enter dismisses the chosen course id, Escape None."""

    CSS_PATH = "group_chooser.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "escape",
            "cancel",
            N_("Annuler"),
            id="group-chooser.cancel",
            tooltip=N_("Garder le groupe choisi"),
        ),
    ]

    def __init__(
        self,
        title: str,
        subject: str,
        groups: tuple[GroupOption, ...],
        chosen_id: int | None,
    ) -> None:
        super().__init__()
        self._title = title
        self._subject = subject
        self._groups = groups
        self._chosen_id = chosen_id

    def compose(self) -> ComposeResult:
        with Vertical(id="group-box"):
            yield Static(Content(self._title), id="group-title")
            yield Static(user_content(self._subject), id="group-subject")
            table: DataTable[object] = DataTable(id="group-table", cursor_type="row")
            yield table
            yield Static(
                Content(
                    _("Entrée : choisir ce groupe (complet : liste d'attente) · Échap : annuler")
                ),
                id="group-status",
            )
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#group-table", DataTable)
        for label in (
            _("Gr."),
            _("Horaire"),
            _("Places"),
            _("Attente"),
            _("Enseignant"),
            _("Local"),
            _("Niveau"),
        ):
            table.add_column(label_cell(label))
        for index, group in enumerate(self._groups):
            marker = "▸" if group.course_id == self._chosen_id else " "
            table.add_row(
                Text(marker + user_cell(group.section).plain),
                label_cell(
                    f"{weekday_label(group.weekday)} {time_span(group.starts_at, group.ends_at)}"
                ),
                # Seats and line keep their width; level, room, teacher give it up first.
                seats_cell(group),
                Text(str(group.waiting) if group.waiting else "", justify="right"),
                user_cell(group.teacher or "—"),
                user_cell(group.room or "—"),
                user_cell(group.level or "—"),
                key=str(group.course_id),
            )
            if group.course_id == self._chosen_id:
                table.move_cursor(row=index)
        table.focus()

    @on(DataTable.RowSelected, "#group-table")
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(int(event.row_key.value or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)
