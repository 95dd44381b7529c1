"""The processor's settlement file against the online payments (scenario 15)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from registrar_tui.db import Database
from registrar_tui.models.base import Role
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.services.interchange.reconcile import (
    Reconciliation,
    SettlementFileInvalid,
    reconcile_online,
)
from registrar_tui.services.ledger.online import OnlinePaymentReport, post_online_payment
from registrar_tui.services.ledger.voids import void_payment
from tests import builders
from tests.services.ledger_data import D, School, add_family, build_school

HEADER = "transaction_id,settled_at,amount,status\n"


@pytest.fixture
def school(database: Database) -> School:
    """Four online payments: tx-1 275,00 (22 Nov.), tx-2 40,00, tx-3 60,00 voided, tx-4
    15,00 (23 Nov.)."""
    school = build_school(database)
    family = add_family(database, school)
    with database.write() as uow:
        portal = builders.staff(
            uow, None, username="portail", full_name="Portail", role=Role.PORTAL
        )
    payments = {}
    for transaction, amount, day in (
        ("tx-1", "275.00", 22),
        ("tx-2", "40.00", 22),
        ("tx-3", "60.00", 22),
        ("tx-4", "15.00", 23),
    ):
        with database.write() as uow:
            payments[transaction] = post_online_payment(
                uow,
                OnlinePaymentReport(
                    portal_user_id=portal,
                    family_id=family,
                    processor_transaction_id=transaction,
                    authorization_number="OK1",
                    card_brand="Visa",
                    card_last4="4242",
                    amount=D(amount),
                    paid_at=datetime(2026, 11, day, 12, 0, tzinfo=UTC),
                ),
            ).payment_id
    with database.write() as uow:
        void_payment(uow, payments["tx-3"], "Contestation", school.registrar_id)
    return school


def run(db: Database, text: str, encoding: str = "utf-8", **period: date) -> Reconciliation:
    with db.read() as uow:
        return reconcile_online(uow, text.encode(encoding), **period)


def ids(items: tuple[object, ...]) -> list[str]:
    return [item.transaction_id for item in items]  # type: ignore[attr-defined]


def test_a_file_that_agrees(database: Database, school: School) -> None:
    report = run(
        database,
        HEADER + "tx-1,2026-11-22,275.00,settled\ntx-2,2026-11-22,40.00,settled\n"
        "tx-3,2026-11-22,60.00,refunded\n",
    )

    assert report.ok
    assert (report.period_from, report.period_to) == (date(2026, 11, 22), date(2026, 11, 22))
    assert (report.file_rows, report.matched, report.matched_total) == (3, 3, D("315.00"))


def test_every_kind_of_difference(database: Database, school: School) -> None:
    report = run(
        database,
        HEADER
        + "tx-1,2026-11-22,270.00,settled\n"  # amount differs
        + "tx-3,2026-11-22,60.00,settled\n"  # voided here, settled there
        + "tx-4,2026-11-23,15.00,refunded\n"  # refunded there, live here
        + "tx-9,2026-11-23,99.00,settled\n"  # never posted
        + "tx-8,2026-11-23,5.00,declined\n"  # not settled: ignored
        + ",2026-11-23,5.00,settled\n"  # no id
        + "tx-7,23-11-2026,5.00,settled\n"  # unreadable date
        + "tx-6,2026-11-23,abc,settled\n",  # unreadable amount
    )

    assert not report.ok
    assert ids(report.amount_differs) == ["tx-1"]
    assert ids(report.voided_but_settled) == ["tx-3"]
    assert ids(report.refunded_but_live) == ["tx-4"]
    assert ids(report.missing) == ["tx-9"]
    assert ids(report.extra) == ["tx-2"]  # paid in the period, not in the file
    assert [(p.line, p.problem.field) for p in report.unreadable] == [
        (7, "transaction_id"),
        (8, "date"),
        (9, "amount"),
    ]


def test_the_period_chooses_rows_and_payments(database: Database, school: School) -> None:
    report = run(
        database,
        HEADER + "tx-4,2026-11-23,15.00,settled\ntx-1,2026-11-22,275.00,settled\n",
        period_from=date(2026, 11, 23),
        period_to=date(2026, 11, 23),
    )

    assert report.ok
    assert report.file_rows == 1 and report.matched_total == D("15.00")


def test_french_excel_file_cp1252_semicolons_and_a_refund_row(
    database: Database, school: School
) -> None:
    text = (
        "Numéro de transaction;Date;Montant;Statut\n"
        "tx-1;22/11/2026;275,00;Réglé\n"
        "tx-2;22/11/2026;40,00;Réglé\n"
        "tx-3;22/11/2026;60,00;Réglé\n"
        "tx-3;22/11/2026;-60,00;Remboursé\n"
    ).replace("Numéro de transaction", "transaction")

    report = run(database, text, "cp1252")

    assert report.ok, report
    assert report.matched == 3


def test_thousands_and_bom(database: Database, school: School) -> None:
    report = run(database, '\ufefftransaction_id;amount\ntx-1;"1 275,00"\n', "utf-8")

    assert ids(report.amount_differs) == ["tx-1"]
    assert report.amount_differs[0].settled is not None
    assert report.amount_differs[0].settled.amount == D("1275.00")


@pytest.mark.parametrize(
    ("content", "field"),
    [(b"", None), (b"date,amount\n2026-11-22,1.00\n", "file")],
)
def test_a_file_without_its_columns_is_refused(
    database: Database, school: School, content: bytes, field: str | None
) -> None:
    with database.read() as uow, pytest.raises(SettlementFileInvalid) as refused:
        reconcile_online(uow, content)

    assert refused.value.field == field


def test_a_period_backwards_is_refused(database: Database, school: School) -> None:
    with pytest.raises(InvalidInput) as refused:
        run(database, HEADER, period_from=date(2026, 11, 23), period_to=date(2026, 11, 1))

    assert refused.value.field == "period_to"
