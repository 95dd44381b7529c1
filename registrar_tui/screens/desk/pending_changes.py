"""The registrar's queue (F7): what families submitted through the portal, oldest first.

One page at a time. `a` approves the highlighted change request at once when it has no
conflict (a conflict opens the request instead: the registrar chooses field by field;
a code permanent that would no longer agree asks first), `r` rejects it with a reason,
Enter opens it, `A` approves every request of the filtered list that has no conflict
(after a confirmation giving the count), `u` undoes the registrar's last decision while
its message to the family is unsent. `t`, `e` and `j` cycle the filters (kind,
establishment, age); `h` shows the decided ones instead. Re-enrolment requests are
decided on their own screen (Enter, `a` or `r` opens it).

A request decided from here (or in the screen opened from here) stays in its place,
marked, until the list is filtered again: the highlight stays on the request the
registrar read, never slides onto another family's. The detail lines always name the
highlighted request's kind and family.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Static

from registrar_tui.i18n import N_, _, ngettext
from registrar_tui.screens.desk.queue_view import (
    QueueFilters,
    QueueTable,
    current_line,
    decision_text,
    detail_line,
    reenrolment_screen,
    row_cells,
    setup_columns,
    status_text,
    undo_question,
    undo_subject,
    undone_text,
)
from registrar_tui.screens.widgets.base import (
    AppScreen,
    KeysFooter,
    page_bindings,
    user_content,
)

if TYPE_CHECKING:
    from registrar_tui.screens.desk.change_request import ChangeRequestScreen
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.requests.changes.decisions import BulkApproval, ChangeDecision
    from registrar_tui.services.requests.changes.undo import DecisionToUndo, UndoneDecision
    from registrar_tui.services.requests.queue import (
        HistoryPage,
        HistoryRow,
        QueueEstablishment,
        QueueFilter,
        QueuePage,
        QueueRow,
    )

_FILTER_KEYS = (
    ("t", "kind", N_("Type"), N_("Filtre : tous, responsables, élèves, réinscriptions")),
    ("e", "site", N_("Site"), N_("Filtre : chaque établissement tour à tour")),
    ("j", "age", N_("Âge"), N_("Filtre : toutes, 7 jours et plus, 30 jours et plus")),
)


class PendingChangesScreen(AppScreen):
    """Pending change and re-enrolment requests, or the history of decided ones."""

    CSS_PATH = "pending_changes.tcss"
    COMMAND_NAMESPACE = N_("file")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "a",
            "approve",
            N_("Approuver"),
            id="queue.approve",
            tooltip=N_("Approuver la demande en surbrillance (un conflit ouvre la demande)"),
        ),
        Binding(
            "r",
            "reject",
            N_("Refuser"),
            id="queue.reject",
            tooltip=N_("Refuser la demande avec un motif communiqué à la famille"),
        ),
        Binding(
            "A",
            "approve_all",
            N_("Tout"),
            id="queue.approve-all",
            tooltip=N_("Approuver toutes les demandes sans conflit de la liste filtrée"),
        ),
        # Shown with their values in the title line (no room left in the footer at 80).
        *(
            Binding(key, f"cycle('{which}')", label, id=f"queue.{which}", tooltip=tip, show=False)
            for key, which, label, tip in _FILTER_KEYS
        ),
        Binding(
            "u",
            "undo",
            N_("Défaire"),
            id="queue.undo",
            tooltip=N_("Défaire votre dernière décision tant que son message n'est pas parti"),
        ),
        Binding(
            "h",
            "toggle_history",
            N_("Historique"),
            id="queue.history",
            tooltip=N_("Demandes décidées : par qui, quand et pourquoi"),
        ),
        *page_bindings("queue", N_("Demandes précédentes"), N_("Demandes suivantes"), show=False),
        Binding("escape", "back", N_("Retour"), id="queue.back", tooltip=N_("Fermer la file")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._filters = QueueFilters()
        self._history = False
        self._offset = 0
        self._busy = False  # a decision is being written: keys wait for it
        self._reload_on_resume = False
        self._kept: list[tuple[str, int]] = []
        """Requests decided during this visit: they stay in their place, marked."""
        self._cursor_key: tuple[str, int] | None = None
        """The highlighted request: the highlight follows it when the page is read again."""
        self._opened: ChangeRequestScreen | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(""), id="queue-title")
        yield Static(Content(_("Chargement…")), id="queue-status")
        yield QueueTable(id="queue-table", cursor_type="row", zebra_stripes=True)
        yield Static(Content(""), id="queue-current")
        yield Static(Content(""), id="queue-detail")
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        setup_columns(self.query_one("#queue-table", DataTable), history=self._history)
        self._show_title()
        self._load_sites()
        self._load(0)
        self.query_one("#queue-table", DataTable).focus()

    def on_screen_resume(self) -> None:
        if self._reload_on_resume:  # back from a request's own screen: it may be decided
            self._reload_on_resume = False
            opened = self._opened
            if opened is not None:  # it may have gone on (`n`): keep what it decided there
                for kind, request_id in opened.decided:
                    self._keep(kind, request_id)
                if opened.current_key is not None:  # the highlight on the last one read
                    self._cursor_key = opened.current_key
            self._opened = None
            self._load(self._offset)

    # --- filters and loading -----------------------------------------------------------

    def queue_filter(self) -> QueueFilter:
        """The services' filter for what the keys chose."""
        return self._filters.to_filter()

    def _show_title(self) -> None:
        title = _("Historique des décisions") if self._history else _("Modifications à valider")
        self.query_one("#queue-title", Static).update(
            Content.assemble((title, "bold"), self._filters.describe(history=self._history))
        )

    def _load_sites(self) -> None:
        def load(backend: Backend) -> tuple[QueueEstablishment, ...]:
            from registrar_tui.services.requests.queue import queue_establishments

            return backend.read(queue_establishments)

        self.call_service(load, self._sites_loaded, group="queue-sites")

    def _sites_loaded(self, sites: tuple[QueueEstablishment, ...]) -> None:
        self._filters.sites = sites

    def _load(self, offset: int) -> None:
        self._offset = max(0, offset)
        self._fetch(self._offset, self.queue_filter(), self._history, tuple(self._kept))

    def _keep(self, kind: str, request_id: int) -> None:
        """Keep a request in its place once decided, and the highlight on it."""
        if (kind, request_id) not in self._kept:
            self._kept.append((kind, request_id))
        self._cursor_key = (kind, request_id)

    def _fetch(
        self,
        offset: int,
        queue_filter: QueueFilter,
        history: bool,
        kept: tuple[tuple[str, int], ...],
    ) -> None:
        def fetch(backend: Backend) -> QueuePage | HistoryPage:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.requests.queue import decided_history, pending_queue
            from registrar_tui.services.requests.queue_rows import QueueKind

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            if history:
                return backend.read(decided_history, identity.id, queue_filter, offset=offset)
            keep = tuple((QueueKind(kind), request_id) for kind, request_id in kept)
            return backend.read(pending_queue, identity.id, queue_filter, offset=offset, keep=keep)

        self.call_service(fetch, lambda page: self._show(page, history), group="queue-load")

    def _show(self, page: QueuePage | HistoryPage, history: bool) -> None:
        if history != self._history or page.offset != self._offset:
            return  # the registrar switched views or pages since
        if not page.rows and page.offset > 0:  # the last row of the last page was decided
            self._load(max(0, page.offset - page.limit))
            return
        table = self._table()
        table.show_page(page, row_cells, keep_cursor=True)
        keys = [(str(row.kind), row.request_id) for row in page.rows]
        if self._cursor_key in keys:  # the request read stays highlighted, wherever it is
            table.move_cursor(row=keys.index(self._cursor_key))
        self.query_one("#queue-status", Static).update(
            Content(status_text(table, history=self._history))
        )
        self._show_detail()
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#queue-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        row = self._highlighted_row()
        if row is not None and not self._history:
            self._cursor_key = (str(row.kind), row.request_id)
        self._show_detail()
        self.refresh_bindings()

    def _show_detail(self) -> None:
        row = self.selected()
        self.query_one("#queue-current", Static).update(
            current_line(row) if row is not None else Content("")
        )
        self.query_one("#queue-detail", Static).update(
            detail_line(row) if row is not None else Content("")
        )

    def selected(self) -> QueueRow | None:
        """The highlighted request (None in the history or on an empty page)."""
        from registrar_tui.services.requests.queue import QueueRow

        row = self._highlighted_row()
        return row if isinstance(row, QueueRow) else None

    def _table(self) -> QueueTable:
        return self.query_one("#queue-table", QueueTable)

    def _highlighted_row(self) -> QueueRow | HistoryRow | None:
        return self._table().selected_row()

    # --- keys ------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "page" and parameters:
            return self._table().can_page(int(str(parameters[0])))
        if action in ("approve", "reject"):
            if self._history:
                return False
            row = self.selected()
            if row is not None and not row.pending:
                return None  # decided: shown dimmed, the detail line says so
            return row is not None and not self._busy
        if action == "undo":
            return not self._busy
        if action == "approve_all":
            return False if self._history else (not self._busy) or None
        if action == "cycle" and parameters and parameters[0] == "age":
            return not self._history  # the history is by decision date
        return True

    def action_page(self, direction: int) -> None:
        offset = self._table().page_offset(direction)
        if offset is not None:
            self._load(offset)

    def action_cycle(self, which: str) -> None:
        self._kept.clear()
        self._filters.cycle(which)
        self._show_title()
        self._load(0)

    def action_toggle_history(self) -> None:
        self._kept.clear()
        self._history = not self._history
        self._table().forget()
        setup_columns(self.query_one("#queue-table", DataTable), history=self._history)
        self._show_title()
        self._load(0)
        self.refresh_bindings()

    def action_back(self) -> None:
        self.dismiss()

    @on(DataTable.RowSelected, "#queue-table")
    def _open_row(self, event: DataTable.RowSelected) -> None:
        event.stop()
        row = self._highlighted_row()
        if row is not None:
            self.open_request(str(row.kind), row.request_id)

    def open_request(self, kind: str, request_id: int) -> None:
        """Push the request's own screen: the change detail, or the re-enrolment's."""
        screen: Screen[None] | None
        if kind == "reenrolment":
            screen = reenrolment_screen(request_id)
            if screen is None:
                self.notify(
                    _("Les réinscriptions se valident depuis leur écran (pas encore installé)."),
                    severity="warning",
                    markup=False,
                )
                return
        else:
            from registrar_tui.screens.desk.change_request import ChangeRequestScreen

            screen = ChangeRequestScreen(request_id, self.queue_filter())
            self._opened = screen
        self._keep(kind, request_id)  # decided there, it stays here, highlighted
        self._reload_on_resume = True
        self.app.push_screen(screen)

    def action_approve(self) -> None:
        row = self.selected()
        if row is None or self._busy or not row.pending:
            return
        if row.kind == "reenrolment":
            self.open_request(str(row.kind), row.request_id)
        elif row.has_conflict:
            self.notify(
                _("Conflit : le dossier a changé depuis la demande. Choisissez champ par champ."),
                severity="warning",
                markup=False,
            )
            self.open_request(str(row.kind), row.request_id)
        elif row.warnings:
            from registrar_tui.screens.desk.modals import ConfirmScreen

            def confirmed(yes: bool | None) -> None:
                if yes and not self._busy:
                    self._busy = True
                    self._keep(str(row.kind), row.request_id)
                    self._decide(row.request_id, accept_warnings=True)

            self.app.push_screen(
                ConfirmScreen(
                    _("Le code permanent ne concordera plus"),
                    _("Approuver quand même ?"),
                    subject=f"{row.subject} · {row.summary}\n" + "\n".join(row.warnings),
                ),
                confirmed,
            )
        else:
            self._busy = True
            self._keep(str(row.kind), row.request_id)
            self._decide(row.request_id)

    def action_reject(self) -> None:
        row = self.selected()
        if row is None or self._busy or not row.pending:
            return
        if row.kind == "reenrolment":
            self.open_request(str(row.kind), row.request_id)
            return
        from registrar_tui.screens.desk.modals import ReasonScreen

        def rejected(reason: str | None) -> None:
            if reason:
                self._busy = True
                self._keep(str(row.kind), row.request_id)
                self._decide(row.request_id, reason)

        subject = f"{row.subject} · {row.summary}"
        self.app.push_screen(ReasonScreen(_("Refuser la demande"), subject), rejected)

    def _decide(
        self, request_id: int, reason: str | None = None, *, accept_warnings: bool = False
    ) -> None:
        """Approve (no reason) or reject the request; the outcome comes back to `_decided`."""

        def decide(backend: Backend) -> ChangeDecision:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.requests.changes.decisions import (
                approve_change,
                reject_change,
            )

            try:
                identity = backend.identity
                if identity is None:
                    raise PermissionDenied()
                if reason is None:
                    return backend.write(
                        approve_change,
                        request_id,
                        identity.id,
                        accept_warnings=accept_warnings,
                    )
                return backend.write(reject_change, request_id, identity.id, reason)
            finally:
                self._busy = False

        self.call_service(
            decide,
            self._decided,
            group="queue-decide",
            exclusive=False,
            refused=lambda error: self._refused(error, request_id),
        )

    def _decided(self, decision: ChangeDecision) -> None:
        self.notify(decision_text(decision) + " " + _("u : annuler."), markup=False)
        self._load(self._offset)
        if decision.household:
            from registrar_tui.screens.desk.modals import HouseholdMoveScreen

            self.app.push_screen(HouseholdMoveScreen(decision))

    def action_undo(self) -> None:
        """Ask which decision `u` would undo (the service says why when none can be)."""
        if self._busy:
            return

        def find(backend: Backend) -> DecisionToUndo:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.requests.changes.undo import last_decision

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            return backend.read(last_decision, identity.id)

        self.call_service(find, self._confirm_undo, group="queue-undo", refused=self._undo_refused)

    def _undo_refused(self, error: DomainError) -> None:
        self.notify(error.translated(), severity="warning", markup=False)

    def _confirm_undo(self, decision: DecisionToUndo) -> None:
        from registrar_tui.screens.desk.modals import ConfirmScreen

        def confirmed(yes: bool | None) -> None:
            if yes and not self._busy:
                self._busy = True
                self._keep(str(decision.kind), decision.request_id)
                self._undo(decision.request_id)

        self.app.push_screen(
            ConfirmScreen(
                _("Annuler la décision"), undo_question(decision), subject=undo_subject(decision)
            ),
            confirmed,
        )

    def _undo(self, request_id: int) -> None:
        def undo(backend: Backend) -> UndoneDecision:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.requests.changes.undo import undo_change_decision

            try:
                identity = backend.identity
                if identity is None:
                    raise PermissionDenied()
                return backend.write(undo_change_decision, request_id, identity.id)
            finally:
                self._busy = False

        self.call_service(
            undo, self._undone, group="queue-decide", exclusive=False, refused=self._undo_refused
        )

    def _undone(self, undone: UndoneDecision) -> None:
        self.notify(undone_text(undone), markup=False)
        self._load(self._offset)

    def show_refusal(self, error: DomainError) -> None:
        """The queue could not be read: a notice, and the status line when nothing shows."""
        self._refused(error)

    def _refused(self, error: DomainError, request_id: int | None = None) -> None:
        from registrar_tui.services.requests.changes.decisions import ConflictChoiceRequired

        self.notify(error.translated(), severity="error", markup=False)
        if isinstance(error, ConflictChoiceRequired) and request_id is not None:
            self.open_request("guardian", request_id)  # changed meanwhile: choose
        elif self._table().page is None:
            self.query_one("#queue-status", Static).update(
                user_content(error.translated(), "$text-error")
            )
        else:
            self._load(self._offset)

    def action_approve_all(self) -> None:
        from registrar_tui.screens.desk.modals import BulkApprovalScreen

        def done(bulk: BulkApproval | None) -> None:
            if bulk is None:
                return
            self._kept.clear()
            text = ngettext(
                "{count} demande approuvée.", "{count} demandes approuvées.", bulk.count
            ).format(count=bulk.count)
            if bulk.skipped:
                text += " " + ngettext(
                    "{count} laissée en attente : conflit ou valeur refusée.",
                    "{count} laissées en attente : conflit ou valeur refusée.",
                    len(bulk.skipped),
                ).format(count=len(bulk.skipped))
            self.notify(text, markup=False)
            self._load(0)

        if not self._busy:
            self.app.push_screen(BulkApprovalScreen(self.queue_filter()), done)
