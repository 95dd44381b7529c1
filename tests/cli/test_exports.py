"""`registrar-tui accounts …` and `export journal|receivables`: files an accountant's
spreadsheet opens right (BOM, cp1252 with `;`, decimal comma), totals, refusals."""

from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select
from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli
from registrar_tui.db import Database
from registrar_tui.models import Family, StaffUser
from registrar_tui.services.staff.passwords import hash_password
from tests.services.interchange.story import tell

PASSWORD = "Comptable-cli-2026"


@pytest.fixture(scope="module")
def story_file(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Path:
    """The November story (tests/services/interchange/story.py), a family named with
    accents and markup, and a password for the admin: copied per test."""
    path = tmp_path_factory.mktemp("story") / "registrar.db"
    shutil.copyfile(sqlite_template, path)
    db = Database.open(str(path))
    story = tell(db)
    with db.write() as uow:
        admin = uow.session.get_one(StaffUser, story.school.admin_id)
        admin.password_hash = hash_password(PASSWORD)
        family = uow.session.get_one(Family, story.family_id)
        family.name = "Gagnon-Côté <b>"
    db.dispose()
    return path


@pytest.fixture
def db_path(story_file: Path, tmp_path: Path) -> str:
    path = tmp_path / "registrar.db"
    shutil.copyfile(story_file, path)
    return str(path)


def run(*args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(create_cli(), list(args), input=stdin)


def _rows(data: bytes, encoding: str, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(encoding)), delimiter=delimiter))


def test_the_journal_file_has_a_bom_and_its_debits_equal_its_credits(
    db_path: str, tmp_path: Path
) -> None:
    target = tmp_path / "journal.csv"
    result = run("export", "journal", "--from", "2026-11-01", "--to", "2026-11-30",
                 str(target), "--db", db_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Excel reads the accents right with it
    rows = _rows(data, "utf-8-sig", ",")
    assert rows[0] == ["date", "écriture", "type", "pièce", "compte", "débit", "crédit",
                       "établissement", "description"]  # fmt: skip
    debit = sum(Decimal(row[5]) for row in rows[1:])
    credit = sum(Decimal(row[6]) for row in rows[1:])
    assert debit == credit == Decimal("1195.00")
    assert len(rows) == 1 + 25 and {row[7] for row in rows[1:]} == {"MTL"}
    assert (
        "11 écritures, 25 lignes ; débits 1 195,00 $ = crédits 1 195,00 $"
        in result.output.replace("\xa0", " ")
    )


def test_cp1252_with_semicolons_uses_the_decimal_comma_and_reads_back(
    db_path: str, tmp_path: Path
) -> None:
    target = tmp_path / "journal.csv"
    period = ("--from", "2026-11-01", "--to", "2026-11-30")
    options = ("--encoding", "cp1252", "--delimiter", ";")
    result = run("export", "journal", *period, *options, str(target), "--db", db_path)
    assert result.exit_code == 0, result.output
    data = target.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and "débit".encode("cp1252") in data
    rows = _rows(data, "cp1252", ";")
    assert rows[0][5:7] == ["débit", "crédit"]
    assert rows[1][4:7] == ["4900", "25,00", "0,00"]  # the decline, decimal comma
    assert rows[1][2] == "Cotisation refusée"


def test_the_ageing_csv_has_a_totals_row_and_the_name_as_typed(db_path: str) -> None:
    result = run("export", "receivables", "--at", "2026-11-04", "-", "--db", db_path)
    assert result.exit_code == 0, result.output
    text = result.stdout_bytes.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["famille", "nom", "établissement", "non échu"]
    assert rows[1][1:3] == ["Gagnon-Côté <b>", "MTL"]
    assert rows[1][3] == "250.00" and rows[1][8] == "250.00"
    assert rows[-1][0] == "TOTAL" and rows[-1][8] == "250.00" and len(rows) == 3
    assert "1 famille ; total 250,00 $, crédit 0,00 $" in result.stderr.replace("\xa0", " ")


def test_a_character_cp1252_lacks_is_refused_naming_the_line(db_path: str, tmp_path: Path) -> None:
    db = Database.open(db_path)
    with db.write() as uow:
        family = uow.session.exec(select(Family).order_by(col(Family.id))).first()
        assert family is not None
        family.name = "Nguyễn"  # ễ: not in Windows-1252
    db.dispose()
    target = tmp_path / "ageing.csv"
    target.write_text("the old file")
    result = run("export", "receivables", "--at", "2026-11-04", "--encoding", "cp1252",
                 str(target), "--db", db_path)  # fmt: skip
    assert result.exit_code == 1
    assert "--encoding : Ligne 2, colonne « nom » : le caractère « ễ »" in result.output
    assert target.read_text() == "the old file"  # nothing half-written over it
    fine = run("export", "receivables", "--at", "2026-11-04", str(target), "--db", db_path)
    assert fine.exit_code == 0 and "Nguyễn" in target.read_text(encoding="utf-8-sig")


def test_the_ageing_pdf_and_the_refusals(db_path: str, tmp_path: Path) -> None:
    target = tmp_path / "ageing.pdf"
    result = run("export", "receivables", "--at", "2026-11-04", "--format", "pdf",
                 str(target), "--db", db_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"%PDF")
    for args, message in (
        (("--from", "2026-11-30", "--to", "2026-11-01"), "--from : La date de début"),
        (("--from", "30/11/2026", "--to", "2026-11-01"), "--from : Date invalide"),
        (("--from", "2026-11-01", "--to", "2026-11-30", "--delimiter", "|"), "--delimiter"),
        (("--from", "2026-11-01", "--to", "2026-11-30", "--format", "xlsx"), "--format"),
        (("--from", "2026-11-01", "--to", "2026-11-30", "--establishment", "ZZ"), "« ZZ »"),
    ):
        refused = run("export", "journal", *args, "-", "--db", db_path)
        assert refused.exit_code == 1 and message in refused.output, refused.output


def test_accounts_set_and_list(db_path: str) -> None:
    changed = run("accounts", "set", "fee", "FOND", "4950", "--as", "admin",
                  "--password-stdin", "--db", db_path, stdin=PASSWORD + "\n")  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert "fee FOND → 4950" in changed.output
    refused = run("accounts", "set", "method", "bitcoin", "1090", "--as", "admin",
                  "--password-stdin", "--db", db_path, stdin=PASSWORD + "\n")  # fmt: skip
    assert refused.exit_code == 1 and "Mode de paiement inconnu « bitcoin »" in refused.output
    listed = run("accounts", "list", "--db", db_path)
    lines = listed.stdout.splitlines()
    assert "receivable\t—\t1200\tdéfaut" in lines and "fee\tFOND\t4950" in lines
    assert "method\tonline\t1050\tdéfaut" in lines
    rows = json.loads(run("accounts", "list", "--json", "--db", db_path).stdout)
    assert {"kind": "fee", "key": "SCOL*", "account": "4100", "default": False,
            "in_use": True} in rows  # fmt: skip
    journal = run("export", "journal", "--from", "2026-11-02", "--to", "2026-11-02", "-",
                  "--db", db_path)  # fmt: skip
    assert ",4950,25.00,0.00," in journal.stdout_bytes.decode("utf-8-sig")


def test_a_fee_code_without_account_is_listed_and_refused(db_path: str) -> None:
    db = Database.open(db_path)
    with db.write() as uow:
        from registrar_tui.models import AppSetting

        uow.session.delete(uow.session.get_one(AppSetting, "account.fee.SCOL*"))
    db.dispose()
    listed = run("accounts", "list", "--db", db_path)
    assert "fee\tSCOL1\t—\tAUCUN COMPTE" in listed.stdout.splitlines()
    assert "Codes de frais sans compte : SCOL1" in listed.stderr
    refused = run("export", "journal", "--from", "2026-11-01", "--to", "2026-11-30", "-",
                  "--db", db_path)  # fmt: skip
    assert refused.exit_code == 1
    assert "Aucun compte pour les codes de frais : SCOL1" in refused.output


def test_another_module_adds_its_exports_to_the_same_group() -> None:
    import typer

    from registrar_tui.cli.exports import export_group, register

    app = typer.Typer()
    register(app)
    group = export_group(app)

    @group.command("families")
    def families() -> None:
        typer.echo("families exported")

    assert export_group(app) is group
    assert [info.name for info in app.registered_groups].count("export") == 1
    result = CliRunner().invoke(app, ["export", "families"])
    assert result.exit_code == 0 and result.output == "families exported\n"
    listed = CliRunner().invoke(app, ["export", "--help"]).output
    assert "journal" in listed and "receivables" in listed and "families" in listed
