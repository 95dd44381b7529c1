"""Scenario 6 by keyboard: the registrar's queue of pending changes (F7).

The registrar opens the queue, approves a birth date and an address with one key each,
resolves a conflict field by field, rejects with a reason, sees the history. In a second
session she opens a re-enrolment (its own screen), then approves every request without
conflict of a filtered list after a confirmation giving the count. Each step is checked
on the screen and in the database (record, request, outbox).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import date

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import ChangeRequest, Guardian, OutboxMessage, RequestStatus, Student
from registrar_tui.screens.desk.change_request import ChangeRequestScreen
from registrar_tui.screens.desk.modals import BulkApprovalScreen, ReasonScreen
from registrar_tui.screens.desk.pending_changes import PendingChangesScreen
from registrar_tui.screens.desk.reenrolment_decision import ReenrolmentDecisionScreen
from tests.conftest import fixed_clock
from tests.screens.desk.queue_fixtures import QueueWorld, seed_queue
from tests.screens.helpers import rows, settle, shown, sign_in_registrar, type_text
from tests.services.requests.queue_data import MARC_PHONE_REQUESTED, NEW_ADDRESS

Scenario = Callable[[Pilot[None]], Awaitable[None]]


@pytest.fixture
def world(database: Database) -> QueueWorld:
    return seed_queue(database)


def run(database: Database, scenario: Scenario) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await sign_in_registrar(pilot)
            await pilot.press("f7")
            await settle(pilot)
            assert isinstance(app.screen, PendingChangesScreen)
            await scenario(pilot)

    asyncio.run(main())


def _table(pilot: Pilot[None]) -> list[str]:
    return rows(pilot.app.screen.query_one("#queue-table", DataTable))


def _notes(pilot: Pilot[None]) -> list[str]:
    return [str(n.message) for n in pilot.app._notifications]


def _status(database: Database, request_id: int) -> tuple[RequestStatus, str]:
    with database.read() as uow:
        request = uow.session.get(ChangeRequest, request_id)
        assert request is not None
        return RequestStatus(request.status), request.decision_reason


def _outbox(database: Database) -> list[tuple[str, str]]:
    with database.read() as uow:
        return [
            (m.recipient, m.body)
            for m in uow.session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))
        ]


def test_scenario_6_the_registrars_keys(database: Database, world: QueueWorld) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        lines = _table(pilot)
        assert len(lines) == 6
        assert lines[0] == (
            " | 44 j | Élève | Tremblay | Hugo Tremblay | "
            "Date de naissance : 2016-11-02 → 2016-11-03"
        )
        assert lines[4].startswith("! | 3 j | Responsable | Tremblay | Marc Gagnon")
        assert shown(screen.query_one("#queue-status", Static)).startswith("Demandes 1–6 sur 6")
        assert "reçue le 2026-10-10" in shown(screen.query_one("#queue-current", Static))

        # One key approves the highlighted request (the oldest: Hugo's birth date).
        await pilot.press("a")
        await settle(pilot)
        assert "Demande acceptée : Hugo Tremblay." in _notes(pilot)[-1]
        with database.read() as uow:
            hugo = uow.session.get(Student, world.hugo_id)
            assert hugo is not None and hugo.birth_date == date(2016, 11, 3)
        # Decided, it stays in its place, marked, and the highlight stays on it.
        lines = _table(pilot)
        assert len(lines) == 6 and lines[0].startswith("✓ | 44 j | Élève | Tremblay | Hugo")
        assert "Décidée : acceptée" in shown(screen.query_one("#queue-detail", Static))
        # Then Hélène's new address, the next one down.
        await pilot.press("down")
        assert "Hélène Tremblay" in shown(screen.query_one("#queue-current", Static))
        await pilot.press("a")
        await settle(pilot)
        with database.read() as uow:
            helene = uow.session.get(Guardian, world.helene_id)
            assert helene is not None
            assert (helene.address_line, helene.city, helene.postal_code) == NEW_ADDRESS
        assert _outbox(database)[-1][0] == "helene.tremblay@example.ca"

        # The conflict (Marc's phone changed since): `a` opens it instead of applying it.
        await pilot.press("down", "down", "down")
        assert "Marc Gagnon" in _table(pilot)[4]
        await pilot.press("a")
        await settle(pilot)
        detail = pilot.app.screen
        assert isinstance(detail, ChangeRequestScreen)
        fields = rows(detail.query_one("#request-fields", DataTable))
        assert fields == ["! Téléphone | 514-555-0102 | 514-555-0177 | 514-555-0188 | à choisir"]
        await pilot.press("a")  # no choice yet: refused, nothing written
        await settle(pilot)
        assert "Choisissez" in shown(detail.query_one("#request-status", Static))
        assert _status(database, world.conflict_request)[0] is RequestStatus.PENDING
        await pilot.press("d", "a")  # take the requested value, approve
        await settle(pilot)
        assert _status(database, world.conflict_request)[0] is RequestStatus.APPROVED
        with database.read() as uow:
            marc = uow.session.get(Guardian, world.marc_id)
            assert marc is not None and marc.phone == MARC_PHONE_REQUESTED
        assert "acceptée" in shown(detail.query_one("#request-info", Static))
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is screen
        # Back in the queue, the highlight is still on Marc's request, marked decided.
        assert [line.split(" | ")[4] for line in _table(pilot)] == [
            "Hugo Tremblay",
            "Hélène Tremblay",
            "Léa Tremblay",
            "Emily Lavoie",
            "Marc Gagnon",
            "[@click=app.quit] Tremblay",
        ]
        assert screen.query_one("#queue-table", DataTable).cursor_row == 4

        # Reject Emily's request: a reason is required, and it reaches the family.
        await pilot.press("up")
        assert "Emily Lavoie" in shown(screen.query_one("#queue-current", Static))
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReasonScreen)
        await pilot.press("enter")
        assert "Indiquez un motif." in shown(pilot.app.screen.query_one("#decision-status"))
        await type_text(pilot, "Adresse non confirmée")
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert _status(database, world.email_request) == (
            RequestStatus.REJECTED,
            "Adresse non confirmée",
        )
        recipient, body = _outbox(database)[-1]
        assert recipient == "emily@example.ca" and "Adresse non confirmée" in body

        # The history: who decided, when and why.
        await pilot.press("h")
        await settle(pilot)
        history = _table(pilot)
        assert len(history) == 5
        emily = next(line for line in history if "Emily Lavoie" in line)
        assert emily.startswith("2026-11-23 | refusée | Martine Côté | Emily Lavoie")
        assert "Adresse non confirmée" in emily
        assert history[-1].startswith("2026-10-07 | refusée | Martine Côté | Hugo Tremblay")

    run(database, scenario)


def test_reenrolment_opens_its_screen_then_approve_all_of_a_filtered_list(
    database: Database, world: QueueWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        # A re-enrolment is decided on its own screen: Enter opens it.
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, ReenrolmentDecisionScreen)
        assert pilot.app.screen.request_id == world.reenrolment_request
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is screen
        await pilot.press("t")  # kind: guardians only
        await settle(pilot)
        assert "Type : Responsable" in shown(screen.query_one("#queue-title", Static))
        assert len(_table(pilot)) == 4
        await pilot.press("A")
        await settle(pilot)
        modal = pilot.app.screen
        assert isinstance(modal, BulkApprovalScreen)
        # Hélène and Emily; not Marc (conflict) nor the invalid postal code.
        assert "Approuver les 2 demandes sans conflit" in shown(
            modal.query_one("#decision-question", Static)
        )
        await pilot.press("o")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "2 demandes approuvées." in _notes(pilot)[-1]
        assert _status(database, world.address_request)[0] is RequestStatus.APPROVED
        assert _status(database, world.email_request)[0] is RequestStatus.APPROVED
        assert _status(database, world.birth_date_request)[0] is RequestStatus.PENDING
        assert _status(database, world.conflict_request)[0] is RequestStatus.PENDING
        assert [line.split(" | ")[4] for line in _table(pilot)] == [
            "Marc Gagnon",
            "[@click=app.quit] Tremblay",
        ]
        assert len(_outbox(database)) == 2

    run(database, scenario)
