"""Rollover: next term's groups copied from this term's (a dry run first, then for real).

Every open group of the source term is copied into the target term with the same
establishment, discipline, section, teacher, weekday, times, room, capacity and level;
the copy remembers its origin (`rolled_from_id`, unique). A group is skipped when it was
already copied (running the rollover twice creates nothing twice), when the target term
already has a group with the same establishment, discipline and section (made by hand),
or when it is closed. The dry run (`plan_rollover`) and the rollover (`roll_over`) make
the same plan, so what the registrar saw is what gets written.

The rollover is one transaction and one audit event on the target term, with the count
and the ids of the groups created (the groups are new rows: their full values are the
source's, which the trail already holds). Nothing created: no event.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Course, Term
from registrar_tui.models.base import require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.services.school_year.groups import GroupFilter, GroupRow, list_groups
from registrar_tui.services.school_year.terms import SCHOOL_YEAR_EDITORS, term_by_code

MSG_SAME_TERM = N_("La session d'origine et la session visée sont la même.")
MSG_BACKWARDS = N_("La session {target} commence avant {source} : le report va vers l'avant.")

ProgressCallback = Callable[[int, int], None]
"""Called with (groups handled, groups to create) as the rollover goes."""


class SkipReason(StrEnum):
    ALREADY_ROLLED = "already_rolled"
    SECTION_EXISTS = "section_exists"
    CLOSED = "closed"


SKIP_LABELS = {
    SkipReason.ALREADY_ROLLED: N_("déjà reporté"),
    SkipReason.SECTION_EXISTS: N_("groupe déjà créé dans la session visée"),
    SkipReason.CLOSED: N_("groupe fermé"),
}


@dataclass(frozen=True)
class RolloverItem:
    """A source group and, when skipped, why."""

    source: GroupRow
    skipped: SkipReason | None = None


@dataclass(frozen=True)
class RolloverPlan:
    source_code: str
    target_code: str
    target_term_id: int
    to_create: tuple[RolloverItem, ...]
    skipped: tuple[RolloverItem, ...]


@dataclass(frozen=True)
class RolloverResult:
    plan: RolloverPlan
    created: tuple[int, ...]
    """Ids of the groups created, in the plan's order."""


def _terms(uow: UnitOfWork, source_code: str, target_code: str) -> tuple[Term, Term]:
    source = term_by_code(uow, source_code, field="source")
    target = term_by_code(uow, target_code, field="target")
    if source.id == target.id:
        raise InvalidInput(MSG_SAME_TERM, field="target")
    if target.starts_on <= source.starts_on:
        raise InvalidInput(MSG_BACKWARDS, field="target", target=target.code, source=source.code)
    return source, target


def _plan(uow: UnitOfWork, source: Term, target: Term) -> RolloverPlan:
    groups: list[GroupRow] = []
    offset = 0
    while True:
        page = list_groups(uow, GroupFilter(term_id=require_id(source)), offset=offset, limit=500)
        groups.extend(page.rows)
        if not page.has_more:
            break
        offset += page.limit
    ids = [group.course_id for group in groups]
    rolled = (
        set(
            uow.session.exec(
                select(col(Course.rolled_from_id)).where(col(Course.rolled_from_id).in_(ids))
            )
        )
        if ids
        else set()
    )
    existing = {
        (c.establishment_id, c.discipline_id, c.section)
        for c in uow.session.exec(select(Course).where(col(Course.term_id) == target.id))
    }
    to_create: list[RolloverItem] = []
    skipped: list[RolloverItem] = []
    for group in groups:
        key = (group.establishment_id, group.discipline.discipline_id, group.section)
        if group.course_id in rolled:
            skipped.append(RolloverItem(group, SkipReason.ALREADY_ROLLED))
        elif key in existing:
            skipped.append(RolloverItem(group, SkipReason.SECTION_EXISTS))
        elif group.is_closed:
            skipped.append(RolloverItem(group, SkipReason.CLOSED))
        else:
            to_create.append(RolloverItem(group))
    return RolloverPlan(
        source_code=source.code,
        target_code=target.code,
        target_term_id=require_id(target),
        to_create=tuple(to_create),
        skipped=tuple(skipped),
    )


def plan_rollover(uow: UnitOfWork, source_code: str, target_code: str) -> RolloverPlan:
    """The dry run: what `roll_over` would create and what it would skip, writing nothing.

    Refuses: an unknown term (NotFound, field "source"/"target"), the same term twice or
    a target that starts before the source (InvalidInput, field "target").
    """
    source, target = _terms(uow, source_code, target_code)
    return _plan(uow, source, target)


def roll_over(
    uow: UnitOfWork,
    *,
    actor_id: int,
    source_code: str,
    target_code: str,
    progress: ProgressCallback | None = None,
) -> RolloverResult:
    """Copy the source term's open groups into the target term (see the module).

    Refuses as `plan_rollover` does, and PermissionDenied (a clerk). Idempotent: a group
    already copied is skipped, so a second run creates nothing.
    """
    active_staff(uow, actor_id, SCHOOL_YEAR_EDITORS)
    source, target = _terms(uow, source_code, target_code)
    # The source term's rows are locked while the plan is made: two registrars rolling
    # over at once cannot both copy a group (the unique rolled_from_id backs this up).
    uow.session.exec(select(Course.id).where(col(Course.term_id) == source.id).with_for_update())
    plan = _plan(uow, source, target)
    created: list[int] = []
    total = len(plan.to_create)
    for done, item in enumerate(plan.to_create, start=1):
        group = item.source
        course = Course(
            term_id=require_id(target),
            establishment_id=group.establishment_id,
            discipline_id=group.discipline.discipline_id,
            section=group.section,
            teacher_id=group.teacher_id,
            weekday=group.weekday,
            starts_at=group.starts_at,
            ends_at=group.ends_at,
            room=group.room,
            capacity=group.capacity,
            level=group.level,
            rolled_from_id=group.course_id,
        )
        uow.session.add(course)
        uow.session.flush()
        created.append(require_id(course))
        if progress is not None:
            progress(done, total)
    if created:
        record_event(
            uow,
            actor_id,
            "term.rollover",
            "term",
            target.id,
            {},
            {
                "from": source.code,
                "to": target.code,
                "created": len(created),
                "skipped": len(plan.skipped),
                "course_ids": created,
            },
        )
    return RolloverResult(plan=plan, created=tuple(created))
