"""Enter or correct an evaluation of a course: date, type, title, mark (0–100), comment."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.binding import BindingType

from registrar_tui.i18n import N_
from registrar_tui.screens.student.entry_form import EntryFormScreen, FormField, form_bindings

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.records.courses import EvaluationLine

EVALUATION_KINDS: tuple[tuple[str, str], ...] = (
    (N_("Examen"), "exam"),
    (N_("Jury"), "jury"),
    (N_("Travail"), "assignment"),
    (N_("Audition"), "audition"),
    (N_("Autre"), "other"),
)
"""(label, EvaluationKind value), in the order the form offers them."""
DATE_HINT = N_("AAAA-MM-JJ")


class EvaluationFormScreen(EntryFormScreen):
    """A new evaluation of the enrolment, or the correction of `evaluation`."""

    CSS_PATH = "evaluation_form.tcss"
    COMMAND_NAMESPACE = N_("évaluation")
    BINDINGS: ClassVar[list[BindingType]] = form_bindings(
        "evaluation-form", N_("Enregistrer l'évaluation (journalisé)")
    )
    FIELDS: ClassVar[tuple[FormField, ...]] = (
        FormField("held_on", N_("Date"), max_length=10, placeholder=DATE_HINT),
        FormField("kind", N_("Type"), kind="select", choices=EVALUATION_KINDS),
        FormField("title", N_("Titre"), max_length=200),
        FormField("mark", N_("Note /100"), max_length=3, placeholder=N_("vide : pas de note")),
        FormField("comment", N_("Commentaire"), max_length=1000),
    )

    def __init__(
        self,
        title: str,
        subject: str,
        enrolment_id: int,
        evaluation: EvaluationLine | None = None,
    ) -> None:
        super().__init__(title, subject)
        self.enrolment_id = enrolment_id
        self.evaluation = evaluation

    def fill(self) -> None:
        evaluation = self.evaluation
        if evaluation is None:
            self.set_value("kind", "exam")
            return
        self.set_value("held_on", evaluation.held_on.isoformat())
        self.set_value("kind", str(evaluation.kind))
        self.set_value("title", evaluation.title)
        self.set_value("mark", "" if evaluation.mark is None else str(evaluation.mark))
        self.set_value("comment", evaluation.comment)

    def save_call(self) -> Callable[[Backend, int], object] | None:
        from registrar_tui.services.records.assessments import EvaluationEntry

        entry = EvaluationEntry(
            held_on=self.value("held_on"),
            kind=self.value("kind"),
            title=self.value("title"),
            mark=self.value("mark"),
            comment=self.value("comment"),
        )
        enrolment_id = self.enrolment_id
        evaluation_id = self.evaluation.evaluation_id if self.evaluation is not None else None

        def save(backend: Backend, actor_id: int) -> object:
            from registrar_tui.services.records import assessments

            if evaluation_id is None:
                return backend.write(assessments.add_evaluation, actor_id, enrolment_id, entry)
            return backend.write(assessments.update_evaluation, actor_id, evaluation_id, entry)

        return save
