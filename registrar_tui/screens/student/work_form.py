"""Add a work the student performed: at an event picked from the latest ones of the
student's establishment, or at a new event (kind, title, venue, date); composer, title."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.binding import BindingType
from textual.content import Content
from textual.widgets import Select

from registrar_tui.i18n import N_, _, format_date
from registrar_tui.screens.student.entry_form import EntryFormScreen, FormField, form_bindings
from registrar_tui.screens.student.evaluation_form import DATE_HINT
from registrar_tui.screens.widgets.base import user_content

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.records.repertoire import EventChoice

NEW_EVENT = "new"
"""The event choice that opens the new event's fields."""
EVENT_KINDS: tuple[tuple[str, str], ...] = (
    (N_("Concert"), "concert"),
    (N_("Examen"), "exam"),
    (N_("Classe de maître"), "masterclass"),
    (N_("Concours"), "competition"),
    (N_("Récital"), "recital"),
)
_EVENT = FormField("event", N_("Événement"), kind="select")
_NEW_EVENT_FIELDS = (
    FormField("kind", N_("Type"), kind="select", choices=EVENT_KINDS),
    FormField("event_title", N_("Titre"), max_length=200),
    FormField("venue", N_("Lieu"), max_length=200),
    FormField("held_on", N_("Date"), max_length=10, placeholder=DATE_HINT),
)
_WORK_FIELDS = (
    FormField("composer", N_("Compositeur"), max_length=200),
    FormField("title", N_("Œuvre"), max_length=300),
)


class WorkFormScreen(EntryFormScreen):
    """The student's new repertoire work; dismisses True once saved."""

    CSS_PATH = "work_form.tcss"
    COMMAND_NAMESPACE = N_("répertoire")
    BINDINGS: ClassVar[list[BindingType]] = form_bindings(
        "work-form", N_("Enregistrer l'œuvre (et l'événement s'il est nouveau; journalisé)")
    )
    FIELDS: ClassVar[tuple[FormField, ...]] = (_EVENT, *_NEW_EVENT_FIELDS, *_WORK_FIELDS)

    def __init__(
        self, title: str, subject: str, student_id: int, events: tuple[EventChoice, ...]
    ) -> None:
        super().__init__(title, subject)
        self.student_id = student_id
        self.events = events

    def select_options(self, spec: FormField) -> list[tuple[str | Content, str]]:
        if spec.name != "event":
            return super().select_options(spec)
        kinds = {value: label for label, value in EVENT_KINDS}
        return [
            (Content(_("Nouvel événement…")), NEW_EVENT),
            *(
                (
                    Content.assemble(
                        format_date(event.held_on),
                        " · ",
                        _(kinds.get(str(event.kind), str(event.kind))),
                        " · ",
                        user_content(event.title),
                    ),
                    str(event.event_id),
                )
                for event in self.events
            ),
        ]

    def on_mount(self) -> None:
        select: Select[str] = self.query_one("#field-event", Select)
        select.value = str(self.events[0].event_id) if self.events else NEW_EVENT
        self.set_value("kind", "concert")
        self._show_new_event(select.value == NEW_EVENT)
        select.focus()

    @on(Select.Changed, "#field-event")
    def _event_chosen(self, event: Select.Changed) -> None:
        self._show_new_event(event.value == NEW_EVENT)

    def _show_new_event(self, shown: bool) -> None:
        for spec in _NEW_EVENT_FIELDS:
            self.query_one(f"#row-{spec.name}").display = shown
            if not shown:
                self.show_message(spec.name, "")

    def save_call(self) -> Callable[[Backend, int], object] | None:
        from registrar_tui.services.records.repertoire import EventEntry, WorkEntry

        work = WorkEntry(composer=self.value("composer"), title=self.value("title"))
        choice = self.value("event")
        new_event = (
            EventEntry(
                kind=self.value("kind"),
                event_title=self.value("event_title"),
                venue=self.value("venue"),
                held_on=self.value("held_on"),
            )
            if choice == NEW_EVENT
            else None
        )
        event_id = None if choice == NEW_EVENT else int(choice)
        student_id = self.student_id

        def save(backend: Backend, actor_id: int) -> object:
            from registrar_tui.services.records.repertoire import add_work

            return backend.write(
                add_work, actor_id, student_id, work, event_id=event_id, new_event=new_event
            )

        return save
