"""One course of a student: its evaluations and absences, a page at a time."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import ActiveBinding, Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from registrar_tui.i18n import (
    N_,
    _,
    babel_locale,
    current_language,
    format_date,
    ngettext,
    pgettext,
)
from registrar_tui.screens.widgets.base import (
    AppModalScreen,
    AppScreen,
    KeysFooter,
    label_cell,
    page_bindings,
    user_cell,
    user_content,
)
from registrar_tui.screens.widgets.paged_table import PagedTable

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.records.courses import AbsenceLine, CourseDetail, EvaluationLine


def footer_bindings(
    bindings: dict[str, ActiveBinding], order: tuple[str, ...]
) -> dict[str, ActiveBinding]:
    """Group labels translated, and the screen's keys first in `order`.

    (`AppScreen` translates descriptions, not groups; Textual puts priority keys first.)
    """
    result: dict[str, ActiveBinding] = {}
    for key, active in bindings.items():
        group = active.binding.group
        if group is not None:
            translated = Binding.Group(_(group.description), compact=group.compact)
            active = active._replace(binding=dataclasses.replace(active.binding, group=translated))
        result[key] = active
    rank = {key: index for index, key in enumerate(order)}
    return dict(sorted(result.items(), key=lambda item: rank.get(item[0], len(rank))))


ENROLMENT_STATUS_LABELS = {
    "active": N_("en cours"),
    "dropped": N_("abandonné"),
    "completed": N_("terminé"),
}


def format_mean(mean_mark: Decimal | None) -> str:
    """A mean mark with one decimal in the UI language (`85,5`), or a dash."""
    if mean_mark is None:
        return "—"
    from babel.numbers import format_decimal

    return format_decimal(mean_mark, format="0.0", locale=babel_locale())


def format_mark(final_mark: int | None, mean_mark: Decimal | None) -> str:
    """The final mark as given, else the evaluations' mean marked as such, else a dash."""
    if final_mark is not None:
        return str(final_mark)
    if mean_mark is not None:
        return _("{mark} (moy.)").format(mark=format_mean(mean_mark))
    return "—"


def page_status(table: PagedTable[Any]) -> Content:
    """Which rows the table shows (`11–12 de 12`), when the list needs more than a page."""
    page = table.page
    if page is None or page.total_count is None or page.total_count <= page.limit:
        return Content.styled("", "$text-muted")
    return Content.styled(table.status(_("{first}–{last} sur {total}"), ""), "$text-muted")


class CourseScreen(AppScreen):
    """Evaluations (date, title, mark, comment) and absences (date, justified, reason).

    A registrar or an admin enters what the teacher reports here: `n` a new evaluation,
    `a` a new absence, `e` corrects and Delete removes the highlighted row of the focused
    table, `c` the final mark and end-of-term comment. A clerk reads only.
    """

    CSS_PATH = "course.tcss"
    COMMAND_NAMESPACE = N_("cours")
    PAGE_ROWS = 6
    """Rows per table: both tables fit an 80×24 screen together."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", N_("Retour"), id="course.back", tooltip=N_("Revenir au dossier")),
        *page_bindings(
            "course", N_("Lignes précédentes du tableau"), N_("Lignes suivantes du tableau")
        ),
        Binding("n", "new_evaluation", N_("Éval."), id="course.new-evaluation",
                tooltip=N_("Saisir une nouvelle évaluation (date, type, note, commentaire)")),
        Binding("a", "new_absence", N_("Absence"), id="course.new-absence",
                tooltip=N_("Saisir une absence (date, justifiée, motif)")),
        Binding("e", "edit_row", N_("Modifier"), id="course.edit",
                tooltip=N_("Corriger la ligne sélectionnée du tableau actif")),
        Binding("delete", "remove_row", N_("Retirer"), id="course.remove",
                tooltip=N_("Retirer la ligne sélectionnée du tableau actif (journalisé)")),
        Binding("c", "term_result", N_("Résultat"), id="course.result",
                tooltip=N_("Note finale et commentaire de fin de session")),
    ]  # fmt: skip

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        return footer_bindings(
            super().active_bindings,
            ("escape", "n", "a", "e", "delete", "c", "pageup", "pagedown"),
        )

    def __init__(self, enrolment_id: int) -> None:
        super().__init__()
        self.enrolment_id = enrolment_id
        self._detail: CourseDetail | None = None
        self.changed = False
        """Something was entered here: the student's record is read again on return."""

    def compose(self) -> ComposeResult:
        with Vertical(id="course-header"):
            yield Static(Content(_("Chargement…")), id="course-title")
            yield Static(Content(""), id="course-student")
            yield Static(Content(""), id="course-comment")
        yield Static(Content(_("Évaluations")), id="evaluations-title", classes="section-title")
        evaluations: PagedTable[EvaluationLine] = PagedTable(
            id="evaluations", cursor_type="row", hide_single_page=False
        )
        yield evaluations
        yield Static(Content(_("Absences")), id="absences-title", classes="section-title")
        absences: PagedTable[AbsenceLine] = PagedTable(
            id="absences", cursor_type="row", hide_single_page=False
        )
        yield absences
        yield KeysFooter()

    def on_mount(self) -> None:
        evaluations = self.query_one("#evaluations", DataTable)
        for label in (
            _("Date"),
            _("Évaluation"),
            pgettext("résultat scolaire", "Note"),
            _("Commentaire"),
        ):
            evaluations.add_column(label_cell(label))
        absences = self.query_one("#absences", DataTable)
        for label in (_("Date"), _("Justifiée"), _("Motif")):
            absences.add_column(label_cell(label))
        self._load()

    def _load(self) -> None:
        enrolment_id = self.enrolment_id

        def read(backend: Backend) -> CourseDetail:
            from registrar_tui.services.records.courses import course_detail

            return backend.read(course_detail, enrolment_id)

        self.call_service(read, self._show, group="course", refused=self._refused)

    def _refused(self, error: DomainError) -> None:
        """The course could not be shown (e.g. the enrolment no longer exists)."""
        self.query_one("#course-title", Static).update(
            Content.styled(error.translated(), "bold $text-error")
        )

    def _show(self, detail: CourseDetail) -> None:
        self._detail = detail
        status = str(detail.status)
        self.query_one("#course-title", Static).update(
            Content.assemble(
                user_content(detail.discipline.in_language(current_language()), "bold"),
                " · ",
                user_content(detail.teacher or _("enseignant à confirmer")),
                " · ",
                user_content(detail.term_code, "bold"),
                " ",
                (_(ENROLMENT_STATUS_LABELS.get(status, status)), "$text-muted"),
            )
        )
        self.query_one("#course-student", Static).update(
            Content.assemble(
                user_content(detail.student_name),
                " (",
                user_content(detail.student_number),
                ")  ",
                pgettext("résultat scolaire", "Note : "),
                (format_mark(detail.final_mark, detail.mean_mark), "bold"),
            )
        )
        comment = self.query_one("#course-comment", Static)
        comment.update(Content.assemble(_("Commentaire : "), user_content(detail.teacher_comment)))
        comment.display = bool(detail.teacher_comment)
        self._fill_evaluations(0)
        self._fill_absences(0)
        self.query_one("#evaluations", DataTable).focus()

    def _fill_evaluations(self, offset: int) -> None:
        from registrar_tui.services.core.paging import Page

        if self._detail is None:
            return
        evaluations = self._detail.evaluations
        table: PagedTable[EvaluationLine] = self.query_one("#evaluations", PagedTable)
        table.show_page(
            Page.slice(evaluations, offset, self.PAGE_ROWS),
            lambda evaluation: (
                label_cell(format_date(evaluation.held_on)),
                user_cell(evaluation.title),
                label_cell("—" if evaluation.mark is None else str(evaluation.mark)),
                user_cell(evaluation.comment),
            ),
        )
        title = ngettext("{count} évaluation", "{count} évaluations", len(evaluations)).format(
            count=len(evaluations)
        )
        self.query_one("#evaluations-title", Static).update(
            Content.assemble((title, "bold"), "  ", page_status(table))
        )

    def _fill_absences(self, offset: int) -> None:
        from registrar_tui.services.core.paging import Page

        if self._detail is None:
            return
        absences = self._detail.absences
        table: PagedTable[AbsenceLine] = self.query_one("#absences", PagedTable)
        table.show_page(
            Page.slice(absences, offset, self.PAGE_ROWS),
            lambda absence: (
                label_cell(format_date(absence.absent_on)),
                label_cell(_("oui") if absence.is_justified else _("non")),
                user_cell(absence.reason),
            ),
        )
        unjustified = sum(1 for absence in absences if not absence.is_justified)
        title = ngettext("{count} absence", "{count} absences", len(absences)).format(
            count=len(absences)
        )
        if unjustified:
            title += " · " + ngettext(
                "{count} non justifiée", "{count} non justifiées", unjustified
            ).format(count=unjustified)
        self.query_one("#absences-title", Static).update(
            Content.assemble((title, "bold"), "  ", page_status(table))
        )

    def _focused_list(self) -> str:
        focused = self.focused
        return "absences" if focused is not None and focused.id == "absences" else "evaluations"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Page keys are dimmed when the focused table has no page that way; the entry
        keys show for the roles that enter marks, once the course is read."""
        if action == "page" and parameters:
            direction = int(str(parameters[0]))
            return self._focused_table().can_page(direction)
        if action in ("new_evaluation", "new_absence", "edit_row", "remove_row", "term_result"):
            identity = self.backend.identity
            if self._detail is None or identity is None or not identity.can_enter_marks:
                return False
            if action in ("edit_row", "remove_row"):
                return self._selected_line() is not None or None
        return True

    def _focused_table(self) -> PagedTable[Any]:
        return self.query_one(f"#{self._focused_list()}", PagedTable)

    def action_page(self, direction: int) -> None:
        name = self._focused_list()
        offset = self._focused_table().page_offset(direction)
        if offset is not None:
            if name == "evaluations":
                self._fill_evaluations(offset)
            else:
                self._fill_absences(offset)
            self.refresh_bindings()

    @on(DataTable.RowHighlighted)
    def _table_moved(self) -> None:
        self.refresh_bindings()

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def action_back(self) -> None:
        self.dismiss()

    # ------------------------------------------------------------------ entering marks

    def _selected_line(self) -> EvaluationLine | AbsenceLine | None:
        selected: EvaluationLine | AbsenceLine | None = self._focused_table().selected_row()
        return selected

    def _subject(self) -> str:
        detail = self._detail
        if detail is None:
            return ""
        return " · ".join(
            (
                detail.student_name,
                detail.discipline.in_language(current_language()),
                detail.term_code,
            )
        )

    def _open_form(self, form: AppModalScreen[bool]) -> None:
        def closed(saved: bool | None) -> None:
            if saved:
                self.changed = True
                self._load()

        self.app.push_screen(form, closed)

    def action_new_evaluation(self) -> None:
        from registrar_tui.screens.student.evaluation_form import EvaluationFormScreen

        if self.check_action("new_evaluation", ()):
            self._open_form(
                EvaluationFormScreen(_("Nouvelle évaluation"), self._subject(), self.enrolment_id)
            )

    def action_new_absence(self) -> None:
        from registrar_tui.screens.student.absence_form import AbsenceFormScreen

        if self.check_action("new_absence", ()):
            self._open_form(
                AbsenceFormScreen(_("Nouvelle absence"), self._subject(), self.enrolment_id)
            )

    def action_edit_row(self) -> None:
        from registrar_tui.screens.student.absence_form import AbsenceFormScreen
        from registrar_tui.screens.student.evaluation_form import EvaluationFormScreen
        from registrar_tui.services.records.courses import AbsenceLine, EvaluationLine

        line = self._selected_line()
        if not self.check_action("edit_row", ()) or line is None:
            return
        if isinstance(line, EvaluationLine):
            self._open_form(
                EvaluationFormScreen(
                    _("Corriger l'évaluation"), self._subject(), self.enrolment_id, line
                )
            )
        elif isinstance(line, AbsenceLine):
            self._open_form(
                AbsenceFormScreen(_("Corriger l'absence"), self._subject(), self.enrolment_id, line)
            )

    def action_term_result(self) -> None:
        from registrar_tui.screens.student.result_form import ResultFormScreen

        detail = self._detail
        if detail is None or not self.check_action("term_result", ()):
            return
        self._open_form(
            ResultFormScreen(
                _("Résultat de fin de session"),
                self._subject(),
                self.enrolment_id,
                detail.final_mark,
                detail.teacher_comment,
            )
        )

    def action_remove_row(self) -> None:
        from registrar_tui.screens.desk.modals import ConfirmScreen
        from registrar_tui.services.records.courses import EvaluationLine

        line = self._selected_line()
        if not self.check_action("remove_row", ()) or line is None:
            return
        if isinstance(line, EvaluationLine):
            title = _("Retirer l'évaluation")
            subject = f"{format_date(line.held_on)} · {line.title}"
        else:
            title = _("Retirer l'absence")
            subject = f"{format_date(line.absent_on)} · {line.reason}".rstrip(" ·")
        question = _("La ligne sera retirée du dossier; le journal d'audit la conserve.")

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove(line)

        self.app.push_screen(ConfirmScreen(title, question, subject=subject), answered)

    def _remove(self, line: EvaluationLine | AbsenceLine) -> None:
        def remove(backend: Backend) -> object:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.records import assessments
            from registrar_tui.services.records.courses import EvaluationLine

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            if isinstance(line, EvaluationLine):
                return backend.write(assessments.remove_evaluation, identity.id, line.evaluation_id)
            return backend.write(assessments.remove_absence, identity.id, line.absence_id)

        def removed(_saved: object) -> None:
            self.changed = True
            self.notify(_("Ligne retirée."), markup=False)
            self._load()

        self.call_service(remove, removed, group="course-write", exclusive=False)
