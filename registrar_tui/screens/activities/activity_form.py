"""Set an activity up (registrars and admins): its fields, then its items.

A new activity is saved first (Ctrl+S); the form then stays open on it so that its
items can be added (Ctrl+N) or corrected (F2 on the highlighted item). Schools and
levels are lists typed with « ; » between names (empty: every school, every level).
Each refusal shows under its field. Dismisses True when something was saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Input, Label, Select, Static

from registrar_tui.i18n import N_, _
from registrar_tui.screens.activities.catalogue import KIND_LABELS, day_text
from registrar_tui.screens.widgets.base import (
    _SCREEN_BINDINGS,
    AppModalScreen,
    KeysFooter,
    label_cell,
    money_cell,
    user_cell,
    user_content,
    user_text,
)

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.activities.setup import ActivityInput, ActivitySetup, ItemSetup
    from registrar_tui.services.core.errors import DomainError

TEXT_FIELDS: tuple[tuple[str, str, str, int], ...] = (
    ("title", N_("Titre"), "", 200),
    ("description", N_("Description"), "", 2000),
    ("held_on", N_("Date"), N_("AAAA-MM-JJ"), 10),
    ("registration_deadline", N_("Limite"), N_("AAAA-MM-JJ (au plus la date)"), 10),
    ("schools", N_("Écoles"), N_("Toutes · sinon : École A; École B"), 500),
    ("levels", N_("Niveaux"), N_("Tous · sinon : Primaire; Secondaire 1"), 200),
)
"""(field, label, placeholder, longest text), in form order after the two choices."""
FIELDS = ("kind", "establishment", *(name for name, *_rest in TEXT_FIELDS))


class ActivityFormScreen(AppModalScreen[bool]):
    """An activity's fields and its items; dismisses True once something was saved."""

    CSS_PATH = "activity_form.tcss"
    COMMAND_NAMESPACE = N_("activité")
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "ctrl+s",
            "save",
            N_("Enregistrer"),
            id="activity-form.save",
            tooltip=N_("Enregistrer l'activité (journalisé)"),
            priority=True,
        ),
        Binding(
            "ctrl+n",
            "add_item",
            N_("Article"),
            id="activity-form.add-item",
            tooltip=N_("Ajouter un article à l'activité enregistrée"),
            priority=True,
        ),
        Binding(
            "f2",
            "edit_item",
            N_("Modifier l'article"),
            id="activity-form.edit-item",
            tooltip=N_("Modifier l'article choisi dans la liste"),
            priority=True,
        ),
        # E as well, from the list of items (not a priority key: a box takes its letters).
        Binding(
            "e",
            "edit_item",
            N_("Modifier l'article"),
            show=False,
            id="activity-form.edit-item-letter",
        ),
        Binding(
            "escape",
            "close",
            N_("Fermer"),
            id="activity-form.close",
            tooltip=N_("Fermer le formulaire (ce qui n'est pas enregistré est perdu)"),
        ),
    ]

    def __init__(self, activity_id: int | None = None) -> None:
        super().__init__()
        self.activity_id = activity_id
        self._setup: ActivitySetup | None = None
        self._saving = False
        self._saved = False

    def compose(self) -> ComposeResult:
        with Vertical(id="activity-form"):
            yield Static(Content(_("Chargement…")), id="activity-form-title")
            with Horizontal(classes="field-row"):
                yield Label(Content(_("Type")), classes="field-label")
                kinds = [(_(label), kind) for kind, label in KIND_LABELS.items()]
                yield Select(kinds, allow_blank=False, compact=True, id="field-kind")
            yield Static(Content(""), id="kind-message", classes="field-message")
            with Horizontal(classes="field-row"):
                yield Label(Content(_("Établ.")), classes="field-label")
                yield Select[int](
                    [], prompt=_("Tous les établissements"), compact=True, id="field-establishment"
                )
            yield Static(Content(""), id="establishment-message", classes="field-message")
            for name, label, placeholder, length in TEXT_FIELDS:
                with Horizontal(classes="field-row"):
                    yield Label(Content(_(label)), classes="field-label")
                    yield Input(
                        id=f"field-{name}",
                        placeholder=_(placeholder) if placeholder else "",
                        max_length=length,
                    )
                yield Static(Content(""), id=f"{name}-message", classes="field-message")
            yield Static(Content(_("Articles")), classes="section-title", id="items-title")
            items: DataTable[object] = DataTable(id="form-items", cursor_type="row")
            yield items
            yield Static(
                Content(_("Ctrl+S : enregistrer · Échap : fermer")), id="activity-form-status"
            )
        yield KeysFooter()

    def on_mount(self) -> None:
        items = self.query_one("#form-items", DataTable)
        items.add_column(label_cell(_("Code")), width=6)
        items.add_column(label_cell(_("Article")), width=24)
        items.add_column(label_cell(_("Date")), width=10)
        items.add_column(Text(_("Prix"), justify="right"), width=10)
        items.add_column(Text(_("Max."), justify="right"), width=4)
        self._load()

    def _load(self) -> None:
        activity_id = self.activity_id

        def load(backend: Backend) -> ActivitySetup:
            from registrar_tui.services.activities.setup import activity_setup
            from registrar_tui.services.core.errors import PermissionDenied

            identity = backend.identity
            if identity is None:
                raise PermissionDenied()
            return backend.read(activity_setup, activity_id, identity.id)

        self.call_service(load, self._fill, group="activity-form")

    def _fill(self, setup: ActivitySetup) -> None:
        first = self._setup is None
        self._setup = setup
        if setup.activity_id is None:
            self.query_one("#activity-form-title", Static).update(
                Content.styled(_("Nouvelle activité"), "bold")
            )
        else:
            before, _name, after = _("Activité · {title}").partition("{title}")
            self.query_one("#activity-form-title", Static).update(
                Content.assemble(before, user_content(setup.title, "bold"), after)
            )
        if first:
            self.query_one("#field-kind", Select).value = str(setup.kind)
            sites = self.query_one("#field-establishment", Select)
            sites.set_options(
                (f"{user_text(site.code)} · {user_text(site.name)}", site.establishment_id)
                for site in setup.establishments
            )
            if setup.establishment_id is not None:
                sites.value = setup.establishment_id
            values = {
                "title": setup.title,
                "description": setup.description,
                "held_on": day_text(setup.held_on) if setup.held_on else "",
                "registration_deadline": (
                    day_text(setup.registration_deadline) if setup.registration_deadline else ""
                ),
                "schools": "; ".join(setup.schools),
                "levels": "; ".join(setup.levels),
            }
            for name, value in values.items():
                box = self._box(name)
                with box.prevent(Input.Changed):
                    box.value = user_text(value)
            self._box("title").focus()
        items = self.query_one("#form-items", DataTable)
        items.clear()
        for item in setup.items:
            items.add_row(
                user_cell(item.code),
                user_cell(item.label),
                label_cell(day_text(item.held_on) if item.held_on else ""),
                money_cell(item.unit_price),
                Text(str(item.max_quantity or ""), justify="right"),
                key=str(item.item_id),
            )
        items.styles.height = max(len(setup.items), 1) + 1
        self.refresh_bindings()

    def _box(self, name: str) -> Input:
        return self.query_one(f"#field-{name}", Input)

    def _show_message(self, name: str, text: str) -> None:
        message = self.query_one(f"#{name}-message", Static)
        message.update(Content(text))
        message.set_class(bool(text), "-visible")

    def _show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#activity-form-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_item":
            return (self._setup is not None and self._setup.activity_id is not None) or None
        if action == "edit_item":
            return self._selected_item() is not None or None
        return True

    def _selected_item(self) -> ItemSetup | None:
        if self._setup is None or not self._setup.items:
            return None
        table = self.query_one("#form-items", DataTable)
        row = min(max(table.cursor_row, 0), len(self._setup.items) - 1)
        return self._setup.items[row]

    @on(Input.Changed)
    def _clear_message(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("field-"):
            self._show_message(event.input.id.removeprefix("field-"), "")

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; on the last one it saves."""
        event.stop()
        if event.input is self._box(TEXT_FIELDS[-1][0]):
            self.action_save()
        else:
            self.focus_next()

    def _typed(self) -> ActivityInput:
        from registrar_tui.services.activities.setup import ActivityInput

        site = self.query_one("#field-establishment", Select).value
        return ActivityInput(
            kind=str(self.query_one("#field-kind", Select).value),
            title=self._box("title").value,
            description=self._box("description").value,
            held_on=self._box("held_on").value,
            registration_deadline=self._box("registration_deadline").value,
            establishment_id=site if isinstance(site, int) else None,
            schools=self._box("schools").value,
            levels=self._box("levels").value,
        )

    def action_save(self) -> None:
        if self._setup is None or self._saving:
            return
        for name in FIELDS:
            self._show_message(name, "")
        self._saving = True
        self._show_status(_("Enregistrement…"))
        typed, activity_id = self._typed(), self.activity_id

        def save(backend: Backend) -> int:
            from registrar_tui.services.activities.setup import save_activity
            from registrar_tui.services.core.errors import PermissionDenied

            try:
                identity = backend.identity
                if identity is None:
                    raise PermissionDenied()
                return backend.write(save_activity, activity_id, typed, identity.id)
            finally:
                self._saving = False

        self.call_service(save, self._stored, group="activity-form-save", exclusive=False)

    def _stored(self, activity_id: int) -> None:
        new = self.activity_id is None
        self.activity_id = activity_id
        self._saved = True
        self._show_status(
            _("Activité enregistrée. Ctrl+N : ajouter un article.")
            if new
            else _("Activité enregistrée.")
        )
        self._load()

    def show_refusal(self, error: DomainError) -> None:
        """Under its field when it names one; on the status line in any case."""
        message = error.translated()
        if error.field in FIELDS:
            self._show_message(error.field or "", message)
            self._show_status(_("Corrigez les champs indiqués."), error=True)
            self.query_one(f"#field-{error.field}").focus()
        else:
            self._show_status(message, error=True)

    def action_add_item(self) -> None:
        self._open_item(None)

    def action_edit_item(self) -> None:
        item = self._selected_item()
        if item is not None:
            self._open_item(item)

    def _open_item(self, item: ItemSetup | None) -> None:
        from registrar_tui.screens.activities.item_form import ItemFormScreen

        setup = self._setup
        if setup is None or setup.activity_id is None:
            return
        self.app.push_screen(
            ItemFormScreen(setup.activity_id, setup.title, item), callback=self._item_saved
        )

    def _item_saved(self, saved: bool | None) -> None:
        if saved:
            self._saved = True
            self._show_status(_("Article enregistré."))
            self._load()

    def action_close(self) -> None:
        self.dismiss(self._saved)
