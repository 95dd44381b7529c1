"""The social insurance number in the guardian form: masked, revealed by a registrar with
Ctrl+R (audited), changed with validation, and never shown in full to a clerk."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable

from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import Input, Static

from registrar_tui.app import RegistrarApp, create_app
from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Guardian
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.counter.guardian_edit import GuardianEditScreen
from tests.conftest import fixed_clock
from tests.screens.fixtures import Seeded
from tests.screens.helpers import settle, shown, sign_in, sign_in_registrar, type_text
from tests.screens.lock_fixtures import SIN, SIN_GROUPED, SIN_MASKED, seed_with_sin

Scenario = Callable[[Pilot[None]], Awaitable[None]]
SIN_BOX = "#contact-social_insurance_number"


def run(app: RegistrarApp, scenario: Scenario) -> None:
    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


async def open_payer_form(pilot: Pilot[None], seeded: Seeded) -> GuardianEditScreen:
    """From the Tremblay family, E on its payer (the first guardian)."""
    app = pilot.app
    assert isinstance(app, RegistrarApp)
    app.open_family(seeded.tremblay_id)
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(app.screen, GuardianEditScreen)
    return app.screen


def footer_keys(screen: GuardianEditScreen) -> set[str]:
    return {active.binding.action for active in screen.active_bindings.values() if active.enabled}


def stored_sin(db: Database, guardian_id: int) -> str | None:
    with db.read() as uow:
        guardian = uow.session.get(Guardian, guardian_id)
        assert guardian is not None
        return guardian.social_insurance_number


def audit(db: Database) -> list[tuple[str, int | None, dict[str, object]]]:
    with db.read() as uow:
        return [
            (e.action, e.actor_id, json.loads(e.after_json))
            for e in uow.session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.action).startswith("guardian."))
                .order_by(col(AuditEvent.id))
            )
        ]


def test_a_registrar_reveals_then_replaces_the_number(database: Database) -> None:
    seeded, payer_id = seed_with_sin(database)
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await sign_in_registrar(pilot)
        form = await open_payer_form(pilot, seeded)
        box = form.query_one(SIN_BOX, Input)
        assert (box.value, box.disabled) == (SIN_MASKED, False)
        assert "reveal_sin" in footer_keys(form)

        await pilot.press("ctrl+r")
        await settle(pilot)
        assert box.value == SIN_GROUPED
        assert "journalisée" in shown(form.query_one("#guardian-edit-status", Static))
        assert "reveal_sin" not in footer_keys(form)

        box.focus()
        await pilot.press("home", "ctrl+k")
        await type_text(pilot, "193 456 78")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, GuardianEditScreen)  # eight digits: refused
        message = shown(form.query_one("#social_insurance_number-message", Static))
        assert "9 chiffres" in message
        await type_text(pilot, "7")
        await pilot.press("enter")  # Enter on the last box saves
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        text = app.export_screenshot().replace("&#160;", " ")
        assert "193 456 787" not in text and "193456787" not in text

    run(app, scenario)
    assert stored_sin(database, payer_id) == "193456787"
    assert audit(database) == [
        ("guardian.sin_view", seeded.registrar_id, {"social_insurance_number": SIN_MASKED}),
        (
            "guardian.contact_update",
            seeded.registrar_id,
            {"social_insurance_number": "*** *** 787"},
        ),
    ]


def test_a_clerk_sees_only_the_masked_number(database: Database) -> None:
    seeded, payer_id = seed_with_sin(database)
    app = create_app(database=database, clock=fixed_clock)

    async def scenario(pilot: Pilot[None]) -> None:
        await sign_in(pilot)
        form = await open_payer_form(pilot, seeded)
        box = form.query_one(SIN_BOX, Input)
        assert (box.value, box.disabled) == (SIN_MASKED, True)
        assert "reveal_sin" not in footer_keys(form)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert box.value == SIN_MASKED

    run(app, scenario)
    assert stored_sin(database, payer_id) == SIN
    assert audit(database) == []
