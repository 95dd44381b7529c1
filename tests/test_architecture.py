"""The layers stay apart (DESIGN.md): services/models/reports never load Textual, screens
never touch the database directly, reports never query.

Imports are checked twice: for real, in fresh interpreters (catches Textual pulled in
indirectly), and in the source (catches imports that only run sometimes).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "registrar_tui"
UI_FREE_PACKAGES = ("services", "models", "reports")

# What a screen may not import: sessions, engines, queries. Screens call services.
SCREEN_FORBIDDEN_MODULES = ("sqlalchemy.orm", "sqlalchemy.engine", "sqlmodel.orm")
SCREEN_FORBIDDEN_NAMES = {
    "sqlalchemy": {"Session", "create_engine", "select", "text", "insert", "update", "delete"},
    "sqlmodel": {"Session", "create_engine", "select", "col"},
    "registrar_tui.db": {"make_engine", "resolve_url", "normalise_url"},
}
# Attribute access that means "I am talking to the database myself".
SCREEN_FORBIDDEN_ATTRIBUTES = {"session", "engine"}
REPORT_FORBIDDEN_MODULES = ("sqlalchemy", "sqlmodel", "registrar_tui.db")


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


@dataclass(frozen=True)
class Import:
    module: str  # the module imported from (absolute), or the module imported
    names: tuple[str, ...]  # names taken from it ("from m import a, b"); () for "import m"
    line: int


def imports_in(path: Path) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend(Import(alias.name, (), node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:  # relative: resolve against the file's package
                package = path.relative_to(ROOT).with_suffix("").parts[: -node.level]
                module = ".".join((*package, module)) if module else ".".join(package)
            found.append(Import(module, tuple(a.name for a in node.names), node.lineno))
    return found


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def python_files(package: str) -> list[Path]:
    return sorted((PACKAGE / package).rglob("*.py"))


def where(path: Path, line: int) -> str:
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    return f"{shown}:{line}"


def textual_imports(paths: list[Path]) -> list[str]:
    return [
        f"{where(path, imp.line)} imports {imp.module}"
        for path in paths
        for imp in imports_in(path)
        if within(imp.module, "textual")
    ]


def screen_violations(paths: list[Path]) -> list[str]:
    offenders = []
    for path in paths:
        for imp in imports_in(path):
            if any(within(imp.module, bad) for bad in SCREEN_FORBIDDEN_MODULES):
                offenders.append(f"{where(path, imp.line)} imports {imp.module}")
            for root, names in SCREEN_FORBIDDEN_NAMES.items():
                taken = set(imp.names) & names
                if imp.module == root and taken:
                    offenders.append(f"{where(path, imp.line)} imports {sorted(taken)} from {root}")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders.extend(
            f"{where(path, node.lineno)} uses .{node.attr}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and node.attr in SCREEN_FORBIDDEN_ATTRIBUTES
        )
    return offenders


def report_violations(paths: list[Path]) -> list[str]:
    return [
        f"{where(path, imp.line)} imports {imp.module}"
        for path in paths
        for imp in imports_in(path)
        if any(within(imp.module, bad) for bad in REPORT_FORBIDDEN_MODULES)
    ]


def test_services_models_reports_never_import_textual() -> None:
    paths = [path for package in UI_FREE_PACKAGES for path in python_files(package)]
    assert textual_imports(paths) == []


def test_screens_get_their_data_only_through_services() -> None:
    assert screen_violations(python_files("screens")) == []


def test_reports_never_query() -> None:
    assert report_violations(python_files("reports")) == []


def test_the_checks_catch_violations(tmp_path: Path) -> None:
    """The source checks are not vacuous."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from sqlmodel import Session, Field\n"
        "import sqlalchemy.orm\n"
        "from registrar_tui.db import make_engine, Database\n"
        "def f(db, uow):\n"
        "    from textual.app import App\n"
        "    return db.engine, uow.session\n",
        encoding="utf-8",
    )

    assert len(screen_violations([probe])) == 5
    assert len(report_violations([probe])) == 3
    assert textual_imports([probe]) == ["probe.py:5 imports textual.app"]
