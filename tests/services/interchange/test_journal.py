"""The accounting journal: every money movement as a balanced entry, on the demo and on a
family's November told through the services (the worked example of docs/exports.md)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Establishment
from registrar_tui.services.core.errors import InvalidInput, NotFound, PermissionDenied
from registrar_tui.services.interchange.accounts import (
    AccountKind,
    account_settings,
    chart_of_accounts,
    set_account,
)
from registrar_tui.services.interchange.ageing import receivables_ageing
from registrar_tui.services.interchange.journal import (
    EntryKind,
    Journal,
    UnmappedFeeCodes,
    accounting_journal,
    journal_rows,
)
from tests.services.interchange.story import tell

D = Decimal
PERIODS = (
    (date(2026, 11, 1), date(2026, 11, 30)),  # the demo's current month
    (date(2026, 9, 1), date(2026, 9, 30)),  # the autumn invoices
    (date(2025, 7, 1), date(2026, 6, 30)),  # a whole fiscal year
    (date(2026, 10, 15), date(2026, 10, 15)),  # one day
    (date(2000, 1, 1), date(2030, 12, 31)),  # everything
)


def _balanced(journal: Journal) -> None:
    assert journal.total_debit == journal.total_credit
    for entry in journal.entries:
        assert entry.debit == entry.credit, entry.reference
        for line in entry.lines:
            assert (line.debit > 0) != (line.credit > 0), entry.reference  # one side, > 0
            assert line.debit == line.debit.quantize(D("0.01")) and line.account


def _account(journal: Journal, account: str) -> Decimal:
    """The account's movement over the journal: debits − credits."""
    return sum(
        (
            line.debit - line.credit
            for e in journal.entries
            for line in e.lines
            if line.account == account
        ),
        D("0.00"),
    )


def test_debits_equal_credits_on_the_demo_for_every_period_and_establishment(
    demo_db: Database,
) -> None:
    with demo_db.read() as uow:
        sites = [None, *uow.session.exec(select(Establishment.code)).all()]
        everything = accounting_journal(uow, *PERIODS[-1])
        for start, end in PERIODS:
            whole = accounting_journal(uow, start, end)
            _balanced(whole)
            parts = [accounting_journal(uow, start, end, site) for site in sites[1:]]
            for part in parts:
                _balanced(part)
                assert {entry.establishment for entry in part.entries} <= {part.establishment}
            # The establishments' journals share the whole one out, nothing lost or added.
            assert sum((p.total_debit for p in parts), D(0)) == whole.total_debit
            assert sum(len(p.entries) for p in parts) == len(whole.entries)
    kinds = Counter(entry.kind for entry in everything.entries)
    assert kinds[EntryKind.INVOICE] > 50 and kinds[EntryKind.PAYMENT] > 50
    assert kinds[EntryKind.DECLINE] > 0  # the demo's declined contributions
    assert len({entry.reference for entry in everything.entries}) == len(everything.entries)
    # The portal's online payments (the demo posts a few) go to the online account.
    online = [e for e in everything.entries if e.lines[0].detail == "online"]
    assert online and all(e.kind is EntryKind.PAYMENT for e in online)
    assert {e.lines[0].account for e in online} == {"1050"}


def test_the_journal_from_the_first_day_gives_the_ageing_totals(demo_db: Database) -> None:
    with demo_db.read() as uow:
        chart = chart_of_accounts(uow)
        for day in (date(2026, 6, 30), date(2026, 9, 15), date(2026, 11, 30)):
            journal = accounting_journal(uow, date(2000, 1, 1), day)
            ageing = receivables_ageing(uow, day)
            assert _account(journal, chart.receivable) == ageing.totals.total
            assert -_account(journal, chart.credit) == ageing.totals.credit
            assert ageing.totals.total > 0


def _entries(journal: Journal) -> list[tuple[str, EntryKind, list[tuple[str, str, str]]]]:
    return [
        (
            entry.on.isoformat(),
            entry.kind,
            [(line.account, str(line.debit), str(line.credit)) for line in entry.lines],
        )
        for entry in journal.entries
    ]


def test_each_movement_of_a_november_posts_its_entry(database: Database) -> None:
    story = tell(database)
    with database.read() as uow:
        november = accounting_journal(uow, date(2026, 11, 1), date(2026, 11, 30))
    _balanced(november)
    z = "0.00"
    assert _entries(november) == [
        ("2026-11-02", EntryKind.DECLINE, [("4900", "25.00", z), ("1200", z, "25.00")]),
        (
            "2026-11-03",
            EntryKind.PAYMENT,
            [("1010", "300.00", z), ("1200", z, "250.00"), ("2400", z, "50.00")],
        ),
        (
            "2026-11-04",
            EntryKind.VOID,
            [("1200", "250.00", z), ("2400", "50.00", z), ("1010", z, "300.00")],
        ),
        (
            "2026-11-05",
            EntryKind.PAYMENT,
            [("1030", "260.00", z), ("1200", z, "250.00"), ("2400", z, "10.00")],
        ),
        ("2026-11-06", EntryKind.INVOICE, [("1200", "100.00", z), ("4100", z, "100.00")]),
        ("2026-11-06", EntryKind.CREDIT_APPLIED, [("2400", "10.00", z), ("1200", z, "10.00")]),
        ("2026-11-06", EntryKind.WAIVER, [("4100", "100.00", z), ("1200", z, "100.00")]),
        ("2026-11-06", EntryKind.CREDIT_RETURNED, [("1200", "10.00", z), ("2400", z, "10.00")]),
        ("2026-11-07", EntryKind.REFUND, [("2400", "10.00", z), ("1020", z, "10.00")]),
        ("2026-11-08", EntryKind.INVOICE, [("1200", "40.00", z), ("4100", z, "40.00")]),
        ("2026-11-09", EntryKind.CREDIT_NOTE, [("4100", "40.00", z), ("1200", z, "40.00")]),
    ]
    # The documents: receipt numbers for money, FAC / NC numbers for the rest.
    documents = [entry.document for entry in november.entries]
    assert documents[1] == documents[2] and documents[1].startswith("MTL-2026-")
    assert november.entries[2].reference == documents[1] + "-ANN"
    assert documents[6].startswith("NC") and documents[10].startswith("NC")
    assert len({entry.family_number for entry in november.entries}) == 1
    # One day alone, and the receivables over the month: what FAC 1 still owed (0).
    with database.read() as uow:
        day = accounting_journal(uow, date(2026, 11, 4), date(2026, 11, 4))
        september = accounting_journal(uow, date(2026, 9, 1), date(2026, 9, 1))
    assert [entry.kind for entry in day.entries] == [EntryKind.VOID]
    assert _entries(september) == [
        (
            "2026-09-01",
            EntryKind.INVOICE,
            [("1200", "275.00", z), ("4100", z, "250.00"), ("4900", z, "25.00")],
        )
    ]
    assert _account(september, "1200") + _account(november, "1200") == 0
    assert story.cash_payment_id > 0


def test_a_fee_code_without_account_refuses_the_export_naming_every_code(
    database: Database,
) -> None:
    story = tell(database)
    with database.write() as uow:
        from registrar_tui.models import AppSetting

        uow.session.delete(uow.session.get_one(AppSetting, "account.fee.FOND"))
    with database.read() as uow, pytest.raises(UnmappedFeeCodes) as refused:
        accounting_journal(uow, date(2026, 9, 1), date(2026, 11, 30))
    assert "FOND" in refused.value.translated() and refused.value.field == "accounts"
    with database.read() as uow:
        # A period without that code exports; the listing shows the code without account.
        assert accounting_journal(uow, date(2026, 11, 3), date(2026, 11, 5)).entries
        listed = {(s.kind, s.key): s.account for s in account_settings(uow)}
    assert listed[(AccountKind.FEE, "FOND")] is None
    assert listed[(AccountKind.FEE, "SCOL*")] == "4100"
    assert listed[(AccountKind.METHOD, "online")] == "1050"  # the documented default
    assert story.family_id


def test_setting_an_account_is_an_audited_admin_change(database: Database) -> None:
    story = tell(database)
    school = story.school
    with database.write() as uow:
        set_account(uow, "method", "cash", "1011", school.admin_id)
        set_account(uow, "refund", "cash", "1012", school.admin_id)
        set_account(uow, "receivable", "", "1300", school.admin_id)
        set_account(uow, "credit", "", "2450", school.admin_id)
    refusals: list[tuple[str, str, str, int, type[Exception], str | None]] = [
        ("fee", "INS", "4100", school.clerk_id, PermissionDenied, None),
        ("fee", "INS", "4100", school.registrar_id, PermissionDenied, None),
        ("fee", "two words", "4100", school.admin_id, InvalidInput, "key"),
        ("fee", "INS", "<b>4100</b>", school.admin_id, InvalidInput, "account"),
        ("method", "bitcoin", "4100", school.admin_id, InvalidInput, "key"),
        ("refund", "debit", "4100", school.admin_id, InvalidInput, "key"),
        ("ledger", "", "4100", school.admin_id, InvalidInput, "kind"),
    ]
    for kind, key, account, actor, error, field in refusals:
        with database.write() as uow, pytest.raises(error) as refused:
            set_account(uow, kind, key, account, actor)
        assert refused.value.field == field if field else True  # type: ignore[attr-defined]
    with database.read() as uow:
        november = accounting_journal(uow, date(2026, 11, 1), date(2026, 11, 30))
        events = uow.session.exec(
            select(AuditEvent.after_json)
            .where(col(AuditEvent.action) == "account.set")
            .order_by(col(AuditEvent.id))
        ).all()
    accounts = {line.account for entry in november.entries for line in entry.lines}
    assert {"1011", "1300", "2450"} <= accounts and not {"1010", "1200", "2400"} & accounts
    assert len(events) == 6  # the story's two fee accounts and these four; no refusal
    assert json.loads(events[-2]) == {"kind": "receivable", "key": "", "account": "1300"}


def test_the_period_and_the_establishment_are_checked(database: Database) -> None:
    tell(database)
    with database.read() as uow:
        with pytest.raises(InvalidInput) as refused:
            accounting_journal(uow, date(2026, 11, 30), date(2026, 11, 1))
        assert refused.value.field == "start"
        with pytest.raises(NotFound) as unknown:
            accounting_journal(uow, date(2026, 11, 1), date(2026, 11, 30), "XYZ")
        assert unknown.value.field == "establishment"
        quebec = accounting_journal(uow, date(2026, 11, 1), date(2026, 11, 30), "QC")
    assert quebec.entries == () and quebec.total_debit == 0


def test_the_csv_rows_name_the_entry_the_document_and_the_family(database: Database) -> None:
    tell(database)
    with database.read() as uow:
        journal = accounting_journal(uow, date(2026, 11, 3), date(2026, 11, 3))
    header, rows = journal_rows(journal)
    assert header == [
        "date",
        "écriture",
        "type",
        "pièce",
        "compte",
        "débit",
        "crédit",
        "établissement",
        "description",
    ]
    assert [row[4:7] for row in rows] == [
        ["1010", D("300.00"), D("0.00")],
        ["1200", D("0.00"), D("250.00")],
        ["2400", D("0.00"), D("50.00")],
    ]
    assert rows[0][0] == date(2026, 11, 3) and rows[0][2] == "Paiement" and rows[0][7] == "MTL"
    family = journal.entries[0].family_number
    invoice = journal.entries[0].lines[1].detail
    assert invoice.startswith("FAC") and family.startswith("F")
    assert [row[8] for row in rows] == [
        f"Paiement · {family} · cash",
        f"Paiement · {family} · {invoice}",
        f"Paiement · {family}",
    ]
