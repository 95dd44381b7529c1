"""Rollover: a dry run, then the copy in one transaction, never twice."""

from __future__ import annotations

from datetime import time

import pytest

from registrar_tui.db import Database
from registrar_tui.models import Course
from registrar_tui.services.core.errors import InvalidInput, NotFound, PermissionDenied
from registrar_tui.services.school_year import groups, rollover
from registrar_tui.services.school_year.groups import GroupDraft, GroupFilter
from registrar_tui.services.school_year.rollover import SkipReason
from tests.services.school_year.world import (
    YearWorld,
    audit,
    audit_count,
    build_year,
    course_count,
)


@pytest.fixture
def world(database: Database) -> YearWorld:
    return build_year(database)


def test_the_dry_run_lists_what_would_be_created_and_writes_nothing(world: YearWorld) -> None:
    before = audit_count(world.db)
    with world.db.read() as uow:
        plan = rollover.plan_rollover(uow, "AUT-2026", "hiv-2027")
    assert [item.source.section for item in plan.to_create] == ["01"]
    assert [(i.source.section, i.skipped) for i in plan.skipped] == [("02", SkipReason.CLOSED)]
    assert course_count(world.db, world.winter_id) == 0
    assert audit_count(world.db) == before


def test_the_rollover_copies_teacher_time_room_capacity_and_remembers_its_origin(
    world: YearWorld,
) -> None:
    seen: list[tuple[int, int]] = []
    with world.db.write() as uow:
        result = rollover.roll_over(
            uow,
            actor_id=world.registrar_id,
            source_code="AUT-2026",
            target_code="HIV-2027",
            progress=lambda done, total: seen.append((done, total)),
        )
    assert seen == [(1, 1)]
    [new_id] = result.created
    with world.db.read() as uow:
        origin = uow.session.get_one(Course, new_id).rolled_from_id
        row = groups.group_row(uow, new_id)
    assert origin == world.piano01_id
    assert (row.term_code, row.teacher, row.weekday, row.starts_at, row.room, row.capacity) == (
        "HIV-2027",
        "Marie Tremblay",
        2,
        time(16, 0),
        "B-201",
        8,
    )
    assert (row.level, row.section, row.seats_taken) == ("Débutant", "01", 0)
    [(before, after)] = audit(world.db, "term.rollover")
    assert before == {} and after["created"] == 1 and after["course_ids"] == [new_id]


def test_running_it_twice_creates_nothing_twice(world: YearWorld) -> None:
    for _ in range(2):
        with world.db.write() as uow:
            result = rollover.roll_over(
                uow, actor_id=world.admin_id, source_code="AUT-2026", target_code="HIV-2027"
            )
    assert result.created == ()
    assert {i.skipped for i in result.plan.skipped} == {
        SkipReason.ALREADY_ROLLED,
        SkipReason.CLOSED,
    }
    assert course_count(world.db, world.winter_id) == 1
    assert len(audit(world.db, "term.rollover")) == 1  # nothing created: no event


def test_a_group_made_by_hand_in_the_target_is_not_duplicated(world: YearWorld) -> None:
    with world.db.write() as uow:
        groups.create_group(
            uow,
            actor_id=world.admin_id,
            term_id=world.winter_id,
            draft=GroupDraft(
                establishment_id=world.montreal_id,
                discipline_id=world.piano_id,
                section="01",
                teacher_id=None,
                weekday="",
                starts_at="",
                ends_at="",
                room="",
                capacity="5",
                level="",
            ),
        )
    with world.db.read() as uow:
        plan = rollover.plan_rollover(uow, "AUT-2026", "HIV-2027")
    assert plan.to_create == ()
    assert SkipReason.SECTION_EXISTS in {i.skipped for i in plan.skipped}


def test_a_clerk_does_not_roll_over(world: YearWorld) -> None:
    with pytest.raises(PermissionDenied), world.db.write() as uow:
        rollover.roll_over(
            uow, actor_id=world.clerk_id, source_code="AUT-2026", target_code="HIV-2027"
        )
    assert course_count(world.db, world.winter_id) == 0


@pytest.mark.parametrize(
    ("source", "target", "field", "error"),
    [
        ("AUT-2026", "AUT-2026", "target", InvalidInput),
        ("HIV-2027", "AUT-2026", "target", InvalidInput),
        ("AUT-2025", "HIV-2027", "source", NotFound),
        ("AUT-2026", "ETE-2027", "target", NotFound),
    ],
)
def test_wrong_terms_are_refused(
    world: YearWorld, source: str, target: str, field: str, error: type[Exception]
) -> None:
    with pytest.raises(error) as refused, world.db.read() as uow:
        rollover.plan_rollover(uow, source, target)
    assert getattr(refused.value, "field", None) == field


def test_the_copies_are_listed_in_the_target_term(world: YearWorld) -> None:
    with world.db.write() as uow:
        rollover.roll_over(
            uow, actor_id=world.registrar_id, source_code="AUT-2026", target_code="HIV-2027"
        )
    with world.db.read() as uow:
        page = groups.list_groups(uow, GroupFilter(term_id=world.winter_id))
    assert [(r.discipline.code, r.section, r.rolled_from_id) for r in page.rows] == [
        ("PIA", "01", world.piano01_id)
    ]
