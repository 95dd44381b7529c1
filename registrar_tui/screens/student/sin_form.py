"""A student's social insurance number, for the tax slips: typed at the counter, masked.

Opened with I on the identity tab. The box shows the stored number masked (`*** *** 544`);
any staff member types a new one (the family dictates it) and saves with Ctrl+S: the
form then shows it masked again. A registrar or an admin sees the full number with
Ctrl+R, each look audited, as for a guardian's (services/records/sin.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Label, Static

from registrar_tui.i18n import N_, _
from registrar_tui.screens.widgets.base import _SCREEN_BINDINGS, AppModalScreen, user_content

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.records.sin import RevealedStudentSin

SIN = "social_insurance_number"


class StudentSinScreen(AppModalScreen[bool]):
    """The number box; Ctrl+S saves, Ctrl+R reveals (supervisors), Escape closes.

    Dismisses True when a number was saved."""

    CSS_PATH = "sin_form.tcss"
    COMMAND_NAMESPACE = N_("élève")
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "ctrl+s",
            "save",
            N_("Enregistrer"),
            id="student-sin.save",
            tooltip=N_("Enregistrer le NAS de l'élève (journalisé, affiché masqué)"),
            priority=True,
        ),
        Binding(
            "ctrl+r",
            "reveal",
            N_("Voir le NAS"),
            id="student-sin.reveal",
            tooltip=N_("Afficher le numéro d'assurance sociale complet (consultation journalisée)"),
            priority=True,
        ),
        Binding("escape", "cancel", N_("Fermer"), id="student-sin.cancel"),
    ]

    def __init__(self, student_id: int, full_name: str, student_number: str) -> None:
        super().__init__()
        self.student_id = student_id
        self._name = full_name
        self._number = student_number
        self._shown = ""
        """What the box showed before any typing: masked, or revealed in full."""
        self._saved = False
        self._busy = False

    def compose(self) -> ComposeResult:
        with Vertical(id="student-sin"):
            yield Static(
                Content.assemble(
                    _("NAS · "), user_content(self._name, "bold"), " ",
                    user_content(self._number),
                ),
                id="student-sin-title",
            )  # fmt: skip
            with Horizontal(classes="field-row"):
                yield Label(Content(_("NAS")), classes="field-label")
                yield Input(id="student-sin-number", max_length=11, placeholder=_("9 chiffres"))
            yield Static(Content(""), id="student-sin-message", classes="field-message")
            yield Static(
                Content(_("Pour les relevés fiscaux (relevé 8, T2202). Vide : aucun NAS.")),
                id="student-sin-status",
            )
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        student_id = self.student_id

        def load(backend: Backend) -> str:
            from registrar_tui.services.records.sin import student_sin_masked

            return backend.read(student_sin_masked, student_id)

        self.call_service(load, self._fill, group="student-sin")

    def _box(self) -> Input:
        return self.query_one("#student-sin-number", Input)

    def _fill(self, masked: str) -> None:
        box = self._box()
        with box.prevent(Input.Changed):
            box.value = self._shown = masked
        box.focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reveal":
            identity = self.backend.identity
            return (
                identity is not None
                and identity.can_reveal_sin
                and self._shown.startswith("*")
                and self._box().value == self._shown
            )
        return True

    def _show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#student-sin-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def _show_message(self, text: str) -> None:
        message = self.query_one("#student-sin-message", Static)
        message.update(Content(text))
        message.set_class(bool(text), "-visible")

    @on(Input.Changed)
    def _typed(self) -> None:
        self._show_message("")
        self.refresh_bindings()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        typed = self._box().value
        if self._busy or typed == self._shown:
            return
        self._busy = True
        student_id = self.student_id

        def save(backend: Backend) -> str:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.records.sin import set_student_sin

            try:
                identity = backend.identity
                if identity is None:
                    raise PermissionDenied()
                return backend.write(set_student_sin, identity.id, student_id, typed)
            finally:
                self._busy = False

        self.call_service(save, self._saved_as, group="student-sin", exclusive=False)

    def _saved_as(self, masked: str) -> None:
        self._saved = True
        self._fill(masked)
        self._show_status(_("NAS enregistré (affiché masqué)."))

    def action_reveal(self) -> None:
        if not self.check_action("reveal", ()):
            return
        student_id = self.student_id

        def reveal(backend: Backend) -> RevealedStudentSin:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.records.sin import reveal_student_sin

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            return backend.write(reveal_student_sin, identity.id, student_id)

        self.call_service(reveal, self._revealed, group="student-sin", exclusive=False)

    def _revealed(self, revealed: RevealedStudentSin) -> None:
        box = self._box()
        with box.prevent(Input.Changed):
            box.value = self._shown = revealed.formatted
        self._show_status(_("NAS affiché en entier : consultation journalisée."))
        self.refresh_bindings()

    def show_refusal(self, error: DomainError) -> None:
        self._busy = False
        if error.field == SIN:
            self._show_message(error.translated())
        else:
            self._show_status(error.translated(), error=True)

    def action_cancel(self) -> None:
        self.dismiss(self._saved)
