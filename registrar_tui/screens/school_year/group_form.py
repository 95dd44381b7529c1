"""A course group's form: establishment (new group only), discipline, section, teacher,
day, start and end times, room, capacity, level; each error under its field.

The teacher is picked from the existing teachers; Ctrl+T adds one (first and last name,
e-mail) and picks it. Dismisses with the group saved, None when cancelled.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import Footer, Input, Select, Static

from registrar_tui.i18n import N_, _, current_language
from registrar_tui.screens.school_year.form import FieldForm, field_row
from registrar_tui.screens.school_year.groups import weekday_name
from registrar_tui.screens.widgets.base import _SCREEN_BINDINGS, AppModalScreen, user_text

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.school_year.groups import GroupChoices, GroupRow
    from registrar_tui.services.school_year.teachers import TeacherRow

FIELDS: tuple[tuple[str, str, int], ...] = (
    ("establishment", N_("Établissement"), 0),
    ("discipline", N_("Discipline"), 0),
    ("section", N_("Groupe"), 8),
    ("teacher", N_("Professeur"), 0),
    ("weekday", N_("Jour"), 0),
    ("starts_at", N_("Début"), 5),
    ("ends_at", N_("Fin"), 5),
    ("room", N_("Local"), 40),
    ("capacity", N_("Capacité"), 3),
    ("level", N_("Niveau"), 40),
)
"""(field, label, longest text of its box; 0: a picker), in form order."""
PICKERS = frozenset({"establishment", "discipline", "teacher", "weekday"})


class GroupFormScreen(FieldForm, AppModalScreen["GroupRow | None"]):
    """Create a group in a term, or edit one."""

    CSS_PATH = "group_form.tcss"
    COMMAND_NAMESPACE = N_("groupe")
    FIELDS: ClassVar[tuple[str, ...]] = tuple(name for name, _label, _length in FIELDS)
    STATUS_ID: ClassVar[str] = "group-form-status"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "ctrl+s",
            "save",
            N_("Enregistrer"),
            id="group-form.save",
            tooltip=N_("Enregistrer le groupe (journalisé)"),
            priority=True,
        ),
        Binding(
            "ctrl+t",
            "add_teacher",
            N_("Nouveau prof."),
            id="group-form.add-teacher",
            tooltip=N_("Ajouter un professeur à la liste et le choisir"),
            priority=True,
        ),
        Binding(
            "escape",
            "cancel",
            N_("Annuler"),
            id="group-form.cancel",
            tooltip=N_("Fermer sans enregistrer"),
        ),
    ]

    def __init__(
        self,
        term_id: int,
        term_code: str,
        group: GroupRow | None,
        *,
        default_site: int | None = None,
    ) -> None:
        super().__init__()
        self.term_id = term_id
        self.term_code = term_code
        self.group = group
        self.default_site = default_site
        self._choices: GroupChoices | None = None
        self._saving = False

    def compose(self) -> ComposeResult:
        group = self.group
        title = (
            _("Nouveau groupe, session {code}").format(code=self.term_code)
            if group is None
            else _("Groupe {section}, session {code}").format(
                section=user_text(group.section), code=self.term_code
            )
        )
        days = [(weekday_name(day), day) for day in range(1, 8)]
        with Vertical(id="group-form"):
            yield Static(Content(title), id="group-form-title")
            for name, label, length in FIELDS:
                box: Any
                if name == "weekday":
                    box = Select(days, prompt="—", compact=True, id=f"field-{name}")
                elif name in PICKERS:
                    box = Select([], prompt="—", compact=True, id=f"field-{name}")
                else:
                    box = Input(id=f"field-{name}", max_length=length)
                yield from field_row(name, label, box)
            yield Static(Content(""), id="group-form-seats")
            yield Static(
                Content(_("Ctrl+S : enregistrer · Ctrl+T : nouveau professeur · Échap : annuler")),
                id="group-form-status",
            )
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        self._load_choices()

    def _load_choices(self, pick_teacher: int | None = None) -> None:
        def load(backend: Backend) -> GroupChoices:
            from registrar_tui.services.school_year.groups import group_choices

            return backend.read(group_choices)

        self.call_service(
            load, lambda choices: self._fill(choices, pick_teacher), group="group-form-choices"
        )

    def _select(self, name: str) -> Select[int]:
        return self.query_one(f"#field-{name}", Select)

    def _fill(self, choices: GroupChoices, pick_teacher: int | None) -> None:
        first_time = self._choices is None
        self._choices = choices
        language = current_language()
        teacher_box = self._select("teacher")
        # Setting the options clears a picker: what was picked is picked again.
        kept = {name: self._select(name).value for name in ("establishment", "discipline")}
        kept_teacher = teacher_box.value
        self._select("establishment").set_options(
            (Text(f"{user_text(e.code)} — {user_text(e.label)}"), e.id)
            for e in choices.establishments
        )
        self._select("discipline").set_options(
            (Text(user_text(d.in_language(language))), d.discipline_id) for d in choices.disciplines
        )
        teacher_box.set_options((Text(user_text(t.label)), t.id) for t in choices.teachers)
        for name, value in kept.items():
            if not first_time and isinstance(value, int):
                self._select(name).value = value
        if pick_teacher is not None:
            teacher_box.value = pick_teacher
        elif not first_time and isinstance(kept_teacher, int):
            teacher_box.value = kept_teacher
        if first_time:
            self._prefill(choices)

    def _prefill(self, choices: GroupChoices) -> None:
        group = self.group
        if group is None:
            site = self.default_site
            if site is None and len(choices.establishments) == 1:
                site = choices.establishments[0].id
            if site is not None:
                self._select("establishment").value = site
            self.query_one("#field-section", Input).value = "01"
            self.query_one("#field-capacity", Input).value = "20"
            self._select("establishment" if site is None else "discipline").focus()
            return
        self._select("establishment").value = group.establishment_id
        self._select("establishment").disabled = True  # a group does not move
        self._select("discipline").value = group.discipline.discipline_id
        if group.teacher_id is not None:
            self._select("teacher").value = group.teacher_id
        if group.weekday is not None:
            self._select("weekday").value = group.weekday
        values = {
            "section": group.section,
            "starts_at": f"{group.starts_at:%H:%M}" if group.starts_at else "",
            "ends_at": f"{group.ends_at:%H:%M}" if group.ends_at else "",
            "room": group.room,
            "capacity": str(group.capacity),
            "level": group.level,
        }
        for name, value in values.items():
            self.query_one(f"#field-{name}", Input).value = user_text(value)
        self.query_one("#group-form-seats", Static).update(
            Content(
                _("Places prises : {taken} sur {capacity}.").format(
                    taken=group.seats_taken, capacity=group.capacity
                )
            )
        )
        self._select("teacher").focus()

    @on(Input.Changed)
    def _clear_message(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("field-"):
            self.show_message(event.input.id.removeprefix("field-"), "")

    @on(Select.Changed)
    def _picked(self, event: Select.Changed) -> None:
        if event.select.id and event.select.id.startswith("field-"):
            self.show_message(event.select.id.removeprefix("field-"), "")

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == f"field-{self.FIELDS[-1]}":
            self.action_save()
        else:
            self.focus_next()

    def _picked_id(self, name: str) -> int | None:
        value = self._select(name).value
        return value if isinstance(value, int) else None

    def action_save(self) -> None:
        if self._saving or self._choices is None:
            return
        from registrar_tui.services.school_year.groups import GroupDraft

        weekday = self._picked_id("weekday")
        draft = GroupDraft(
            establishment_id=self._picked_id("establishment"),
            discipline_id=self._picked_id("discipline"),
            section=self.text("section"),
            teacher_id=self._picked_id("teacher"),
            weekday="" if weekday is None else str(weekday),
            starts_at=self.text("starts_at"),
            ends_at=self.text("ends_at"),
            room=self.text("room"),
            capacity=self.text("capacity"),
            level=self.text("level"),
        )
        self.clear_messages()
        self._saving = True
        self.show_status(_("Enregistrement…"))
        term_id = self.term_id
        course_id = self.group.course_id if self.group is not None else None

        def save(backend: Backend) -> GroupRow:
            from registrar_tui.services.core.errors import PermissionDenied
            from registrar_tui.services.school_year import groups

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            if course_id is None:
                return backend.write(
                    groups.create_group, actor_id=identity.id, term_id=term_id, draft=draft
                )
            return backend.write(
                groups.update_group, actor_id=identity.id, course_id=course_id, draft=draft
            )

        self.call_service(
            save, self._saved, group="group-form", exclusive=False, refused=self._refused
        )

    def _refused(self, error: DomainError) -> None:
        self._saving = False
        self.show_refusal(error)

    def _saved(self, group: GroupRow) -> None:
        self._saving = False
        self.dismiss(group)

    def action_add_teacher(self) -> None:
        from registrar_tui.screens.school_year.teacher_form import TeacherFormScreen

        def added(teacher: TeacherRow | None) -> None:
            if teacher is not None:
                self._load_choices(pick_teacher=teacher.teacher_id)

        self.app.push_screen(TeacherFormScreen(), added)

    def action_cancel(self) -> None:
        self.dismiss(None)
