"""Scenario 7 and the counter's fee keys, by keyboard, checked on screen and in the database.

The registrar opens the queue (F7), Enter on Léa's request (piano and solfège, with her
family's note), validates: the enrolments exist, the term's invoice is issued from the fee
schedule, the request leaves the queue, the family gets a message. Also: a rejection with
its reason, a request decided meanwhile at another terminal, course changes and an
attendance certificate from the student record, a request taken at the counter, the
late-confirmation fee screen.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import DataTable, Footer, OptionList, Static
from textual.worker import WorkerCancelled

from registrar_tui.app import create_app
from registrar_tui.db import Database
from registrar_tui.models import (
    Enrolment,
    EnrolmentStatus,
    Invoice,
    InvoiceLine,
    OutboxMessage,
    ReenrolmentRequest,
    RequestStatus,
)
from registrar_tui.screens.desk.late_fee_preview import LateFeePreviewScreen
from registrar_tui.screens.desk.reenrolment_decision import ReenrolmentDecisionScreen
from registrar_tui.screens.desk.term_fees import TermFeesScreen
from registrar_tui.screens.student.screen import StudentScreen
from tests.conftest import fixed_clock
from tests.screens.desk.reenrolment_fixtures import (
    REENROLMENT_TOTAL,
    ReenrolmentWorld,
    seed_reenrolment,
)
from tests.screens.fixtures import REGISTRAR_PASSWORD, REGISTRAR_USERNAME
from tests.screens.helpers import rows, shown, sign_in, type_text
from tests.screens.student.student_fixtures import PENDING_NOTE

Scenario = Callable[[Pilot[None]], Awaitable[None]]


async def settle(pilot: Pilot[None]) -> None:
    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


@pytest.fixture
def world(database: Database) -> ReenrolmentWorld:
    return seed_reenrolment(database)


def run(
    database: Database,
    opened: Callable[[], object] | None,
    scenario: Scenario,
    *,
    registrar: bool = True,
) -> None:
    app = create_app(database=database, clock=fixed_clock, language="fr_CA")

    async def main() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            if registrar:
                await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)
            else:
                await sign_in(pilot)
            if opened is not None:
                await app.push_screen(opened())  # type: ignore[arg-type]
                await settle(pilot)
            await scenario(pilot)

    asyncio.run(main())


def screen_text(screen: Widget) -> str:
    parts = [shown(static) for static in screen.query(Static) if static.display]
    for table in screen.query(DataTable):
        parts.extend(rows(table))
    return "\n".join(parts)


def footer_keys(screen: Widget) -> set[str]:
    return {str(key.key) for key in screen.query_one(Footer).query("FooterKey")}


def test_scenario_7_the_registrar_validates_a_reenrolment(
    database: Database, world: ReenrolmentWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("f7")  # the registrar's queue of pending changes
        await settle(pilot)
        queue = pilot.app.screen
        (row,) = [r for t in queue.query(DataTable) for r in rows(t)]
        assert "Réinscription" in row and "Léa Tremblay" in row
        await pilot.press("enter")
        await settle(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, ReenrolmentDecisionScreen)
        text = screen_text(screen)
        assert "Léa Tremblay" in text and "HIV-2027" in text and PENDING_NOTE in text
        assert "En attente de validation" in text
        # The proposed group with its day, time, teacher, room and seats left.
        assert any(row.startswith("Piano | 01 | mer. | 17:30–18:30 | 16 | Marie-Claude Bélanger"
                                  " | Studio 3") for row in rows(
            screen.query_one("#sections-table", DataTable)))  # fmt: skip
        lines = rows(screen.query_one("#lines-table", DataTable))
        assert lines[0].startswith("Droits de scolarité — Piano |  | 200,00")
        assert any(" | oui | " in line for line in lines)  # voluntary contributions marked
        assert f"Total à facturer : {REENROLMENT_TOTAL}" in text
        assert {"v", "r", "escape"} <= footer_keys(screen)

        await pilot.press("v")
        await settle(pilot)
        assert "Acceptée" in screen_text(screen)
        assert "v" not in footer_keys(screen)  # a decided request cannot be decided again
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is queue
        # Decided, it stays in its place, marked, under the highlight (until the next filter).
        (row,) = [r for t in queue.query(DataTable) for r in rows(t)]
        assert row.startswith("✓ | 10 j | Réinscription") and "acceptée" in row

    run(database, None, scenario)
    with database.read() as uow:
        request = uow.session.get_one(ReenrolmentRequest, world.request_id)
        assert request.status == RequestStatus.APPROVED
        winter = set(
            uow.session.exec(
                select(Enrolment.course_id).where(
                    col(Enrolment.student_id) == world.students.lea_id,
                    col(Enrolment.status) == EnrolmentStatus.ACTIVE,
                )
            )
        )
        assert set(world.winter_courses.values()) <= winter
        invoice = uow.session.exec(select(Invoice).where(col(Invoice.term_id).is_not(None))).one()
        codes = uow.session.exec(
            select(InvoiceLine.fee_code).where(col(InvoiceLine.invoice_id) == invoice.id)
        ).all()
        assert sorted(codes) == ["ASSO-ETU", "FONDATION", "INS", "SCO-PIA", "SCO-SOL"]
        message = uow.session.exec(select(OutboxMessage)).one()
        assert message.recipient == "helene.tremblay@example.ca"
        assert invoice.number in message.body and "acceptée" in message.subject


def test_a_rejection_takes_a_reason_the_family_reads(
    database: Database, world: ReenrolmentWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        await pilot.press("r")
        await settle(pilot)
        await type_text(pilot, "Plus de place en piano")
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(pilot.app.screen)
        assert "Refusée" in text and "Plus de place en piano" in text

    run(database, lambda: ReenrolmentDecisionScreen(world.request_id), scenario)
    with database.read() as uow:
        request = uow.session.get_one(ReenrolmentRequest, world.request_id)
        assert request.status == RequestStatus.REJECTED
        assert request.decision_reason == "Plus de place en piano"
        assert "Plus de place en piano" in uow.session.exec(select(OutboxMessage.body)).one()
        assert (
            uow.session.exec(select(Invoice).where(col(Invoice.term_id).is_not(None))).all() == []
        )


def test_course_changes_and_a_certificate_from_the_student_record(
    database: Database, world: ReenrolmentWorld, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(tmp_path))

    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        await pilot.press("2")
        assert {"a", "d", "t"} <= footer_keys(screen)
        await pilot.press("a")
        await settle(pilot)
        picker = pilot.app.screen
        offered = picker.query_one("#course-choices", OptionList)
        assert "Chant" in str(offered.get_option_at_index(0).prompt)
        # A discipline named like markup is shown literally, not styled.
        assert "[i]Théâtre[/i]" in str(offered.get_option_at_index(1).prompt)
        await pilot.press("enter")  # the first offered: voice
        await settle(pilot)
        assert "Total : 195,00" in screen_text(pilot.app.screen)  # what it bills, first
        await pilot.press("o")
        await settle(pilot)
        courses = rows(screen.query_one("#courses-table", DataTable))
        assert any(row.startswith("Chant") for row in courses)
        await pilot.press("t")
        await settle(pilot)
        assert "Frais : 10,00" in screen_text(pilot.app.screen)
        await pilot.press("f")  # the attestation, billed
        await settle(pilot)
        await pilot.press("enter", "o")  # handed over before payment, by choice
        await settle(pilot)

    run(database, lambda: StudentScreen(world.students.lea_id), scenario)
    with database.read() as uow:
        fees = uow.session.exec(
            select(InvoiceLine.fee_code, InvoiceLine.amount).order_by(col(InvoiceLine.id))
        ).all()
        assert fees[-3:] == [
            ("SCO-CHA", Decimal("180.00")),
            ("CHG-HORAIRE", Decimal("15.00")),
            ("ATTESTATION", Decimal("10.00")),
        ]
        added = uow.session.exec(
            select(Enrolment).where(
                col(Enrolment.student_id) == world.students.lea_id,
                col(Enrolment.course_id) == world.voice_course_id,
            )
        ).one()
        assert added.status == EnrolmentStatus.ACTIVE
    (pdf,) = (tmp_path / "certificates").glob("FAC*.pdf")
    text = " ".join(PdfReader(pdf).pages[0].extract_text().split())
    assert "Léa Tremblay" in text and "Chant" in text and "Piano" in text


def test_a_clerk_takes_a_reenrolment_request_at_the_counter(
    database: Database, world: ReenrolmentWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        await pilot.press("2")
        keys = footer_keys(screen)
        # A clerk adds a first enrolment (`a`); dropping a course stays with registrars.
        assert "t" in keys and "a" in keys and "d" not in keys
        await pilot.press("5", "n")
        await settle(pilot)
        await pilot.press("down", "space")  # voice is ticked (taken now); tick piano too
        await pilot.press("tab", "tab")
        await type_text(pilot, "Avec sa soeur")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert pilot.app.screen is screen
        assert "Avec sa soeur" in screen_text(screen.query_one("#reenrolment-body"))

    run(database, lambda: StudentScreen(world.students.hugo_id), scenario, registrar=False)
    with database.read() as uow:
        request = uow.session.exec(
            select(ReenrolmentRequest).where(
                col(ReenrolmentRequest.student_id) == world.students.hugo_id
            )
        ).one()
        assert request.status == RequestStatus.PENDING and request.note == "Avec sa soeur"


def test_the_late_confirmation_fee_is_applied_once_from_its_screen(
    database: Database, world: ReenrolmentWorld
) -> None:
    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        table = rows(screen.query_one("#term-fees-table", DataTable))
        assert table[0].startswith("AUT-2026 | 1 oct. 2026 | 25,00") and table[0].endswith(
            "| 2 | 0"
        )
        await pilot.press("f")
        await settle(pilot)
        preview = pilot.app.screen
        assert isinstance(preview, LateFeePreviewScreen)  # who, and how much, before charging
        shown_preview = screen_text(preview).replace("\xa0", " ")
        assert "2 élèves · 2 familles · total 50,00 $ (25,00 $ par élève)" in shown_preview
        names = rows(preview.query_one("#late-fee-students", DataTable))
        assert len(names) == 2 and any(row.startswith("Hugo Tremblay") for row in names)
        await pilot.press("o")
        await settle(pilot)
        assert "2 élèves facturés (50,00" in screen_text(screen)
        assert "2 familles" in screen_text(screen)
        assert rows(screen.query_one("#term-fees-table", DataTable))[0].endswith("| 0 | 2")
        assert screen.check_action("apply", ()) is not True  # nobody left to charge

    run(database, TermFeesScreen, scenario)
    with database.read() as uow:
        late = uow.session.exec(
            select(InvoiceLine.id).where(col(InvoiceLine.fee_code) == "CONF-TARD")
        ).all()
        assert len(late) == 2
        queued = uow.session.exec(
            select(OutboxMessage.recipient).where(col(OutboxMessage.kind) == "late-confirmation")
        ).all()
        assert "helene.tremblay@example.ca" in queued  # Hugo's family is told


def test_a_request_decided_meanwhile_is_refused_and_shown_as_it_stands(
    database: Database, world: ReenrolmentWorld
) -> None:
    from registrar_tui.services.requests.reenrolment.decide import validate_reenrolment

    async def scenario(pilot: Pilot[None]) -> None:
        screen = pilot.app.screen
        assert "En attente de validation" in screen_text(screen)
        with database.write() as uow:  # another registrar, at another terminal
            validate_reenrolment(uow, world.request_id, world.students.seeded.admin_id)
        await pilot.press("v")
        await settle(pilot)
        messages = [n.message for n in pilot.app._notifications]
        assert any("déjà été traitée" in message for message in messages), messages
        assert "Acceptée" in screen_text(screen)

    run(database, lambda: ReenrolmentDecisionScreen(world.request_id), scenario)
    with database.read() as uow:
        assert (
            len(uow.session.exec(select(Invoice).where(col(Invoice.term_id).is_not(None))).all())
            == 1
        )
