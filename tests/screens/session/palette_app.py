"""An app wired with the palette as app.py wires it, recording what the palette opens.

`open_family` / `open_student` are recorded instead of pushing the lead's screens, so the
palette's tests do not depend on the family and student screens; a `PayScreen` stands
for a record screen that has a pay key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Footer, Static

from registrar_tui import app as app_module
from registrar_tui.app import RegistrarApp
from registrar_tui.db import Database
from registrar_tui.i18n import N_, set_language
from registrar_tui.screens.session.palette import (
    RecordsProvider,
    ScreenCommandsProvider,
    open_command_palette,
)
from registrar_tui.screens.widgets.backend import Backend
from registrar_tui.screens.widgets.base import AppScreen
from tests.conftest import fixed_clock


class PaletteTestApp(RegistrarApp):
    # Relative CSS paths resolve beside the subclass's module: point at the app's own.
    CSS_PATH = str(Path(app_module.__file__).parent / str(RegistrarApp.CSS_PATH))
    ENABLE_COMMAND_PALETTE = True
    COMMANDS: ClassVar[set[Any]] = {RecordsProvider, ScreenCommandsProvider}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+p",
            "command_palette",
            N_("Commandes"),
            show=False,
            id="app.palette",
            tooltip=N_("Aller à une famille, un élève ou une commande"),
            priority=True,
        ),
    ]

    def __init__(self, backend: Backend) -> None:
        super().__init__(backend)
        self.opened: list[tuple[str, int, dict[str, object]]] = []

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "command_palette":
            return self.backend.identity is not None
        return super().check_action(action, parameters)

    def action_command_palette(self) -> None:
        open_command_palette(self)

    def open_family(self, family_id: int, *, tab: str = "identity") -> None:
        self.opened.append(("family", family_id, {"tab": tab}))

    def open_student(self, student_id: int, *, family_id: int | None = None) -> None:
        self.opened.append(("student", student_id, {"family_id": family_id}))


class PayScreen(AppScreen):
    """A record screen with a pay key, as the family screen has."""

    COMMAND_NAMESPACE = N_("famille")
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f9", "pay", N_("Payer"), id="test.pay", tooltip=N_("Payer les factures")),
        Binding("escape", "back", N_("Retour"), id="test.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.paid = 0

    def compose(self) -> ComposeResult:
        yield Static("famille", id="pay-screen")
        yield Footer()

    def action_pay(self) -> None:
        self.paid += 1

    def action_back(self) -> None:
        self.dismiss()


def palette_app(db: Database, language: str = "fr_CA") -> PaletteTestApp:
    set_language(language)
    app = PaletteTestApp(Backend(database=db, clock=fixed_clock))
    app.animation_level = "none"
    return app
