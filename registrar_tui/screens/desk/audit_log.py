"""The audit viewer (F12, registrar and admin): who did what to which record, and when.

Filters by record (kind and number), user, action (a prefix) and local dates; one page
of events at a time, newest first (PgUp/PgDn); Enter opens an event's before → after.
Opening the viewer is itself recorded ("audit.view"), and so is opening an event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import DataTable, Footer, Input, Label, Select, Static

from registrar_tui.i18n import N_, _, format_datetime
from registrar_tui.screens.widgets.base import AppScreen, label_cell, page_bindings, user_cell
from registrar_tui.screens.widgets.paged_table import PagedTable

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.audit.log import AuditCursor, AuditFilter, AuditRow
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.core.paging import Page

_DATE_TIME = "yyyy-MM-dd HH:mm"
TEXT_FILTERS: tuple[tuple[str, str, int], ...] = (
    ("entity_id", N_("N°"), 18),
    ("username", N_("Utilisateur"), 64),
    ("name", N_("Nom"), 100),
    ("action", N_("Action"), 64),
    ("date_from", N_("Du"), 10),
    ("date_to", N_("Au"), 10),
)
"""(field, label, longest text) of the typed filters; the record's kind is a list. The
name finds a family (its name, a guardian's or a student's) and every event about it."""
FIELD_LABELS = {"entity_type": N_("Dossier"), **{n: label for n, label, _m in TEXT_FILTERS}}


def action_label(action: str) -> str:
    """What an action code means, translated ("payment.post": "Paiement encaissé")."""
    from registrar_tui.services.audit.labels import ACTION_LABELS

    return _(ACTION_LABELS[action]) if action in ACTION_LABELS else action


def entity_label(
    entity_type: str, entity_id: int | None, reference: str = "", name: str = ""
) -> str:
    """A record as people know it: "Famille F0000002 · Tremblay", "Facture FAC00000002",
    "Utilisateur clerk"; "Paiement n° 42" only when the record has no number any more."""
    from registrar_tui.services.audit.labels import ENTITY_TYPES

    kind = _(ENTITY_TYPES[entity_type]) if entity_type in ENTITY_TYPES else entity_type
    if reference:
        label = f"{kind} {reference}"
    elif entity_id is not None:
        label = _("{kind} n° {number}").format(kind=kind, number=entity_id)
    else:
        label = kind
    return f"{label} · {name}" if name else label


def field_label(name: str) -> str:
    """A recorded field as the viewer names it ("city": "Ville"; unknown: as it is)."""
    from registrar_tui.services.audit.labels import FIELD_LABELS

    return _(FIELD_LABELS[name]) if name in FIELD_LABELS else name


class AuditLogScreen(AppScreen):
    """The audit trail, filtered and paged; reading it is on the trail too."""

    CSS_PATH = "audit_log.tcss"
    COMMAND_NAMESPACE = N_("audit")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Retour"), id="audit.back", tooltip=N_("Fermer le journal")),
        # F, from the list (in a filter box it is typed).
        Binding(
            "f2,f",
            "filters",
            N_("Filtres"),
            id="audit.filters",
            tooltip=N_("Modifier les filtres (Entrée les applique)"),
        ),
        Binding(
            "enter",
            "detail",
            N_("Détail"),
            id="audit.detail",
            tooltip=N_("Voir l'avant et l'après de l'événement (journalisé)"),
            # Before the table's own Enter (hidden), so that the footer shows it; in a
            # filter box check_action disables it and Enter applies the filters.
            priority=True,
        ),
        *page_bindings("audit", N_("Événements plus récents"), N_("Événements plus anciens")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._filters: AuditFilter | None = None
        self._starts: tuple[AuditCursor | None, ...] = (None,)

    def compose(self) -> ComposeResult:
        from registrar_tui.services.audit.labels import ENTITY_TYPES

        yield Static(Content(_("Journal d'audit")), id="audit-title")
        kinds = sorted(((_(label), name) for name, label in ENTITY_TYPES.items()))
        with Horizontal(classes="audit-filters"):
            yield Label(Content(_("Dossier")), classes="filter-label")
            yield Select(kinds, prompt=_("Tous"), compact=True, id="filter-entity_type")
            yield from self._box(*TEXT_FILTERS[0])
            yield from self._box(*TEXT_FILTERS[1])
        with Horizontal(classes="audit-filters"):
            for name, label, length in TEXT_FILTERS[2:]:
                yield from self._box(name, label, length)
        yield Static(Content(_("Chargement…")), id="audit-status")
        table: PagedTable[AuditRow] = PagedTable(
            id="audit-table", cursor_type="row", hide_single_page=False
        )
        yield table
        yield Footer(show_command_palette=False)

    @staticmethod
    def _box(name: str, label: str, length: int) -> ComposeResult:
        yield Label(Content(_(label)), classes="filter-label")
        placeholder = _("AAAA-MM-JJ") if name.startswith("date") else ""
        yield Input(id=f"filter-{name}", max_length=length, placeholder=placeholder, compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#audit-table", DataTable)
        table.add_column(label_cell(_("Quand")), width=16)
        table.add_column(label_cell(_("Qui")), width=10)
        table.add_column(label_cell(_("Action")), width=22)
        # Fixed widths: automatic ones depended on when the rows arrived (flaky snapshots).
        table.add_column(label_cell(_("Dossier")), width=32)
        table.add_column(label_cell(_("Champs")), width=40)
        # When and who stay in sight while the record and its fields scroll sideways.
        table.fixed_columns = 2
        table.focus()
        self._open()

    # ------------------------------------------------------------------ loading

    def _open(self) -> None:
        def open_log(backend: Backend) -> tuple[Page[AuditRow], AuditFilter]:
            from registrar_tui.services.audit.log import AuditFilter, audit_page, open_audit_log
            from registrar_tui.services.core.errors import PermissionDenied

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            backend.write(open_audit_log, identity.id)
            return backend.read(audit_page, identity.id, AuditFilter()), AuditFilter()

        self.call_service(open_log, lambda found: self._show_page(*found, (None,)), group="audit")

    def _fetch(
        self,
        typed: dict[str, str] | None,
        filters: AuditFilter | None,
        starts: tuple[AuditCursor | None, ...],
    ) -> None:
        def fetch(backend: Backend) -> tuple[Page[AuditRow], AuditFilter]:
            from registrar_tui.services.audit.log import PAGE_SIZE, audit_page, parse_filter
            from registrar_tui.services.core.errors import PermissionDenied

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            parsed = parse_filter(**typed) if typed is not None else filters
            assert parsed is not None
            offset = (len(starts) - 1) * PAGE_SIZE  # the rows of the pages before
            page = backend.read(audit_page, identity.id, parsed, after=starts[-1], offset=offset)
            return page, parsed

        self.call_service(fetch, lambda found: self._show_page(*found, starts), group="audit")

    def _typed(self) -> dict[str, str]:
        kind = self.query_one("#filter-entity_type", Select).value
        typed = {name: self.query_one(f"#filter-{name}", Input).value for name, *_r in TEXT_FILTERS}
        typed["entity_type"] = kind if isinstance(kind, str) else ""
        return typed

    def _show_page(
        self, page: Page[AuditRow], filters: AuditFilter, starts: tuple[AuditCursor | None, ...]
    ) -> None:
        """`starts`: where each page up to this one starts (the last is this page's)."""
        self._filters, self._starts = filters, starts
        self._mark_invalid(None)
        table = self._table()
        table.show_page(
            page,
            lambda row: (
                label_cell(format_datetime(row.occurred_at, _DATE_TIME)),
                user_cell(row.actor_username or "—"),
                user_cell(action_label(row.action)),
                user_cell(
                    entity_label(
                        row.entity_type, row.entity_id, row.record_reference, row.record_name
                    )
                ),
                user_cell(", ".join(field_label(name) for name in row.changed_fields)),
            ),
        )
        self._set_status(
            table.status(
                _("Page {page} · événements {first}–{last}, du plus récent"),
                _("Aucun événement pour ces filtres."),
            )
        )
        self.refresh_bindings()

    def _table(self) -> PagedTable[AuditRow]:
        return self.query_one("#audit-table", PagedTable)

    def show_refusal(self, error: DomainError) -> None:
        """A refused filter is marked and named on the status line; a notice too."""
        message = error.translated()
        if error.field in FIELD_LABELS:
            message = f"{_(FIELD_LABELS[error.field])} : {message}"
            self._mark_invalid(error.field)
            self.query_one(f"#filter-{error.field}").focus()
        self._set_status(message, error=True)
        self.notify(message, severity="error", markup=False)

    def _mark_invalid(self, field: str | None) -> None:
        for name in FIELD_LABELS:
            self.query_one(f"#filter-{name}").set_class(name == field, "-invalid")

    def _set_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#audit-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    # ------------------------------------------------------------------ actions

    @on(Input.Submitted)
    def _apply(self, event: Input.Submitted) -> None:
        """Enter in a filter box applies every filter and goes back to the list."""
        event.stop()
        self._set_status(_("Recherche…"))
        self._fetch(self._typed(), None, (None,))
        self.query_one("#audit-table", DataTable).focus()

    @on(Select.Changed, "#filter-entity_type")
    def _kind_chosen(self, event: Select.Changed) -> None:
        event.stop()
        self.query_one("#filter-entity_id", Input).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "page" and parameters:
            if self._table().page is None:
                return False
            return self._table().can_page(int(str(parameters[0])))
        if action == "detail":
            if not isinstance(self.focused, DataTable):
                return False  # Enter belongs to the filter box being typed in
            return self._selected() is not None or None
        return True

    def action_page(self, direction: int) -> None:
        from registrar_tui.services.audit.log import next_cursor

        page, filters = self._table().page, self._filters
        if page is None or filters is None:
            return
        after = next_cursor(page)
        if direction > 0 and after is not None:
            self._fetch(None, filters, (*self._starts, after))
        elif direction < 0 and len(self._starts) > 1:
            self._fetch(None, filters, self._starts[:-1])

    def action_filters(self) -> None:
        self.query_one("#filter-entity_type", Select).focus()

    def _selected(self) -> AuditRow | None:
        return self._table().selected_row()

    @on(DataTable.RowSelected, "#audit-table")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_detail()

    @on(DataTable.RowHighlighted, "#audit-table")
    def _row_moved(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self.refresh_bindings()

    def action_detail(self) -> None:
        from registrar_tui.screens.desk.audit_event import AuditEventScreen

        row = self._selected()
        if row is not None:
            self.app.push_screen(AuditEventScreen(row.event_id, self._filters))

    def action_back(self) -> None:
        self.dismiss()
