"""In a browser (registrar-tui serve-web) every document saved also reaches the person as a
download (`App.deliver_binary`); in a terminal nothing changes (issue #17, part 3)."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from textual.pilot import Pilot

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.screens.payment.screen import PaymentScreen
from registrar_tui.screens.widgets.pdf_output import send_saved_documents_to_browser
from registrar_tui.services.documents import output
from tests.conftest import fixed_clock
from tests.screens.helpers import settle, sign_in, type_text
from tests.screens.payment.payment_fixtures import Counter, seed_counter

Delivered = list[tuple[str, bytes, str | None]]


@pytest.fixture
def counter(database: Database) -> Counter:
    return seed_counter(database)


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(folder))
    monkeypatch.delenv("REGISTRAR_PRINTER_COMMAND", raising=False)
    return folder


def _recording(app: RegistrarApp, delivered: Delivered) -> None:
    def deliver_binary(binary: io.BytesIO, **options: Any) -> str:
        delivered.append((options["save_filename"], binary.read(), options.get("mime_type")))
        return "key"

    app.deliver_binary = deliver_binary  # type: ignore[assignment,method-assign]


def _pay_cash(app: RegistrarApp, counter: Counter) -> None:
    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            app.push_screen(PaymentScreen(counter.tremblay_id, (counter.tremblay_invoice_id,)))
            await settle(pilot)
            await type_text(pilot, "300")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            await _until_delivered(pilot)

    asyncio.run(main())


async def _until_delivered(pilot: Pilot[None]) -> None:
    for _ in range(10):
        await pilot.pause()


def test_in_a_browser_the_receipt_is_downloaded(
    database: Database, counter: Counter, documents: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(RegistrarApp, "is_web", property(lambda self: True))
    app = create_app(database=database, clock=fixed_clock)
    delivered: Delivered = []
    _recording(app, delivered)
    _pay_cash(app, counter)

    saved = documents / "receipts" / "MTL-2026-000001.pdf"
    assert saved.exists()  # the server's copy stays, as at a terminal
    [(name, pdf, mime_type)] = delivered
    assert (name, mime_type) == ("MTL-2026-000001.pdf", "application/pdf")
    assert pdf == saved.read_bytes()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "MTL-2026-000001" in text and "275,00" in text
    assert output._saved_listeners == []  # the app stopped listening as it ended


def test_in_a_terminal_nothing_is_delivered(
    database: Database, counter: Counter, documents: Path
) -> None:
    app = create_app(database=database, clock=fixed_clock)
    delivered: Delivered = []
    _recording(app, delivered)
    _pay_cash(app, counter)
    assert (documents / "receipts" / "MTL-2026-000001.pdf").exists()
    assert delivered == []


def test_nothing_is_delivered_before_someone_signs_in(tmp_path: Path) -> None:
    """A receipt completed as the app starts (a crash's leftover) is not for the page."""
    posted: list[tuple[Any, ...]] = []

    class FakeApp:
        def call_later(self, *arguments: Any) -> None:
            posted.append(arguments)

    signed_in = False
    stop = send_saved_documents_to_browser(FakeApp(), lambda: signed_in)  # type: ignore[arg-type]
    try:
        output._announce_saved(tmp_path / "a.pdf", b"%PDF-a")
        signed_in = True
        output._announce_saved(tmp_path / "b.pdf", b"%PDF-b")
    finally:
        stop()
    output._announce_saved(tmp_path / "c.pdf", b"%PDF-c")
    assert [arguments[1:] for arguments in posted] == [("b.pdf", b"%PDF-b")]
