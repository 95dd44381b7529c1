"""The package as a user installs it: `python -m build` makes an sdist and a wheel (built
from the sdist, so the sdist is complete too); the wheel goes into a fresh venv outside
the repository, which then migrates a database, fills it with the demo, verifies its
chains and starts the TUI to its first screen (headless), all from the installed files:
the migrations, the compiled catalogs and the stylesheets inside the package.

Slow (it downloads the build requirements and installs every dependency): `make
test-slow`, run by `.ci/run` after `make test`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow


def _run(command: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REGISTRAR_", "VIRTUAL_ENV", "PYTHONPATH"))
    }
    environment.update(env)
    done = subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, f"{command}: {done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    return done


def test_the_wheel_installs_migrates_and_starts_outside_the_repository(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], cwd=tmp_path)
    wheels = sorted(dist.glob("registrar_tui-*.whl"))
    assert wheels and sorted(dist.glob("registrar_tui-*.tar.gz"))
    names = set(zipfile.ZipFile(wheels[0]).namelist())
    assert "registrar_tui/i18n/en/LC_MESSAGES/registrar_tui.mo" in names
    assert "registrar_tui/migrations/env.py" in names
    assert "registrar_tui/screens/session/login.tcss" in names
    assert any(name.startswith("registrar_tui/migrations/versions/") for name in names)

    home = tmp_path / "elsewhere"
    home.mkdir()
    venv = home / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], cwd=home)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    _run([*pip, "-c", str(ROOT / "constraints.txt"), str(wheels[0])], cwd=home)

    program = str(venv / "bin" / "registrar-tui")
    database = str(home / "school.db")
    documents = str(home / "documents")
    upgraded = _run([program, "db", "upgrade", "--db", database], cwd=home, LANG="C.UTF-8")
    assert "Traceback" not in upgraded.stderr
    _run(
        [program, "demo", "--families", "20", "--db", database],
        cwd=home,
        REGISTRAR_DOCUMENTS_DIR=documents,
    )
    # The receipts' speed relies on reportlab's C accelerator being installed with it.
    accelerated = _run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "from reportlab.lib.rl_accel import fp_str; print(type(fp_str).__name__)",
        ],
        cwd=home,
    )
    assert accelerated.stdout.strip() == "builtin_function_or_method"
    verified = _run([program, "verify", "--db", database], cwd=home)
    assert "ok" in verified.stdout.lower() or "intact" in verified.stdout.lower()
    english = _run([program, "--lang", "en", "db", "--help"], cwd=home)
    assert "migrations" in english.stdout.lower()

    probe = home / "first-paint"
    _run(
        [program, "--db", database],
        cwd=home,
        REGISTRAR_TUI_STARTUP_PROBE=str(probe),
        REGISTRAR_DOCUMENTS_DIR=documents,
    )
    assert probe.read_text().strip()
