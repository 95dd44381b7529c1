"""Enter or correct an absence from a course: date, justified or not, reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual.binding import BindingType

from registrar_tui.i18n import N_
from registrar_tui.screens.student.entry_form import EntryFormScreen, FormField, form_bindings
from registrar_tui.screens.student.evaluation_form import DATE_HINT

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.records.courses import AbsenceLine


class AbsenceFormScreen(EntryFormScreen):
    """A new absence from the enrolment's course, or the correction of `absence`."""

    CSS_PATH = "absence_form.tcss"
    COMMAND_NAMESPACE = N_("absence")
    BINDINGS: ClassVar[list[BindingType]] = form_bindings(
        "absence-form", N_("Enregistrer l'absence (journalisé)")
    )
    FIELDS: ClassVar[tuple[FormField, ...]] = (
        FormField("absent_on", N_("Date"), max_length=10, placeholder=DATE_HINT),
        FormField("is_justified", N_("Justifiée"), kind="checkbox"),
        FormField("reason", N_("Motif"), max_length=500),
    )

    def __init__(
        self, title: str, subject: str, enrolment_id: int, absence: AbsenceLine | None = None
    ) -> None:
        super().__init__(title, subject)
        self.enrolment_id = enrolment_id
        self.absence = absence

    def fill(self) -> None:
        absence = self.absence
        if absence is None:
            return
        self.set_value("absent_on", absence.absent_on.isoformat())
        self.set_value("is_justified", absence.is_justified)
        self.set_value("reason", absence.reason)

    def save_call(self) -> Callable[[Backend, int], object] | None:
        from registrar_tui.services.records.assessments import AbsenceEntry

        entry = AbsenceEntry(
            absent_on=self.value("absent_on"),
            is_justified=bool(self.value("is_justified")),
            reason=self.value("reason"),
        )
        enrolment_id = self.enrolment_id
        absence_id = self.absence.absence_id if self.absence is not None else None

        def save(backend: Backend, actor_id: int) -> object:
            from registrar_tui.services.records import assessments

            if absence_id is None:
                return backend.write(assessments.add_absence, actor_id, enrolment_id, entry)
            return backend.write(assessments.update_absence, actor_id, absence_id, entry)

        return save
