"""The end-of-term result of a course: final mark (0–100, or none) and teacher's comment."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.binding import BindingType

from registrar_tui.i18n import N_
from registrar_tui.screens.student.entry_form import EntryFormScreen, FormField, form_bindings

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend


class ResultFormScreen(EntryFormScreen):
    """The enrolment's final mark and end-of-term comment, pre-filled."""

    CSS_PATH = "result_form.tcss"
    COMMAND_NAMESPACE = N_("résultat")
    BINDINGS: ClassVar[list[BindingType]] = form_bindings(
        "result-form", N_("Enregistrer la note finale et le commentaire (journalisé)")
    )
    FIELDS: ClassVar[tuple[FormField, ...]] = (
        FormField(
            "final_mark", N_("Note finale"), max_length=3, placeholder=N_("vide : pas de note")
        ),
        FormField("teacher_comment", N_("Commentaire"), max_length=1000),
    )

    def __init__(
        self, title: str, subject: str, enrolment_id: int, final_mark: int | None, comment: str
    ) -> None:
        super().__init__(title, subject)
        self.enrolment_id = enrolment_id
        self._final_mark = final_mark
        self._comment = comment

    def fill(self) -> None:
        self.set_value("final_mark", "" if self._final_mark is None else str(self._final_mark))
        self.set_value("teacher_comment", self._comment)

    def save_call(self) -> Callable[[Backend, int], object] | None:
        from registrar_tui.services.records.assessments import TermResultEntry

        entry = TermResultEntry(
            final_mark=self.value("final_mark"), teacher_comment=self.value("teacher_comment")
        )
        enrolment_id = self.enrolment_id

        def save(backend: Backend, actor_id: int) -> object:
            from registrar_tui.services.records.assessments import set_term_result

            return backend.write(set_term_result, actor_id, enrolment_id, entry)

        return save
