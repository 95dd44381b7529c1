"""Scenario 15 end to end: a parent pays 275 $ on the portal at 23:40; the portal reports
it through the API, and retries; the next morning the payment is on the family's receipts
tab, in the « en ligne » drawer of the day close, and in the accountant's journal.

Nothing here is seeded behind the API's back: the payment exists only because the signed
request posted it.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import select
from textual.widgets import DataTable, Static

from registrar_tui.api.app import create_api
from registrar_tui.api.settings import ApiSettings
from registrar_tui.api.signing import signed_headers
from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import Family, Payment, StaffUser
from registrar_tui.models.base import PaymentMethod, Role
from registrar_tui.screens.counter.day_close import DayCloseScreen
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.services.interchange.accounts import set_account
from registrar_tui.services.interchange.journal import accounting_journal
from registrar_tui.services.search.index import rebuild_index
from registrar_tui.services.staff.api_clients import add_api_client
from registrar_tui.services.staff.passwords import hash_password
from tests import builders
from tests.conftest import FIXED_NOW, fixed_clock
from tests.screens.counter.counter_fixtures import seed_counter
from tests.screens.fixtures import REGISTRAR_PASSWORD, REGISTRAR_USERNAME
from tests.screens.helpers import rows, search_for, settle, shown, sign_in_registrar

PATH = "/v1/online-payments"
NOW = int(FIXED_NOW.timestamp())
# FIXED_NOW is 2026-11-23 09:30 in Montréal: the parent paid the evening before at 23:40.
REPORT = {
    "family_portal_id": "P-TREM",
    "processor_transaction_id": "ch_3PqR7xNight",
    "authorization_number": "A94417",
    "card_brand": "Visa",
    "card_last4": "4242",
    "amount": "275.00",
    "paid_at": "2026-11-22T23:40:00-05:00",
}


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(folder))
    monkeypatch.delenv("REGISTRAR_PRINTER_COMMAND", raising=False)
    return folder


@pytest.fixture
def portal(database: Database, documents: Path) -> Iterator[tuple[TestClient, str, int]]:
    """The counter's day, the Tremblays known to the portal, an API client and its key."""
    seed_counter(database)
    with database.write() as uow:
        uow.session.execute(
            update(StaffUser)
            .where(StaffUser.username == REGISTRAR_USERNAME)  # type: ignore[arg-type]
            .values(password_hash=hash_password(REGISTRAR_PASSWORD))
        )
        admin = builders.staff(uow, None, username="admin", full_name="Ada", role=Role.ADMIN)
        uow.session.execute(
            update(Family).where(Family.family_number == "F0000001").values(portal_id="P-TREM")  # type: ignore[arg-type]
        )
        set_account(uow, "fee", "*", "4100", admin)
        created = add_api_client(uow, admin, "portail-familles")
        rebuild_index(uow)  # the counter finds the family by its number
    app = create_api(settings=ApiSettings(database=database))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client, created.key, admin


def _report(client: TestClient, key: str, timestamp: int) -> dict[str, object]:
    body = json.dumps(REPORT).encode()
    headers = signed_headers(key, "POST", PATH, body, timestamp=timestamp)
    headers["Content-Type"] = "application/json"
    answer = client.post(PATH, content=body, headers=headers)
    assert answer.status_code in (200, 201), answer.text
    client.app.state.after.drain()  # type: ignore[attr-defined]  # the receipt's PDF saved
    result: dict[str, object] = answer.json()
    return result


def plain(value: str) -> str:
    return value.replace("\u00a0", " ").replace("\u202f", " ")


def test_an_online_payment_reaches_the_receipts_tab_the_drawer_and_the_journal(
    database: Database, documents: Path, portal: tuple[TestClient, str, int]
) -> None:
    client, key, _admin = portal
    first = _report(client, key, NOW - 60)
    retried = _report(client, key, NOW)  # the portal did not see the first answer
    assert retried == {**first, "replayed": True}
    receipt = str(first["receipt_number"])
    with database.read() as uow:
        online = uow.session.exec(
            select(Payment.processor_transaction_id, Payment.amount).where(
                Payment.method == PaymentMethod.ONLINE  # type: ignore[arg-type]
            )
        ).all()
    assert [tuple(row) for row in online] == [("ch_3PqR7xNight", Decimal("275.00"))]
    assert (documents / "receipts" / f"{receipt}.pdf").exists()

    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in_registrar(pilot)
            await search_for(pilot, "F0000001")
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, FamilyScreen)
            await pilot.press("5")
            await settle(pilot)
            table = app.screen.query_one("#receipts-table", DataTable)
            shown_rows = [plain(row) for row in rows(table)]
            [line] = [row for row in shown_rows if receipt in row]
            assert "En ligne" in line and "275,00 $" in line
            await app.push_screen(DayCloseScreen())
            await settle(pilot)
            await pilot.press("f4")
            await settle(pilot)
            drawer = app.screen
            assert isinstance(drawer, DayCloseScreen)
            title = plain(shown(drawer.query_one("#day-close-title", Static)))
            assert title.startswith("Caisse en ligne · ")
            totals = [plain(row) for row in rows(drawer.query_one("#totals", DataTable))]
            assert totals == ["En ligne | 1 | 275,00 $ | 0,00 $ | 0,00 $ | 275,00 $"]

    asyncio.run(main())

    with database.read() as uow:
        journal = accounting_journal(uow, date(2026, 11, 23), date(2026, 11, 23))
    [entry] = [e for e in journal.entries if e.document == receipt]
    assert entry.on == date(2026, 11, 23)  # posted the morning it arrived
    debits = {line.account: line.debit for line in entry.lines if line.debit}
    assert debits == {"1050": Decimal("275.00")}  # the online method's default account
    assert sum(line.credit for line in entry.lines) == Decimal("275.00")
    assert journal.total_debit == journal.total_credit
