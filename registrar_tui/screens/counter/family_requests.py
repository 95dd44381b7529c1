"""The family's "Demandes" tab: its portal requests, a page at a time.

For a registrar, Enter opens the highlighted request in the same decision screen as the
queue's (a change request field by field, or the re-enrolment); the tab is read again
when it closes. For a clerk the tab is read-only (deciding is the registrar's).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from registrar_tui.i18n import LOCAL_TIMEZONE, N_, _, format_date
from registrar_tui.screens.widgets.base import label_cell, user_cell, user_content
from registrar_tui.screens.widgets.paged_table import PagedTable
from registrar_tui.screens.widgets.service_call import ServiceCaller

if TYPE_CHECKING:
    from textual.screen import Screen

    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.core.paging import Page
    from registrar_tui.services.requests.family import FamilyRequest

_KIND_LABELS = {
    "change": N_("Modification"),
    "reenrolment": N_("Réinscription"),
}
_STATUS_LABELS = {
    "pending": N_("en attente"),
    "approved": N_("acceptée"),
    "rejected": N_("refusée"),
    "cancelled": N_("annulée"),
}


def _full_summary(request: FamilyRequest) -> str:
    """What was asked, and why it was refused when it was."""
    if request.decision_reason:
        return f"{request.summary} · {request.decision_reason}"
    return request.summary


def _cells(request: FamilyRequest) -> tuple[Text, ...]:
    kind, status = str(request.kind), str(request.status)
    return (
        label_cell(format_date(local_date(request.submitted_at), "short")),
        label_cell(_(_KIND_LABELS.get(kind, kind))),
        label_cell(_(_STATUS_LABELS.get(status, status))),
        user_cell(request.subject),
        user_cell(_full_summary(request)),
    )


def local_date(instant: datetime) -> date:
    """The day at the school for a stored (UTC) instant."""
    return instant.astimezone(ZoneInfo(LOCAL_TIMEZONE)).date()


class FamilyRequestsView(ServiceCaller, Vertical):
    """One page of the family's change and re-enrolment requests (PgUp/PgDn for more)."""

    DEFAULT_CSS = """
    FamilyRequestsView {
        height: 1fr;
    }
    FamilyRequestsView #requests-status {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    FamilyRequestsView #requests-table {
        height: 1fr;
        scrollbar-size-horizontal: 0;
    }
    FamilyRequestsView #requests-detail {
        height: auto;
        max-height: 6;
        padding: 0 1;
        border-top: hkey $primary;
    }
    """
    # Priority: the focused table would take PgUp/PgDn to scroll, and it holds one page.
    # (Priority keys come from the focus chain, so they act only while the tab has focus.)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "pagedown",
            "page(1)",
            N_("Suiv."),
            id="requests.next-page",
            tooltip=N_("Demandes suivantes"),
            priority=True,
        ),
        Binding(
            "pageup",
            "page(-1)",
            N_("Préc."),
            id="requests.previous-page",
            tooltip=N_("Demandes précédentes"),
            priority=True,
        ),
    ]

    def __init__(self, family_id: int, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.family_id = family_id
        self._reopened: tuple[str, int] | None = None

    def compose(self) -> ComposeResult:
        yield Static(Content(_("Chargement…")), id="requests-status")
        table: PagedTable[FamilyRequest] = PagedTable(
            id="requests-table", cursor_type="row", zebra_stripes=True, hide_single_page=False
        )
        yield table
        # The summary is clipped in the table at 80 columns: the highlighted one in full.
        yield Static(Content(""), id="requests-detail")

    def on_mount(self) -> None:
        table = self.query_one("#requests-table", DataTable)
        table.add_column(label_cell(_("Reçue le")), key="submitted", width=10)
        table.add_column(label_cell(_("Type")), key="kind", width=13)
        table.add_column(label_cell(_("Statut")), key="status", width=10)
        table.add_column(label_cell(_("Pour")), key="subject", width=16)
        table.add_column(label_cell(_("Demande")), key="summary")
        self.reload()

    def focus_table(self) -> None:
        """Give the keys to the table (the family screen calls it when the tab opens)."""
        self.query_one("#requests-table", DataTable).focus()

    def reload(self, offset: int = 0) -> None:
        """Fetch the page starting at `offset` (the family screen calls it after a change)."""
        self._fetch(max(0, offset))

    def _fetch(self, offset: int) -> None:
        family_id = self.family_id

        def fetch(backend: Backend) -> Page[FamilyRequest]:
            from registrar_tui.services.requests.family import REQUESTS_PAGE_SIZE, family_requests

            return backend.read(family_requests, family_id, limit=REQUESTS_PAGE_SIZE, offset=offset)

        self.call_service(fetch, self._show, group="family-requests")

    def _show(self, page: Page[FamilyRequest]) -> None:
        table = self._table()
        table.show_page(page, _cells)
        # Back from a request's screen: the highlight stays on the request (decided, it
        # moved down among the decided ones).
        keys = [(str(r.kind), r.request_id) for r in page.rows]
        if self._reopened in keys:
            table.move_cursor(row=keys.index(self._reopened))
        self._reopened = None
        self._show_detail(table.cursor_row)
        text = table.status(_("Demandes {first}–{last}"), _("Aucune demande pour cette famille."))
        if page.rows and page.has_more:
            text += " · " + _("d'autres suivent (PgDn)")
        identity = self.backend.identity
        if page.rows and identity is not None and identity.can_decide_requests:
            text += " · " + _("Entrée : ouvrir")
        self.query_one("#requests-status", Static).update(Content(text))
        self.screen.refresh_bindings()

    def _table(self) -> PagedTable[FamilyRequest]:
        return self.query_one("#requests-table", PagedTable)

    @on(DataTable.RowHighlighted, "#requests-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_detail(event.cursor_row)

    def _show_detail(self, row: int) -> None:
        detail = self.query_one("#requests-detail", Static)
        page = self._table().page
        if page is None or not 0 <= row < len(page.rows):
            detail.update(Content(""))
            return
        request = page.rows[row]
        detail.update(
            Content.assemble(
                user_content(request.subject, "bold"), " · ", user_content(_full_summary(request))
            )
        )

    @on(DataTable.RowSelected, "#requests-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        event.stop()
        table = self._table()
        request = table.selected_row()
        if request is None:
            return
        identity = self.backend.identity
        if identity is None or not identity.can_decide_requests:
            self.notify(
                _("Les demandes sont décidées au registrariat (file des demandes, F7)."),
                severity="warning",
                markup=False,
            )
            return
        screen: Screen[None]
        if str(request.kind) == "reenrolment":
            from registrar_tui.screens.desk.reenrolment_decision import (
                ReenrolmentDecisionScreen,
            )

            screen = ReenrolmentDecisionScreen(request.request_id)
        else:
            from registrar_tui.screens.desk.change_request import ChangeRequestScreen

            screen = ChangeRequestScreen(request.request_id)
        offset = table.page.offset if table.page is not None else 0

        def closed(_result: object) -> None:
            self._reopened = (str(request.kind), request.request_id)
            self.reload(offset)

        self.app.push_screen(screen, closed)

    def show_refusal(self, error: DomainError) -> None:
        """Refusals show on the tab's status line."""
        self.query_one("#requests-status", Static).update(
            Content.styled(error.translated(), "$text-error")
        )

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Page keys are dimmed when there is no page that way."""
        if action == "page" and parameters:
            return self._table().can_page(int(str(parameters[0])))
        return True

    def action_page(self, direction: int) -> None:
        offset = self._table().page_offset(direction)
        if offset is not None:
            self.reload(offset)
