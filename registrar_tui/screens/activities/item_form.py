"""Add an item to an activity or correct one: code, label, unit price, date, maximum.

The code is what people call the item (« 101 - Biscuits »: code 101), unique in its
activity. The price is read by the service as typed (« 5,50 », « 5.50 $ »); an item
students are already registered to keeps its price (the service refuses another).
Each refusal shows under its field. Dismisses True once saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Input, Label, Static

from registrar_tui.i18n import N_, _, current_language, format_money
from registrar_tui.screens.activities.catalogue import day_text
from registrar_tui.screens.widgets.base import (
    _SCREEN_BINDINGS,
    AppModalScreen,
    KeysFooter,
    user_content,
    user_text,
)

if TYPE_CHECKING:
    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.activities.setup import ItemInput, ItemSetup
    from registrar_tui.services.core.errors import DomainError

FIELDS: tuple[tuple[str, str, str, int], ...] = (
    ("code", N_("Code"), N_("101"), 10),
    ("label", N_("Libellé"), N_("Biscuits"), 200),
    ("unit_price", N_("Prix"), N_("5,50"), 14),
    ("item_held_on", N_("Date"), N_("AAAA-MM-JJ (facultative)"), 10),
    ("max_quantity", N_("Maximum"), N_("Aucun (sinon 1 à 99 par inscription)"), 2),
)
"""(field, label, placeholder, longest text), in form order."""


class ItemFormScreen(AppModalScreen[bool]):
    """One item of an activity; dismisses True once saved."""

    CSS_PATH = "item_form.tcss"
    AUTO_FOCUS = "#item-code"
    BINDINGS: ClassVar[list[BindingType]] = [
        *_SCREEN_BINDINGS,
        Binding(
            "ctrl+s",
            "save",
            N_("Enregistrer"),
            id="item-form.save",
            tooltip=N_("Enregistrer l'article (journalisé)"),
            priority=True,
        ),
        Binding(
            "escape",
            "cancel",
            N_("Annuler"),
            id="item-form.cancel",
            tooltip=N_("Fermer sans enregistrer"),
        ),
    ]

    def __init__(self, activity_id: int, activity_title: str, item: ItemSetup | None) -> None:
        super().__init__()
        self.activity_id = activity_id
        self.activity_title = activity_title
        self.item = item
        self._saving = False

    def compose(self) -> ComposeResult:
        item = self.item
        values = (
            {
                "code": item.code,
                "label": item.label,
                "unit_price": format_money(item.unit_price),
                "item_held_on": day_text(item.held_on) if item.held_on else "",
                "max_quantity": str(item.max_quantity or ""),
            }
            if item is not None
            else {}
        )
        with Vertical(id="item-form"):
            heading = (
                _("Modifier l'article · {activity}") if item else _("Nouvel article · {activity}")
            )
            before, _name, after = heading.partition("{activity}")
            yield Static(
                Content.assemble(before, user_content(self.activity_title, "bold"), after),
                id="item-form-title",
            )
            for name, label, placeholder, length in FIELDS:
                with Horizontal(classes="field-row"):
                    yield Label(Content(_(label)), classes="field-label")
                    yield Input(
                        user_text(values.get(name, "")),
                        id=f"item-{name}",
                        placeholder=_(placeholder),
                        max_length=length,
                        restrict=r"\d{0,2}" if name == "max_quantity" else None,
                    )
                yield Static(Content(""), id=f"{name}-message", classes="field-message")
            note = (
                _("Des élèves sont inscrits à cet article : son prix ne peut plus changer.")
                if item is not None and item.registered
                else _("Entrée : champ suivant · Ctrl+S : enregistrer · Échap : annuler")
            )
            yield Static(Content(note), id="item-form-status")
        yield KeysFooter()

    def _box(self, name: str) -> Input:
        return self.query_one(f"#item-{name}", Input)

    def _show_message(self, name: str, text: str) -> None:
        message = self.query_one(f"#{name}-message", Static)
        message.update(Content(text))
        message.set_class(bool(text), "-visible")

    def _show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one("#item-form-status", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    @on(Input.Changed)
    def _clear_message(self, event: Input.Changed) -> None:
        if event.input.id and event.input.id.startswith("item-"):
            self._show_message(event.input.id.removeprefix("item-"), "")

    @on(Input.Submitted)
    def _next_or_save(self, event: Input.Submitted) -> None:
        """Enter moves to the next field; on the last one it saves."""
        event.stop()
        if event.input is self._box(FIELDS[-1][0]):
            self.action_save()
        else:
            self.focus_next()

    def _typed(self) -> ItemInput:
        from registrar_tui.services.activities.setup import ItemInput

        return ItemInput(
            code=self._box("code").value,
            label=self._box("label").value,
            unit_price=self._box("unit_price").value,
            held_on=self._box("item_held_on").value,
            max_quantity=self._box("max_quantity").value,
            language=current_language(),
        )

    def action_save(self) -> None:
        if self._saving:
            return
        for name, *_rest in FIELDS:
            self._show_message(name, "")
        self._saving = True
        self._show_status(_("Enregistrement…"))
        typed, activity_id = self._typed(), self.activity_id
        item_id = self.item.item_id if self.item is not None else None

        def save(backend: Backend) -> int:
            from registrar_tui.services.activities.setup import save_item
            from registrar_tui.services.core.errors import PermissionDenied

            try:
                identity = backend.identity
                if identity is None:
                    raise PermissionDenied()
                return backend.write(save_item, activity_id, item_id, typed, identity.id)
            finally:
                self._saving = False

        self.call_service(save, lambda _id: self.dismiss(True), group="item-form", exclusive=False)

    def show_refusal(self, error: DomainError) -> None:
        """Under its field when it names one; on the status line in any case."""
        message = error.translated()
        names = [name for name, *_rest in FIELDS]
        if error.field in names:
            self._show_message(error.field or "", message)
            self._show_status(_("Corrigez les champs indiqués."), error=True)
            self._box(error.field or names[0]).focus()
        else:
            self._show_status(message, error=True)

    def action_cancel(self) -> None:
        self.dismiss(False)
