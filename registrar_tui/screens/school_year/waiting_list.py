"""A course group's waiting list (pushed with the group's course id: from the re-enrolment
decision's `l`, and from the school year's groups screen).

A boxed header says which group (term, discipline, section, teacher, day and time, room,
seats taken over capacity); the table lists the students in line, first first: rank,
student, family, since when, status (an offered seat shows when it was offered). Keys, for
a registrar or an admin: `a` accepts the seat offered to the highlighted student (enrols
and bills the discipline), `x` removes the student from the line with a reason (an offer
declined or left to expire passes the seat to the next), `m` / `d` move the student up or
down the line. A group's line is short (at most a few dozen students): one table, no pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Footer, Static

from registrar_tui.i18n import N_, _, current_language, format_datetime, format_money
from registrar_tui.screens.widgets.base import (
    _SCREEN_BINDINGS,
    AppScreen,
    label_cell,
    user_cell,
    user_content,
)
from registrar_tui.screens.widgets.reason import ReasonDialog
from registrar_tui.screens.widgets.schedule import time_span, weekday_label

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.school_year.waiting_lists import (
        OfferAccepted,
        WaitingList,
        WaitingPlace,
        WaitingRow,
    )

STATUS_LABELS = {
    "waiting": N_("en attente"),
    "offered": N_("place offerte"),
}


class RemovalReasonScreen(ReasonDialog):
    """Ask why a student leaves the line; Enter confirms, Escape cancels."""

    CSS_PATH = "waiting_list.tcss"
    STATUS_ID = "removal-status"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "escape",
            "cancel",
            N_("Annuler"),
            id="waiting-removal.cancel",
            tooltip=N_("Fermer sans retirer l'élève de la liste"),
        ),
    ]

    def __init__(self, subject: str) -> None:
        super().__init__()
        self._subject = subject

    def compose(self) -> ComposeResult:
        with Vertical(id="removal-box"):
            yield Static(Content(_("Retirer de la liste d'attente")), id="removal-title")
            yield Static(user_content(self._subject, "bold"), id="removal-subject")
            yield from self.reason_entry(
                _("Motif (offre refusée, délai expiré, abandon…)"),
                _("Entrée : retirer avec ce motif · Échap : annuler"),
            )
        yield Footer(show_command_palette=False)


class WaitingListScreen(AppScreen):
    """The students in line for one course group, and the registrar's keys on them."""

    CSS_PATH = "waiting_list.tcss"
    COMMAND_NAMESPACE = N_("liste d'attente")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "a",
            "accept",
            N_("Accepter l'offre"),
            id="waiting-list.accept",
            tooltip=N_("La famille accepte la place offerte : inscrire et facturer"),
        ),
        Binding(
            "x",
            "remove",
            N_("Retirer"),
            id="waiting-list.remove",
            tooltip=N_("Retirer l'élève de la liste avec un motif"),
        ),
        Binding(
            "m",
            "move(True)",
            N_("Monter"),
            id="waiting-list.up",
            tooltip=N_("Avancer l'élève d'un rang"),
        ),
        Binding(
            "d",
            "move(False)",
            N_("Descendre"),
            id="waiting-list.down",
            tooltip=N_("Reculer l'élève d'un rang"),
        ),
        Binding("escape", "back", N_("Retour"), id="waiting-list.back", tooltip=N_("Retour")),
    ]

    def __init__(self, course_id: int) -> None:
        super().__init__()
        self.course_id = course_id
        self._list: WaitingList | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="waiting-header"):
            yield Static(Content(_("Chargement…")), id="waiting-summary")
        with Vertical(id="waiting-body"):
            table: DataTable[object] = DataTable(id="waiting-table", cursor_type="row")
            yield table
            yield Static(Content(""), id="waiting-empty")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#waiting-table", DataTable)
        # What identifies the row first; the dates last (they give up room first).
        for label in (
            _("Rang"),
            _("Statut"),
            _("Élève"),
            _("Famille"),
            _("Depuis"),
            _("Offerte le"),
        ):
            table.add_column(label_cell(label))
        table.focus()
        self._load()

    def _load(self) -> None:
        course_id = self.course_id

        def load(backend: Backend) -> WaitingList:
            from registrar_tui.services.school_year.waiting_lists import waiting_list

            return backend.read(waiting_list, course_id)

        self.call_service(load, self._show, group="waiting-list-load")

    def show_refusal(self, error: DomainError) -> None:
        self.query_one("#waiting-summary", Static).update(
            Content.styled(error.translated(), "bold $text-error")
        )

    def _show(self, listed: WaitingList) -> None:
        self._list = listed
        discipline = listed.discipline_en if current_language() == "en" else listed.discipline_fr
        self.query_one("#waiting-summary", Static).update(
            Content("\n").join(
                [
                    Content.assemble(
                        (_("Liste d'attente · "), "bold"),
                        user_content(discipline, "bold"),
                        " · ",
                        _("groupe {section}").format(section=listed.section),
                        " · ",
                        user_content(listed.term_code),
                    ),
                    Content.assemble(
                        user_content(listed.teacher or "—"),
                        " · ",
                        weekday_label(listed.weekday),
                        " ",
                        time_span(listed.starts_at, listed.ends_at),
                        " · ",
                        user_content(listed.room or "—"),
                        " · ",
                        _("places prises : {taken} / {capacity}").format(
                            taken=listed.seats_taken, capacity=listed.capacity
                        ),
                    ),
                ]
            )
        )
        table = self.query_one("#waiting-table", DataTable)
        row = table.cursor_row
        table.clear()
        for entry in listed.rows:
            table.add_row(*_row_cells(entry), key=str(entry.entry_id))
        if listed.rows:
            table.move_cursor(row=min(row, len(listed.rows) - 1))
        self.query_one("#waiting-empty", Static).update(
            Content("")
            if listed.rows
            else Content(_("Personne n'attend une place dans ce groupe."))
        )
        self.refresh_bindings()

    def _highlighted(self) -> WaitingRow | None:
        if self._list is None or not self._list.rows:
            return None
        row = self.query_one("#waiting-table", DataTable).cursor_row
        return self._list.rows[max(0, min(row, len(self._list.rows) - 1))]

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("accept", "remove", "move"):
            identity = self.backend.identity
            if identity is None or not identity.can_decide_requests:
                return False
            entry = self._highlighted()
            if self._busy or entry is None:
                return None
            if action == "accept" and str(entry.status) != "offered":
                return None
        return True

    def _refused(self, error: DomainError) -> None:
        self._busy = False
        self.notify(error.translated(), severity="error", markup=False)
        self._load()

    def _after(self, text: str) -> None:
        self._busy = False
        self.notify(text, markup=False)
        self._load()

    def action_accept(self) -> None:
        entry = self._highlighted()
        if self.check_action("accept", ()) is not True or entry is None:
            return
        self._busy = True
        self.refresh_bindings()
        entry_id = entry.entry_id

        def accept(backend: Backend) -> OfferAccepted:
            from registrar_tui.services.school_year.waiting_lists import accept_offer

            identity = backend.identity
            assert identity is not None
            return backend.write(accept_offer, entry_id, identity.id)

        def accepted(outcome: OfferAccepted) -> None:
            text = _("{student} est inscrit au groupe.").format(student=entry.student_name)
            if outcome.invoice_number and outcome.invoice_total is not None:
                text += " · " + _("facture {number} ({total})").format(
                    number=outcome.invoice_number, total=format_money(outcome.invoice_total)
                )
            self._after(text)

        self.call_service(
            accept, accepted, group="waiting-list-write", exclusive=False, refused=self._refused
        )

    def action_remove(self) -> None:
        entry = self._highlighted()
        if self.check_action("remove", ()) is not True or entry is None:
            return
        entry_id = entry.entry_id
        name = entry.student_name

        def removed(outcome: list[int]) -> None:
            text = _("{student} est retiré de la liste d'attente.").format(student=name)
            if outcome:
                text += " · " + _("place offerte au suivant")
            self._after(text)

        def confirmed(reason: str | None) -> None:
            if not reason:
                return
            self._busy = True
            self.refresh_bindings()

            def remove(backend: Backend) -> list[int]:
                from registrar_tui.services.school_year.waiting_lists import remove_from_list

                identity = backend.identity
                assert identity is not None
                return backend.write(remove_from_list, entry_id, identity.id, reason)

            self.call_service(
                remove, removed, group="waiting-list-write", exclusive=False, refused=self._refused
            )

        self.app.push_screen(RemovalReasonScreen(f"{name} · {entry.family_name}"), confirmed)

    def action_move(self, up: bool) -> None:
        entry = self._highlighted()
        if self.check_action("move", ()) is not True or entry is None:
            return
        self._busy = True
        entry_id = entry.entry_id

        def move(backend: Backend) -> WaitingPlace:
            from registrar_tui.services.school_year.waiting_lists import move_in_line

            identity = backend.identity
            assert identity is not None
            return backend.write(move_in_line, entry_id, identity.id, up=up)

        def moved(place: WaitingPlace) -> None:
            self._busy = False
            table = self.query_one("#waiting-table", DataTable)
            table.move_cursor(row=max(0, place.rank - 1))
            self._load()

        self.call_service(
            move, moved, group="waiting-list-write", exclusive=False, refused=self._refused
        )

    def action_back(self) -> None:
        self.dismiss()


def _row_cells(entry: WaitingRow) -> tuple[object, ...]:
    status = str(entry.status)
    offered = entry.offered_at is not None and status == "offered"
    return (
        label_cell(str(entry.rank)),
        label_cell(_(STATUS_LABELS.get(status, status))),
        user_cell(entry.student_name),
        user_cell(entry.family_name),
        label_cell(format_datetime(entry.since)),
        label_cell(format_datetime(entry.offered_at) if offered and entry.offered_at else ""),
    )
