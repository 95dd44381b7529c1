"""The database connection dropped in the middle of a payment (PostgreSQL's
`pg_terminate_backend`, as when the server restarts or a network link breaks): nothing
half-written, a message the clerk can read, and the retry with the same idempotency key
(the payment form keeps it) posts the payment once. And a payment committed with its last
statement is never committed without its receipt.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import create_engine, delete, event, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import func, select

from registrar_tui.db import Database, DatabaseUnavailable
from registrar_tui.models import (
    Allocation,
    AuditEvent,
    NumberSequence,
    Payment,
    Receipt,
    ReceiptHandover,
)
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.ledger.payments import post_payment
from tests.services.ledger_data import School, add_family, build_school, cash, insert_invoice

ROWS = (Payment, Allocation, Receipt, ReceiptHandover, AuditEvent)


def _counts(database: Database) -> dict[str, int]:
    with database.read() as uow:
        return {
            table.__name__: uow.session.exec(select(func.count()).select_from(table)).one()
            for table in ROWS
        }


def _owing(database: Database) -> tuple[School, int]:
    """A family owing one invoice of 275,00 $."""
    school = build_school(database)
    family = add_family(database, school)
    with database.write() as uow:
        insert_invoice(uow, school, family, (("275.00", ""),), date(2026, 12, 15), date(2026, 9, 1))
    return school, family


@pytest.mark.parametrize("one_call", [True, False], ids=["as-the-screen-posts", "in-a-longer-unit"])
def test_a_payment_cut_off_by_a_lost_connection_posts_once_on_retry(
    database: Database, one_call: bool
) -> None:
    """Cut as the receipt is written: on the screen's way (`one_call`), the statement is
    sent with the transaction's COMMIT."""
    if database.backend != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's (SQLite has no connection to lose)")
    school, family = _owing(database)
    before = _counts(database)
    request = cash(school, family, "275.00", "275.00", key="form-opened-once")

    # A second connection kills the payment's own as soon as it writes the receipt: the
    # payment and its allocation are already sent, the receipt's INSERT is under way (on
    # PostgreSQL with the ledger links and the audit event, in one call).
    killer = create_engine(database.engine.url, isolation_level="AUTOCOMMIT")
    killed: list[int] = []

    def cut(connection: Any, cursor: Any, statement: str, *_args: Any) -> None:
        writes_receipt = (
            "registrar_chain_payment(" in statement or "INSERT INTO receipt " in statement
        )
        if writes_receipt and not killed:
            pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
            with killer.connect() as other:
                other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            killed.append(pid)

    event.listen(database.engine, "before_cursor_execute", cut)
    try:
        with pytest.raises(DatabaseUnavailable) as lost, database.write(one_call=one_call) as uow:
            post_payment(uow, request)
    finally:
        event.remove(database.engine, "before_cursor_execute", cut)
        killer.dispose()
    assert killed
    assert "perdue" in lost.value.translated()  # « Connexion à la base de données perdue »
    assert _counts(database) == before  # nothing half-written

    with database.write(one_call=one_call) as uow:
        posted = post_payment(uow, request)
    with database.write(one_call=one_call) as uow:
        again = post_payment(uow, request)
    assert not posted.replayed and again.replayed
    assert again.receipt_number == posted.receipt_number == "MTL-2026-000001"
    after = _counts(database)
    assert after["Payment"] == before["Payment"] + 1
    assert after["Receipt"] == before["Receipt"] + 1
    with database.read() as uow:
        assert verify_chains(uow).ok


def test_a_payment_is_never_committed_without_its_receipt(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The screen's posting commits with its last statement, the receipt's chains, without
    looking at the answer first. Were a chain's lock row missing there (the posting creates
    them before; nothing deletes them), the server refuses the statement and the payment
    is not committed, rather than committed without its receipt."""
    if database.backend != "postgresql":
        pytest.skip("SQLite sends its COMMIT after the receipt is written")
    import registrar_tui.services.ledger.payments as payments

    school, family = _owing(database)
    with database.write() as uow:
        uow.execute(delete(NumberSequence))  # as on a database where no payment was posted
    before = _counts(database)
    request = cash(school, family, "275.00", "275.00")
    monkeypatch.setattr(payments, "ensure_sequence_rows", lambda *_args: None)  # lost rows

    with pytest.raises(IntegrityError), database.write(one_call=True) as uow:
        post_payment(uow, request)
    assert _counts(database) == before

    monkeypatch.undo()  # the posting creates them: the chains' first payment posts
    with database.write(one_call=True) as uow:
        assert post_payment(uow, request).receipt_number == "MTL-2026-000001"
    with database.read() as uow:
        assert verify_chains(uow).ok
