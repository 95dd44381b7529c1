"""What the import contracts cannot say about the layers (DESIGN.md).

The imports themselves are checked by import-linter (`lint-imports`, contracts in
pyproject.toml, run by `make test`). Two things are left here:

- services, models and reports, imported for real in a fresh interpreter, load no
  Textual module (an `importlib.import_module` by name is invisible to a static graph);
- a screen never reaches a session or an engine through an attribute
  (`self.backend.database.engine`), which no import shows.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "registrar_tui"
UI_FREE_PACKAGES = ("services", "models", "reports")

# Attribute access that means "I am talking to the database myself".
SCREEN_FORBIDDEN_ATTRIBUTES = {"session", "engine"}


def modules_of(package: str) -> list[str]:
    base = PACKAGE / package
    names = []
    for path in sorted(base.rglob("*.py")):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(("registrar_tui", *parts)))
    return names


def loaded_ui_modules(modules: list[str]) -> list[str]:
    """Import `modules` in a fresh interpreter; return the Textual modules that got loaded."""
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'textual')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def test_services_models_reports_together_do_not_load_textual() -> None:
    modules = [name for package in UI_FREE_PACKAGES for name in modules_of(package)]
    assert loaded_ui_modules(modules) == []


@pytest.mark.parametrize("package", UI_FREE_PACKAGES)
def test_each_ui_free_package_alone_does_not_load_textual(package: str) -> None:
    assert loaded_ui_modules(modules_of(package)) == []


def python_files(package: str) -> list[Path]:
    return sorted((PACKAGE / package).rglob("*.py"))


def attribute_violations(paths: list[Path]) -> list[str]:
    """`.session` / `.engine` reached from screen code, with file and line."""
    offenders = []
    for path in paths:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
        offenders.extend(
            f"{shown}:{node.lineno} uses .{node.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in SCREEN_FORBIDDEN_ATTRIBUTES
        )
    return offenders


def test_screens_never_reach_a_session_or_engine() -> None:
    assert attribute_violations(python_files("screens")) == []


def test_the_attribute_check_catches_violations(tmp_path: Path) -> None:
    """The check is not vacuous."""
    probe = tmp_path / "probe.py"
    probe.write_text("def f(db, uow):\n    return db.engine, uow.session\n", encoding="utf-8")

    assert attribute_violations([probe]) == ["probe.py:2 uses .engine", "probe.py:2 uses .session"]
