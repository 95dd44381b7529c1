"""The registrar's queue as she works it (issue #13, point 6), by keyboard.

Escape from a decided request leaves the highlight on it (never on the next family's),
with its kind and family on the detail line; `u` undoes the last decision while its
message is unsent and says why not once it left; the address is chosen whole; a birth
date the code permanent no longer agrees with asks first; a move is offered to the
household on one key; the family's Demandes tab opens a request for a registrar.
Each step is checked on the screen and in the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import (
    AuditEvent,
    ChangeRequest,
    Guardian,
    OutboxMessage,
    OutboxStatus,
    RequestStatus,
    Sex,
    Student,
)
from registrar_tui.screens.counter.family import FamilyScreen
from registrar_tui.screens.desk.change_request import ChangeRequestScreen
from registrar_tui.screens.desk.modals import ConfirmScreen, HouseholdMoveScreen
from registrar_tui.screens.desk.pending_changes import PendingChangesScreen
from registrar_tui.services.core.identifiers import make_code_permanent
from tests.conftest import fixed_clock
from tests.screens.desk.queue_fixtures import QueueWorld, seed_queue
from tests.screens.helpers import rows, settle, shown, sign_in, sign_in_registrar
from tests.services.requests.queue_data import NEW_ADDRESS

Scenario = Callable[[Pilot[None]], Awaitable[None]]
OLD = ("1234, rue Saint-Denis", "Montréal", "QC", "H2X 3K2")


@pytest.fixture
def world(database: Database) -> QueueWorld:
    return seed_queue(database)


def run(database: Database, scenario: Scenario, *, queue: bool = True, clerk: bool = False) -> None:
    app = create_app(database=database, clock=fixed_clock)

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await (sign_in(pilot) if clerk else sign_in_registrar(pilot))
            if queue:
                await pilot.press("f7")
                await settle(pilot)
                assert isinstance(app.screen, PendingChangesScreen)
            await scenario(pilot)

    asyncio.run(main())


def current(pilot: Pilot[None]) -> str:
    """The one status line naming the highlighted request."""
    return shown(pilot.app.screen.query_one("#queue-current", Static))


def detail(pilot: Pilot[None]) -> str:
    return shown(pilot.app.screen.query_one("#queue-detail", Static))


def notes(pilot: Pilot[None]) -> list[str]:
    return [str(n.message) for n in pilot.app._notifications]


def status(database: Database, request_id: int) -> RequestStatus:
    with database.read() as uow:
        return RequestStatus(uow.session.get_one(ChangeRequest, request_id).status)


def address(database: Database, model: type[Guardian] | type[Student], record_id: int) -> tuple:
    with database.read() as uow:
        record = uow.session.get_one(model, record_id)
        return (record.address_line, record.city, record.province, record.postal_code)


def outbox(database: Database) -> list[str]:
    with database.read() as uow:
        return [
            m.recipient
            for m in uow.session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))
        ]


def actions(database: Database) -> list[str]:
    with database.read() as uow:
        return [e.action for e in uow.session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))]


def test_escape_from_a_decided_request_keeps_the_highlight_on_it(
    database: Database, world: QueueWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        queue = pilot.app.screen
        # The detail line names the highlighted request's kind and family, first.
        assert current(pilot).startswith("Élève · Tremblay F0000001 · Hugo Tremblay · MTL")
        await pilot.press("enter")  # Hugo's birth date, read in full
        await settle(pilot)
        assert isinstance(pilot.app.screen, ChangeRequestScreen)
        await pilot.press("a")
        await settle(pilot)
        assert status(database, world.birth_date_request) is RequestStatus.APPROVED
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is queue
        table = queue.query_one("#queue-table", DataTable)
        # Still on Hugo's request, marked decided; not on Hélène's address below it.
        assert table.cursor_row == 0
        assert rows(table)[0].startswith("✓ | 44 j | Élève | Tremblay | Hugo Tremblay")
        assert current(pilot).startswith("Élève · Tremblay F0000001 · Hugo Tremblay · MTL")
        assert "Décidée : acceptée" in detail(pilot)
        await pilot.press("a")  # she believes it is still the request she read: nothing
        await settle(pilot)
        assert status(database, world.address_request) is RequestStatus.PENDING
        assert address(database, Guardian, world.helene_id) == OLD
        await pilot.press("down")
        assert current(pilot).startswith("Responsable · Tremblay F0000001 · Hélène Tremblay")

    run(database, scenario)


def test_u_undoes_the_last_decision_until_its_message_leaves(
    database: Database, world: QueueWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        queue = pilot.app.screen
        await pilot.press("down", "a")  # Hélène's new address, approved on one key
        await settle(pilot)
        assert address(database, Guardian, world.helene_id)[0] == NEW_ADDRESS[0]
        assert outbox(database) == ["helene.tremblay@example.ca"]
        await pilot.press("u")
        await settle(pilot)
        confirm = pilot.app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "Responsable · Tremblay F0000001 · Hélène Tremblay" in shown(
            confirm.query_one("#decision-subject", Static)
        )
        assert "message à la famille sera retiré" in shown(
            confirm.query_one("#decision-question", Static)
        )
        await pilot.press("o")
        await settle(pilot)
        assert pilot.app.screen is queue
        assert "Décision annulée : Hélène Tremblay" in notes(pilot)[-1]
        assert address(database, Guardian, world.helene_id) == OLD
        assert status(database, world.address_request) is RequestStatus.PENDING
        assert outbox(database) == []
        assert actions(database)[-3:] == [
            "outbox.withdraw",
            "guardian.portal_change_undone",
            "change_request.undo",
        ]
        # Pending again, in its place, under the highlight.
        table = queue.query_one("#queue-table", DataTable)
        assert table.cursor_row == 1 and rows(table)[1].startswith(" | 21 j | Responsable")

        # Reject Emily's; once `outbox send` has sent it, `u` says why it cannot.
        await pilot.press("down", "down", "r")
        await settle(pilot)
        await pilot.press(*"Adresse non confirmée", "enter")
        await settle(pilot)
        assert status(database, world.email_request) is RequestStatus.REJECTED
        with database.write() as uow:
            message = uow.session.exec(select(OutboxMessage)).one()
            message.status = OutboxStatus.SENT
            message.sent_at = datetime(2026, 11, 23, 14, 45, tzinfo=UTC)
            uow.session.add(message)
        await pilot.press("u")
        await settle(pilot)
        assert pilot.app.screen is queue  # nothing to confirm
        assert "parti le 23 nov. 2026" in notes(pilot)[-1]
        assert status(database, world.email_request) is RequestStatus.REJECTED

    run(database, scenario)


def test_a_conflict_on_the_street_is_chosen_for_the_whole_address(
    database: Database, world: QueueWorld
) -> None:
    with database.write() as uow:  # the counter typed another street since
        helene = uow.session.get_one(Guardian, world.helene_id)
        helene.address_line = "12, rue Principale"
        uow.session.add(helene)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("down", "a")  # a conflict: `a` opens it
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ChangeRequestScreen)
        table = screen.query_one("#request-fields", DataTable)
        assert [line.split(" | ")[0] for line in rows(table)] == [
            "! Adresse",
            "! Ville",
            "! Province",
            "! Code postal",
        ]
        await pilot.press("c")  # keep the current street: the whole current address
        assert [line.split(" | ")[-1] for line in rows(table)] == ["actuelle"] * 4
        await pilot.press("a")
        await settle(pilot)
        assert status(database, world.address_request) is RequestStatus.APPROVED
        assert address(database, Guardian, world.helene_id) == ("12, rue Principale", *OLD[1:])

    run(database, scenario)


def test_a_birth_date_the_code_permanent_disagrees_with_asks_first(
    database: Database, world: QueueWorld
) -> None:
    with database.write() as uow:
        hugo = uow.session.get_one(Student, world.hugo_id)
        hugo.sex = Sex.MALE
        hugo.code_permanent = make_code_permanent("Hugo", "Tremblay", hugo.birth_date, Sex.MALE)
        uow.session.add(hugo)

    async def scenario(pilot: Pilot[None]) -> None:
        assert "Code permanent : ne concordera plus" in detail(pilot)
        await pilot.press("a")
        await settle(pilot)
        confirm = pilot.app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert "ne correspond pas" in shown(confirm.query_one("#decision-subject", Static))
        await pilot.press("n")
        await settle(pilot)
        assert status(database, world.birth_date_request) is RequestStatus.PENDING
        await pilot.press("a", "o")
        await settle(pilot)
        assert status(database, world.birth_date_request) is RequestStatus.APPROVED
        with database.read() as uow:
            assert uow.session.get_one(Student, world.hugo_id).birth_date == date(2016, 11, 3)

    run(database, scenario)


def test_an_approved_move_is_offered_to_the_household_on_one_key(
    database: Database, world: QueueWorld
) -> None:
    with database.write() as uow:
        for model, record_id in ((Guardian, world.marc_id), (Student, world.hugo_id)):
            record = uow.session.get_one(model, record_id)
            record.address_line, record.city, record.province, record.postal_code = OLD
            uow.session.add(record)

    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("down", "a")
        await settle(pilot)
        offer = pilot.app.screen
        assert isinstance(offer, HouseholdMoveScreen)
        names = shown(offer.query_one("#decision-subject", Static))
        assert "Marc Gagnon" in names and "Hugo Tremblay" in names
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PendingChangesScreen)
        new = (NEW_ADDRESS[0], NEW_ADDRESS[1], "QC", NEW_ADDRESS[2])
        assert address(database, Guardian, world.marc_id) == new
        assert address(database, Student, world.hugo_id) == new
        assert "Marc Gagnon, Hugo Tremblay" in notes(pilot)[-1]

    run(database, scenario)


def test_the_family_requests_tab_opens_the_decision_screen_for_a_registrar(
    database: Database, world: QueueWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        pilot.app.open_family(world.seeded.tremblay_id)  # type: ignore[attr-defined]
        await settle(pilot)
        family = pilot.app.screen
        assert isinstance(family, FamilyScreen)
        await pilot.press("4")
        await settle(pilot)
        table = family.query_one("#requests-table", DataTable)
        index = next(i for i, line in enumerate(rows(table)) if "Hélène Tremblay" in line)
        await pilot.press(*["down"] * index, "enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ChangeRequestScreen)
        assert screen.request_id == world.address_request
        await pilot.press("a")
        await settle(pilot)
        assert status(database, world.address_request) is RequestStatus.APPROVED
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is family
        assert "acceptée" in rows(table)[table.cursor_row]

    run(database, scenario, queue=False)


def test_a_clerk_reads_the_family_requests_but_does_not_decide(
    database: Database, world: QueueWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        pilot.app.open_family(world.seeded.tremblay_id)  # type: ignore[attr-defined]
        await settle(pilot)
        family = pilot.app.screen
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is family
        assert "registrariat" in notes(pilot)[-1]

    run(database, scenario, queue=False, clerk=True)


def test_requests_decided_after_n_stay_too_with_the_highlight_on_the_last_read(
    database: Database, world: QueueWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        queue = pilot.app.screen
        await pilot.press("enter", "a")  # Hugo's birth date
        await settle(pilot)
        await pilot.press("n")  # the next pending change: Hélène's address
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ChangeRequestScreen)
        assert screen.request_id == world.address_request
        await pilot.press("a")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is queue
        table = queue.query_one("#queue-table", DataTable)
        assert [line[:1] for line in rows(table)[:3]] == ["✓", "✓", " "]
        assert table.cursor_row == 1
        assert current(pilot).startswith("Responsable · Tremblay F0000001 · Hélène Tremblay")
        assert status(database, world.birth_date_request) is RequestStatus.APPROVED
        assert status(database, world.address_request) is RequestStatus.APPROVED

    run(database, scenario)
