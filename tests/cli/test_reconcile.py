"""`registrar-tui reconcile online FILE`: the settlement file checked, in words or JSON."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli
from registrar_tui.db import Database
from registrar_tui.models.base import Role
from registrar_tui.services.ledger.online import OnlinePaymentReport, post_online_payment
from tests import builders
from tests.conftest import fixed_clock
from tests.services.ledger_data import D, add_family, build_school

FRENCH_EXCEL = (
    "Transaction;Date;Montant;Statut\r\n"
    "tx-1;22/11/2026;275,00;Réglé\r\n"
    "tx-2;22/11/2026;1 040,00;Réglé\r\n"
).encode("cp1252")


def run(*args: str) -> Result:
    return CliRunner().invoke(create_cli(), list(args))


def shown(result: Result) -> str:
    return result.output.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.fixture
def posted(sqlite_template: Path, tmp_path: Path) -> Path:
    """Two online payments, tx-1 (275,00 $) and tx-2 (1 040,00 $), paid on 22 November."""
    path = tmp_path / "registrar.db"
    shutil.copyfile(sqlite_template, path)
    db = Database.open(str(path), clock=fixed_clock)
    school = build_school(db)
    family = add_family(db, school)
    with db.write() as uow:
        portal = builders.staff(
            uow, None, username="portail", full_name="Portail", role=Role.PORTAL
        )
    for transaction, amount in (("tx-1", "275.00"), ("tx-2", "1040.00")):
        with db.write() as uow:
            post_online_payment(
                uow,
                OnlinePaymentReport(
                    portal_user_id=portal,
                    family_id=family,
                    processor_transaction_id=transaction,
                    authorization_number="OK1",
                    card_brand="Visa",
                    card_last4="4242",
                    amount=D(amount),
                    paid_at=datetime(2026, 11, 22, 18, 0, tzinfo=UTC),
                ),
            )
    db.dispose()
    return path


def test_a_french_excel_settlement_file_that_agrees_exits_0(posted: Path, tmp_path: Path) -> None:
    settlement = tmp_path / "reglement.csv"
    settlement.write_bytes(FRENCH_EXCEL)

    result = run("--db", str(posted), "reconcile", "online", str(settlement))

    assert result.exit_code == 0, result.output
    assert "du 22 nov. 2026 au 22 nov. 2026" in shown(result)
    assert "2 transactions dans le fichier, 2 concordantes (1 315,00 $)." in shown(result)
    assert "Tout concorde." in shown(result)


def test_differences_exit_1_in_english_and_in_json(posted: Path, tmp_path: Path) -> None:
    settlement = tmp_path / "settlement.csv"
    settlement.write_text(
        "transaction_id,settled_at,amount,status\ntx-1,2026-11-22,270.00,settled\n"
        "tx-9,2026-11-22,99.00,settled\n",
        encoding="utf-8",
    )

    words = run("--lang", "en", "--db", str(posted), "reconcile", "online", str(settlement))
    as_json = run(
        "--db", str(posted), "reconcile", "online", str(settlement),
        "--from", "2026-11-22", "--to", "2026-11-22", "--json",
    )  # fmt: skip

    assert words.exit_code == 1, words.output
    assert "Different amounts (1):" in words.output
    assert "tx-1 — file: $270.00 (line 2)" in words.output
    assert "Settled by the processor, never posted here (1):" in words.output
    assert "Posted here, not in the file (1):" in words.output  # tx-2
    report = json.loads(as_json.stdout)
    assert as_json.exit_code == 1
    assert report["ok"] is False
    assert [item["transaction_id"] for item in report["missing"]] == ["tx-9"]
    assert [item["transaction_id"] for item in report["extra"]] == ["tx-2"]
    assert report["amount_differs"][0]["posted"]["amount"] == "275.00"


def test_the_example_settlement_file_reads(posted: Path) -> None:
    example = Path(__file__).parents[2] / "docs" / "examples" / "settlement-online.csv"

    result = run("--db", str(posted), "reconcile", "online", str(example), "--json")

    report = json.loads(result.stdout)
    assert report["unreadable"] == []
    assert report["file_rows"] == 4  # the declined transaction is not settled
    assert len(report["missing"]) == 4  # none of them was posted in this database
