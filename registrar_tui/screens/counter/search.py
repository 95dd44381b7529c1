"""Home: one box; families, students and invoices appear as you type, a page at a time."""

from __future__ import annotations

import dataclasses
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.content import Content
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import DataTable, Input, Static

from registrar_tui.i18n import N_, _, ngettext
from registrar_tui.screens.session.desk_screens import DAY_CLOSE_KEYS, desk_keys
from registrar_tui.screens.widgets.base import (
    AppScreen,
    KeysFooter,
    footer_width,
    label_cell,
    page_bindings,
    user_cell,
    user_content,
)
from registrar_tui.screens.widgets.paged_table import PagedTable

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.paging import Page
    from registrar_tui.services.search.query import SearchHit

_KIND_LABELS = {
    "family": N_("Famille"),
    "student": N_("Élève"),
    "invoice": N_("Facture"),
}


SPARE_FOOTER_KEYS = ("search.audit", "search.office", "search.term-fees", "search.activities")
"""Desk keys shown at home as a convenience, left out of the footer (last first) when the
registrar's keys would not all fit at 80 columns: they work from every screen and F1 lists
them, while « f1 Aide » and « f2 Admission » stay in sight."""


GARBAGE_DELAY = 0.1
"""Seconds after coming back home before the closed screens' garbage is collected: home is
drawn by then, and the clerk has not started typing the next name yet."""


def collect_garbage() -> None:
    """A full collection (what the closed screens left), at a moment nobody waits for."""
    import gc

    gc.collect()


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _detail(hit: SearchHit) -> str:
    """The hit's subtitle, plus what matched when the name alone does not show it."""
    if hit.matched and _fold(hit.matched) not in _fold(f"{hit.title} {hit.subtitle}"):
        return f"{hit.subtitle} · {hit.matched}" if hit.subtitle else hit.matched
    return hit.subtitle


def _kind_cell(hit: SearchHit) -> Text:
    """The hit's kind; a withdrawn student stands out as « Retiré »."""
    if hit.is_withdrawn:
        return Text(_("Retiré"), style="bold italic", no_wrap=True, overflow="ellipsis")
    return label_cell(_(_KIND_LABELS.get(str(hit.kind), str(hit.kind))))


class SearchScreen(AppScreen):
    """Find a family by any of its names or identifiers and open it."""

    CSS_PATH = "search.tcss"
    AUTO_FOCUS = "#query"
    BINDINGS: ClassVar[list[BindingType]] = [
        # The box keeps the focus, so these keys must reach the screen before the Input
        # (which would take Enter, ↑/↓ and PgUp/PgDn for itself).
        Binding(
            "enter",
            "open",
            N_("Ouvrir"),
            id="search.open",
            tooltip=N_("Ouvrir le dossier de la famille"),
            priority=True,
        ),
        Binding(
            "down", "move(1)", N_("Résultat suivant"), show=False, id="search.down", priority=True
        ),
        Binding(
            "up", "move(-1)", N_("Résultat précédent"), show=False, id="search.up", priority=True
        ),
        *page_bindings(
            "search",
            N_("Afficher les résultats précédents"),
            N_("Afficher les résultats suivants"),
        ),
        # Ctrl+N and Ctrl+T as well (a Mac sends F-keys only with fn; GNOME Terminal): in a
        # browser (serve-web) they never reach the page, but F2 and F3 do there.
        Binding(
            "f2,ctrl+n",
            "new_family",
            N_("Admission"),
            id="search.new-family",
            tooltip=N_("Nouvelle famille : payeur, 2e responsable, doublons vérifiés"),
        ),
        # The desk keys work from every screen (app bindings); here, at home, they show,
        # with the same keys (their Ctrl alternatives too: desk_screens.py).
        # F5 (the school year) is listed by F1 only: the footer is full at 80 columns.
        Binding(
            desk_keys("school_year"),
            "desk('school_year')",
            N_("Année scolaire"),
            id="search.school-year",
            tooltip=N_("Sessions, groupes-cours, report des groupes"),
            show=False,
        ),
        Binding(
            desk_keys("fees"),
            "desk('fees')",
            N_("Frais"),
            id="search.term-fees",
            tooltip=N_("Frais de confirmation tardive d'une session"),
        ),
        Binding(desk_keys("pending"), "desk('pending')", N_("À valider"), id="search.pending"),
        Binding(
            desk_keys("activities"), "desk('activities')", N_("Activités"), id="search.activities"
        ),
        Binding(
            desk_keys("office"),
            "desk('office')",
            N_("Bureau"),
            id="search.office",
            tooltip=N_("Tableau de bord : encaissements, comptes à recevoir, demandes, caisses"),
        ),
        Binding(DAY_CLOSE_KEYS, "desk('day_close')", N_("Caisse"), id="search.day-close"),
        Binding(desk_keys("audit"), "desk('audit')", N_("Audit"), id="search.audit"),
        Binding(
            "f3,ctrl+t",
            "toggle_withdrawn",
            N_("Retirés"),
            id="search.withdrawn",
            tooltip=N_("Inclure les élèves retirés dans les résultats (ou les enlever)"),
        ),
        Binding(
            "escape",
            "clear",
            N_("Effacer"),
            show=False,
            id="search.clear",
            tooltip=N_("Vider la recherche"),
        ),
    ]

    @dataclass
    class OpenFamily(Message):
        """The user chose a hit: the app opens this family (and the student, or the
        family's billing tab for an invoice)."""

        family_id: int
        student_id: int | None = None
        invoice_id: int | None = None

    def __init__(self) -> None:
        super().__init__()
        self._query = ""
        """The query of the page shown."""
        self._wanted: tuple[str, int] = ("", 0)
        """The query and offset the user asked for last; older answers are dropped."""
        self._open_on_arrival: str | None = None
        """Enter was pressed on this query before its results arrived: open the first."""
        self.include_withdrawn = False
        """F3: withdrawn students are in the results too (marked « Retiré »)."""
        self._shown_before_resume = False
        """Shown once already: the next resume is a return from a screen above it."""
        self._keys_read_for: tuple[object, ...] | None = None
        """What the footer's keys were last refreshed for (`_refresh_keys`)."""

    def compose(self) -> ComposeResult:
        yield Static(self._who(), id="signed-in")
        yield Input(
            id="query",
            placeholder=_("Nom, n° d'élève, code permanent, téléphone, courriel, n° de facture"),
        )
        yield Static(Content(_("Tapez pour chercher.")), id="search-status")
        table: PagedTable[SearchHit] = PagedTable(
            id="hits", cursor_type="row", zebra_stripes=True, hide_single_page=False
        )
        table.can_focus = False  # typing stays in the box; ↑/↓ and Enter act on the table
        yield table
        yield KeysFooter(compact=True)

    def _who(self) -> Content:
        identity = self.backend.identity
        if identity is None:
            return Content("")
        return Content.assemble(_("Connecté : "), user_content(identity.full_name, "bold"))

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """F3 shows in the footer once there is a query, and only if it fits with the other
        keys; then the spare desk keys give way (F12 first). Every key still works, and F1
        lists it, in every case."""
        bindings = super().active_bindings
        try:
            typed = self.query_one("#query", Input).value  # found once, then cached by id
        except NoMatches:  # not composed yet
            typed = ""
        if not typed.strip():
            bindings = {
                key: active._replace(binding=dataclasses.replace(active.binding, show=False))
                if active.binding.id == "search.withdrawn"
                else active
                for key, active in bindings.items()
            }
        for spare in ("search.withdrawn", *SPARE_FOOTER_KEYS):
            if footer_width(self, bindings) <= self.app.size.width:
                break
            bindings = {
                key: active._replace(binding=dataclasses.replace(active.binding, show=False))
                if active.binding.id == spare
                else active
                for key, active in bindings.items()
            }
        return bindings

    def on_mount(self) -> None:
        table = self.query_one("#hits", DataTable)
        table.add_column(label_cell(_("Type")), key="kind", width=8)
        table.add_column(label_cell(_("Nom")), key="title", width=32)
        table.add_column(label_cell(_("Détail")), key="subtitle")

    def on_screen_resume(self) -> None:
        self.focus_query()
        if self._shown_before_resume:
            # Back home from a record: its widgets are cyclic garbage now (some 12,000
            # objects for a family). Collected here, once home is drawn, instead of by a
            # full collection that Python starts in the middle of opening the next family
            # (20–45 ms there, a tenth of the opens).
            self.set_timer(GARBAGE_DELAY, collect_garbage)
        self._shown_before_resume = True

    def focus_query(self) -> None:
        """Put the cursor in the search box, its text selected so typing replaces it."""
        query = self.query_one("#query", Input)
        query.focus()
        query.select_all()

    @on(Input.Changed, "#query")
    def _query_changed(self, event: Input.Changed) -> None:
        self._request(event.value, 0)

    def _request(self, query: str, offset: int) -> None:
        self._wanted = (query, offset)
        pending = self._open_on_arrival
        # The box's Changed messages for the keys typed before Enter may still arrive
        # after it (prefixes of the pending query); anything else means the user typed on.
        if pending is not None and not pending.startswith(query):
            self._open_on_arrival = None
        if not query.strip():
            self._hits().forget()
            self._set_status(_("Tapez pour chercher."))
            self._refresh_keys()
            return
        self._fetch(query, offset)

    def _fetch(self, query: str, offset: int) -> None:
        include_withdrawn = self.include_withdrawn

        def fetch(backend: Backend) -> Page[SearchHit]:
            from registrar_tui.services.search.query import search

            return backend.read(search, query, offset=offset, include_withdrawn=include_withdrawn)

        self.call_service(fetch, lambda page: self._show_page(query, page), group="search")

    def _show_page(self, query: str, page: Page[SearchHit]) -> None:
        if (query, page.offset) != self._wanted:
            return  # the user typed on since this search started
        self._query = query
        self._hits().show_page(
            page,
            lambda hit: (
                _kind_cell(hit),
                user_cell(hit.title),
                user_cell(_detail(hit)),
            ),
        )
        self._set_status(self._describe(page))
        self._refresh_keys()
        if self._open_on_arrival is not None and query == self._current_query():
            if self._open_on_arrival == query:
                self._open_selected()
            self._open_on_arrival = None

    def _refresh_keys(self) -> None:
        """The footer follows the page keys (dimmed or lit: `check_action`) and F3 (shown
        once there is a query: `active_bindings`); a page like the one before, as most keys
        typed bring, changes neither, and the footer's keys are not read again for it."""
        hits = self._hits()
        state = (
            hits.can_page(-1),
            hits.can_page(1),
            bool(self._current_query().strip()),
            self.app.size.width,
        )
        if state != self._keys_read_for:
            self._keys_read_for = state
            self.refresh_bindings()

    def _hits(self) -> PagedTable[SearchHit]:
        return self.query_one("#hits", PagedTable)

    def _describe(self, page: Page[SearchHit]) -> str:
        text = self._describe_hits(page)
        if self.include_withdrawn:
            text += " · " + _("retirés inclus (F3 ou Ctrl+T)")
        return text

    def _describe_hits(self, page: Page[SearchHit]) -> str:
        if not page.rows:
            return _("Aucun résultat.")
        shown = len(page.rows)
        text = ngettext("{count} résultat affiché", "{count} résultats affichés", shown).format(
            count=shown
        )
        if page.offset:
            text += f" ({page.offset + 1}–{page.offset + shown})"
        if page.has_more:
            text += " · " + _("d'autres suivent")
        return text

    def _set_status(self, text: str) -> None:
        # One line as wide as the screen whatever it says (search.tcss): no layout to redo.
        self.query_one("#search-status", Static).update(Content(text), layout=False)

    def _selected_hit(self) -> SearchHit | None:
        return self._hits().selected_row()

    def action_move(self, step: int) -> None:
        table = self.query_one("#hits", DataTable)
        if table.row_count:
            table.move_cursor(row=min(max(table.cursor_row + step, 0), table.row_count - 1))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Page keys are dimmed when there is no page that way."""
        if action == "page" and parameters:
            return self._hits().can_page(int(str(parameters[0])))
        if action == "desk" and parameters:
            name = str(parameters[0])
            return self._desk_allowed(name)
        return True

    def _desk_allowed(self, name: str) -> bool:
        from registrar_tui.screens.session.desk_screens import DESK_SCREENS

        identity = self.backend.identity
        if identity is None:
            return False
        return name == "day_close" or identity.allows(DESK_SCREENS[name][2])

    def action_desk(self, name: str) -> None:
        """F6, F7, F8, F9, F10, F12 at home: the same as anywhere else (shown here)."""
        from registrar_tui.screens.session.desk_screens import OpenDesk

        self.post_message(OpenDesk(name))

    def action_new_family(self) -> None:
        """F2: the admission form, above this screen (Escape comes back here)."""
        from registrar_tui.screens.counter.new_family import NewFamilyScreen

        self.app.push_screen(NewFamilyScreen())

    def action_page(self, direction: int) -> None:
        offset = self._hits().page_offset(direction)
        if offset is not None:
            self._request(self._query, offset)

    def action_toggle_withdrawn(self) -> None:
        """F3: include the withdrawn students, or leave them out again (the default)."""
        self.include_withdrawn = not self.include_withdrawn
        query = self._current_query()
        if query.strip():
            self._request(query, 0)
        else:
            self._set_status(
                _("Élèves retirés inclus.") if self.include_withdrawn else _("Tapez pour chercher.")
            )
        self.query_one("#query", Input).focus()

    def action_clear(self) -> None:
        self.query_one("#query", Input).value = ""

    class OpenRequested(Message):
        """Enter, queued behind the keys the search box has not handled yet."""

    def action_open(self) -> None:
        # A scanner or a fast typist sends "FAC00000397⏎" at once: let the box take
        # every key first, then compare its text with the results on screen.
        self.query_one("#query", Input).post_message(self.OpenRequested())

    def _current_query(self) -> str:
        return self.query_one("#query", Input).value

    @on(OpenRequested)
    def _open_requested(self, event: OpenRequested) -> None:
        event.stop()
        typed = self._current_query()
        page = self._hits().page
        if page is None or self._query != typed or (self._query, page.offset) != self._wanted:
            self._open_on_arrival = typed if typed.strip() else None
            return
        self._open_selected()

    def _open_selected(self) -> None:
        hit = self._selected_hit()
        if hit is not None:
            kind = str(hit.kind)
            self.post_message(
                self.OpenFamily(
                    hit.family_id,
                    student_id=hit.ref_id if kind == "student" else None,
                    invoice_id=hit.ref_id if kind == "invoice" else None,
                )
            )

    @on(DataTable.RowSelected, "#hits")
    def _row_clicked(self) -> None:
        self.action_open()
