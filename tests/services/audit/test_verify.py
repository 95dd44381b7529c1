"""`verify` and the receipt numbers a restore skipped: excused exactly, nothing more."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from registrar_tui.db import Database
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.ledger.payments import post_payment
from tests.services.ledger_data import add_family, add_invoice, build_school, cash


def _skipping_number_two(database: Database) -> int:
    """MTL-2026-000001, then the counter moved on as a restore does, then MTL-2026-000003."""
    school = build_school(database)
    family = add_family(database, school)
    add_invoice(database, school, family)
    with database.write() as uow:
        post_payment(uow, cash(school, family, "100.00", "275.00"))
        uow.session.execute(text("UPDATE number_sequence SET last_value = last_value + 1"
                                 " WHERE key LIKE 'receipt:%'"))  # fmt: skip
        post_payment(uow, cash(school, family, "75.00", "175.00"))
    return school.montreal_id


def _skip(database: Database, establishment: int, first: int, last: int) -> None:
    with database.write() as uow:
        record_event(
            uow, None, "backup.restore", "database", None, {},
            {"receipt_numbers_skipped": [[establishment, "MTL-2026", first, last]]},
        )  # fmt: skip


def _problems(database: Database) -> list[tuple[str, str | None]]:
    with database.read() as uow:
        return [(b.problem, b.receipt_number) for b in verify_chains(uow).breaks]


def test_a_gap_nobody_recorded_is_reported(database: Database) -> None:
    _skipping_number_two(database)
    assert _problems(database) == [("gap", "MTL-2026-000003")]


def test_a_skip_of_other_numbers_excuses_nothing(database: Database) -> None:
    montreal = _skipping_number_two(database)
    _skip(database, montreal, 5, 9)
    _skip(database, montreal + 1, 2, 2)  # another establishment's series
    assert _problems(database) == [("gap", "MTL-2026-000003")]


def test_the_numbers_a_restore_skipped_are_no_gap(database: Database) -> None:
    montreal = _skipping_number_two(database)
    _skip(database, montreal, 2, 2)
    assert _problems(database) == []


def test_an_audited_write_holds_the_audit_lock_for_one_statement(database: Database) -> None:
    """Every audited write waits for the audit chain's lock. On PostgreSQL, an event is
    chained and inserted by the statement that takes the lock (the server hashes the
    link): no other statement of the writer runs while it holds it, only the commit;
    the chain still verifies, hash for hash, across events written both ways."""
    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        sent.append(statement)

    with database.write() as uow:  # the chain's first event: its lock row is created
        record_event(uow, None, "backup.restore", "database", None, {}, {"first": "é"})
    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        with database.write() as uow:
            record_event(
                uow, None, "guardian.contact_update", "guardian", 3,
                {"phone": "514-555-0101"}, {"phone": "514-555-0199", "note": "Hélène"},
            )  # fmt: skip
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    statements = [s for s in sent if s not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT")]
    if database.backend == "postgresql":
        assert len(statements) == 1 and "registrar_audit_chain_head" in statements[0], statements
    with database.read() as uow:
        report = verify_chains(uow)
        hashes = uow.session.execute(
            text("SELECT previous_hash, hash FROM audit_event ORDER BY id")
        ).all()
    assert report.ok
    assert len(hashes) == 2 and hashes[1][0] == hashes[0][1]


def test_a_payment_s_chains_are_written_by_the_call_that_locks_them(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the receipt, its ledger links and its audit event are hashed and
    written by the call that takes the chains' locks: the last statement before the
    commit, none of the program's work while every other payment waits. The chains
    verify, receipt numbers follow each other, whether a payment went that way or the
    two-statement way (kept for a content that cannot be cut around its serial)."""
    from registrar_tui.services.ledger import receipts

    school = build_school(database)
    family = add_family(database, school)
    add_invoice(database, school, family)
    sent: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        sent.append(statement)

    with database.write() as uow:  # the chains' first payment: their lock rows are created
        post_payment(uow, cash(school, family, "100.00", "275.00"))
    event.listen(database.engine, "before_cursor_execute", seen)
    try:
        with database.write() as uow:
            posted = post_payment(uow, cash(school, family, "75.00", "175.00"))
    finally:
        event.remove(database.engine, "before_cursor_execute", seen)
    monkeypatch.setattr(receipts, "_one_call", lambda *_args: None)
    with database.write() as uow:
        last = post_payment(uow, cash(school, family, "50.00", "100.00"))
    if database.backend == "postgresql":
        writes = [s for s in sent if s != "COMMIT"]
        assert "registrar_chain_payment(" in writes[-1], writes[-1]
        assert not any("INSERT INTO receipt (" in s for s in writes)
    assert (posted.receipt_number, last.receipt_number) == ("MTL-2026-000002", "MTL-2026-000003")
    with database.read() as uow:
        assert verify_chains(uow).ok
