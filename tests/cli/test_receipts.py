"""`registrar-tui receipts resume`: receipts a crash left pending, handed over once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli
from registrar_tui.db import Database
from registrar_tui.services.ledger.payments import post_payment
from tests.services.ledger_data import add_family, add_invoice, build_school, cash


def run(*args: str) -> Result:
    return CliRunner().invoke(create_cli(), list(args))


@pytest.fixture
def crashed(sqlite_template: Path, tmp_path: Path) -> Path:
    """Two payments committed; the terminal died before either receipt was handed over."""
    path = tmp_path / "registrar.db"
    shutil.copyfile(sqlite_template, path)
    db = Database.open(str(path))
    school = build_school(db)
    family = add_family(db, school)
    add_invoice(db, school, family)
    with db.write() as uow:
        uow.session.execute(text("UPDATE guardian SET email = 'helene@example.ca'"))
        post_payment(uow, cash(school, family, "100.00", "275.00"))
        post_payment(uow, cash(school, family, "75.00", "175.00"))
    db.dispose()
    return path


def _emails(path: Path) -> list[str]:
    db = Database.open(str(path))
    try:
        with db.read() as uow:
            query = text("SELECT attachment_name FROM outbox_message ORDER BY id")
            return [str(name) for name in uow.session.execute(query).scalars()]
    finally:
        db.dispose()


def test_resume_hands_each_pending_receipt_over_once(
    crashed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    documents = tmp_path / "documents"
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(documents))

    first = run("--db", str(crashed), "receipts", "resume")
    second = run("--db", str(crashed), "receipts", "resume")

    assert first.exit_code == 0, first.output
    saved = documents / "receipts" / "MTL-2026-000001.pdf"
    assert (
        f"Reçu MTL-2026-000001 : original enregistré : {saved} ; "
        "courriel en file pour helene@example.ca."
    ) in first.output
    assert "2 reçus remis à la reprise." in first.output
    assert second.exit_code == 0 and second.output == "Aucun reçu en suspens.\n"
    assert sorted(p.name for p in (documents / "receipts").iterdir()) == [
        "MTL-2026-000001.pdf",
        "MTL-2026-000002.pdf",
    ]
    assert _emails(crashed) == ["MTL-2026-000001.pdf", "MTL-2026-000002.pdf"]


def test_resume_says_what_is_still_pending_and_exits_1(
    crashed: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_folder = tmp_path / "documents"
    not_a_folder.write_text("a file where the folder should be", encoding="utf-8")
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(not_a_folder))

    result = run("--db", str(crashed), "receipts", "resume")

    assert result.exit_code == 1
    assert "Reçu MTL-2026-000001 toujours en suspens :" in result.output
    assert "Le document n'a pas pu être enregistré" in result.output
    assert "Traceback" not in result.output
