"""English is complete: every UI string of the package has its translation.

French is the source language (the strings in the code); the English catalog must
translate each one, and no refusal can reach the screen untranslatable.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import registrar_tui
from registrar_tui.i18n import _, set_language
from registrar_tui.services.core.errors import DomainError

PACKAGE = Path(registrar_tui.__file__).parent


def _messages() -> list[tuple[str, int, str]]:
    from babel.messages.extract import extract_from_dir

    return [
        (filename, line, message)
        for filename, line, message, _comments, _context in extract_from_dir(
            str(PACKAGE), keywords={"_": None, "N_": None, "ngettext": (1, 2)}
        )
        if isinstance(message, str)
    ]


def test_every_ui_string_has_an_english_translation() -> None:
    from babel.messages.pofile import read_po

    with (PACKAGE / "i18n/en/LC_MESSAGES/registrar_tui.po").open("rb") as handle:
        catalog = read_po(handle)
    messages = _messages()
    assert len(messages) > 300
    missing = sorted(
        {
            f"{file}:{line}: {text!r}"
            for file, line, text in messages
            if not (catalog.get(text) and catalog[text].string and not catalog[text].fuzzy)
        }
    )
    assert missing == []


def test_the_english_catalog_is_used() -> None:
    set_language("en")
    try:
        assert _("Rechercher") == "Search"
    finally:
        set_language("fr_CA")


def _domain_error_names() -> set[str]:
    import registrar_tui.services as services

    for info in pkgutil.iter_modules(services.__path__):
        importlib.import_module(f"registrar_tui.services.{info.name}")
    names: set[str] = set()
    pending: list[type[DomainError]] = [DomainError]
    while pending:
        cls = pending.pop()
        names.add(cls.__name__)
        pending.extend(cls.__subclasses__())
    return names


def test_refusals_carry_marked_messages() -> None:
    """`raise NotFound("…")` with a bare literal would never be translated: use N_()."""
    names = _domain_error_names()
    bare: list[str] = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in names
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                bare.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert bare == []
