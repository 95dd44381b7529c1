"""A family's receipts: newest first a page at a time, reprints marked DUPLICATA or ANNULÉ."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.screens.counter.receipts import ReceiptsScreen, ReceiptsView
from tests.conftest import fixed_clock
from tests.reports.pdftext import text_of
from tests.screens.counter.counter_fixtures import (
    BOUCHARD_PAYMENTS,
    MARKUP_FAMILY,
    VOID_REASON,
    Counter,
    seed_counter,
)
from tests.screens.helpers import rows, settle, shown, sign_in

Scenario = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(folder))
    monkeypatch.delenv("REGISTRAR_PRINTER_COMMAND", raising=False)
    return folder


@pytest.fixture
def counter(database: Database) -> Counter:
    return seed_counter(database)


def run(app: RegistrarApp, family_id: int, scenario: Scenario) -> None:
    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await app.push_screen(ReceiptsScreen(family_id))
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def plain(value: str) -> str:
    return value.replace("\u00a0", " ").replace("\u202f", " ")


def table_rows(app: RegistrarApp) -> list[str]:
    return [plain(row) for row in rows(app.screen.query_one("#receipts-table", DataTable))]


def text(app: RegistrarApp, selector: str) -> str:
    return plain(shown(app.screen.query_one(selector, Static)))


def saved_path(app: RegistrarApp) -> Path:
    result = text(app, "#receipts-result")
    assert " enregistré : " in result, result
    return Path(result.split(" enregistré : ", 1)[1])


def test_the_family_receipts_newest_first_and_a_duplicate_reprint(
    database: Database, counter: Counter, documents: Path
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        assert "Famille Tremblay" in text(app, "#receipts-title")
        listed = table_rows(app)
        assert [row.split(" | ")[0] for row in listed] == [
            counter.voided_receipt,
            "MTL-2026-000002",
            counter.cash_receipt,
        ]
        # Receipt number | date | amount | method | state | clerk
        assert listed[0].split(" | ")[1:] == [
            "2026-11-23 08:05",
            "50,00 $",
            "Comptant",
            f"ANNULÉ — {VOID_REASON}",
            "Josée Lavoie",
        ]
        assert listed[2].split(" | ")[2:4] == ["275,00 $", "Comptant"]
        assert listed[1].split(" | ")[2:4] == ["400,00 $", "Carte de débit"]
        assert text(app, "#receipts-status") == ("Reçus 1–3 sur 3, du plus récent au plus ancien")
        await pilot.press("down", "down", "r")  # the 275,00 $ cash receipt
        await settle(pilot)
        path = saved_path(app)
        assert path.is_relative_to(documents) and path.name.endswith("-duplicata.pdf")
        pdf = text_of(path.read_bytes())
        assert "DUPLICATA" in pdf and counter.cash_receipt in pdf
        assert "ANNULÉ" not in pdf

    run(app, counter.tremblay_id, scenario)


def test_a_voided_payment_reprints_marked_annule_with_its_reason(
    database: Database, counter: Counter, documents: Path
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("enter")  # the newest: the voided 50,00 $
        await settle(pilot)
        pdf = text_of(saved_path(app).read_bytes())
        assert "ANNULÉ" in pdf and VOID_REASON in pdf
        assert counter.voided_receipt in pdf

    run(app, counter.tremblay_id, scenario)


def test_refund_receipts_are_listed_and_reprinted(
    database: Database, counter: Counter, documents: Path
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        refund, payment = table_rows(app)
        assert refund.split(" | ")[0] == counter.refund_receipt
        assert refund.split(" | ")[2:5] == ["-10,00 $", "Comptant", "Remboursement"]
        assert payment.split(" | ")[2] == "30,00 $"
        await pilot.press("r")
        await settle(pilot)
        assert counter.refund_receipt in text(app, "#receipts-result")

    run(app, counter.roy_id, scenario)
    [saved] = (documents / "receipts").iterdir()
    pdf = text_of(saved.read_bytes())
    assert counter.refund_receipt in pdf and "DUPLICATA" in pdf and "10,00 $" in pdf


def test_pages_turn_with_page_down_and_page_up(
    database: Database, counter: Counter, documents: Path
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        view = app.screen.query_one(ReceiptsView)
        first = table_rows(app)
        assert len(first) == 10
        assert text(app, "#receipts-status").startswith(f"Reçus 1–10 sur {BOUCHARD_PAYMENTS}")
        await pilot.press("pagedown")
        await settle(pilot)
        second = table_rows(app)
        assert len(second) == BOUCHARD_PAYMENTS - 10
        assert text(app, "#receipts-status").startswith(
            f"Reçus 11–{BOUCHARD_PAYMENTS} sur {BOUCHARD_PAYMENTS}"
        )
        numbers = [row.split(" | ")[0] for row in first + second]
        assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) == len(numbers)
        await pilot.press("pagedown")  # no page after the last: nothing changes
        await settle(pilot)
        assert table_rows(app) == second
        await pilot.press("pageup")
        await settle(pilot)
        assert table_rows(app) == first
        assert view.page is not None and view.page.offset == 0

    run(app, counter.bouchard_id, scenario)


def test_markup_and_escapes_in_names_and_reasons_are_shown_literally(
    database: Database, counter: Counter, documents: Path
) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        assert MARKUP_FAMILY in text(app, "#receipts-title")
        [row] = table_rows(app)
        assert "ANNULÉ — [@click=app.quit]Erreur[31m rouge" in row
        assert "\x1b" not in row
        await pilot.press("r")
        await settle(pilot)
        assert app.is_running  # no markup became an action
        pdf = text_of(saved_path(app).read_bytes())
        assert "ANNULÉ" in pdf and "[@click=app.quit]Erreur" in pdf

    run(app, counter.markup_id, scenario)


def test_p_reprints_and_sends_the_copy_to_the_printer(
    database: Database,
    counter: Counter,
    documents: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    printed = tmp_path / "printed.pdf"
    # The printer command gets the saved PDF's path appended: "$0" in this shell line.
    monkeypatch.setenv("REGISTRAR_PRINTER_COMMAND", f"sh -c 'cp \"$0\" {printed}'")
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("down", "down", "p")
        await settle(pilot)
        assert text(app, "#receipts-result").startswith(
            f"Reçu {counter.cash_receipt} imprimé et enregistré : "
        )

    run(app, counter.tremblay_id, scenario)
    pdf = text_of(printed.read_bytes())
    assert "DUPLICATA" in pdf and counter.cash_receipt in pdf


def test_reload_shows_a_receipt_posted_since(
    database: Database, counter: Counter, documents: Path
) -> None:
    from decimal import Decimal

    from registrar_tui.models import PaymentMethod
    from registrar_tui.services.ledger.payments import PaymentRequest, post_payment

    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        view = app.screen.query_one(ReceiptsView)
        await pilot.press("pagedown")
        await settle(pilot)
        with database.write() as uow:
            posted = post_payment(
                uow,
                PaymentRequest(
                    idempotency_key="reload-test",
                    family_id=counter.bouchard_id,
                    establishment_id=counter.establishment_id,
                    clerk_id=counter.clerk_id,
                    amount=Decimal("7.00"),
                    method=PaymentMethod.CASH,
                    seen_balance=Decimal("0.00"),
                    amount_tendered=Decimal("7.00"),
                ),
            )
        view.reload()
        await settle(pilot)
        newest = table_rows(app)[0].split(" | ")
        assert (newest[0], newest[2]) == (posted.receipt_number, "7,00 $")
        assert text(app, "#receipts-status").startswith(f"Reçus 1–10 sur {BOUCHARD_PAYMENTS + 1}")

    run(app, counter.bouchard_id, scenario)


def test_a_roll_terminal_reprints_on_the_roll(
    database: Database,
    counter: Counter,
    documents: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """REGISTRAR_RECEIPT_FORMAT=roll: the copy saved and printed is 80 mm wide."""
    import io

    from pypdf import PdfReader

    printed = tmp_path / "printed.pdf"
    monkeypatch.setenv("REGISTRAR_PRINTER_COMMAND", f"sh -c 'cp \"$0\" {printed}'")
    monkeypatch.setenv("REGISTRAR_RECEIPT_FORMAT", "roll")
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("down", "down", "p")
        await settle(pilot)
        assert text(app, "#receipts-result").startswith(f"Reçu {counter.cash_receipt} imprimé")

    run(app, counter.tremblay_id, scenario)
    [page] = PdfReader(io.BytesIO(printed.read_bytes())).pages
    assert float(page.mediabox.width) == pytest.approx(226.77, abs=0.01)
    pdf = text_of(printed.read_bytes())
    assert "DUPLICATA" in pdf and counter.cash_receipt in pdf
