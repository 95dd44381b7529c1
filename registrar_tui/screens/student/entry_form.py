"""The base of the forms that enter what teachers report (evaluation, absence, end-of-term
result, repertoire work): one line per field, its error right under it, Ctrl+S saves,
Escape closes. A subclass lists its fields, fills them and names the service that saves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Checkbox, Footer, Input, Label, Select, Static

from registrar_tui.i18n import N_, _
from registrar_tui.screens.widgets.base import _SCREEN_BINDINGS, AppModalScreen, user_text

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError


@dataclass(frozen=True)
class FormField:
    """One line of a form: a text box, a choice or a tick box."""

    name: str
    """The field the services name in their errors (`held_on`, `mark`…)."""
    label: str
    """French source (N_), translated when shown."""
    kind: str = "input"  # "input", "select" or "checkbox"
    max_length: int = 200
    placeholder: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    """(French label, value) of a choice."""


def form_bindings(prefix: str, save_tooltip: str) -> list[BindingType]:
    return [
        *_SCREEN_BINDINGS,
        Binding(
            "ctrl+s",
            "save",
            N_("Enregistrer"),
            id=f"{prefix}.save",
            tooltip=save_tooltip,
            priority=True,
        ),
        Binding(
            "escape",
            "cancel",
            N_("Annuler"),
            id=f"{prefix}.cancel",
            tooltip=N_("Fermer sans enregistrer"),
        ),
    ]


class EntryFormScreen(AppModalScreen[bool]):
    """A modal form; dismisses True once the service saved (the caller reads again)."""

    FIELDS: ClassVar[tuple[FormField, ...]] = ()
    BINDINGS: ClassVar[list[BindingType]] = []

    def __init__(self, title: str, subject: str) -> None:
        super().__init__()
        self._title = title
        """Ours, translated: « Nouvelle évaluation »."""
        self._subject = subject
        """User data: the student and the course."""
        self._saving = False

    # ------------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        with Vertical(classes="entry-form"):
            yield Static(Content(self._title), classes="entry-title")
            yield Static(Content(user_text(self._subject)), classes="entry-subject")
            yield from self.compose_fields()
            yield Static(
                Content(_("Entrée : champ suivant · Ctrl+S : enregistrer · Échap : annuler")),
                id="entry-status",
                classes="entry-status",
            )
        yield Footer(show_command_palette=False)

    def compose_fields(self) -> ComposeResult:
        for spec in self.FIELDS:
            yield from self.field_line(spec)

    def field_line(self, spec: FormField) -> ComposeResult:
        with Horizontal(classes="field-row", id=f"row-{spec.name}"):
            yield Label(Content(_(spec.label)), classes="field-label")
            yield self._widget(spec)
        yield Static(Content(""), id=f"{spec.name}-message", classes="field-message")

    def _widget(self, spec: FormField) -> Widget:
        if spec.kind == "select":
            return Select[str](
                self.select_options(spec),
                allow_blank=False,
                compact=True,
                id=f"field-{spec.name}",
            )
        if spec.kind == "checkbox":
            return Checkbox("", compact=True, id=f"field-{spec.name}")
        return Input(
            id=f"field-{spec.name}",
            max_length=spec.max_length,
            placeholder=_(spec.placeholder) if spec.placeholder else "",
        )

    def select_options(self, spec: FormField) -> list[tuple[str | Content, str]]:
        """A choice's options: its own labels, translated (a subclass may build others)."""
        return [(_(label), value) for label, value in spec.choices]

    def on_mount(self) -> None:
        self.fill()
        first = self.FIELDS[0].name if self.FIELDS else None
        if first is not None:
            self.query_one(f"#field-{first}").focus()

    def fill(self) -> None:
        """Put the stored values in the boxes (a new entry keeps them empty)."""

    # ------------------------------------------------------------------ values

    def set_value(self, name: str, value: str | bool) -> None:
        widget = self.query_one(f"#field-{name}")
        if isinstance(widget, Input):
            with widget.prevent(Input.Changed):
                widget.value = user_text(str(value))
        elif isinstance(widget, Checkbox):
            widget.value = bool(value)
        elif isinstance(widget, Select):
            widget.value = str(value)

    def value(self, name: str) -> Any:
        widget = self.query_one(f"#field-{name}")
        if isinstance(widget, Select):
            return str(widget.value)
        if isinstance(widget, Checkbox | Input):
            return widget.value
        raise LookupError(name)

    # ------------------------------------------------------------------ messages

    def show_message(self, name: str, text: str) -> None:
        messages = self.query(f"#{name}-message").results(Static)
        for message in messages:
            message.update(Content(text))
            message.set_class(bool(text), "-visible")

    def show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#entry-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    @on(Input.Changed)
    def _clear_message(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("field-"):
            self.show_message(event.input.id.removeprefix("field-"), "")

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; on the last text box it saves."""
        event.stop()
        boxes = [box for box in self.query(Input) if box.display and not box.disabled]
        if boxes and event.input is boxes[-1]:
            self.action_save()
        else:
            self.focus_next()

    # ------------------------------------------------------------------ saving

    def save_call(self) -> Callable[[Backend, int], object] | None:
        """The service call saving what the boxes hold (`backend`, acting user id); None
        when the form cannot be saved as it is (the subclass said why)."""
        raise NotImplementedError

    def action_save(self) -> None:
        if self._saving:
            return
        call = self.save_call()
        if call is None:
            return
        for spec in self.FIELDS:
            self.show_message(spec.name, "")
        self._saving = True
        self.show_status(_("Enregistrement…"))

        def save(backend: Backend) -> object:
            from registrar_tui.services.core.errors import PermissionDenied

            try:
                identity = backend.identity
                if identity is None:
                    raise PermissionDenied()
                return call(backend, identity.id)
            finally:
                self._saving = False

        self.call_service(save, self._saved, group="entry-form", exclusive=False)

    def _saved(self, _result: object) -> None:
        self.notify(_("Enregistré."), markup=False)
        self.dismiss(True)

    def show_refusal(self, error: DomainError) -> None:
        """Each problem under its field, else on the status line (nothing was written)."""
        from registrar_tui.services.records.assessments import InvalidAssessment

        self._saving = False
        names = {spec.name for spec in self.FIELDS}
        problems = error.problems if isinstance(error, InvalidAssessment) else {}
        if not problems and error.field in names:
            problems = {error.field or "": error}
        shown = {name: problem for name, problem in problems.items() if name in names}
        if not shown:
            self.show_status(error.translated(), error=True)
            return
        for name, problem in shown.items():
            self.show_message(name, problem.translated())
        self.show_status(_("Corrigez les champs indiqués."), error=True)
        first = next(spec.name for spec in self.FIELDS if spec.name in shown)
        self.query_one(f"#field-{first}").focus()

    def action_cancel(self) -> None:
        self.dismiss(False)
