"""Opening a family: one drawing with its rows, and no key lost while it is read.

The tabs are drawn once the family's record is in (not empty first and again a moment
later); on the billing tab the header and the statement come from one reading, so the
header's balance and the statement's total due agree. A clerk who presses F9 before
that reading is back still gets the payment form, on the right invoices.
"""

from __future__ import annotations

import asyncio
import threading
from decimal import Decimal
from typing import Any

import pytest
from textual.widgets import Input, Static, TabbedContent

import registrar_tui.services.records.families as families
from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.i18n import format_money
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.payment.screen import PaymentScreen
from tests.conftest import fixed_clock
from tests.screens.fixtures import seed
from tests.screens.helpers import settle, shown, sign_in


def test_f9_before_the_family_is_read_opens_the_payment_form_once_it_is(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeded = seed(database)
    gate = threading.Event()
    reading = families.family_with_statement

    def held(uow: Any, family_id: int) -> Any:
        # The database is slow today: the reading waits until the test lets it go.
        assert gate.wait(10)
        return reading(uow, family_id)

    monkeypatch.setattr(families, "family_with_statement", held)
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            app.open_family(seeded.tremblay_id, tab="billing")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, FamilyScreen)
            # While it is read: the header says so and no empty tab is drawn.
            assert shown(screen.query_one("#family-title", Static)) == "Chargement…"
            assert not screen.query_one("#family-tabs", TabbedContent).display
            await pilot.press("f9")
            assert app.screen is screen  # nothing to pay yet: the key waits
            gate.set()
            await settle(pilot)
            assert isinstance(app.screen, PaymentScreen)
            assert app.screen.query_one("#amount", Input).value == "275,00"
            assert screen.query_one("#family-tabs", TabbedContent).display
            balance = shown(screen.query_one("#family-balance", Static))
            totals = shown(screen.query_one("#statement-totals", Static))
            due = format_money(Decimal("275.00"))
            assert f"Solde : {due}" in balance and f"Solde dû : {due}" in totals

    asyncio.run(main())


def test_f9_on_the_identity_tab_before_the_family_is_read_pays_its_invoices(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The billing tab is mounted only once the family is drawn: F9 before that (the
    # record held up) mounts it, reads the statement and opens the payment form.
    seeded = seed(database)
    gate = threading.Event()
    reading = families.family_overview

    def held(uow: Any, family_id: int) -> Any:
        assert gate.wait(10)
        return reading(uow, family_id)

    monkeypatch.setattr(families, "family_overview", held)
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            app.open_family(seeded.tremblay_id)
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, FamilyScreen)
            assert shown(screen.query_one("#family-title", Static)) == "Chargement…"
            await pilot.press("f9")
            for _ in range(50):
                await pilot.pause(0.02)
                if isinstance(app.screen, PaymentScreen):
                    break
            assert isinstance(app.screen, PaymentScreen)
            assert app.screen.query_one("#amount", Input).value == "275,00"
            gate.set()
            await pilot.press("escape")
            await settle(pilot)
            assert app.screen is screen
            assert screen.query_one("#family-tabs", TabbedContent).active == "billing"
            balance = shown(screen.query_one("#family-balance", Static))
            assert f"Solde : {format_money(Decimal('275.00'))}" in balance

    asyncio.run(main())


def _footer(screen: Any) -> list[str]:
    from textual.widgets._footer import FooterKey

    from registrar_tui.screens.widgets.base import KeysFooter

    footer = screen.query_one(KeysFooter)
    return [f"{key.key_display} {key.description}".strip() for key in footer.query(FooterKey)]


@pytest.mark.parametrize(("width", "search_shown"), [(80, False), (120, True)])
def test_the_billing_tab_footer_keeps_help_in_sight_at_80_columns(
    database: Database, width: int, search_shown: bool
) -> None:
    # Nine keys on the billing tab: at 80 columns the search key (also Escape, and /)
    # gives way so that f1, which lists every key, is not pushed off the line.
    seeded = seed(database)
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(width, 24)) as pilot:
            await settle(pilot)
            await sign_in(pilot)
            app.open_family(seeded.tremblay_id, tab="billing")
            await settle(pilot)
            keys = _footer(app.screen)
            assert "f1 Aide" in keys and "f9 Payer" in keys and "échap Retour" in keys
            assert ("^f Rechercher" in keys) is search_shown
            footer_width = sum(len(key) + 1 for key in keys)
            assert footer_width <= width
            await pilot.press("1")  # the identity tab: the guardians' keys, and f1 still
            await settle(pilot)
            identity = _footer(app.screen)
            assert "f1 Aide" in identity and "r Retirer" in identity
            assert ("^f Rechercher" in identity) is search_shown
            await pilot.press("ctrl+f")  # still works where it is not shown
            await settle(pilot)
            assert type(app.screen).__name__ == "SearchScreen"

    asyncio.run(main())
