"""Build a year's slips: originals, amendments and cancellations, never an edit.

For each student and kind (RL-8, T2202) the *current* slip is the last of its chain (the
one no other slip amends). `build_slips` compares it with the amounts of today:

- no current slip (or a cancelled one) and something to report → an original « R »;
- a current slip whose boxes differ → an amendment « A » naming it;
- a current slip and nothing to report any more → a cancellation « D » naming it (its
  boxes repeat the cancelled slip's, as Revenu Québec's cancelled slips do).

Numbers are gapless per year and kind (`number_sequence` key `slip-<kind>-<year>`), taken
in one counter update for the whole run. Students without a SIN get their slips all the
same (box 17 blank: the slip is owed to them) and are listed in the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import NumberSequence, Role, SlipKind, SlipStatus, Student, TaxSlip
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.clock import utc_now
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.services.core.money import to_cents
from registrar_tui.services.tax_slips.amounts import StudentAmounts, year_amounts

ADMIN = (Role.ADMIN,)
FIRST_YEAR = 2000


@dataclass(frozen=True)
class SlipAction:
    """What a run does (or would do) for one student's slip of one kind."""

    kind: SlipKind
    status: SlipStatus
    student_id: int
    student_number: str
    student_name: str
    eligible_tuition: Decimal
    amends_number: int | None = None
    number: int | None = None
    """None in a dry run."""


@dataclass(frozen=True)
class MissingSin:
    student_id: int
    student_number: str
    student_name: str


@dataclass(frozen=True)
class SlipRun:
    """The report of a run: what was (or would be) issued, who has no SIN."""

    year: int
    dry_run: bool
    actions: tuple[SlipAction, ...]
    missing_sin: tuple[MissingSin, ...]

    def count(self, kind: SlipKind, status: SlipStatus) -> int:
        return sum(1 for a in self.actions if a.kind == kind and a.status == status)


def sequence_key(kind: SlipKind, year: int) -> str:
    return f"slip-{kind.value}-{year}"


def _locked_last(uow: UnitOfWork, key: str) -> int:
    """The sequence's last number, its row created if needed and locked to the end of the
    transaction (a second build of the same year waits here)."""
    session = uow.session
    postgresql = session.get_bind().dialect.name == "postgresql"
    upsert = pg_insert if postgresql else sqlite_insert
    session.execute(
        upsert(NumberSequence)
        .values(key=key, last_value=0)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return int(
        session.execute(
            select(col(NumberSequence.last_value))
            .where(col(NumberSequence.key) == key)
            .with_for_update()
        ).scalar_one()
    )


def _take_numbers(uow: UnitOfWork, key: str, count: int) -> int:
    """The first of `count` consecutive numbers of the sequence `key` (locked, gapless)."""
    session = uow.session
    last = _locked_last(uow, key)
    session.execute(
        update(NumberSequence)
        .where(col(NumberSequence.key) == key)
        .values(last_value=int(last) + count)
        .execution_options(synchronize_session=False)
    )
    return int(last) + 1


def current_slips(uow: UnitOfWork, year: int) -> dict[tuple[int, SlipKind], TaxSlip]:
    """(student id, kind) → the last slip of its chain for `year`."""
    slips = list(uow.session.exec(select(TaxSlip).where(col(TaxSlip.year) == year)))
    replaced = {slip.amends_id for slip in slips if slip.amends_id is not None}
    return {(slip.student_id, slip.kind): slip for slip in slips if slip.id not in replaced}


def _boxes(slip: TaxSlip) -> tuple[object, ...]:
    return (
        slip.eligible_tuition,
        slip.full_time_sessions,
        slip.months_part_time,
        slip.months_full_time,
        slip.periods,
        slip.program_name,
        slip.has_sin,
    )


def _new_boxes(amounts: StudentAmounts, has_sin: bool) -> tuple[object, ...]:
    return (
        amounts.eligible_tuition,
        amounts.full_time_sessions,
        amounts.months_part_time,
        amounts.months_full_time,
        amounts.periods_text,
        amounts.program_name,
        has_sin,
    )


def build_slips(
    uow: UnitOfWork,
    actor_id: int,
    year: int,
    *,
    dry_run: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> SlipRun:
    """Issue (or, in a dry run, list) the originals, amendments and cancellations of `year`.

    Admin only. One transaction: every slip of the run, its numbers and one audit event
    `tax_slips.build` with the counts. Refuses: `PermissionDenied` (not an active admin),
    `InvalidInput` (a year before 2000 or not yet over at the school's clock).
    `progress(done, total)` is called as students are handled (the CLI's progress bar).
    """
    active_staff(uow, actor_id, roles=ADMIN)
    now = utc_now(uow)
    if year < FIRST_YEAR or year > now.year:
        raise InvalidInput(N_("Année invalide pour les relevés."), field="year")
    if not dry_run:
        # Both sequences locked before anything is read: two builds of the same year
        # run one after the other, the second seeing the first one's slips.
        for kind in (SlipKind.RL8, SlipKind.T2202):
            _locked_last(uow, sequence_key(kind, year))
    amounts = year_amounts(uow, year)
    current = current_slips(uow, year)
    student_ids = sorted({sid for sid in amounts} | {sid for sid, _kind in current})
    students: dict[int, tuple[str, str, int, bool]] = {}
    for chunk_start in range(0, len(student_ids), 2000):
        chunk = student_ids[chunk_start : chunk_start + 2000]
        for sid, number, first, last, family_id, sin in uow.session.execute(
            sa_select(
                col(Student.id),
                col(Student.student_number),
                col(Student.first_name),
                col(Student.last_name),
                col(Student.family_id),
                col(Student.social_insurance_number),
            ).where(col(Student.id).in_(chunk))
        ):
            assert sid is not None
            students[sid] = (number, f"{first} {last}".strip(), family_id, bool(sin))
    planned: list[tuple[SlipAction, StudentAmounts | None, TaxSlip | None]] = []
    missing: list[MissingSin] = []
    total = len(student_ids)
    for done, student_id in enumerate(student_ids, start=1):
        number, name, _family_id, has_sin = students[student_id]
        found = amounts.get(student_id)
        issued_any = False
        for kind in (SlipKind.RL8, SlipKind.T2202):
            needed = found is not None and (
                found.needs_rl8 if kind == SlipKind.RL8 else found.needs_t2202
            )
            slip = current.get((student_id, kind))
            live = slip if slip is not None and slip.status != SlipStatus.CANCELLED else None
            if needed and found is not None:
                if live is None:
                    status = SlipStatus.ORIGINAL
                elif _boxes(live) != _new_boxes(found, has_sin):
                    status = SlipStatus.AMENDED
                else:
                    issued_any = True
                    continue
                issued_any = True
                planned.append(
                    (
                        SlipAction(
                            kind,
                            status,
                            student_id,
                            number,
                            name,
                            found.eligible_tuition,
                            live.number if live is not None else None,
                        ),
                        found,
                        live,
                    )
                )
            elif live is not None:
                planned.append(
                    (
                        SlipAction(
                            kind,
                            SlipStatus.CANCELLED,
                            student_id,
                            number,
                            name,
                            live.eligible_tuition,
                            live.number,
                        ),
                        None,
                        live,
                    )
                )
        if issued_any and not has_sin:
            missing.append(MissingSin(student_id, number, name))
        if progress is not None and (done % 500 == 0 or done == total):
            progress(done, total)
    if dry_run:
        return SlipRun(year, True, tuple(a for a, _f, _l in planned), tuple(missing))
    actions = _issue(uow, actor_id, year, planned, students)
    record_event(
        uow,
        actor_id,
        "tax_slips.build",
        "tax_slip",
        None,
        {},
        {
            "year": year,
            "issued": len(actions),
            "missing_sin": len(missing),
            "eligible_tuition_cents": to_cents(
                sum(
                    (a.eligible_tuition for a in actions if a.status != SlipStatus.CANCELLED),
                    Decimal(0),
                )
            ),
        },
    )
    return SlipRun(year, False, actions, tuple(missing))


def _issue(
    uow: UnitOfWork,
    actor_id: int,
    year: int,
    planned: list[tuple[SlipAction, StudentAmounts | None, TaxSlip | None]],
    students: dict[int, tuple[str, str, int, bool]],
) -> tuple[SlipAction, ...]:
    now = utc_now(uow)
    next_number: dict[SlipKind, int] = {}
    for kind in (SlipKind.RL8, SlipKind.T2202):
        count = sum(1 for action, _f, _l in planned if action.kind == kind)
        if count:
            next_number[kind] = _take_numbers(uow, sequence_key(kind, year), count)
    rows: list[dict[str, Any]] = []
    actions: list[SlipAction] = []
    for action, found, live in planned:
        number = next_number[action.kind]
        next_number[action.kind] += 1
        has_sin = students[action.student_id][3]
        if found is not None:
            boxes = {
                "eligible_tuition": found.eligible_tuition,
                "full_time_sessions": found.full_time_sessions,
                "months_part_time": found.months_part_time,
                "months_full_time": found.months_full_time,
                "periods": found.periods_text,
                "program_name": found.program_name,
                "has_sin": has_sin,
            }
        else:
            assert live is not None
            boxes = {
                "eligible_tuition": live.eligible_tuition,
                "full_time_sessions": live.full_time_sessions,
                "months_part_time": live.months_part_time,
                "months_full_time": live.months_full_time,
                "periods": live.periods,
                "program_name": live.program_name,
                "has_sin": live.has_sin,
            }
        rows.append(
            {
                "year": year,
                "kind": action.kind.value,
                "number": number,
                "status": action.status.value,
                "amends_id": live.id if live is not None else None,
                "student_id": action.student_id,
                "family_id": students[action.student_id][2],
                "built_at": now,
                "built_by_id": actor_id,
                **boxes,
            }
        )
        actions.append(
            SlipAction(
                action.kind,
                action.status,
                action.student_id,
                action.student_number,
                action.student_name,
                action.eligible_tuition,
                action.amends_number,
                number,
            )
        )
    for chunk_start in range(0, len(rows), 1000):
        uow.session.execute(insert(TaxSlip), rows[chunk_start : chunk_start + 1000])
    return tuple(actions)
