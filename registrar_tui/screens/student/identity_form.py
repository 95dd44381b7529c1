"""The student form: a new student in a family, or a correction of one's identity or of
health and emergency contact. One line per field, each error under its field.

Before a new student is saved the service may answer with students already on file
(same code permanent, or same name and birth date: « Ctrl+O ouvrir l'existant »,
« Ctrl+S créer quand même ») or with the reasons a code permanent disagrees with the name,
birth date or sex (« Ctrl+S enregistrer quand même »); typing in any field withdraws that
consent. Health fields show only to a role of the `medical_roles` setting (need-to-know).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Label, Static

from registrar_tui.i18n import N_, _, format_date
from registrar_tui.screens.widgets.base import (
    _SCREEN_BINDINGS,
    AppModalScreen,
    user_content,
    user_text,
)

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.records.students import (
        DuplicateStudent,
        StudentHealthChange,
        StudentIdentity,
        StudentIdentityChange,
    )

ADMISSION, IDENTITY, HEALTH = "admission", "identity", "health"

IDENTITY_FIELDS: tuple[tuple[str, str, int, str], ...] = (
    ("first_name", N_("Prénom"), 100, ""),
    ("last_name", N_("Nom"), 100, ""),
    ("sex", N_("Sexe"), 1, N_("F ou M")),
    ("birth_date", N_("Naissance"), 10, N_("AAAA-MM-JJ")),
    ("code_permanent", N_("Code permanent"), 14, N_("4 lettres et 8 chiffres")),
    ("school_name", N_("École"), 200, ""),
    ("school_level", N_("Niveau"), 40, ""),
    ("group_name", N_("Groupe"), 40, ""),
    ("establishment_code", N_("Établissement"), 8, ""),
)
"""(field, label, longest text accepted by the box, placeholder), in form order."""
HEALTH_FIELDS: tuple[tuple[str, str, int, str], ...] = (
    ("allergies", N_("Allergies"), 2000, ""),
    ("medical_conditions", N_("Santé"), 2000, N_("conditions médicales")),
)
EMERGENCY_FIELDS: tuple[tuple[str, str, int, str], ...] = (
    ("emergency_contact_name", N_("Urgence : nom"), 200, ""),
    ("emergency_contact_phone", N_("Urgence : tél."), 24, ""),
)


@dataclass(frozen=True)
class FormOutcome:
    """What the form ended with: a saved student, or one already on file to open."""

    saved: StudentIdentity | None = None
    open_student_id: int | None = None
    open_family_id: int | None = None


class StudentFormScreen(AppModalScreen["FormOutcome | None"]):
    """Admit a student (`family_id`), or correct one (`current`, part identity or health)."""

    CSS_PATH = "identity_form.tcss"
    COMMAND_NAMESPACE = N_("élève")
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "ctrl+s",
            "save",
            N_("Enregistrer"),
            id="student-form.save",
            tooltip=N_("Enregistrer l'élève (journalisé)"),
            priority=True,
        ),
        Binding(
            "ctrl+o",
            "open_existing",
            N_("Ouvrir l'existant"),
            id="student-form.open-existing",
            tooltip=N_("Ouvrir le dossier de l'élève déjà inscrit"),
            priority=True,
        ),
        Binding(
            "escape",
            "cancel",
            N_("Annuler"),
            id="student-form.cancel",
            tooltip=N_("Fermer sans enregistrer"),
        ),
    ]

    def __init__(
        self,
        *,
        part: str = ADMISSION,
        family_id: int | None = None,
        family_name: str = "",
        current: StudentIdentity | None = None,
        show_health: bool | None = None,
    ) -> None:
        super().__init__()
        self.part = part
        self.family_id = family_id
        self._family_name = family_name
        self._current = current
        self._show_health = show_health
        """None until known (admission asks the service: need-to-know)."""
        self._saving = False
        self._accept_warnings = False
        self._allow_duplicates = False
        self._duplicates: tuple[DuplicateStudent, ...] = ()

    # ------------------------------------------------------------------ layout

    def _fields(self) -> tuple[tuple[str, str, int, str], ...]:
        if self.part == IDENTITY:
            return IDENTITY_FIELDS
        health = HEALTH_FIELDS if self._show_health else ()
        if self.part == HEALTH:
            return (*health, *EMERGENCY_FIELDS)
        return (*IDENTITY_FIELDS, *health, *EMERGENCY_FIELDS)

    def _all_fields(self) -> tuple[tuple[str, str, int, str], ...]:
        return (*IDENTITY_FIELDS, *HEALTH_FIELDS, *EMERGENCY_FIELDS)

    def compose(self) -> ComposeResult:
        shown = {name for name, *_rest in self._fields()}
        with Vertical(id="student-form"):
            yield Static(self._title(), id="student-form-title")
            for name, label, length, placeholder in self._all_fields():
                row = Horizontal(classes="field-row", id=f"row-{name}")
                row.display = name in shown
                with row:
                    yield Label(Content(_(label)), classes="field-label")
                    yield Input(
                        id=f"student-{name}",
                        max_length=length,
                        placeholder=_(placeholder) if placeholder else "",
                    )
                yield Static(Content(""), id=f"{name}-message", classes="field-message")
            yield Static(Content(""), id="student-form-notice")
            yield Static(self._usage(), id="student-form-status")
        yield Footer(show_command_palette=False)

    def _title(self) -> Content:
        if self.part == ADMISSION:
            return Content.assemble(
                _("Nouvel élève · famille "), user_content(self._family_name, "bold")
            )
        name = self._current.full_name if self._current else ""
        heading = _("Identité") if self.part == IDENTITY else _("Santé et urgence")
        return Content.assemble(heading, " · ", user_content(name, "bold"))

    def _usage(self) -> Content:
        return Content(_("Entrée : champ suivant · Ctrl+S : enregistrer · Échap : annuler"))

    def on_mount(self) -> None:
        if self._current is not None:
            self._fill(self._current)
        if self.part == ADMISSION:
            placeholder = _("celui de la famille")
            self._box("establishment_code").placeholder = placeholder
            if self._show_health is None:
                self._ask_health()
        self._box(self._fields()[0][0]).focus()

    def _ask_health(self) -> None:
        """Need-to-know: whether this user's role sees (and types) health notes."""

        def ask(backend: Backend) -> bool:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.records.need_to_know import may_see_medical

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            return backend.read(may_see_medical, identity.id)

        self.call_service(ask, self._health_known, group="student-form")

    def _health_known(self, visible: bool) -> None:
        self._show_health = visible
        for name, *_rest in HEALTH_FIELDS:
            self.query_one(f"#row-{name}", Horizontal).display = visible

    def _fill(self, who: StudentIdentity) -> None:
        values = {
            "first_name": who.first_name,
            "last_name": who.last_name,
            "sex": str(who.sex.value) if who.sex is not None else "",
            "birth_date": who.birth_date.isoformat(),
            "code_permanent": who.code_permanent or "",
            "school_name": who.school_name,
            "school_level": who.school_level,
            "group_name": who.group_name,
            "establishment_code": who.establishment_code,
            "allergies": who.allergies or "",
            "medical_conditions": who.medical_conditions or "",
            "emergency_contact_name": who.emergency_contact_name,
            "emergency_contact_phone": who.emergency_contact_phone,
        }
        for name, value in values.items():
            box = self._box(name)
            with box.prevent(Input.Changed):
                box.value = user_text(value)

    # ------------------------------------------------------------------ helpers

    def _box(self, name: str) -> Input:
        return self.query_one(f"#student-{name}", Input)

    def _value(self, name: str) -> str:
        return self._box(name).value

    def _show_message(self, name: str, text: str) -> None:
        message = self.query_one(f"#{name}-message", Static)
        message.update(Content(text))
        message.set_class(bool(text), "-visible")

    def _show_notice(self, content: Content) -> None:
        notice = self.query_one("#student-form-notice", Static)
        notice.update(content)
        notice.set_class(bool(content.plain), "-visible")

    def _show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#student-form-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def _forget_consent(self) -> None:
        self._accept_warnings = False
        self._allow_duplicates = False
        self._duplicates = ()
        self._show_notice(Content(""))
        self.refresh_bindings()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("student-"):
            self._show_message(event.input.id.removeprefix("student-"), "")
        if self._accept_warnings or self._allow_duplicates or self._duplicates:
            self._forget_consent()
            self._show_status(self._usage().plain)

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; on the last one it saves."""
        event.stop()
        if event.input is self._box(self._fields()[-1][0]):
            self.action_save()
        else:
            self.focus_next()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_existing":
            return bool(self._duplicates)
        return True

    # ------------------------------------------------------------------ saving

    def _identity_change(self) -> StudentIdentityChange:
        from registrar_tui.services.records.students import StudentIdentityChange

        return StudentIdentityChange(**{name: self._value(name) for name, *_r in IDENTITY_FIELDS})

    def _health_change(self) -> StudentHealthChange:
        from registrar_tui.services.records.students import StudentHealthChange

        health = bool(self._show_health)
        return StudentHealthChange(
            emergency_contact_name=self._value("emergency_contact_name"),
            emergency_contact_phone=self._value("emergency_contact_phone"),
            allergies=self._value("allergies") if health else None,
            medical_conditions=self._value("medical_conditions") if health else None,
        )

    def action_save(self) -> None:
        if self._saving:
            return
        for name, *_rest in self._all_fields():
            self._show_message(name, "")
        self._saving = True
        self._show_status(_("Enregistrement…"))
        part, family_id = self.part, self.family_id
        student_id = self._current.id if self._current is not None else None
        identity = self._identity_change() if part != HEALTH else None
        health = self._health_change() if part != IDENTITY else None
        accept, allow = self._accept_warnings, self._allow_duplicates

        def save(backend: Backend) -> StudentIdentity:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.records import students

            try:
                who = backend.identity
                if who is None:
                    raise PermissionDenied()
                if part == ADMISSION:
                    assert family_id is not None and identity is not None and health is not None
                    return backend.write(
                        students.admit_student, family_id, who.id, identity, health,
                        accept_warnings=accept, allow_duplicates=allow,
                    )  # fmt: skip
                assert student_id is not None
                if part == IDENTITY:
                    assert identity is not None
                    return backend.write(
                        students.update_student_identity, student_id, who.id, identity,
                        accept_warnings=accept,
                    )  # fmt: skip
                assert health is not None
                return backend.write(students.update_student_health, student_id, who.id, health)
            finally:
                self._saving = False

        self.call_service(save, self._saved, group="student-form", exclusive=False)

    def _saved(self, student: StudentIdentity) -> None:
        self.dismiss(FormOutcome(saved=student))

    def show_refusal(self, error: DomainError) -> None:
        """Nothing was written: each problem under its field; a possible duplicate or a
        code permanent that disagrees is shown with what the user may do next."""
        from registrar_tui.services.records.students import (
            CodePermanentWarnings,
            InvalidStudent,
            PossibleDuplicate,
        )

        self._saving = False
        shown = {name for name, *_rest in self._fields()}
        if isinstance(error, InvalidStudent):
            for name, problem in error.problems.items():
                self._show_message(name, problem.translated())
            self._show_status(_("Corrigez les champs indiqués."), error=True)
            self._focus_field(next((n for n in error.problems if n in shown), None))
        elif isinstance(error, CodePermanentWarnings):
            self._accept_warnings = True
            self._show_message("code_permanent", "\n".join(error.warnings))
            self._show_status(
                _("Ctrl+S : enregistrer quand même · modifiez un champ pour corriger"),
                error=True,
            )
        elif isinstance(error, PossibleDuplicate):
            self._duplicates = error.duplicates
            self._allow_duplicates = error.may_create_anyway
            self._show_notice(self._duplicate_lines(error.duplicates))
            self._show_status(
                _("Ctrl+O : ouvrir l'existant · Ctrl+S : créer quand même")
                if error.may_create_anyway
                else _("Ctrl+O : ouvrir l'existant (un code permanent est unique)"),
                error=True,
            )
            self.refresh_bindings()
        elif error.field in shown:
            self._show_message(error.field or "", error.translated())
            self._show_status(_("Corrigez les champs indiqués."), error=True)
            self._focus_field(error.field)
        else:
            self._show_status(error.translated(), error=True)

    def _focus_field(self, name: str | None) -> None:
        if name is not None:
            self._box(name).focus()

    def _duplicate_lines(self, duplicates: tuple[DuplicateStudent, ...]) -> Content:
        lines = [Content(_("Déjà inscrit :"))]
        for found in duplicates:
            why = (
                _("même code permanent")
                if found.same_code_permanent
                else _("même nom et date de naissance")
            )
            lines.append(
                Content.assemble(
                    "• ",
                    user_content(found.full_name, "bold"),
                    " ",
                    user_content(found.student_number),
                    " · ",
                    format_date(found.birth_date),
                    " · ",
                    _("famille "),
                    user_content(found.family_name),
                    " · ",
                    (why, "italic"),
                )
            )
        return Content("\n").join(lines)

    def action_open_existing(self) -> None:
        if self._duplicates:
            found = self._duplicates[0]
            self.dismiss(
                FormOutcome(open_student_id=found.student_id, open_family_id=found.family_id)
            )

    def action_cancel(self) -> None:
        self.dismiss(None)
