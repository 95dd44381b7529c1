"""What staff enter and print from a student's record beside the counter's keys: the
repertoire (add a work, remove one) and the term's transcript and absence report PDFs.

`StudentRecordActions` is a typed base of the student screen (like `StudentDeskActions`):
`w`/Delete on the repertoire tab (registrar and admin), `r` (transcript) and `b` (absence
report) on the courses tab for the current term, on the history tab for the highlighted
row's term.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from registrar_tui.i18n import _, format_date
from registrar_tui.screens.widgets.base import AppScreen

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.screens.widgets.pdf_output import SavedPdf
    from registrar_tui.services.records.repertoire import EventChoice
    from registrar_tui.services.records.student_activities import PerformedWork, RepertoireEntry
    from registrar_tui.services.records.students import StudentRecord

RECORD_ACTIONS = ("add_work", "remove_work", "transcript", "absence_report")


class StudentRecordActions(AppScreen):
    """The student screen's repertoire and document keys. What it needs of the screen is
    declared below."""

    student_id: int
    _record: StudentRecord | None

    def _selected_work(self) -> tuple[RepertoireEntry, PerformedWork] | None:
        """The highlighted row of the repertoire tab (the screen knows its tables)."""
        raise NotImplementedError

    def _document_term(self, tab: str) -> str | None:
        """The term a document of this tab is about (the screen knows its tables)."""
        raise NotImplementedError

    def _reload(self) -> None:
        raise NotImplementedError

    def _record_action_shown(self, action: str, tab: str) -> bool | None:
        identity = self.backend.identity
        if self._record is None or identity is None:
            return False
        if action in ("add_work", "remove_work"):
            if tab != "repertoire" or not identity.can_enter_marks:
                return False
            if action == "remove_work":
                return self._selected_work() is not None or None
            return True
        if tab not in ("courses", "history"):
            return False
        return self._document_term(tab) is not None or None

    # ------------------------------------------------------------------ repertoire

    def action_add_work(self) -> None:
        student_id = self.student_id

        def read(backend: Backend) -> tuple[EventChoice, ...]:
            from registrar_tui.services.records.repertoire import event_choices

            return backend.read(event_choices, student_id)

        self.call_service(read, self._events_read, group="student-record")

    def _events_read(self, events: tuple[EventChoice, ...]) -> None:
        from registrar_tui.screens.student.work_form import WorkFormScreen

        name = self._record.identity.full_name if self._record is not None else ""

        def closed(saved: bool | None) -> None:
            if saved:
                self._reload()

        form = WorkFormScreen(_("Œuvre interprétée"), name, self.student_id, events)
        self.app.push_screen(form, closed)

    def action_remove_work(self) -> None:
        from registrar_tui.screens.desk.modals import ConfirmScreen

        selected = self._selected_work()
        if selected is None:
            return
        entry, work = selected
        subject = f"{work.composer} · {work.title} ({format_date(entry.held_on)} · {entry.title})"
        work_id = work.work_id

        def answered(yes: bool | None) -> None:
            if yes:
                self._remove_work(work_id)

        self.app.push_screen(
            ConfirmScreen(
                _("Retirer l'œuvre"),
                _("L'œuvre sera retirée du répertoire; le journal d'audit la conserve."),
                subject=subject,
            ),
            answered,
        )

    def _remove_work(self, work_id: int) -> None:
        def remove(backend: Backend) -> int:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.records.repertoire import remove_work

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            return backend.write(remove_work, identity.id, work_id)

        def removed(_student_id: int) -> None:
            self.notify(_("Œuvre retirée du répertoire."), markup=False)
            self._reload()

        self.call_service(remove, removed, group="student-record-write", exclusive=False)

    # ------------------------------------------------------------------ documents

    def action_transcript(self) -> None:
        self._document("transcript")

    def action_absence_report(self) -> None:
        self._document("absences")

    def _document(self, which: str) -> None:
        from textual.widgets import TabbedContent

        tab = self.query_one("#student-tabs", TabbedContent).active
        term_code = self._document_term(tab)
        if term_code is None:
            return
        student_id = self.student_id

        def build(backend: Backend) -> SavedPdf:
            from registrar_tui.screens.widgets.pdf_output import save_and_print

            if which == "transcript":
                from registrar_tui.services.documents.transcript import transcript_pdf

                return save_and_print(backend, transcript_pdf, student_id, term_code)
            from registrar_tui.services.documents.absences import absence_report_pdf

            return save_and_print(backend, absence_report_pdf, student_id, term_code)

        def saved(pdf: SavedPdf) -> None:
            text = (
                _("Relevé de notes {term} enregistré : {path}")
                if which == "transcript"
                else _("Rapport d'absences {term} enregistré : {path}")
            ).format(term=term_code, path=pdf.path)
            self.notify(text, markup=False, timeout=8)
            if pdf.print_error is not None:
                self.notify(pdf.print_error.translated(), severity="error", markup=False)

        self.call_service(build, saved, group="student-document", exclusive=False)
