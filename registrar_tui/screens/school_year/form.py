"""What the school year's forms share: a line per field (label, box), its error under it,
a status line; a refusal goes under the field it names (else on the status line)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.css.query import NoMatches
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from registrar_tui.i18n import _

if TYPE_CHECKING:
    from registrar_tui.services.core.errors import DomainError

    _FormBase = Widget
else:
    _FormBase = object


def field_row(name: str, label: str, box: Widget) -> ComposeResult:
    """A form line: the translated label, the box (id `field-<name>`), its error line."""
    with Horizontal(classes="field-row"):
        yield Label(Content(_(label)), classes="field-label")
        yield box
    yield Static(Content(""), id=f"{name}-message", classes="field-message")


class FieldForm(_FormBase):
    """Mixed into a form screen (before its base): `FIELDS` (names in order), `STATUS_ID`."""

    FIELDS: ClassVar[tuple[str, ...]] = ()
    STATUS_ID: ClassVar[str] = ""

    def field(self, name: str) -> Widget:
        return self.query_one(f"#field-{name}")

    def text(self, name: str) -> str:
        box = self.field(name)
        return box.value if isinstance(box, Input) else ""

    def show_message(self, name: str, text: str) -> None:
        try:
            message = self.query_one(f"#{name}-message", Static)
        except NoMatches:
            return
        message.update(Content(text))
        message.set_class(bool(text), "-visible")

    def show_status(self, text: str, *, error: bool = False) -> None:
        status = self.query_one(f"#{self.STATUS_ID}", Static)
        status.update(Content(text))
        status.set_class(error, "-error")

    def clear_messages(self) -> None:
        for name in self.FIELDS:
            self.show_message(name, "")

    def show_refusal(self, error: DomainError) -> None:
        """The refusal under its field (focused), else on the status line."""
        if error.field in self.FIELDS:
            self.show_message(error.field or "", error.translated())
            self.show_status(_("Corrigez le champ indiqué."), error=True)
            self.field(error.field or "").focus()
        else:
            self.show_status(error.translated(), error=True)
