"""Activities (F8): outings and fundraising campaigns, filtered as you type, a page at a time.

Filters: establishment or school, school level, keyword (accent-insensitive), and a
range of dates (AAAA-MM-JJ). Enter in a filter goes to the table; Enter on a row opens
the activity (its items, registrations and totals; `n` registers a student).

Registrars and admins also set activities up from here: Ctrl+N a new one, F2 edits the
highlighted one (and its items), F3 closes it to new registrations (or opens a closed one
again), F4 cancels it (a dry run of the credit notes first, then a reason). The deadline
column shows « Fermée » or « Annulée » for an activity closed or cancelled.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import DataTable, Input, Label, Static

from registrar_tui.i18n import N_, NP_, _
from registrar_tui.screens.widgets.base import (
    AppScreen,
    KeysFooter,
    label_cell,
    page_bindings,
    user_cell,
)
from registrar_tui.screens.widgets.paged_table import PagedTable

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.activities.catalogue import (
        ActivityFilters,
        ActivityPage,
        ActivityRow,
    )
    from registrar_tui.services.activities.setup import ActivityCancelled
    from registrar_tui.services.core.errors import DomainError

KIND_LABELS = {
    "outing": N_("Sortie"),
    "fundraising": N_("Financement"),
    "event": N_("Événement"),
}
STATE_LABELS = {
    "closed": N_("Fermée"),
    "cancelled": N_("Annulée"),
}
"""What the deadline column shows for an activity that takes no registration any more."""
# Numeric and compact in every language: the date columns stay 10 wide.
DAY = "yyyy-MM-dd"

FILTERS: tuple[tuple[str, str, str, int], ...] = (
    ("place", N_("Lieu"), N_("Établissement ou école"), 100),
    ("level", N_("Niveau"), N_("Primaire 3, Secondaire…"), 40),
    ("keyword", N_("Mot-clé"), N_("Titre ou description"), 100),
    ("from", N_("Du"), N_("AAAA-MM-JJ"), 10),
    ("to", N_("Au"), N_("AAAA-MM-JJ"), 10),
)
"""(field, label, placeholder, longest text), in the order Tab visits them."""


def day_text(value: date) -> str:
    from registrar_tui.i18n import format_date

    return format_date(value, DAY)


def parse_day(text: str) -> date | None:
    """A typed date (AAAA-MM-JJ); None when empty; ValueError when not a date."""
    text = text.strip()
    return date.fromisoformat(text) if text else None


class ActivitiesScreen(AppScreen):
    """Every activity, the latest held first; filters narrow the list as they are typed."""

    CSS_PATH = "catalogue.tcss"
    AUTO_FOCUS = "#filter-keyword"
    COMMAND_NAMESPACE = N_("activités")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Retour"), id="activities.back", tooltip=N_("Fermer")),
        Binding(
            "ctrl+t",
            "focus_table",
            N_("Liste"),
            id="activities.table",
            tooltip=N_("Aller à la liste des activités"),
        ),
        *page_bindings(
            "activities",
            N_("Afficher les activités précédentes"),
            N_("Afficher les activités suivantes"),
        ),
        Binding(
            "ctrl+n",
            "new_activity",
            N_("Créer"),
            id="activities.new",
            tooltip=N_("Créer une activité, puis ses articles"),
        ),
        # A letter beside each F-key, for the chosen activity: the list has the focus then
        # (in a filter box the letter is typed, as it should).
        Binding(
            "f2,e",
            "edit_activity",
            N_("Modifier"),
            id="activities.edit",
            tooltip=N_("Modifier l'activité choisie et ses articles"),
        ),
        Binding(
            "f3,c",
            "close_activity",
            N_("Clore"),
            id="activities.close",
            tooltip=N_("Fermer l'activité choisie aux nouvelles inscriptions"),
        ),
        # The same key opens a closed activity again (only one of the two is ever offered).
        Binding(
            "f3,c",
            "reopen_activity",
            N_("Rouvrir"),
            id="activities.reopen",
            tooltip=N_("Rouvrir aux inscriptions l'activité choisie, qui est fermée"),
        ),
        Binding(
            "f4,x",
            "cancel_activity",
            NP_("activité", "Annuler"),
            id="activities.cancel",
            tooltip=N_("Annuler l'activité choisie : ses factures créditées (aperçu, motif)"),
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._wanted: tuple[ActivityFilters, int] | None = None
        self._title_width = 0

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(_("Activités"), "bold"), id="activities-title")
        for row in (FILTERS[:2], FILTERS[2:]):
            with Horizontal(classes="filter-row"):
                for name, label, placeholder, length in row:
                    yield Label(Content(_(label)), classes=f"filter-label filter-{name}")
                    yield Input(
                        id=f"filter-{name}",
                        placeholder=_(placeholder),
                        max_length=length,
                        classes=f"filter-{name}",
                    )
        yield Static(Content(_("Chargement…")), id="activities-status")
        table: PagedTable[ActivityRow] = PagedTable(id="activities-table", cursor_type="row")
        yield table
        yield KeysFooter()

    def on_mount(self) -> None:
        self._columns(self.app.size.width)
        self._apply_filters()

    def on_resize(self) -> None:
        if self._title_width != self._title_width_for(self.app.size.width):
            self._columns(self.app.size.width)
            page = self._table().page
            if page is not None:
                self._fill(page)

    @staticmethod
    def _title_width_for(width: int) -> int:
        # The other columns take 42 cells, each column 2 of padding, the scrollbar 2.
        return max(16, width - 42 - 12 - 2)

    def _columns(self, width: int) -> None:
        """(Re)build the columns, the title column filling what the others leave."""
        self._title_width = self._title_width_for(width)
        table = self.query_one("#activities-table", DataTable)
        table.clear(columns=True)
        table.add_column(label_cell(_("Date")), width=10)
        table.add_column(label_cell(_("Activité")), width=self._title_width)
        table.add_column(label_cell(_("Type")), width=11)
        table.add_column(label_cell(_("Étab.")), width=5)
        table.add_column(label_cell(_("Limite")), width=10)
        table.add_column(Text(_("Inscr."), justify="right"), width=6)

    def _filters(self) -> ActivityFilters | None:
        """The filters typed; None (the status says why) when a date is not one."""
        from registrar_tui.services.activities.catalogue import ActivityFilters

        values = {name: self.query_one(f"#filter-{name}", Input).value for name, *_ in FILTERS}
        try:
            held_from, held_to = parse_day(values["from"]), parse_day(values["to"])
        except ValueError:
            self._set_status(_("Date invalide : AAAA-MM-JJ (par exemple 2026-12-01)."), error=True)
            return None
        return ActivityFilters(
            place=values["place"],
            level=values["level"],
            keyword=values["keyword"],
            held_from=held_from,
            held_to=held_to,
        )

    @on(Input.Changed)
    def _apply_filters(self, event: Input.Changed | None = None) -> None:
        filters = self._filters()
        if filters is not None:
            self._request(filters, 0)

    @on(Input.Submitted)
    def _to_table(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_focus_table()

    def action_focus_table(self) -> None:
        self.query_one("#activities-table", DataTable).focus()

    def _request(self, filters: ActivityFilters, offset: int) -> None:
        self._wanted = (filters, offset)
        self._fetch(filters, offset)

    def _fetch(self, filters: ActivityFilters, offset: int) -> None:
        def fetch(backend: Backend) -> ActivityPage:
            from registrar_tui.services.activities.catalogue import list_activities

            return backend.read(list_activities, filters, offset=offset)

        self.call_service(fetch, lambda page: self._show_page(page, filters), group="activities")

    def _show_page(self, page: ActivityPage, filters: ActivityFilters) -> None:
        if self._wanted is None or (filters, page.offset) != self._wanted:
            return  # the filters changed since
        self._fill(page)
        self._set_status(
            self._table().status(
                _("Activités {first}–{last} sur {total} · Entrée : ouvrir"),
                _("Aucune activité ne correspond aux filtres."),
            )
        )
        self.refresh_bindings()

    def _table(self) -> PagedTable[ActivityRow]:
        return self.query_one("#activities-table", PagedTable)

    def _fill(self, page: ActivityPage) -> None:
        self._table().show_page(page, self._cells)

    @staticmethod
    def _cells(row: ActivityRow) -> tuple[Text, ...]:
        state = str(row.state)
        if state in STATE_LABELS:
            deadline = label_cell(_(STATE_LABELS[state]))
            deadline.stylize("bold red" if state == "cancelled" else "bold yellow")
        else:
            deadline = label_cell(day_text(row.registration_deadline))
            if row.is_closed:
                deadline.stylize("dim strike")
        title = user_cell(row.title)
        if state == "cancelled":
            title.stylize("strike")
        return (
            label_cell(day_text(row.held_on)),
            title,
            label_cell(_(KIND_LABELS.get(str(row.kind), str(row.kind)))),
            user_cell(row.establishment_code or _("Tous")),
            deadline,
            Text(str(row.registration_count), justify="right"),
        )

    def _set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#activities-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def show_refusal(self, error: DomainError) -> None:
        """The status line and a notice say why."""
        message = error.translated()
        self._set_status(message, error=True)
        self.notify(message, severity="error", markup=False)

    def _may_manage(self) -> bool:
        identity = self.backend.identity
        return identity is not None and identity.can_manage_activities

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "page" and parameters:
            return self._table().can_page(int(str(parameters[0])))
        if action == "new_activity":
            return self._may_manage()
        if action in ("edit_activity", "close_activity", "reopen_activity", "cancel_activity"):
            if not self._may_manage():
                return False
            row = self._table().selected_row()
            if action == "reopen_activity":
                return row is not None and str(row.state) == "closed"
            if row is None:
                return None
            if action == "close_activity" and str(row.state) == "closed":
                return False
            return str(row.state) != "cancelled" or None
        return True

    def action_new_activity(self) -> None:
        from registrar_tui.screens.activities.activity_form import ActivityFormScreen

        if self._may_manage():
            self.app.push_screen(ActivityFormScreen(None), callback=self._reload)

    def action_edit_activity(self) -> None:
        from registrar_tui.screens.activities.activity_form import ActivityFormScreen

        row = self._table().selected_row()
        if row is not None and self.check_action("edit_activity", ()):
            self.app.push_screen(ActivityFormScreen(row.activity_id), callback=self._reload)

    def action_close_activity(self) -> None:
        self._close_or_reopen(reopen=False)

    def action_reopen_activity(self) -> None:
        self._close_or_reopen(reopen=True)

    def _close_or_reopen(self, *, reopen: bool) -> None:
        """Close an open activity to registrations, or open a closed one again."""
        row = self._table().selected_row()
        action = "reopen_activity" if reopen else "close_activity"
        if row is None or not self.check_action(action, ()):
            return
        activity_id, title = row.activity_id, row.title

        def close(backend: Backend) -> None:
            from registrar_tui.services.activities.setup import close_activity, reopen_activity
            from registrar_tui.services.core.errors import PermissionDenied

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            backend.write(reopen_activity if reopen else close_activity, activity_id, identity.id)

        def closed(_result: None) -> None:
            done = (
                _("Activité rouverte aux inscriptions : {title}.")
                if reopen
                else _("Activité fermée aux inscriptions : {title}.")
            )
            self.notify(done.format(title=title), markup=False)
            self._reload()

        self.call_service(close, closed, group="activities-close", exclusive=False)

    def action_cancel_activity(self) -> None:
        from registrar_tui.screens.activities.cancel import CancelActivityScreen

        row = self._table().selected_row()
        if row is not None and self.check_action("cancel_activity", ()):
            self.app.push_screen(CancelActivityScreen(row.activity_id), callback=self._cancelled)

    def _cancelled(self, result: ActivityCancelled | None) -> None:
        if result is None:
            return
        from registrar_tui.i18n import format_money, ngettext

        count = len(result.credit_notes)
        self.notify(
            ngettext(
                "Activité annulée : {count} note de crédit, {credited}; "
                "{returned} rendus en crédit aux familles.",
                "Activité annulée : {count} notes de crédit, {credited}; "
                "{returned} rendus en crédit aux familles.",
                count,
            ).format(
                count=count,
                credited=format_money(result.total_credited),
                returned=format_money(result.total_returned),
            ),
            markup=False,
        )
        self._reload()

    def action_page(self, direction: int) -> None:
        offset, wanted = self._table().page_offset(direction), self._wanted
        if offset is not None and wanted is not None:
            self._request(wanted[0], offset)

    @on(DataTable.RowHighlighted, "#activities-table")
    def _moved(self, event: DataTable.RowHighlighted) -> None:
        self.refresh_bindings()

    @on(DataTable.RowSelected, "#activities-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        row = self._table().selected_row()
        if row is None:
            return
        from registrar_tui.screens.activities.activity import ActivityScreen

        self.app.push_screen(ActivityScreen(row.activity_id), callback=self._reload)

    def _reload(self, _result: object = None) -> None:
        """Back from an activity: its registration count may have changed."""
        if self._wanted is not None:
            self._request(*self._wanted)

    def action_back(self) -> None:
        self.dismiss()
