"""What the counter does from a student's record: course changes, a certificate, a
re-enrolment request taken at the counter.

`StudentDeskActions` is the typed base of the student screen holding these keys (each key
shows on its tab, for the roles allowed); two modals pick a course and fill a re-enrolment
request.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Checkbox, Footer, Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from registrar_tui.i18n import N_, _, current_language, format_date, format_money, ngettext
from registrar_tui.screens.widgets.base import (
    _SCREEN_BINDINGS,
    AppModalScreen,
    AppScreen,
    user_content,
    user_text,
)
from registrar_tui.screens.widgets.schedule import time_span, weekday_label

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.records.enrolment import (
        AttendanceConfirmed,
        AttendanceOutlook,
        CourseBill,
        CourseChange,
        CourseChoice,
    )
    from registrar_tui.services.records.students import StudentRecord
    from registrar_tui.services.requests.reenrolment.submit import (
        ReenrolmentOptions,
        SubmittedReenrolment,
    )


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
            terms = " · ".join(dict.fromkeys(c.term_code for c in self._choices))
            yield Static(
                Content.assemble(_("Ajouter un cours"), " · ", user_content(terms)),
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
                            + f" · {c.term_code}\n  "
                            + f"{weekday_label(c.weekday)} {time_span(c.starts_at, c.ends_at)}"
                            + f" · {c.teacher or '—'} · "
                            + ngettext(
                                "{seats} place libre", "{seats} places libres", c.seats_left
                            ).format(seats=c.seats_left)
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

    def _submit(self, codes: list[str], administrative: bool, note: str) -> None:
        identity = self.backend.identity
        student_id, term_code = self._student_id, self._options.term_code or ""

        def submit(backend: Backend) -> SubmittedReenrolment:
            from registrar_tui.services.requests.reenrolment.submit import submit_reenrolment

            assert identity is not None  # the form opens for a signed-in user only
            return backend.write(
                submit_reenrolment,
                actor_id=identity.id,
                student_id=student_id,
                term_code=term_code,
                discipline_codes=codes,
                administrative=administrative,
                note=note,
            )

        self.call_service(
            submit, lambda _done: self.dismiss(True), group="reenrolment-form", refused=self._failed
        )

    def _failed(self, error: DomainError) -> None:
        status = self.query_one("#reenrolment-status", Static)
        status.update(Content(error.translated()))
        status.add_class("-error")

    def action_cancel(self) -> None:
        self.dismiss(False)


class StudentDeskActions(AppScreen):
    """The student screen's counter keys: `StudentScreen` is built on it (each key shows on
    its tab, for the roles allowed). What it needs of the screen is declared below."""

    student_id: int
    _record: StudentRecord | None

    def _selected_enrolment(self) -> int | None:
        """The enrolment of the highlighted course row (the screen knows its tables)."""
        raise NotImplementedError

    def _reload(self) -> None:
        """Read the record again, after a change made here."""
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
        if action == "confirm_attendance":
            return any(
                str(course.status) == "active" and not course.attendance_confirmed
                for course in self._record.courses
            )
        if action == "add_course":
            return True  # a clerk may make a first enrolment; the choices say which
        if not identity.can_change_courses:
            return False
        if action == "drop_course":
            return self._selected_enrolment() is not None or None
        return True

    def _student_name(self) -> str:
        return self._record.identity.full_name if self._record is not None else ""

    def _user_id(self) -> int:
        return self.backend.identity.id if self.backend.identity is not None else 0

    def action_add_course(self) -> None:
        student_id = self.student_id

        def offer(backend: Backend) -> tuple[CourseChoice, ...]:
            from registrar_tui.services.records.enrolment import course_choices

            return backend.read(course_choices, student_id)

        self.call_service(offer, self._courses_offered, group="student-desk")

    def _courses_offered(self, choices: tuple[CourseChoice, ...]) -> None:
        identity = self.backend.identity
        if identity is None or not identity.can_change_courses:
            # A clerk makes first enrolments only: a term the student already has a
            # course in is changed by a registrar.
            choices = tuple(c for c in choices if c.first_enrolment)
        if not choices:
            self._desk_done("", _("Aucun cours offert n'a de place pour cet élève."))
            return

        def picked(course_id: int | None) -> None:
            if course_id:
                self._preview_add(course_id)

        self.app.push_screen(CoursePickerScreen(self._student_name(), choices), picked)

    def _preview_add(self, course_id: int) -> None:
        """Say what adding the course bills before the key that confirms it."""
        student_id = self.student_id

        def read(backend: Backend) -> CourseBill:
            from registrar_tui.services.records.enrolment import add_course_bill

            return backend.read(add_course_bill, student_id, course_id)

        def ask(bill: CourseBill) -> None:
            question = _("Inscrire l'élève à ce cours ?") + "\n" + bill_text(bill)
            self._confirm(_("Ajouter un cours"), question, lambda: self._add(course_id))

        self.call_service(read, ask, group="student-desk")

    def _add(self, course_id: int) -> None:
        user_id, student_id = self._user_id(), self.student_id

        def add(backend: Backend) -> CourseChange:
            from registrar_tui.services.records.enrolment import add_course

            return backend.write(
                add_course, actor_id=user_id, student_id=student_id, course_id=course_id
            )

        def added(change: CourseChange) -> None:
            self._desk_done(_("Cours ajouté.") + change_text(change))

        self.call_service(add, added, group="student-desk")

    def action_drop_course(self) -> None:
        enrolment_id = self._selected_enrolment()
        if enrolment_id is None or self._record is None:
            return
        for course in self._record.courses:
            if course.enrolment_id == enrolment_id:
                self.drop_enrolment(enrolment_id, course.discipline.in_language(current_language()))

    def _confirm(self, title: str, question: str, then: Callable[[], object]) -> None:
        from registrar_tui.screens.desk.modals import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                then()

        self.app.push_screen(ConfirmScreen(title, question), answered)

    def drop_enrolment(self, enrolment_id: int, course_name: str) -> None:
        """Say what dropping the course does to the bill, then ask."""

        def read(backend: Backend) -> CourseBill:
            from registrar_tui.services.records.enrolment import drop_course_bill

            return backend.read(drop_course_bill, enrolment_id)

        def ask(bill: CourseBill) -> None:
            question = _("Retirer l'élève du cours « {course} » ?").format(
                course=user_text(course_name)
            )
            question += "\n" + bill_text(bill)
            self._confirm(_("Retirer un cours"), question, lambda: self._drop(enrolment_id))

        self.call_service(read, ask, group="student-desk")

    def _drop(self, enrolment_id: int) -> None:
        user_id = self._user_id()

        def drop(backend: Backend) -> CourseChange:
            from registrar_tui.services.records.enrolment import drop_course

            return backend.write(drop_course, actor_id=user_id, enrolment_id=enrolment_id)

        def dropped(change: CourseChange) -> None:
            self._desk_done(_("Cours retiré.") + change_text(change))

        self.call_service(drop, dropped, group="student-desk")

    def action_certificate(self) -> None:
        from registrar_tui.screens.student.certificate import CertificateScreen

        def closed(changed: bool | None) -> None:
            if changed:
                self._reload()

        self.app.push_screen(CertificateScreen(self.student_id, self._student_name()), closed)

    def action_confirm_attendance(self) -> None:
        record = self._record
        if record is None or record.term_code is None:
            return
        student_id, term_code = self.student_id, record.term_code

        def read(backend: Backend) -> AttendanceOutlook:
            from registrar_tui.services.records.enrolment import attendance_outlook

            return backend.read(attendance_outlook, student_id, term_code)

        def ask(outlook: AttendanceOutlook) -> None:
            question = _("La famille confirme la présence de l'élève à la session {term}.").format(
                term=user_text(outlook.term_code)
            )
            if outlook.deadline is not None and outlook.late_fee is not None:
                question += "\n" + (
                    _(
                        "Avant la date limite du {deadline} : les frais de confirmation "
                        "tardive ({fee}) ne seront pas facturés."
                    )
                    if outlook.on_time
                    else _(
                        "La date limite du {deadline} est passée : les frais de confirmation "
                        "tardive ({fee}) s'appliquent quand même."
                    )
                ).format(deadline=format_date(outlook.deadline), fee=format_money(outlook.late_fee))
            self._confirm(
                _("Confirmer la présence"), question, lambda: self._confirm_attendance(term_code)
            )

        self.call_service(read, ask, group="student-desk")

    def _confirm_attendance(self, term_code: str) -> None:
        user_id, student_id = self._user_id(), self.student_id

        def confirm(backend: Backend) -> AttendanceConfirmed:
            from registrar_tui.services.records.enrolment import confirm_attendance

            return backend.write(
                confirm_attendance, actor_id=user_id, student_id=student_id, term_code=term_code
            )

        def confirmed(done: AttendanceConfirmed) -> None:
            self._desk_done(
                ngettext(
                    "Présence confirmée pour la session {term} ({count} cours).",
                    "Présence confirmée pour la session {term} ({count} cours).",
                    done.confirmed,
                ).format(term=done.term_code, count=done.confirmed)
            )

        self.call_service(confirm, confirmed, group="student-desk")

    def action_request_reenrolment(self) -> None:
        student_id = self.student_id

        def options(backend: Backend) -> ReenrolmentOptions:
            from registrar_tui.services.requests.reenrolment.submit import reenrolment_options

            return backend.read(reenrolment_options, student_id)

        self.call_service(options, self._form_ready, group="student-desk")

    def _form_ready(self, options: ReenrolmentOptions) -> None:
        if options.refusal:
            self._desk_done("", options.refusal)
            return

        def recorded(done: bool | None) -> None:
            if done:
                self._desk_done(_("Demande de réinscription enregistrée."))

        form = ReenrolmentRequestScreen(self.student_id, self._student_name(), options)
        self.app.push_screen(form, recorded)

    def _desk_done(self, text: str, warning: str = "") -> None:
        """A change was made (`text`: say so and reload the record), or a `warning`."""
        if text:
            self.notify(text, markup=False, timeout=8)
            self._reload()
        if warning:
            self.notify(warning, severity="warning", markup=False)


_NOTHING = Decimal("0.00")


def bill_text(bill: CourseBill) -> str:
    """The lines a course change bills, their total, or the credit note it issues instead."""
    if bill.cancels_invoice is not None:
        return _(
            "Cours ajouté aujourd'hui : la facture {number} ({amount}) sera annulée par une "
            "note de crédit. Aucuns frais."
        ).format(
            number=bill.cancels_invoice, amount=format_money(bill.cancelled_amount or _NOTHING)
        )
    if not bill.lines:
        return _("Aucuns frais.")
    lines = [_("Facturé à la famille :")]
    lines += [
        f"  {user_text(line.description)} : {format_money(line.amount)}" for line in bill.lines
    ]
    lines.append(_("Total : {total}").format(total=format_money(bill.total)))
    return "\n".join(lines)


def change_text(change: CourseChange) -> str:
    """What a course change billed or credited, after « Cours ajouté. » / « Cours retiré. »."""
    if change.credit_note_number is not None:
        return " " + _("Note de crédit {number} : {amount}.").format(
            number=change.credit_note_number, amount=format_money(change.credited or _NOTHING)
        )
    if change.invoice_number is None or change.billed is None:
        return ""
    return " " + _("Facture {number} : {amount}.").format(
        amount=format_money(change.billed), number=change.invoice_number
    )
