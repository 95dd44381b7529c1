"""Textual's own words on our screens: F1, the footer and the keys read in our language.

Before, F1 on a family's statement listed « Cursor up », « Page Left », « Home »… in
English, and « ^c, super+c » for copying; the footer said « space » and « esc ».
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
from pathlib import Path

import pytest
import textual.containers as containers
import textual.widgets as widgets
from textual.binding import Binding
from textual.widgets import DataTable

import registrar_tui
from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.screens.session.help import HelpScreen
from registrar_tui.screens.widgets.library_words import TEXTUAL_DESCRIPTIONS
from tests.conftest import fixed_clock
from tests.screens.fixtures import seed
from tests.screens.helpers import settle, sign_in

ENGLISH_LEFT_OVER = ("Cursor", "Page Left", "Page Right", "Home", "Bottom", "Select", "super")


def _help_and_footer(database: Database, language: str) -> tuple[list[str], str]:
    seeded = seed(database)
    app = create_app(database=database, clock=fixed_clock, language=language)
    found: dict[str, object] = {}

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            app.open_family(seeded.tremblay_id, tab="billing")
            await settle(pilot)
            statement = app.screen.query_one("#statement-table", DataTable)
            statement.focus()
            await pilot.pause()
            found["footer"] = " ".join(
                f"{app.get_key_display(active.binding)} {active.binding.description}"
                for active in app.screen.active_bindings.values()
                if active.binding.show
            )
            await pilot.press("f1")
            await settle(pilot)
            help_screen = app.screen
            assert isinstance(help_screen, HelpScreen)
            table = help_screen.query_one("#help-keys", DataTable)
            found["help"] = [
                " | ".join(str(cell) for cell in table.get_row_at(index))
                for index in range(table.row_count)
            ]

    asyncio.run(main())
    help_rows = found["help"]
    assert isinstance(help_rows, list)
    return help_rows, str(found["footer"])


def test_help_and_footer_of_the_statement_read_in_french(database: Database) -> None:
    help_rows, footer = _help_and_footer(database, "fr_CA")

    assert "↑ | Ligne précédente" in help_rows
    assert "↓ | Ligne suivante" in help_rows
    assert "^c | Copier le texte sélectionné" in help_rows  # the Mac key is not listed
    assert any(row.startswith("espace | Cocher") for row in help_rows)
    assert any(row.startswith("échap | Retour") for row in help_rows)
    for row in help_rows:
        assert not any(word in row for word in ENGLISH_LEFT_OVER), row
    assert "espace Cocher" in footer and "échap Retour" in footer
    assert not re.search(r"(^| )(space|esc) ", footer)


def test_help_and_footer_of_the_statement_read_in_english(database: Database) -> None:
    help_rows, footer = _help_and_footer(database, "en")

    assert "↑ | Previous row" in help_rows
    assert "^c | Copy the selected text" in help_rows or any(
        row.startswith("^c | Copy") for row in help_rows
    )
    assert any(row.startswith("space | Tick") for row in help_rows)
    assert "space Tick" in footer and "esc Back" in footer
    for row in help_rows:
        assert "super" not in row and "Cursor" not in row, row


PACKAGE = Path(registrar_tui.__file__).parent
USED_INSIDE = {"Select": ["SelectOverlay"], "TabbedContent": ["Tabs"], "Checkbox": []}
"""Widgets Textual puts inside the ones the app uses (the select's open list, the tabs)."""


def _textual_classes() -> list[type]:
    """Every Textual widget, container and screen the application imports (and those
    inside them): their keys are the ones a clerk can meet."""
    names: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in (
                "textual.widgets",
                "textual.containers",
                "textual.screen",
                "textual.command",
            ):
                names.update(alias.name for alias in node.names)
    from textual.command import CommandPalette
    from textual.screen import ModalScreen, Screen
    from textual.widgets._select import SelectOverlay

    modules = (widgets, containers)
    classes: list[type] = [CommandPalette, Screen, ModalScreen, SelectOverlay]
    for name in names | {inner for outer in names for inner in USED_INSIDE.get(outer, [])}:
        for module in modules:
            value = getattr(module, name, None)
            if inspect.isclass(value):
                classes.append(value)
    assert DataTable in classes and len(classes) > 10
    return classes


@pytest.mark.parametrize("language", ["fr_CA", "en"])
def test_every_textual_key_description_has_our_words(language: str) -> None:
    """A Textual upgrade that adds a key to a widget fails here, not on a clerk's screen."""
    from registrar_tui.i18n import set_language
    from registrar_tui.screens.widgets.library_words import binding_description

    unknown: set[str] = set()
    for cls in _textual_classes():
        for klass in cls.__mro__:
            for binding in klass.__dict__.get("BINDINGS", []):
                if isinstance(binding, tuple):
                    binding = Binding(*binding)
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                if binding.description not in TEXTUAL_DESCRIPTIONS:
                    unknown.add(f"{klass.__name__}: {binding.description!r}")
    assert sorted(unknown) == []
    set_language(language)
    try:
        assert binding_description("Cursor up") == (
            "Ligne précédente" if language == "fr_CA" else "Previous row"
        )
        assert binding_description("Page Left") is None
    finally:
        set_language("fr_CA")


@pytest.mark.parametrize(("language", "yes"), [("fr_CA", "o Oui"), ("en", "y Yes")])
def test_a_question_shows_the_yes_key_of_its_language(
    database: Database, language: str, yes: str
) -> None:
    """The bulk approval said « y: yes » while its footer said « o »."""
    from registrar_tui.screens.desk.modals import ConfirmScreen

    seed(database)
    app = create_app(database=database, clock=fixed_clock, language=language)
    answers: list[bool | None] = []

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            app.push_screen(ConfirmScreen("?", "?"), answers.append)
            await settle(pilot)
            footer = " ".join(
                f"{app.get_key_display(active.binding)} {active.binding.description}"
                for active in app.screen.active_bindings.values()
                if active.binding.show
            )
            assert yes in footer
            status = str(app.screen.query_one("#decision-status").render())
            assert status.startswith(yes[0])  # the line under the question: the same key
            await pilot.press(yes[0])
            await settle(pilot)

    asyncio.run(main())
    assert answers == [True]
