"""A paste is text (screens/widgets/paste.py): read in order by the parser, cleaned, and
refused with a message under the field when it does not fit, in every input of the app.

The parser's bug is shown with Textual's own parser (when that test fails, Textual fixed
it and the workaround can go); the rest goes through the parser the application installs
(`tests.screens.helpers.paste`), into real screens.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from textual import events
from textual._xterm_parser import XTermParser
from textual.app import App, ComposeResult
from textual.drivers import linux_driver
from textual.pilot import Pilot
from textual.widgets import Digits, Input, Static

import registrar_tui.app  # noqa: F401 (applies the fixes, as the application does)
from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.i18n import format_money
from registrar_tui.models import Guardian
from registrar_tui.screens.counter.guardian_edit import GuardianEditScreen
from registrar_tui.screens.payment.screen import PaymentScreen
from registrar_tui.screens.widgets.paste import BracketedPasteParser, PasteRefusal
from tests.conftest import fixed_clock
from tests.screens.helpers import paste, settle, shown, sign_in, type_text
from tests.screens.payment.payment_fixtures import Counter, seed_counter
from tests.screens.payment.test_payment import D, payments
from tests.services.counter_data import CounterWorld
from tests.services.counter_data import seed_counter as seed_families

TRICK = "But now...\x1b[20Cfor my greatest trick"
BRACKETED = f"\x1b[200~{TRICK}\x1b[201~"


def _tokens(parser: XTermParser, *chunks: str) -> list[object]:
    return [token for chunk in chunks for token in parser.feed(chunk)]


def test_textuals_own_parser_plays_an_escape_inside_a_paste_as_keys() -> None:
    tokens = _tokens(XTermParser(), BRACKETED)
    typed = "".join(t.character or "" for t in tokens if isinstance(t, events.Key))
    assert "[20Cfor my greatest" in typed  # sent as keys, before the paste
    [pasted] = [t for t in tokens if isinstance(t, events.Paste)]
    assert pasted.text == "But now..."


def test_the_installed_parser_reads_the_paste_whole_and_in_order() -> None:
    assert linux_driver.XTermParser is BracketedPasteParser
    [pasted] = _tokens(BracketedPasteParser(), BRACKETED)
    assert isinstance(pasted, events.Paste) and pasted.text == TRICK
    # Split anywhere between reads (the brackets too), with keys around it.
    data = f"ab{BRACKETED}z"
    for cut in range(1, len(data)):
        tokens = _tokens(BracketedPasteParser(), data[:cut], data[cut:])
        assert [
            t.text if isinstance(t, events.Paste) else getattr(t, "character", None) for t in tokens
        ] == ["a", "b", TRICK, "z"], cut


def test_the_escape_key_alone_is_still_the_escape_key() -> None:
    parser = BracketedPasteParser()
    assert _tokens(parser, "\x1b") == []
    time.sleep(0.2)  # longer than Textual's escape delay
    assert [t.key for t in parser.tick() if isinstance(t, events.Key)] == ["escape"]
    assert [t.key for t in _tokens(parser, "\x1b[A") if isinstance(t, events.Key)] == ["up"]


class _Box(App[None]):
    def compose(self) -> ComposeResult:
        yield Input(id="note", max_length=40)


def _pasted_into_a_box(*texts: str) -> tuple[str, list[PasteRefusal]]:
    app = _Box()
    found: list[str] = []
    refusals: list[PasteRefusal] = []

    async def main() -> None:
        async with app.run_test() as pilot:
            for text in texts:
                await paste(pilot, text)
            found.append(app.query_one(Input).value)
            refusals.extend(app.query(PasteRefusal))

    asyncio.run(main())
    return found[0], refusals


def test_a_paste_is_cleaned_and_kept_in_order() -> None:
    value, refusals = _pasted_into_a_box(TRICK)
    assert value == "But now...for my greatest trick"
    assert refusals == []
    value, _ = _pasted_into_a_box("1 rue\r\nMontréal\t\x1b[31mQC\x1b[0m\u202e")
    assert value == "1 rue Montréal QC"


def test_a_paste_too_long_is_refused_under_the_field_and_the_box_kept() -> None:
    value, [refusal] = _pasted_into_a_box("déjà là", "x" * 34)
    assert value == "déjà là"
    assert shown(refusal) == "Texte collé refusé : au plus 40 caractères."


@pytest.fixture
def documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "documents"
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(folder))
    monkeypatch.delenv("REGISTRAR_PRINTER_COMMAND", raising=False)
    return folder


def _run_payment(database: Database, counter: Counter, scenario: object) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            app.push_screen(PaymentScreen(counter.tremblay_id, (counter.tremblay_invoice_id,)))
            await settle(pilot)
            await scenario(pilot)  # type: ignore[operator]

    asyncio.run(main())


def test_ten_thousand_characters_into_montant_remis_are_refused_not_posted_as_exact(
    database: Database, documents: Path
) -> None:
    """Issue #13 point 2: the paste was dropped silently and Enter posted the exact amount."""
    counter = seed_counter(database)

    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        tendered = screen.query_one("#amount_tendered", Input)
        assert pilot.app.focused is tendered
        await paste(pilot, "3" * 10_000)
        error = screen.query_one("#amount-tendered-error", Static)
        assert error.display
        assert shown(error) == "Texte collé refusé : au plus 20 caractères."
        assert tendered.value == ""
        await pilot.press("shift+tab")  # typing in another box leaves the message
        await type_text(pilot, "1")
        await settle(pilot)
        assert shown(error) == "Texte collé refusé : au plus 20 caractères."
        await pilot.press("backspace", "backspace", "backspace")
        await type_text(pilot, "275")
        await pilot.press("tab")
        await type_text(pilot, "300")
        await settle(pilot)
        assert shown(screen.query_one("#amount-tendered-error", Static)) == ""
        await pilot.press("enter")
        await settle(pilot)

    _run_payment(database, counter, scenario)
    [payment] = payments(database)
    assert (payment.tendered, payment.change) == (D("300.00"), D("25.00"))


def test_a_pasted_escape_sequence_is_stored_as_text_in_order(
    database: Database, documents: Path
) -> None:
    counter = seed_counter(database)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("f6")  # cheque
        await settle(pilot)
        await type_text(pilot, "123")
        await pilot.press("tab")
        await paste(pilot, TRICK)
        assert pilot.app.screen.query_one("#cheque_bank", Input).value == (
            "But now...for my greatest trick"
        )
        await pilot.press("enter")
        await settle(pilot)
        done = pilot.app.screen.query_one("#done-change", Digits)
        assert done.value == format_money(D("275.00"))

    _run_payment(database, counter, scenario)
    [payment] = payments(database)
    assert payment.cheque_bank == "But now...for my greatest trick"


def test_201_characters_into_the_address_are_refused_and_the_address_kept(
    database: Database,
) -> None:
    world: CounterWorld = seed_families(database)
    with database.read() as uow:
        guardian = uow.session.get(Guardian, world.helene_id)
        assert guardian is not None
        address = guardian.address_line
    app = create_app(database=database, clock=fixed_clock)
    closed: list[bool | None] = []

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            await app.push_screen(GuardianEditScreen(world.helene_id), closed.append)
            await settle(pilot)
            box = app.screen.query_one("#contact-address_line", Input)
            box.focus()
            await pilot.pause()
            await paste(pilot, "a" * 201)
            assert box.value == address
            [refusal] = app.screen.query(PasteRefusal)
            assert shown(refusal) == "Texte collé refusé : au plus 200 caractères."
            # The line is right under the address.
            assert refusal.region.y == box.region.y + 1
            await pilot.press("end", "x")  # the clerk types on: the refusal goes
            await settle(pilot)
            assert list(app.screen.query(PasteRefusal)) == []
            await pilot.press("backspace", "ctrl+s")
            await settle(pilot)

    asyncio.run(main())
    with database.read() as uow:
        guardian = uow.session.get(Guardian, world.helene_id)
        assert guardian is not None and guardian.address_line == address
