"""Every rule of a screen's stylesheet is under that screen's type (issue #13, point 1).

Textual reads a screen's `CSS_PATH` into the app's one stylesheet: a rule such as
`.field-label { … }` at the top of guardian_edit.tcss styled the labels of every screen
opened after the guardian form. Each `.tcss` belongs to the screens naming it, and each of
its selectors starts with one of their types; classes several screens share are defined
once, on the screens' base classes (screens/widgets/base.py, `SHARED_CSS`).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from textual.app import App
from textual.css.model import SelectorType
from textual.css.stylesheet import Stylesheet
from textual.screen import Screen

import registrar_tui
import registrar_tui.screens
from registrar_tui.app import RegistrarApp

PACKAGE = Path(registrar_tui.__file__).parent


def _owners() -> dict[Path, set[str]]:
    """Each stylesheet and the names of the screen classes that load it."""
    owners: dict[Path, set[str]] = {}
    prefix = registrar_tui.screens.__name__ + "."
    for module_info in pkgutil.walk_packages(registrar_tui.screens.__path__, prefix):
        module = importlib.import_module(module_info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, Screen) or cls.__module__ != module.__name__:
                continue
            css_path = cls.__dict__.get("CSS_PATH")
            if css_path is None:
                continue
            folder = Path(inspect.getfile(cls)).parent
            for path in [css_path] if isinstance(css_path, str | Path) else css_path:
                owners.setdefault((folder / path).resolve(), set()).add(cls.__name__)
    return owners


OWNERS = _owners()
SHEETS = sorted(PACKAGE.rglob("*.tcss"))


def test_every_stylesheet_belongs_to_a_screen() -> None:
    assert SHEETS
    assert [sheet for sheet in SHEETS if sheet.resolve() not in OWNERS] == []


def test_the_app_loads_no_stylesheet_of_its_own_beyond_the_first_screen() -> None:
    """The app reads the sign-in sheet early (start-up speed): it is the login screen's."""
    css_path = RegistrarApp.CSS_PATH
    paths = [css_path] if isinstance(css_path, str | Path) else list(css_path or [])
    for path in paths:
        assert OWNERS.get((PACKAGE / path).resolve()) == {"LoginScreen"}


@pytest.mark.parametrize("sheet", SHEETS, ids=lambda sheet: str(sheet.relative_to(PACKAGE)))
def test_every_rule_is_under_its_screen_type(sheet: Path) -> None:
    screens = OWNERS.get(sheet.resolve(), set())
    stylesheet = Stylesheet(variables=App().get_css_variables())
    stylesheet.read(sheet)
    stylesheet.parse()
    assert stylesheet.rules
    leaking = [
        selector_set.css
        for rule in stylesheet.rules
        for selector_set in rule.selector_set
        if selector_set.selectors[0].type != SelectorType.TYPE
        or selector_set.selectors[0].name not in screens
    ]
    assert leaking == [], f"{sheet.name}: rules for every screen, not only {sorted(screens)}"
