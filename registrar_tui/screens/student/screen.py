"""The student record: a header always in sight and five tabs.

1 Identité, 2 Cours (the current term; Enter opens a course's evaluations and absences),
3 Historique (past terms, marks and teachers' comments; Enter opens the course too),
4 Répertoire (works performed, newest event first), 5 Réinscription (the next term's
requests). Long lists show a page at a time (PageUp/PageDown).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from registrar_tui.i18n import N_, _, format_date, pgettext
from registrar_tui.screens.student.actions import StudentDeskActions
from registrar_tui.screens.student.course import (
    CourseScreen,
    footer_bindings,
    page_status,
)
from registrar_tui.screens.student.record_actions import RECORD_ACTIONS, StudentRecordActions
from registrar_tui.screens.student.views import (
    comment_line,
    course_cells,
    courses_heading,
    event_line,
    header_lines,
    history_cells,
    identity_rows,
    reenrolment_lines,
    work_cells,
)
from registrar_tui.screens.widgets.base import (
    TAB_GROUP,
    AppScreen,
    KeysFooter,
    label_cell,
    page_bindings,
    user_content,
)
from registrar_tui.screens.widgets.paged_table import PagedTable

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.screens.widgets.pdf_output import SavedPdf
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.records.courses import CurrentCourse, HistoryEntry
    from registrar_tui.services.records.student_activities import PerformedWork, RepertoireEntry
    from registrar_tui.services.records.students import StudentIdentity, StudentRecord

TABS = ("identity", "courses", "history", "repertoire", "reenrolment")
_PAGED_TABS = ("courses", "history", "repertoire")
# Grouped and compact so that the footer fits 80 columns with the app's own keys.
_FOOTER_ORDER = (
    "1", "2", "3", "4", "5", "escape", "enter", "a", "d", "p", "t", "n", "m", "s", "u", "w",
    "delete", "r", "b",
    "pageup", "pagedown",
)  # fmt: skip
_IDENTITY_ACTIONS = ("edit_identity", "edit_health", "change_status", "edit_sin", "tax_slips")
"""The identity tab's keys (the record kept: identity, health, status)."""


def _tab_binding(key: str, tab: str, label: str) -> Binding:
    return Binding(key, f"tab('{tab}')", label, id=f"student.tab-{tab}", group=TAB_GROUP)


class StudentScreen(StudentDeskActions, StudentRecordActions, AppScreen):
    """One student, as the registrar or the clerk looks them up."""

    CSS_PATH = "screen.tcss"
    COMMAND_NAMESPACE = N_("élève")
    PAGE_ROWS = 10
    """Course, history and repertoire rows per page: they fit 80×24 with the header."""
    BINDINGS: ClassVar[list[BindingType]] = [
        _tab_binding("1", "identity", N_("Identité")),
        _tab_binding("2", "courses", N_("Cours")),
        _tab_binding("3", "history", N_("Historique")),
        _tab_binding("4", "repertoire", N_("Répertoire")),
        _tab_binding("5", "reenrolment", N_("Réinscription")),
        Binding("escape", "back", N_("Retour"), id="student.back", tooltip=N_("Fermer le dossier")),
        # Enter and the page keys must reach the screen before the focused table.
        Binding(
            "enter",
            "open_course",
            N_("Voir"),
            id="student.open-course",
            tooltip=N_("Évaluations et absences du cours sélectionné"),
            priority=True,
        ),
        *page_bindings("student", N_("Lignes précédentes"), N_("Lignes suivantes")),
        # Counter keys (actions.py), each shown on its tab only.
        Binding("a", "add_course", N_("Ajout"), id="student.add-course",
                tooltip=N_("Inscrire l'élève à un cours de la session")),
        Binding("d", "drop_course", N_("Retrait"), id="student.drop-course",
                tooltip=N_("Retirer l'élève du cours sélectionné")),
        Binding("p", "confirm_attendance", N_("Présence"), id="student.confirm-attendance",
                tooltip=N_("La famille confirme la présence de l'élève à la session "
                           "(pas de frais de confirmation tardive)")),
        Binding("t", "certificate", N_("Attest."), id="student.certificate",
                tooltip=N_("Attestation de fréquentation : la facturer, la faire payer, "
                           "la remettre")),
        Binding("n", "request_reenrolment", N_("Demande"), id="student.request-reenrolment",
                tooltip=N_("Enregistrer la demande de réinscription de la famille")),
        # The identity tab's keys (identity and status: registrar or admin).
        Binding("m", "edit_identity", N_("Modifier"), id="student.edit-identity",
                tooltip=N_("Corriger l'identité de l'élève (noms, naissance, code permanent, "
                           "école)")),
        Binding("s", "edit_health", N_("Santé"), id="student.edit-health",
                tooltip=N_("Santé et personne à joindre en cas d'urgence")),
        Binding("u", "change_status", N_("Statut"), id="student.change-status",
                tooltip=N_("Actif, retiré (date et motif) ou diplômé")),
        # Tax slips: not in the footer (no room at 80 columns), listed by F1.
        Binding("i", "edit_sin", N_("NAS"), id="student.edit-sin", show=False,
                tooltip=N_("Numéro d'assurance sociale de l'élève, pour les relevés fiscaux")),
        Binding("f", "tax_slips", N_("Relevés fiscaux"), id="student.tax-slips", show=False,
                tooltip=N_("Relevé 8 et T2202 de la dernière année produite (PDF)")),
        # Repertoire and documents (record_actions.py), each shown on its tab only.
        Binding("w", "add_work", N_("Œuvre"), id="student.add-work",
                tooltip=N_("Ajouter une œuvre interprétée (événement choisi ou nouveau)")),
        Binding("delete", "remove_work", N_("Retirer"), id="student.remove-work",
                tooltip=N_("Retirer l'œuvre sélectionnée du répertoire")),
        Binding("r", "transcript", N_("Relevé"), id="student.transcript",
                tooltip=N_("Relevé de notes de la session (PDF)")),
        Binding("b", "absence_report", N_("Abs. PDF"), id="student.absence-report",
                tooltip=N_("Rapport d'absences de la session (PDF)")),
    ]  # fmt: skip

    def __init__(self, student_id: int, *, initial_tab: str = "identity") -> None:
        super().__init__()
        self.student_id = student_id
        self._initial_tab = initial_tab if initial_tab in TABS else "identity"
        self._record: StudentRecord | None = None
        self._works: list[tuple[RepertoireEntry, PerformedWork]] = []

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return footer_bindings(super().active_bindings, _FOOTER_ORDER)

    def compose(self) -> ComposeResult:
        with Vertical(id="student-header"):
            yield Static(Content(_("Chargement…")), id="student-title")
            yield Static(Content(""), id="student-family")
        with TabbedContent(initial=self._initial_tab, id="student-tabs"):
            with TabPane(_("1 Identité"), id="identity"):
                yield VerticalScroll(id="identity-fields")
            with TabPane(_("2 Cours"), id="courses"):
                yield Static(Content(""), id="courses-title", classes="section-title")
                courses: PagedTable[CurrentCourse] = PagedTable(
                    id="courses-table", cursor_type="row"
                )
                yield courses
            with TabPane(_("3 Historique"), id="history"):
                history: PagedTable[HistoryEntry] = PagedTable(
                    id="history-table", cursor_type="row"
                )
                yield history
                yield Static(Content(""), id="history-status", classes="page-status")
                yield Static(Content(""), id="history-comment", classes="row-detail")
            with TabPane(_("4 Répertoire"), id="repertoire"):
                works: PagedTable[tuple[RepertoireEntry, PerformedWork]] = PagedTable(
                    id="repertoire-table", cursor_type="row"
                )
                yield works
                yield Static(Content(""), id="repertoire-status", classes="page-status")
                yield Static(Content(""), id="repertoire-event", classes="row-detail")
            with TabPane(_("5 Réinscription"), id="reenrolment"):
                yield VerticalScroll(id="reenrolment-body")
        # Compact, and ^f gives way if a tab's keys do not fit in 80 columns (base.py).
        yield KeysFooter(compact=True)

    def on_mount(self) -> None:
        columns = {
            "#courses-table": (
                _("Discipline"),
                _("Enseignant"),
                _("Éval."),
                _("Moyenne"),
                _("Absences"),
                _("Statut"),
            ),
            "#history-table": (
                _("Session"),
                _("Discipline"),
                _("Enseignant"),
                pgettext("résultat scolaire", "Note"),
                _("Commentaire"),
            ),
            "#repertoire-table": (_("Date"), _("Type"), _("Compositeur"), _("Œuvre")),
        }
        for selector, labels in columns.items():
            table = self.query_one(selector, DataTable)
            for label in labels:
                table.add_column(label_cell(label))
        self._load()

    # ------------------------------------------------------------------ loading

    def _load(self) -> None:
        student_id, identity = self.student_id, self.backend.identity

        def read(backend: Backend) -> StudentRecord:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.records.students import student_record

            if identity is None:
                raise PermissionDenied()
            # The service decides, by the reader's role, whether health notes come back.
            return backend.read(student_record, student_id, identity.id)

        # `_show` awaits the mounting of its rows: it runs as a callback of its own.
        self.call_service(
            read,
            lambda record: self.call_next(self._show, record),
            group="student",
            refused=self._refused,
        )

    def _refused(self, error: DomainError) -> None:
        """The record could not be shown (e.g. the student no longer exists)."""
        self.query_one("#student-title", Static).update(
            Content.styled(error.translated(), "bold $text-error")
        )

    async def _show(self, record: StudentRecord) -> None:
        self._record = record
        self._show_header(record)
        await self._show_identity(record)
        self._fill_courses(0)
        self._fill_history(0)
        self._works = [(entry, work) for entry in record.repertoire for work in entry.works]
        self._fill_repertoire(0)
        body = self.query_one("#reenrolment-body", VerticalScroll)
        await body.remove_children()
        await body.mount_all(Static(line) for line in reenrolment_lines(record))
        self._focus_tab(self._active_tab())
        self.refresh_bindings()

    def _show_header(self, record: StudentRecord) -> None:
        title, family = header_lines(record.identity)
        self.query_one("#student-title", Static).update(title)
        self.query_one("#student-family", Static).update(family)

    async def _show_identity(self, record: StudentRecord) -> None:
        fields = self.query_one("#identity-fields", VerticalScroll)
        await fields.remove_children()
        rows = [
            Horizontal(
                Static(Content(label), classes="field-label"),
                Static(value, classes="field-value"),
                classes="field",
            )
            for label, value in self._identity_rows(record)
        ]
        await fields.mount_all(rows)

    def _identity_rows(self, record: StudentRecord) -> list[tuple[str, Content]]:
        """The identity tab's rows; since when and why the student left, when not active."""
        rows = identity_rows(record.identity)
        who = record.identity
        if who.status_changed_on is not None:
            since = Content(format_date(who.status_changed_on))
            if who.status_reason:
                since = Content.assemble(since, " · ", user_content(who.status_reason))
            rows.insert(5, (_("Depuis"), since))
        return rows

    def _table(self, tab: str) -> PagedTable[Any]:
        """The paged table of the "courses", "history" or "repertoire" tab."""
        return self.query_one(f"#{tab}-table", PagedTable)

    def _fill_courses(self, offset: int) -> None:
        from registrar_tui.services.core.paging import Page

        if self._record is None:
            return
        table: PagedTable[CurrentCourse] = self._table("courses")
        table.show_page(
            Page.slice(self._record.courses, offset, self.PAGE_ROWS),
            course_cells,
            key=lambda course: str(course.enrolment_id),
        )
        heading = courses_heading(self._record)
        status = page_status(table)
        if status.plain:
            heading = Content.assemble(heading, "  ", status)
        self.query_one("#courses-title", Static).update(heading)

    def _fill_history(self, offset: int) -> None:
        from registrar_tui.services.core.paging import Page

        if self._record is None:
            return
        table: PagedTable[HistoryEntry] = self._table("history")
        table.show_page(
            Page.slice(self._record.history, offset, self.PAGE_ROWS),
            history_cells,
            key=lambda entry: str(entry.enrolment_id),
        )
        empty = Content(_("Aucun cours des sessions passées."))
        status = page_status(table) if self._record.history else empty
        self.query_one("#history-status", Static).update(status)
        self._show_history_comment()

    def _fill_repertoire(self, offset: int) -> None:
        from registrar_tui.services.core.paging import Page

        table: PagedTable[tuple[RepertoireEntry, PerformedWork]] = self._table("repertoire")
        table.show_page(
            Page.slice(self._works, offset, self.PAGE_ROWS), lambda pair: work_cells(*pair)
        )
        empty = Content(_("Aucune œuvre interprétée."))
        status = page_status(table) if self._works else empty
        self.query_one("#repertoire-status", Static).update(status)
        self._show_event()

    # ------------------------------------------------------------------ selected row details

    def _show_history_comment(self) -> None:
        entry: HistoryEntry | None = self._table("history").selected_row()
        detail = self.query_one("#history-comment", Static)
        if self._record is None or entry is None:
            detail.update(Content(""))
            return
        detail.update(comment_line(entry))

    def _show_event(self) -> None:
        selected = self._table("repertoire").selected_row()
        detail = self.query_one("#repertoire-event", Static)
        if selected is None:
            detail.update(Content(""))
            return
        detail.update(event_line(selected[0]))

    @on(DataTable.RowHighlighted, "#history-table")
    def _history_moved(self) -> None:
        self._show_history_comment()

    @on(DataTable.RowHighlighted, "#repertoire-table")
    def _repertoire_moved(self) -> None:
        self._show_event()

    # ------------------------------------------------------------------ tabs and keys

    def _active_tab(self) -> str:
        return self.query_one("#student-tabs", TabbedContent).active

    def action_tab(self, tab: str) -> None:
        """Show a tab (keys 1 to 5) and put the keyboard in it."""
        if tab in TABS:
            self.query_one("#student-tabs", TabbedContent).active = tab
            self._focus_tab(tab)

    @on(TabbedContent.TabActivated, "#student-tabs")
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.pane.id is not None:
            self._focus_tab(event.pane.id)
        self.refresh_bindings()

    def _focus_tab(self, tab: str) -> None:
        targets = {
            "identity": "#identity-fields",
            "courses": "#courses-table",
            "history": "#history-table",
            "repertoire": "#repertoire-table",
            "reenrolment": "#reenrolment-body",
        }
        self.query_one(targets[tab]).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tab = self._active_tab()
        if action in _IDENTITY_ACTIONS:
            return self._identity_action_shown(action, tab)
        if action in (
            "add_course",
            "drop_course",
            "confirm_attendance",
            "certificate",
            "request_reenrolment",
        ):
            return self._desk_action_shown(action, tab)
        if action in RECORD_ACTIONS:
            return self._record_action_shown(action, tab)
        if action == "open_course":
            # Enter belongs to the course tables; elsewhere it is not shown.
            if tab not in ("courses", "history"):
                return False
            return self._selected_enrolment() is not None or None
        if action == "page":
            if tab not in _PAGED_TABS:
                return False  # the other tabs scroll with the page keys
            direction = int(str(parameters[0])) if parameters else 1
            # One page: no page keys (the footer needs the room).
            return self._table(tab).can_page(direction)
        return True

    def _selected_enrolment(self) -> int | None:
        tab = self._active_tab()
        if tab not in ("courses", "history"):
            return None
        table = self.query_one(f"#{tab}-table", DataTable)
        if table.row_count == 0:
            return None
        row_key, _column = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(row_key.value) if row_key.value is not None else None

    def action_open_course(self) -> None:
        enrolment_id = self._selected_enrolment()
        if enrolment_id is not None:
            course = CourseScreen(enrolment_id)
            # Marks entered there change this record's counts: read it again.
            self.app.push_screen(course, lambda _none: self._reload() if course.changed else None)

    def action_page(self, direction: int) -> None:
        tab = self._active_tab()
        offset = self._table(tab).page_offset(direction) if tab in _PAGED_TABS else None
        if offset is not None:
            fill = {
                "courses": self._fill_courses,
                "history": self._fill_history,
                "repertoire": self._fill_repertoire,
            }
            fill[tab](offset)
            self.refresh_bindings()

    def action_back(self) -> None:
        self.dismiss()

    # ------------------------------------------------------------------ counter keys

    def _reload(self) -> None:
        self._load()

    # ------------------------------------------------------------------ keeping the record

    def _identity_action_shown(self, action: str, tab: str) -> bool:
        """Identity tab only, once the record is read; identity and status for the roles
        that correct them (the services check again)."""
        identity = self.backend.identity
        if tab != "identity" or self._record is None or identity is None:
            return False
        if action in ("edit_health", "edit_sin", "tax_slips"):
            return True
        return identity.can_edit_student_identity

    def action_edit_identity(self) -> None:
        self._open_form("identity")

    def action_edit_health(self) -> None:
        self._open_form("health")

    def _open_form(self, part: str) -> None:
        from registrar_tui.screens.student.identity_form import FormOutcome, StudentFormScreen

        record = self._record
        if record is None:
            return

        def closed(outcome: FormOutcome | None) -> None:
            if outcome is not None and outcome.saved is not None:
                self.notify(_("Dossier enregistré."), markup=False)
                self._load()

        form = StudentFormScreen(
            part=part, current=record.identity, show_health=record.may_edit_health
        )
        self.app.push_screen(form, closed)

    def action_change_status(self) -> None:
        from registrar_tui.screens.student.status import StudentStatusScreen

        record = self._record
        if record is None:
            return

        def closed(changed: StudentIdentity | None) -> None:
            if changed is not None:
                self.notify(_("Statut enregistré."), markup=False)
                self._load()

        self.app.push_screen(StudentStatusScreen(record.identity), closed)

    def action_edit_sin(self) -> None:
        from registrar_tui.screens.student.sin_form import StudentSinScreen

        record = self._record
        if record is None:
            return
        who = record.identity
        self.app.push_screen(StudentSinScreen(self.student_id, who.full_name, who.student_number))

    def action_tax_slips(self) -> None:
        student_id = self.student_id

        def build(backend: Backend) -> SavedPdf:
            from registrar_tui.screens.widgets.pdf_output import save_and_print
            from registrar_tui.services.tax_slips.documents import latest_student_slips_pdf

            return save_and_print(backend, latest_student_slips_pdf, student_id)

        def saved(pdf: SavedPdf) -> None:
            self.notify(
                _("Relevés fiscaux enregistrés : {path}").format(path=pdf.path),
                markup=False,
                timeout=8,
            )
            if pdf.print_error is not None:
                self.notify(pdf.print_error.translated(), severity="error", markup=False)

        self.call_service(build, saved, group="student-document", exclusive=False)

    def _selected_work(self) -> tuple[RepertoireEntry, PerformedWork] | None:
        if self._active_tab() != "repertoire":
            return None
        selected: tuple[RepertoireEntry, PerformedWork] | None = self._table(
            "repertoire"
        ).selected_row()
        return selected

    def _document_term(self, tab: str) -> str | None:
        if self._record is None:
            return None
        if tab == "courses":
            return self._record.term_code if self._record.courses else None
        if tab == "history":
            entry: HistoryEntry | None = self._table("history").selected_row()
            return entry.term_code if entry is not None else None
        return None
