"""Add a teacher from the group form (Ctrl+T): first name, last name, e-mail.

Dismisses with the teacher added (the group form picks it), None when cancelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Static

from registrar_tui.i18n import N_, _
from registrar_tui.screens.school_year.form import FieldForm, field_row
from registrar_tui.screens.widgets.base import _SCREEN_BINDINGS, AppModalScreen

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.school_year.teachers import TeacherRow

FIELDS: tuple[tuple[str, str, int], ...] = (
    ("first_name", N_("Prénom"), 100),
    ("last_name", N_("Nom"), 100),
    ("email", N_("Courriel"), 200),
)


class TeacherFormScreen(FieldForm, AppModalScreen["TeacherRow | None"]):
    """A new teacher's names and e-mail."""

    CSS_PATH = "teacher_form.tcss"
    COMMAND_NAMESPACE = N_("professeur")
    FIELDS: ClassVar[tuple[str, ...]] = tuple(name for name, _label, _length in FIELDS)
    STATUS_ID: ClassVar[str] = "teacher-form-status"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "ctrl+s",
            "save",
            N_("Enregistrer"),
            id="teacher-form.save",
            tooltip=N_("Ajouter le professeur (journalisé)"),
            priority=True,
        ),
        Binding(
            "escape",
            "cancel",
            N_("Annuler"),
            id="teacher-form.cancel",
            tooltip=N_("Fermer sans ajouter"),
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="teacher-form"):
            yield Static(Content(_("Nouveau professeur")), id="teacher-form-title")
            for name, label, length in FIELDS:
                yield from field_row(name, label, Input(id=f"field-{name}", max_length=length))
            yield Static(
                Content(_("Entrée : champ suivant · Ctrl+S : ajouter · Échap : annuler")),
                id="teacher-form-status",
            )
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#field-first_name", Input).focus()

    @on(Input.Changed)
    def _clear_message(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("field-"):
            self.show_message(event.input.id.removeprefix("field-"), "")

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "field-email":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        if self._saving:
            return
        first, last, email = (self.text(name) for name in self.FIELDS)
        self.clear_messages()
        self._saving = True

        def save(backend: Backend) -> TeacherRow:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.school_year.teachers import add_teacher

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            return backend.write(
                add_teacher, actor_id=identity.id, first_name=first, last_name=last, email=email
            )

        self.call_service(
            save, self._saved, group="teacher-form", exclusive=False, refused=self._refused
        )

    def _refused(self, error: DomainError) -> None:
        self._saving = False
        self.show_refusal(error)

    def _saved(self, teacher: TeacherRow) -> None:
        self._saving = False
        self.notify(_("Professeur ajouté : {name}.").format(name=teacher.full_name), markup=False)
        self.dismiss(teacher)

    def action_cancel(self) -> None:
        self.dismiss(None)
