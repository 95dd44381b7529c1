"""The course groups of a term: discipline, section, teacher, day and time, room, seats
taken out of the capacity, level, closed (registrar and admin).

Keys: `n` a new group, `e` edit the group under the cursor, `c` close it to new
enrolments (its students stay) or reopen a closed one, `s` and `d` go through the
establishments and the disciplines to filter the list, PgUp/PgDn turn the pages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Footer, Static

from registrar_tui.i18n import N_, _, current_language
from registrar_tui.screens.widgets.base import (
    AppScreen,
    label_cell,
    page_bindings,
    user_cell,
    user_text,
)
from registrar_tui.screens.widgets.paged_table import PagedTable

if TYPE_CHECKING:
    from datetime import time

    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.core.paging import Page
    from registrar_tui.services.school_year.groups import GroupChoices, GroupRow

PAGE_SIZE = 50
FIXED_WIDTHS = {"site": 4, "section": 3, "day": 4, "time": 11, "seats": 7, "state": 6}
"""Columns of a fixed width; the discipline, teacher, room and level share the rest."""


def weekday_name(weekday: int | None) -> str:
    """The day's short name in the UI language (« — » when not scheduled)."""
    if weekday is None:
        return "—"
    from babel.dates import get_day_names

    from registrar_tui.i18n import babel_locale

    return str(get_day_names("abbreviated", locale=babel_locale())[weekday - 1])


def hours(starts: time | None, ends: time | None) -> str:
    if starts is None or ends is None:
        return "—"
    return f"{starts:%H:%M}–{ends:%H:%M}"


class GroupsScreen(AppScreen):
    """One term's groups, filtered by establishment and discipline."""

    CSS_PATH = "groups.tcss"
    COMMAND_NAMESPACE = N_("groupes")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", N_("Nouveau"), id="groups.new", tooltip=N_("Créer un groupe")),
        Binding("e", "edit", N_("Modifier"), id="groups.edit", tooltip=N_("Modifier ce groupe")),
        Binding(
            "c",
            "close",
            N_("Fermer"),
            id="groups.close",
            tooltip=N_(
                "Fermer ce groupe aux nouvelles inscriptions (ses élèves restent), ou le rouvrir"
            ),
        ),
        Binding(
            "l",
            "waiting_list",
            N_("Attente"),
            id="groups.waiting-list",
            tooltip=N_("Liste d'attente de ce groupe : offrir, accepter, retirer"),
        ),
        Binding(
            "s",
            "cycle_site",
            N_("Site"),
            id="groups.site",
            show=False,  # the filter line says « (s, d : changer) »
            tooltip=N_("Filtrer : établissement suivant"),
        ),
        Binding(
            "d",
            "cycle_discipline",
            N_("Discipline"),
            id="groups.discipline",
            show=False,  # the filter line says « (s, d : changer) »
            tooltip=N_("Filtrer : discipline suivante"),
        ),
        *page_bindings("groups", N_("Groupes précédents"), N_("Groupes suivants")),
        Binding("escape", "back", N_("Retour"), id="groups.back", tooltip=N_("Retour")),
    ]

    def __init__(self, term_id: int, term_code: str) -> None:
        super().__init__()
        self.term_id = term_id
        self.term_code = term_code
        self._choices: GroupChoices | None = None
        self._site: int | None = None
        self._discipline: int | None = None
        self._offset = 0
        self._busy = False

    def compose(self) -> ComposeResult:
        yield Static(
            Content(_("Groupes de la session {code}").format(code=self.term_code)),
            id="groups-title",
        )
        yield Static(Content(""), id="groups-filters")
        table: PagedTable[GroupRow] = PagedTable(id="groups-table", cursor_type="row")
        yield table
        yield Static(Content(_("Chargement…")), id="groups-status")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        def load(backend: Backend) -> GroupChoices:
            from registrar_tui.services.school_year.groups import group_choices

            return backend.read(group_choices)

        self.call_service(load, self._got_choices, group="groups-choices")

    def _got_choices(self, choices: GroupChoices) -> None:
        self._choices = choices
        self._show_filters()
        self._load()

    def _show_filters(self) -> None:
        choices = self._choices
        if choices is None:
            return
        site = next((c.code for c in choices.establishments if c.id == self._site), _("tous"))
        discipline = next(
            (
                d.in_language(current_language())
                for d in choices.disciplines
                if d.discipline_id == self._discipline
            ),
            _("toutes"),
        )
        self.query_one("#groups-filters", Static).update(
            Content.assemble(
                Content(
                    _("Établissement : {site} · Discipline : {discipline}").format(
                        site=user_text(site), discipline=user_text(discipline)
                    )
                ),
                "  ",
                (_("(s, d : changer)"), "dim"),
            )
        )

    def _load(self, keep_cursor: bool = False) -> None:
        from registrar_tui.services.school_year.groups import GroupFilter

        group_filter = GroupFilter(
            term_id=self.term_id, establishment_id=self._site, discipline_id=self._discipline
        )
        offset = self._offset

        def load(backend: Backend) -> Page[GroupRow]:
            from registrar_tui.services.school_year.groups import list_groups

            return backend.read(list_groups, group_filter, offset=offset, limit=PAGE_SIZE)

        self.call_service(load, lambda page: self._show(page, keep_cursor), group="groups-load")

    def _columns(self, table: PagedTable[GroupRow]) -> None:
        width = max(self.app.size.width - 4, 60)
        fixed = sum(FIXED_WIDTHS.values())
        shared = width - fixed - 2 * 10  # ten columns, one space each side
        discipline, teacher = max(shared * 3 // 10, 8), max(shared * 3 // 10, 8)
        room = max(shared * 2 // 10, 5)
        level = max(shared - discipline - teacher - room, 5)
        table.clear(columns=True)
        for label, size in (
            (_("Site"), FIXED_WIDTHS["site"]),
            (_("Discipline"), discipline),
            (pgettext_group(), FIXED_WIDTHS["section"]),
            (_("Professeur"), teacher),
            (_("Jour"), FIXED_WIDTHS["day"]),
            (_("Heure"), FIXED_WIDTHS["time"]),
            (_("Local"), room),
            (_("Places"), FIXED_WIDTHS["seats"]),
            (_("Niveau"), level),
            (_("État"), FIXED_WIDTHS["state"]),
        ):
            table.add_column(label_cell(label), width=size)

    def _show(self, page: Page[GroupRow], keep_cursor: bool) -> None:
        table = self.query_one("#groups-table", PagedTable)
        row = table.cursor_row
        self._columns(table)
        language = current_language()

        def cells(group: GroupRow) -> tuple[object, ...]:
            return (
                user_cell(group.establishment_code),
                user_cell(group.discipline.in_language(language)),
                user_cell(group.section),
                user_cell(group.teacher or "—"),
                label_cell(weekday_name(group.weekday)),
                label_cell(hours(group.starts_at, group.ends_at)),
                user_cell(group.room or "—"),
                label_cell(f"{group.seats_taken}/{group.capacity}"),
                user_cell(group.level or "—"),
                label_cell(_("fermé") if group.is_closed else ""),
            )

        table.show_page(page, cells, keep_cursor=keep_cursor)
        if keep_cursor and page.rows:
            table.move_cursor(row=min(max(row, 0), len(page.rows) - 1))
        status = table.status(
            _("Groupes {first}–{last} sur {total}"), _("Aucun groupe : « n » en crée un.")
        )
        self.query_one("#groups-status", Static).update(Content(status))
        self.query_one("#groups-status", Static).set_class(False, "-error")
        table.focus()
        self.refresh_bindings()

    def selected(self) -> GroupRow | None:
        table: PagedTable[GroupRow] = self.query_one("#groups-table", PagedTable)
        return table.selected_row()

    @on(DataTable.RowHighlighted, "#groups-table")
    def _moved(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "close", "waiting_list"):
            return None if self.selected() is None or self._busy else True
        if action == "new":
            return self._choices is not None
        if action == "page":
            table: PagedTable[GroupRow] = self.query_one("#groups-table", PagedTable)
            return table.can_page(int(str(parameters[0])))
        return True

    def action_page(self, direction: int) -> None:
        table: PagedTable[GroupRow] = self.query_one("#groups-table", PagedTable)
        offset = table.page_offset(direction)
        if offset is not None:
            self._offset = offset
            self._load()

    def _cycle(self, ids: list[int], current: int | None) -> int | None:
        options: list[int | None] = [None, *ids]
        return options[(options.index(current) + 1) % len(options)]

    def action_cycle_site(self) -> None:
        if self._choices is not None:
            self._site = self._cycle([c.id for c in self._choices.establishments], self._site)
            self._offset = 0
            self._show_filters()
            self._load()

    def action_cycle_discipline(self) -> None:
        if self._choices is not None:
            ids = [d.discipline_id for d in self._choices.disciplines]
            self._discipline = self._cycle(ids, self._discipline)
            self._offset = 0
            self._show_filters()
            self._load()

    def action_new(self) -> None:
        from registrar_tui.screens.school_year.group_form import GroupFormScreen

        if self._choices is not None:
            self.app.push_screen(
                GroupFormScreen(self.term_id, self.term_code, None, default_site=self._site),
                self._saved,
            )

    def action_edit(self) -> None:
        from registrar_tui.screens.school_year.group_form import GroupFormScreen

        group = self.selected()
        if group is not None:
            self.app.push_screen(GroupFormScreen(self.term_id, self.term_code, group), self._saved)

    def action_waiting_list(self) -> None:
        from registrar_tui.screens.school_year.waiting_list import WaitingListScreen

        group = self.selected()
        if group is not None:
            # Accepting an offer takes a seat: the seats column is read again on return.
            self.app.push_screen(
                WaitingListScreen(group.course_id), lambda _: self._load(keep_cursor=True)
            )

    def _saved(self, group: GroupRow | None) -> None:
        if group is not None:
            self.notify(
                _("Groupe {discipline} {section} enregistré.").format(
                    discipline=group.discipline.in_language(current_language()),
                    section=group.section,
                ),
                markup=False,
            )
            self._load(keep_cursor=True)

    def action_close(self) -> None:
        group = self.selected()
        if group is None or self._busy:
            return
        course_id, reopening = group.course_id, group.is_closed

        def change(backend: Backend) -> GroupRow:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.school_year import groups

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            verb = groups.reopen_group if reopening else groups.close_group
            return backend.write(verb, actor_id=identity.id, course_id=course_id)

        self._busy = True
        self.call_service(change, self._close_done, group="groups-write", refused=self._refused)

    def _close_done(self, group: GroupRow) -> None:
        from registrar_tui.i18n import ngettext

        self._busy = False
        if group.is_closed:
            text = _("Groupe {section} fermé aux nouvelles inscriptions.").format(
                section=group.section
            )
            if group.seats_taken:
                text += " " + ngettext(
                    "{count} élève y reste inscrit.",
                    "{count} élèves y restent inscrits.",
                    group.seats_taken,
                ).format(count=group.seats_taken)
        else:
            text = _("Groupe {section} rouvert.").format(section=group.section)
        self.notify(text, markup=False)
        self._load(keep_cursor=True)

    def _refused(self, error: DomainError) -> None:
        self._busy = False
        status = self.query_one("#groups-status", Static)
        status.update(Content(error.translated()))
        status.set_class(True, "-error")
        self.refresh_bindings()

    def action_back(self) -> None:
        self.dismiss()


def pgettext_group() -> str:
    """« Gr. »: the section column's heading (a group's number within its discipline)."""
    from registrar_tui.i18n import pgettext

    return pgettext("section column", "Gr.")
