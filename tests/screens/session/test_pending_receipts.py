"""The app at its start completes the receipts a crash left pending, and says so.

The terminal died right after a payment's commit (issue #13, point 3): no original PDF, no
e-mail. The next start hands the receipt over, once, and a notice names it.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import OutboxMessage, PaymentMethod
from registrar_tui.services.ledger.payments import PaymentRequest, post_payment
from tests.conftest import fixed_clock
from tests.screens.helpers import settle, shown, sign_in
from tests.screens.payment.payment_fixtures import TREMBLAY_EMAIL, seed_counter


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(folder))
    monkeypatch.delenv("REGISTRAR_PRINTER_COMMAND", raising=False)
    return folder


def _posted_then_killed(database: Database) -> str:
    """The Tremblay family's 275,00 $, committed; the process dies before the receipt."""
    counter = seed_counter(database)
    with database.write() as uow:
        posted = post_payment(
            uow,
            PaymentRequest(
                idempotency_key="killed-after-commit",
                family_id=counter.tremblay_id,
                establishment_id=counter.establishment_id,
                clerk_id=counter.clerk_id,
                amount=Decimal("275.00"),
                method=PaymentMethod.CASH,
                seen_balance=Decimal("275.00"),
            ),
        )
    return posted.receipt_number


def _toasts(app: RegistrarApp) -> str:
    return " ".join(shown(toast) for toast in app.screen.query("Toast"))


def _start(database: Database, seen: list[str]) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot)
            seen.append(_toasts(app))
            await sign_in(pilot)
            await settle(pilot)
            seen.append(type(pilot.app.screen).__name__)

    asyncio.run(main())


def _emails(database: Database) -> list[tuple[str, str | None]]:
    with database.read() as uow:
        return [(m.recipient, m.attachment_name) for m in uow.session.exec(select(OutboxMessage))]


def test_the_next_start_hands_over_a_receipt_a_crash_left_pending(
    database: Database, documents: Path
) -> None:
    number = _posted_then_killed(database)
    assert not documents.exists() and _emails(database) == []

    first: list[str] = []
    _start(database, first)
    second: list[str] = []
    _start(database, second)

    notice, signed_in = first
    assert f"Reçu {number} laissé en suspens par un arrêt brutal" in notice
    assert "PDF original enregistré et courriel mis en file" in notice
    assert signed_in == "SearchScreen"  # the clerk signs in as usual meanwhile
    assert sorted(p.name for p in (documents / "receipts").iterdir()) == [f"{number}.pdf"]
    assert _emails(database) == [(TREMBLAY_EMAIL, f"{number}.pdf")]
    # Done once: the next start finds nothing pending and says nothing.
    assert "suspens" not in second[0]
    assert sorted(p.name for p in (documents / "receipts").iterdir()) == [f"{number}.pdf"]
    assert len(_emails(database)) == 1


def test_a_receipt_that_still_cannot_be_saved_is_named_with_the_reason(
    database: Database, documents: Path
) -> None:
    number = _posted_then_killed(database)
    documents.write_text("a file where the folder should be", encoding="utf-8")

    seen: list[str] = []
    _start(database, seen)

    assert f"Reçu {number} toujours en suspens" in seen[0]
    assert "n'a pas pu être enregistré" in seen[0]
    assert "registrar-tui receipts resume" in seen[0]
    assert _emails(database) == [(TREMBLAY_EMAIL, f"{number}.pdf")]  # the e-mail went
