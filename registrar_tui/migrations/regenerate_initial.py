"""Regenerate registrar_tui/migrations/versions/base/0001_initial.py from the models
(until the first release).

    .venv/bin/python registrar_tui/migrations/regenerate_initial.py

Autogenerates the whole schema against a throw-away empty SQLite database, in a
temporary versions folder (so the later hand-written revisions, which revise
0001_initial, stay untouched and in place), then replaces 0001_initial.py with it and
formats it with ruff. Read the diff afterwards (`git diff migrations/versions`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
INITIAL = ROOT / "registrar_tui" / "migrations" / "versions" / "base" / "0001_initial.py"


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from alembic import command

    from registrar_tui.migrate import alembic_config

    with tempfile.TemporaryDirectory() as scratch:
        versions = Path(scratch) / "versions"
        versions.mkdir()
        config = alembic_config(f"sqlite:///{Path(scratch) / 'empty.db'}")
        config.set_main_option("version_locations", str(versions))
        command.revision(config, message="Initial schema", autogenerate=True, rev_id="0001_initial")
        (generated,) = versions.glob("*.py")
        shutil.copyfile(generated, INITIAL)
    ruff = Path(sys.executable).parent / "ruff"
    subprocess.run([str(ruff), "format", str(INITIAL)], check=True)
    print(f"wrote {INITIAL.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
