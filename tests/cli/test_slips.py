"""`registrar-tui slips build | list`: the dry run, the build with its files."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from pypdf import PdfReader
from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli
from registrar_tui.db import Database
from registrar_tui.models import StaffUser
from tests.conftest import fixed_clock
from tests.passwords import hash_password
from tests.services.tax_slips.slips_data import build_slip_world

PASSWORD = "Releves-fiscaux-cli-2026"


def run(*args: str) -> Result:
    return CliRunner().invoke(create_cli(), list(args), input=PASSWORD + "\n")


def test_dry_run_then_build_writes_pdfs_summary_and_csv(
    sqlite_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "registrar.db"
    shutil.copyfile(sqlite_template, path)
    db = Database.open(str(path), clock=fixed_clock)
    world = build_slip_world(db)
    with db.write() as uow:
        admin = uow.session.get_one(StaffUser, world.school.admin_id)
        admin.password_hash = hash_password(PASSWORD)
        username = admin.username
    db.dispose()
    signed = ("--as", username, "--password-stdin", "--db", str(path))

    dry = run("slips", "build", "--year", "2025", "--dry-run", *signed)
    assert dry.exit_code == 0, dry.output
    assert "rl8\tR\t—\t\t200690001\tÉlodie Tremblay\t425.00" in dry.output
    assert "Sans NAS : 200690001 Élodie Tremblay" in dry.output
    assert "rien n'est écrit" in dry.output

    out = tmp_path / "releves"
    built = run("slips", "build", "--year", "2025", "--out", str(out), *signed)
    assert built.exit_code == 0, built.output
    assert sorted(p.name for p in out.iterdir()) == [
        "releves-2025-200690001.pdf",
        "sommaire-releves-2025.csv",
        "sommaire-releves-2025.pdf",
    ]
    text = PdfReader(io.BytesIO((out / "releves-2025-200690001.pdf").read_bytes())).pages[0]
    assert "425,00" in text.extract_text()

    listed = run("slips", "list", "--year", "2025", "--db", str(path))
    assert listed.output.splitlines() == [
        "rl8\tR\t000001\t\t200690001\tÉlodie Tremblay\t425.00",
        "t2202\tR\t000001\t\t200690001\tÉlodie Tremblay\t425.00",
    ]
