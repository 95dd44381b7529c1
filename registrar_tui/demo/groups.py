"""Course groups: every group's weekday, time, room and level, and next term's groups
rolled over from this term's (with room for every pending re-enrolment request, and one
full group with a waiting list, so the decision screen shows both).

Schedules come from the group's key by arithmetic, not from the random generator: adding
them changes no other row of a seed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import time, timedelta

from registrar_tui.demo.billing import LineSpec, create_invoice
from registrar_tui.demo.context import (
    CURRENT_TERM,
    DEMO_TODAY,
    NEXT_TERM,
    DemoContext,
    DisciplineInfo,
    at,
)
from registrar_tui.demo.people import FamilyProfile, StudentProfile
from registrar_tui.models import DisciplineKind, EnrolmentStatus, WaitingStatus

LEVELS = ("Débutant", "Intermédiaire", "Avancé")
_ROOMS = {"MTL": "Studio", "QC": "Salle", "GAT": "Local"}
FULL_GROUP_CAPACITY = 2
"""The demo's one full next-term group: two seats taken, a third student in line."""


@dataclass(frozen=True)
class GroupSpec:
    course_id: int
    term: int
    est: int
    discipline: DisciplineInfo
    section: int
    teacher_id: int


def schedule(
    ctx: DemoContext, est: int, discipline: DisciplineInfo, section: int
) -> dict[str, object]:
    """A group's weekday (Monday to Saturday), one-hour slot, room and level."""
    spread = discipline.index * 5 + section * 3 + est
    weekday = 1 + spread % 6
    if weekday == 6:  # Saturday mornings
        start = time(9 + (spread // 6) % 3)
    else:  # weekday evenings, after school
        start = time(16 + (spread // 6) % 4, 30 if discipline.kind is DisciplineKind.THEORY else 0)
    prefix = _ROOMS.get(ctx.ref.establishments[est].code, "Salle")
    return {
        "weekday": weekday,
        "starts_at": start,
        "ends_at": time(start.hour + 1, start.minute),
        "room": f"{prefix} {1 + (discipline.index * 7 + section) % 14}",
        "level": LEVELS[(section - 1) % len(LEVELS)],
        "closed_at": None,
    }


def add_group(
    ctx: DemoContext,
    term: int,
    est: int,
    discipline: DisciplineInfo,
    section: int,
    teacher_id: int,
    *,
    capacity: int | None = None,
    rolled_from: int | None = None,
) -> int:
    """Write a course group; remembered (`ctx.groups`) for the rollover."""
    course_id = ctx.new_id("course")
    ctx.add(
        "course",
        {
            "id": course_id,
            "term_id": ctx.ref.terms[term].id,
            "establishment_id": ctx.ref.establishments[est].id,
            "discipline_id": discipline.id,
            "teacher_id": teacher_id,
            "section": f"{section:02d}",
            "capacity": capacity or discipline.capacity,
            "rolled_from_id": rolled_from,
            **schedule(ctx, est, discipline, section),
        },
    )
    ctx.groups.append(GroupSpec(course_id, term, est, discipline, section, teacher_id))
    return course_id


def roll_over(ctx: DemoContext, families: list[FamilyProfile]) -> None:
    """Next term's groups: a copy of each of this term's (same teacher, time, capacity,
    `rolled_from_id` set), more sections where the pending requests need them, and one
    full group with a student in line."""
    current = [g for g in ctx.groups if g.term == CURRENT_TERM]
    seats: dict[tuple[int, int], int] = defaultdict(int)
    last: dict[tuple[int, int], int] = defaultdict(int)
    for group in current:
        key = (group.est, group.discipline.index)
        add_group(ctx, NEXT_TERM, group.est, group.discipline, group.section, group.teacher_id,
                  rolled_from=group.course_id)  # fmt: skip
        seats[key] += group.discipline.capacity
        last[key] = max(last[key], group.section)
    for (est, index), wanted in sorted(ctx.reenrolment_demand.items()):
        discipline = ctx.ref.disciplines[index]
        while seats[(est, index)] < wanted:
            section = last[(est, index)] + 1
            add_group(ctx, NEXT_TERM, est, discipline, section,
                      ctx.teacher_for(est, discipline, section))  # fmt: skip
            seats[(est, index)] += discipline.capacity
            last[(est, index)] = section
    _full_group(ctx, families, current, last)


def _full_group(
    ctx: DemoContext,
    families: list[FamilyProfile],
    current: list[GroupSpec],
    last: dict[tuple[int, int], int],
) -> None:
    """An extra next-term section of a busy group, its two seats taken by students who
    re-enrolled early (billed their tuition), a third student waiting in line; none of
    them has a pending request."""
    by_family = {f.id: f for f in families}
    for group in current:
        students = [
            s for s in ctx.course_students.get(group.course_id, ())
            if s.id not in ctx.requesting and not by_family[s.family_id].scripted
        ]  # fmt: skip
        if len(students) < FULL_GROUP_CAPACITY + 1:
            continue
        key = (group.est, group.discipline.index)
        section = last[key] + 1
        last[key] = section
        course_id = add_group(ctx, NEXT_TERM, group.est, group.discipline, section,
                              group.teacher_id, capacity=FULL_GROUP_CAPACITY)  # fmt: skip
        for student in students[:FULL_GROUP_CAPACITY]:
            _enrol_early(ctx, by_family[student.family_id], student, course_id, group.discipline)
        waiting = students[FULL_GROUP_CAPACITY]
        ctx.add(
            "waiting_list_entry",
            {
                "id": ctx.new_id("waiting_list_entry"),
                "course_id": course_id,
                "student_id": waiting.id,
                "position": 1,
                "status": WaitingStatus.WAITING,
                "reenrolment_request_id": None,
                "added_at": at(DEMO_TODAY - timedelta(days=4), 15),
                "added_by_id": ctx.ref.staff["registrar"],
                "offered_at": None,
                "closed_at": None,
                "closed_by_id": None,
                "reason": "",
                "enrolment_id": None,
            },
        )
        return


def _enrol_early(
    ctx: DemoContext,
    family: FamilyProfile,
    student: StudentProfile,
    course_id: int,
    discipline: DisciplineInfo,
) -> None:
    term = ctx.ref.terms[NEXT_TERM]
    ctx.add(
        "enrolment",
        {
            "id": ctx.new_id("enrolment"),
            "student_id": student.id,
            "course_id": course_id,
            "status": EnrolmentStatus.ACTIVE,
            "enrolled_at": at(DEMO_TODAY - timedelta(days=10), 15),
            "dropped_at": None,
            "attendance_confirmed_at": None,
            "final_mark": None,
            "teacher_comment": "",
        },
    )
    fee = ctx.ref.fees[NEXT_TERM][f"SCO-{discipline.code}"]
    create_invoice(
        ctx,
        family,
        description=f"Réinscription — session {term.code}",
        lines=[LineSpec(fee.code, fee.description, fee.amount_cents)],
        issued_on=DEMO_TODAY - timedelta(days=10),
        due_on=term.due_on,
        term=term,
        student_id=student.id,
    )
