"""The app in a real browser (issue #17, part 3): `registrar-tui serve-web` over a copy of the
screens' seeded world, Debian's headless Chromium driven by Playwright (the system's
executable, no browser downloaded): a click on the page, the clerk signs in, types `trem`,
opens the family, pays cash, and the receipt arrives as a download whose PDF says the
receipt number and the amount.

Chromium is installed by `.ci/run` (apt): under CI (CI=true) its absence fails the test,
elsewhere the test is skipped. The page draws the terminal on a canvas, so the test waits
on what the program does instead of what it shows: the sign-in in the audit trail, the
screen changing after a key, the download.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from pypdf import PdfReader

from registrar_tui.db import Database
from registrar_tui.i18n import format_money
from tests.screens.fixtures import CLERK_PASSWORD, CLERK_USERNAME, seed

if TYPE_CHECKING:
    from playwright.sync_api import Page

CHROMIUM = Path("/usr/bin/chromium")
STEP_SECONDS = 30
"""The longest any step may take (the first session process starts, imports, paints)."""

pytestmark = pytest.mark.slow


def _require_chromium() -> None:
    missing = None
    if not CHROMIUM.exists():
        missing = f"{CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "playwright is not installed (pip install -e '.[dev]')"
    if missing is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(missing)
    pytest.skip(missing)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for(what: str, check: Callable[[], bool], seconds: float = STEP_SECONDS) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.2)


def _query(path: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


@pytest.fixture
def served(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[str, Path]]:
    """`registrar-tui serve-web` on a free loopback port over the seeded world: its URL and
    its database file."""
    _require_chromium()
    path = tmp_path / "served.db"
    shutil.copyfile(sqlite_template, path)
    database = Database.open(str(path))
    try:
        seed(database)
    finally:
        database.dispose()
    port = _free_port()
    launcher = Path(sys.executable).parent / "registrar-tui"
    environment = {
        **os.environ,
        "REGISTRAR_DB_URL": str(path),
        "REGISTRAR_DOCUMENTS_DIR": str(tmp_path / "documents"),
    }
    environment.pop("REGISTRAR_PRINTER_COMMAND", None)
    log = (tmp_path / "serve-web.log").open("wb")
    server = subprocess.Popen(
        [str(launcher), "serve-web", "--port", str(port)],
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # the sessions' processes end with it
    )
    url = f"http://127.0.0.1:{port}/"

    def listening() -> bool:
        assert server.poll() is None, (tmp_path / "serve-web.log").read_text()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            return False
        return True

    try:
        _wait_for("serve-web to listen", listening)
        yield url, path
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
        log.close()


def _after(page: Page, keys: Callable[[], None], what: str) -> None:
    """Press `keys`, then wait until the page shows something else and has settled."""
    before = page.screenshot()
    keys()
    _wait_for(what, lambda: page.screenshot() != before)
    page.wait_for_timeout(700)


def test_a_cash_payment_in_the_browser_downloads_its_receipt(
    served: tuple[str, Path],
) -> None:
    from playwright.sync_api import sync_playwright

    url, database = served
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            page = browser.new_page(accept_downloads=True, viewport={"width": 1100, "height": 700})
            page.set_default_timeout(STEP_SECONDS * 1000)
            page.goto(url)
            # The session started: the page received its first bytes from the program.
            page.wait_for_selector("body.-first-byte")
            page.wait_for_timeout(1500)  # the login screen painted
            # The click that starts it, in a corner of the page (no field there): the focus
            # stays in the username box, and what is typed next is not lost.
            page.mouse.click(5, 5)
            page.keyboard.type(CLERK_USERNAME, delay=30)
            page.keyboard.press("Tab")
            page.keyboard.type(CLERK_PASSWORD, delay=30)
            page.keyboard.press("Enter")
            _wait_for(
                "the clerk to be signed in",
                lambda: bool(
                    _query(database, "SELECT 1 FROM audit_event WHERE action = 'auth.login'")
                ),
            )
            page.wait_for_timeout(1000)  # the search screen painted
            _after(page, lambda: page.keyboard.type("trem", delay=50), "the search results")
            _after(page, lambda: page.keyboard.press("Enter"), "the family")
            _after(page, lambda: page.keyboard.press("F9"), "the payment form")
            with page.expect_download(timeout=STEP_SECONDS * 1000) as caught:
                page.keyboard.press("Enter")  # cash, the amount due handed over
            download = caught.value
            pdf = Path(download.path()).read_bytes()
        finally:
            browser.close()

    [(number, cents)] = _query(
        database,
        "SELECT receipt.number, payment.amount_cents FROM receipt"
        " JOIN payment ON payment.id = receipt.payment_id"
        " ORDER BY receipt.id DESC LIMIT 1",
    )
    assert re.fullmatch(r"MTL-\d{4}-\d{6}", str(number))
    assert download.suggested_filename == f"{number}.pdf"
    assert cents == 27500  # the balance due, paid in full
    text = "".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages)
    assert str(number) in text
    assert _spaced(format_money(Decimal("275.00"))) in _spaced(text)


def _spaced(text: str) -> str:
    """Babel's amounts hold no-break spaces; the PDF's text may give plain ones."""
    return re.sub(r"[\u00a0\u202f ]", " ", text)
