"""What the counter does from a student's record: course changes, a certificate, a
re-enrolment request taken at the counter.

`StudentDeskActions` is mixed into the student screen (each key shows on its tab, for the
roles allowed); two modals pick a course and fill a re-enrolment request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Checkbox, Footer, Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from registrar_tui.i18n import N_, _, current_language, format_money
from registrar_tui.screens.widgets.base import (
    _SCREEN_BINDINGS,
    AppModalScreen,
    user_content,
    user_text,
)

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.records.enrolment import CourseChoice
    from registrar_tui.services.records.students import StudentRecord
    from registrar_tui.services.requests.reenrolment.submit import ReenrolmentOptions


class CoursePickerScreen(AppModalScreen["int | None"]):
    """Choose the course to add: Enter picks the highlighted one, Escape cancels."""

    CSS_PATH = "actions.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "escape", "cancel", N_("Annuler"), id="course-picker.cancel", tooltip=N_("Annuler")
        ),
    ]

    def __init__(self, student_name: str, choices: tuple[CourseChoice, ...]) -> None:
        super().__init__()
        self._student_name = student_name
        self._choices = choices

    def compose(self) -> ComposeResult:
        language = current_language()
        with Vertical(classes="action-box"):
            term = self._choices[0].term_code if self._choices else ""
            yield Static(
                Content.assemble(_("Ajouter un cours"), " · ", user_content(term)),
                classes="action-title",
            )
            yield Static(Content(user_text(self._student_name)), classes="action-subject")
            yield OptionList(
                *(
                    # Content, not str: an option's text would be parsed as markup.
                    Option(
                        user_content(
                            f"{c.discipline.in_language(language)} · "
                            + _("groupe {section}").format(section=c.section)
                            + f" · {c.teacher or '—'} · "
                            + _("{seats} place(s)").format(seats=c.seats_left)
                        ),
                        id=str(c.course_id),
                    )
                    for c in self._choices
                ),
                id="course-choices",
            )
            yield Static(Content(_("Entrée : ajouter · Échap : annuler")), classes="action-status")
        yield Footer(show_command_palette=False)

    @on(OptionList.OptionSelected, "#course-choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(int(event.option.id or 0))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ReenrolmentRequestScreen(AppModalScreen[bool]):
    """A family's re-enrolment request taken at the counter: disciplines (Space ticks),
    or an administrative re-enrolment, and the family's note; Ctrl+S records it."""

    CSS_PATH = "actions.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "ctrl+s", "save", N_("Enregistrer"), id="reenrolment-form.save",
            tooltip=N_("Enregistrer la demande (en attente de validation)"), priority=True,
        ),
        Binding("escape", "cancel", N_("Annuler"), id="reenrolment-form.cancel",
                tooltip=N_("Annuler")),
    ]  # fmt: skip

    @dataclass
    class Failed(Message):
        error: DomainError

    def __init__(self, student_id: int, student_name: str, options: ReenrolmentOptions) -> None:
        super().__init__()
        self._student_id = student_id
        self._student_name = student_name
        self._options = options

    def compose(self) -> ComposeResult:
        language = current_language()
        with Vertical(classes="action-box"):
            yield Static(
                Content(_("Demande de réinscription · session {term}").format(
                    term=user_text(self._options.term_code or "")
                )),
                classes="action-title",
            )  # fmt: skip
            yield Static(Content(user_text(self._student_name)), classes="action-subject")
            yield SelectionList[str](
                *(
                    (user_content(d.name.in_language(language)), d.code, d.taken_now)
                    for d in self._options.disciplines
                ),
                id="reenrolment-disciplines",
            )
            yield Checkbox(_("Réinscription administrative"), id="reenrolment-administrative")
            yield Input(placeholder=_("Note de la famille"), max_length=1000, id="reenrolment-note")
            yield Static(
                Content(_("Espace : cocher · Ctrl+S : enregistrer · Échap : annuler")),
                id="reenrolment-status",
                classes="action-status",
            )
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#reenrolment-disciplines").focus()

    @on(Input.Submitted, "#reenrolment-note")
    def _note_done(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        codes = list(self.query_one("#reenrolment-disciplines", SelectionList).selected)
        administrative = self.query_one("#reenrolment-administrative", Checkbox).value
        note = self.query_one("#reenrolment-note", Input).value
        self._submit([str(code) for code in codes], administrative, note)

    @work(thread=True, exclusive=True, group="reenrolment-form", exit_on_error=False)
    def _submit(self, codes: list[str], administrative: bool, note: str) -> None:
        from registrar_tui.services.core.errors import DomainError
        from registrar_tui.services.requests.reenrolment.submit import submit_reenrolment

        identity = self.backend.identity
        assert identity is not None
        try:
            self.backend.write(
                submit_reenrolment,
                actor_id=identity.id,
                student_id=self._student_id,
                term_code=self._options.term_code or "",
                discipline_codes=codes,
                administrative=administrative,
                note=note,
            )
        except DomainError as error:
            self.post_message(self.Failed(error))
        else:
            self.app.call_from_thread(self.dismiss, True)

    @on(Failed)
    def _failed(self, event: Failed) -> None:
        status = self.query_one("#reenrolment-status", Static)
        status.update(Content(event.error.translated()))
        status.add_class("-error")

    def action_cancel(self) -> None:
        self.dismiss(False)


# Module-level messages, handled by name (`on_student_desk_done`…) in the mixin below:
# `@on` only registers handlers of Textual classes.


@dataclass
class StudentDeskDone(Message):
    text: str  # a change was made: say so and reload the record
    warning: str = ""


@dataclass
class StudentDeskRefused(Message):
    error: DomainError


@dataclass
class StudentCoursesOffered(Message):
    choices: tuple[CourseChoice, ...]


@dataclass
class StudentFormReady(Message):
    options: ReenrolmentOptions


class StudentDeskActions:
    """The student screen's counter keys (mixed into `StudentScreen`)."""

    student_id: int
    backend: Backend
    _record: StudentRecord | None

    # Provided by the screen.
    def _selected_enrolment(self) -> int | None:
        raise NotImplementedError

    def _reload(self) -> None:
        raise NotImplementedError

    def _desk_action_shown(self, action: str, tab: str) -> bool | None:
        identity = self.backend.identity
        if self._record is None or identity is None:
            return False
        if action == "request_reenrolment":
            return tab == "reenrolment" and self._record.next_term is not None
        if tab != "courses":
            return False
        if action == "certificate":
            return True
        if not identity.can_change_courses:
            return False
        if action == "drop_course":
            return self._selected_enrolment() is not None or None
        return True

    def _student_name(self) -> str:
        return self._record.identity.full_name if self._record is not None else ""

    def _user_id(self) -> int:
        return self.backend.identity.id if self.backend.identity is not None else 0

    def _post(self, message: Message) -> None:
        self.post_message(message)  # type: ignore[attr-defined]

    def _guarded(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a service call; a refusal is posted to the screen and None returned."""
        from registrar_tui.services.core.errors import DomainError

        try:
            return call(*args, **kwargs)
        except DomainError as error:
            self._post(StudentDeskRefused(error))
            return None

    def action_add_course(self) -> None:
        self._offer_courses()

    @work(thread=True, exclusive=True, group="student-desk", exit_on_error=False)
    def _offer_courses(self) -> None:
        from registrar_tui.services.records.enrolment import course_choices

        choices = self._guarded(self.backend.read, course_choices, self.student_id)
        if choices is not None:
            self._post(StudentCoursesOffered(choices))

    def on_student_courses_offered(self, event: StudentCoursesOffered) -> None:
        if not event.choices:
            self._post(StudentDeskDone("", _("Aucun cours de cette session n'a de place.")))
            return

        def picked(course_id: int | None) -> None:
            if course_id:
                self._add(course_id)

        self.app.push_screen(  # type: ignore[attr-defined]
            CoursePickerScreen(self._student_name(), event.choices), picked
        )

    @work(thread=True, exclusive=True, group="student-desk", exit_on_error=False)
    def _add(self, course_id: int) -> None:
        from registrar_tui.services.records.enrolment import add_course

        change = self._guarded(
            self.backend.write,
            add_course,
            actor_id=self._user_id(),
            student_id=self.student_id,
            course_id=course_id,
        )
        if change is not None:
            self._post(StudentDeskDone(_("Cours ajouté.") + _fee_text(change)))

    def action_drop_course(self) -> None:
        enrolment_id = self._selected_enrolment()
        if enrolment_id is None or self._record is None:
            return
        for course in self._record.courses:
            if course.enrolment_id == enrolment_id:
                self.drop_enrolment(enrolment_id, course.discipline.in_language(current_language()))

    def _confirm(self, title: str, question: str, then: Any) -> None:
        from registrar_tui.screens.desk.modals import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(ConfirmScreen(title, question), answered)  # type: ignore[attr-defined]

    def drop_enrolment(self, enrolment_id: int, course_name: str) -> None:
        question = _("Retirer l'élève du cours « {course} » ?").format(
            course=user_text(course_name)
        )
        self._confirm(_("Retirer un cours"), question, lambda: self._drop(enrolment_id))

    @work(thread=True, exclusive=True, group="student-desk", exit_on_error=False)
    def _drop(self, enrolment_id: int) -> None:
        from registrar_tui.services.records.enrolment import drop_course

        change = self._guarded(
            self.backend.write, drop_course, actor_id=self._user_id(), enrolment_id=enrolment_id
        )
        if change is not None:
            self._post(StudentDeskDone(_("Cours retiré.") + _fee_text(change)))

    def action_certificate(self) -> None:
        question = _("Facturer une attestation de fréquentation et l'imprimer ?")
        self._confirm(_("Attestation de fréquentation"), question, self._certificate)

    @work(thread=True, exclusive=True, group="student-desk", exit_on_error=False)
    def _certificate(self) -> None:
        from registrar_tui.screens.widgets.pdf_output import save_and_print
        from registrar_tui.services.records.term_fees import certificate_pdf, request_certificate

        issued = self._guarded(
            self.backend.write,
            request_certificate,
            actor_id=self._user_id(),
            student_id=self.student_id,
        )
        if issued is None:
            return
        text = _("Attestation facturée : {number} ({fee}).").format(
            number=issued.invoice_number, fee=format_money(issued.fee)
        )
        saved = self._guarded(save_and_print, self.backend, certificate_pdf, issued.invoice_id)
        if saved is None:
            return
        text += " " + _("PDF enregistré : {path}").format(path=saved.path)
        problem = saved.print_error.translated() if saved.print_error is not None else ""
        self._post(StudentDeskDone(text, problem))

    def action_request_reenrolment(self) -> None:
        self._open_form()

    @work(thread=True, exclusive=True, group="student-desk", exit_on_error=False)
    def _open_form(self) -> None:
        from registrar_tui.services.requests.reenrolment.submit import reenrolment_options

        options = self._guarded(self.backend.read, reenrolment_options, self.student_id)
        if options is not None:
            self._post(StudentFormReady(options))

    def on_student_form_ready(self, event: StudentFormReady) -> None:
        if event.options.refusal:
            self._post(StudentDeskDone("", event.options.refusal))
            return

        def recorded(done: bool | None) -> None:
            if done:
                self._post(StudentDeskDone(_("Demande de réinscription enregistrée.")))

        form = ReenrolmentRequestScreen(self.student_id, self._student_name(), event.options)
        self.app.push_screen(form, recorded)  # type: ignore[attr-defined]

    def on_student_desk_done(self, event: StudentDeskDone) -> None:
        if event.text:
            self.notify(event.text, markup=False, timeout=8)  # type: ignore[attr-defined]
            self._reload()
        if event.warning:
            self.notify(event.warning, severity="warning", markup=False)  # type: ignore[attr-defined]

    def on_student_desk_refused(self, event: StudentDeskRefused) -> None:
        self.notify(event.error.translated(), severity="error", markup=False)  # type: ignore[attr-defined]


def _fee_text(change: Any) -> str:
    if change.invoice_number is None or change.fee is None:
        return ""
    return " " + _("Frais de changement d'horaire : {fee} (facture {number}).").format(
        fee=format_money(change.fee), number=change.invoice_number
    )
