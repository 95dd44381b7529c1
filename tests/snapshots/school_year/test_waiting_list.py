"""SVG snapshots of a group's waiting list at 80×24 and 120×36: winter piano 02 (full),
Léa offered the seat Hugo freed, a second student still waiting."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot

from registrar_tui.db import Database
from registrar_tui.models import Enrolment, Student
from registrar_tui.screens.school_year.waiting_list import WaitingListScreen
from registrar_tui.services.records.enrolment import drop_course
from registrar_tui.services.school_year.waiting_lists import join_waiting_list
from tests.screens.desk.reenrolment_fixtures import ReenrolmentWorld, seed_reenrolment
from tests.screens.fixtures import REGISTRAR_PASSWORD, REGISTRAR_USERNAME
from tests.screens.helpers import settle, sign_in
from tests.snapshots.support import AppFactory, SnapCompare, still


@pytest.fixture
def world_db(snapshot_db: Database) -> tuple[Database, ReenrolmentWorld]:
    world = seed_reenrolment(snapshot_db)
    registrar = world.students.registrar_id
    group = world.other_piano["02"]
    with snapshot_db.write() as uow:
        for student_id in (world.students.lea_id, world.students.markup_id):
            join_waiting_list(uow, actor_id=registrar, course_id=group, student_id=student_id)
        assert uow.session.get(Student, world.students.markup_id) is not None
    with snapshot_db.write() as uow:
        hugo = uow.session.exec(select(Enrolment.id).where(col(Enrolment.course_id) == group)).one()
        assert hugo is not None
        drop_course(uow, actor_id=registrar, enrolment_id=hugo)
    return snapshot_db, world


def test_waiting_list(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    world_db: tuple[Database, ReenrolmentWorld],
    size: tuple[int, int],
) -> None:
    db, world = world_db

    async def run_before(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)
        await pilot.app.push_screen(WaitingListScreen(world.other_piano["02"]))
        await still(pilot)

    assert snap_compare(snapshot_app(db), terminal_size=size, run_before=run_before)
