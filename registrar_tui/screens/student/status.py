"""Change a student's status: active, withdrawn (date and reason required), graduated."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Label, RadioButton, RadioSet, Static

from registrar_tui.i18n import N_, _
from registrar_tui.screens.widgets.base import _SCREEN_BINDINGS, AppModalScreen, user_content

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.records.students import StudentIdentity

STATUSES: tuple[tuple[str, str], ...] = (
    ("active", N_("Actif")),
    ("withdrawn", N_("Retiré")),
    ("graduated", N_("Diplômé")),
)
"""(status, label): the statuses staff set by hand, in the order shown."""
FIELDS = ("status", "status_date", "reason")


class StudentStatusScreen(AppModalScreen["StudentIdentity | None"]):
    """The status (↑/↓ then Space), since when, why; Ctrl+S saves, Escape cancels."""

    CSS_PATH = "status.tcss"
    COMMAND_NAMESPACE = N_("élève")
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "ctrl+s",
            "save",
            N_("Enregistrer"),
            id="student-status.save",
            tooltip=N_("Enregistrer le statut (journalisé)"),
            priority=True,
        ),
        Binding(
            "escape",
            "cancel",
            N_("Annuler"),
            id="student-status.cancel",
            tooltip=N_("Fermer sans enregistrer"),
        ),
    ]

    def __init__(self, current: StudentIdentity) -> None:
        super().__init__()
        self._current = current
        self._saving = False

    def compose(self) -> ComposeResult:
        current = str(self._current.status)
        with Vertical(id="student-status"):
            yield Static(
                Content.assemble(
                    _("Statut · "), user_content(self._current.full_name, "bold"), " ",
                    user_content(self._current.student_number),
                ),
                id="student-status-title",
            )  # fmt: skip
            with RadioSet(id="status-choice"):
                for status, label in STATUSES:
                    yield RadioButton(_(label), value=status == current, name=status)
            yield Static(Content(""), id="status-message", classes="field-message")
            with Horizontal(classes="field-row"):
                yield Label(Content(_("Date")), classes="field-label")
                yield Input(
                    id="status-date",
                    max_length=10,
                    placeholder=_("AAAA-MM-JJ (vide : aujourd'hui)"),
                )
            yield Static(Content(""), id="status_date-message", classes="field-message")
            with Horizontal(classes="field-row"):
                yield Label(Content(_("Motif")), classes="field-label")
                yield Input(
                    id="status-reason", max_length=500, placeholder=_("obligatoire pour un retrait")
                )
            yield Static(Content(""), id="reason-message", classes="field-message")
            yield Static(
                Content(_("←/→ et Espace : statut · Ctrl+S : enregistrer · Échap : annuler")),
                id="student-status-status",
            )
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self.query_one("#status-choice", RadioSet).focus()

    def _chosen(self) -> str:
        pressed = self.query_one("#status-choice", RadioSet).pressed_button
        return pressed.name or "" if pressed is not None else ""

    def _show_message(self, name: str, text: str) -> None:
        message = self.query_one(f"#{name}-message", Static)
        message.update(Content(text))
        message.set_class(bool(text), "-visible")

    def _show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#student-status-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.id == "status-date":
            self._show_message("status_date", "")
        elif event.input.id == "status-reason":
            self._show_message("reason", "")

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "status-reason":
            self.action_save()
        else:
            self.focus_next()

    def action_save(self) -> None:
        if self._saving:
            return
        for name in FIELDS:
            self._show_message(name, "")
        self._saving = True
        self._show_status(_("Enregistrement…"))
        student_id, status = self._current.id, self._chosen()
        day = self.query_one("#status-date", Input).value
        reason = self.query_one("#status-reason", Input).value

        def save(backend: Backend) -> StudentIdentity:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.records.students import change_student_status

            try:
                identity = backend.identity
                if identity is None:
                    raise PermissionDenied()
                return backend.write(
                    change_student_status, student_id, identity.id, status, on=day, reason=reason
                )
            finally:
                self._saving = False

        self.call_service(save, self.dismiss, group="student-status", exclusive=False)

    def show_refusal(self, error: DomainError) -> None:
        """Nothing was written: the message under its field, else on the status line."""
        self._saving = False
        if error.field in FIELDS:
            self._show_message(error.field or "", error.translated())
            self._show_status(_("Corrigez les champs indiqués."), error=True)
            focus = {"status_date": "#status-date", "reason": "#status-reason"}
            self.query_one(focus.get(error.field or "", "#status-choice")).focus()
        else:
            self._show_status(error.translated(), error=True)

    def action_cancel(self) -> None:
        self.dismiss(None)
