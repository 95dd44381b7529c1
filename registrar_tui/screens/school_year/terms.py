"""The terms of the school year (F5, registrar and admin): dates, payment due date,
re-enrolment window, group count.

Keys: `n` a new term (the form proposes the code after the latest), `e` edit the dates,
Enter the term's groups, `o` open or close re-enrolment today, `r` roll the previous
term's groups over into this one (the dry run is shown first; nothing is written before
the confirmation).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.widgets import DataTable, Footer, Static

from registrar_tui.i18n import N_, _
from registrar_tui.screens.widgets.base import AppScreen, label_cell, user_cell

if TYPE_CHECKING:
    from datetime import date

    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.school_year.rollover import RolloverPlan
    from registrar_tui.services.school_year.terms import TermRow


def iso(day: date | None) -> str:
    """A day as typed in the forms (AAAA-MM-JJ), « — » for none."""
    return day.isoformat() if day is not None else "—"


def window_text(term: TermRow) -> str:
    """The re-enrolment window, and whether it is open today."""
    if term.reenrolment_opens_on is None:
        return _("fermée")
    closes = iso(term.reenrolment_closes_on) if term.reenrolment_closes_on else "…"
    state = _("ouverte") if term.reenrolment_open else _("fermée")
    return f"{iso(term.reenrolment_opens_on)} → {closes} {state}"


class TermsScreen(AppScreen):
    """The terms, latest first; keys to create, edit, open groups, roll over."""

    CSS_PATH = "terms.tcss"
    COMMAND_NAMESPACE = N_("année scolaire")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "groups",
            N_("Groupes"),
            id="terms.groups",
            tooltip=N_("Les groupes-cours de la session choisie"),
            priority=True,
        ),
        Binding("n", "new", N_("Créer"), id="terms.new", tooltip=N_("Créer la session suivante")),
        Binding("e", "edit", N_("Modifier"), id="terms.edit", tooltip=N_("Modifier les dates")),
        Binding(
            "o",
            "reenrolment",
            N_("Réinscr."),
            id="terms.reenrolment",
            tooltip=N_("Ouvrir ou fermer la réinscription à cette session aujourd'hui"),
        ),
        Binding(
            "r",
            "rollover",
            N_("Report"),
            id="terms.rollover",
            tooltip=N_("Copier les groupes de la session précédente dans celle-ci (essai d'abord)"),
        ),
        Binding("escape", "back", N_("Retour"), id="terms.back", tooltip=N_("Retour")),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._terms: tuple[TermRow, ...] = ()
        self._busy = False

    def compose(self) -> ComposeResult:
        yield Static(Content(_("Année scolaire : sessions")), id="terms-title")
        yield DataTable(id="terms-table", cursor_type="row")
        yield Static(Content(""), id="terms-status")
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        table = self.query_one("#terms-table", DataTable)
        for label in (
            _("Session"),
            _("Début"),
            _("Fin"),
            _("Paiement dû"),
            _("Réinscription"),
            _("Groupes"),
        ):
            table.add_column(label_cell(label))
        self._load()

    def _load(self, select_code: str | None = None) -> None:
        def load(backend: Backend) -> tuple[TermRow, ...]:
            from registrar_tui.services.school_year.terms import list_terms

            return backend.read(list_terms)

        self.call_service(load, lambda terms: self._show(terms, select_code), group="terms-load")

    def _show(self, terms: tuple[TermRow, ...], select_code: str | None = None) -> None:
        table = self.query_one("#terms-table", DataTable)
        row = table.cursor_row
        self._terms = terms
        table.clear()
        for term in terms:
            table.add_row(
                user_cell(term.code),
                label_cell(iso(term.starts_on)),
                label_cell(iso(term.ends_on)),
                label_cell(iso(term.payment_due_on)),
                label_cell(window_text(term)),
                label_cell(str(term.group_count)),
                key=term.code,
            )
        codes = [term.code for term in terms]
        if select_code in codes:
            row = codes.index(select_code)
        if terms:
            table.move_cursor(row=min(max(row, 0), len(terms) - 1))
        else:
            self._status(_("Aucune session : « n » en crée une."))
        table.focus()
        self.refresh_bindings()

    def _status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#terms-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def selected(self) -> TermRow | None:
        table = self.query_one("#terms-table", DataTable)
        if not self._terms or table.row_count == 0:
            return None
        return self._terms[min(max(table.cursor_row, 0), len(self._terms) - 1)]

    @on(DataTable.RowHighlighted, "#terms-table")
    def _moved(self) -> None:
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("groups", "edit", "reenrolment", "rollover"):
            return None if self.selected() is None or self._busy else True
        return True

    def action_groups(self) -> None:
        from registrar_tui.screens.school_year.groups import GroupsScreen

        term = self.selected()
        if term is not None:
            self.app.push_screen(GroupsScreen(term.term_id, term.code), lambda _r: self._load())

    def action_new(self) -> None:
        from registrar_tui.screens.school_year.term_form import TermFormScreen

        self.app.push_screen(TermFormScreen(), self._saved)

    def action_edit(self) -> None:
        from registrar_tui.screens.school_year.term_form import TermFormScreen

        term = self.selected()
        if term is not None:
            self.app.push_screen(TermFormScreen(term), self._saved)

    def _saved(self, code: str | None) -> None:
        if code:
            self._status(_("Session {code} enregistrée.").format(code=code))
            self._load(select_code=code)

    def action_reenrolment(self) -> None:
        term = self.selected()
        if term is None or self._busy:
            return
        term_id, opening = term.term_id, not term.reenrolment_open

        def change(backend: Backend) -> TermRow:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.school_year import terms

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            verb = terms.open_reenrolment if opening else terms.close_reenrolment
            return backend.write(verb, actor_id=identity.id, term_id=term_id)

        self._busy = True
        self.call_service(change, self._changed, group="terms-write", refused=self._refused)

    def _changed(self, term: TermRow) -> None:
        self._busy = False
        message = (
            _("Réinscription à la session {code} ouverte.")
            if term.reenrolment_open
            else _("Réinscription à la session {code} fermée.")
        )
        self._status(message.format(code=term.code))
        self._load(select_code=term.code)

    def _refused(self, error: DomainError) -> None:
        self._busy = False
        self._status(error.translated(), error=True)
        self.refresh_bindings()

    def action_rollover(self) -> None:
        term = self.selected()
        if term is None or self._busy:
            return
        term_id, target = term.term_id, term.code

        def plan(backend: Backend) -> RolloverPlan:
            from registrar_tui.services.core.errors import DomainError
            from registrar_tui.services.school_year.rollover import plan_rollover
            from registrar_tui.services.school_year.terms import previous_term

            before = backend.read(previous_term, term_id)
            if before is None:
                raise DomainError(N_("Aucune session avant {code} : rien à reporter."), code=target)
            return backend.read(plan_rollover, before.code, target)

        self.call_service(plan, self._show_plan, group="terms-plan", refused=self._refused)

    def _show_plan(self, plan: RolloverPlan) -> None:
        from registrar_tui.screens.school_year.rollover import RolloverScreen

        def done(created: int | None) -> None:
            if created is not None:
                self._status(
                    _("Report {source} → {target} : {count}.").format(
                        source=plan.source_code,
                        target=plan.target_code,
                        count=_count_created(created),
                    )
                )
                self._load(select_code=plan.target_code)

        self.app.push_screen(RolloverScreen(plan), done)

    def action_back(self) -> None:
        self.dismiss()


def _count_created(count: int) -> str:
    from registrar_tui.i18n import ngettext

    return ngettext("{count} groupe créé", "{count} groupes créés", count).format(count=count)
