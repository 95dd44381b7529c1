"""The role matrix, continued: a group's waiting list (registrar and admin only)."""

from __future__ import annotations

from sqlmodel import col, select

from registrar_tui.models import WaitingListEntry
from registrar_tui.models.base import WaitingStatus
from registrar_tui.services.school_year import waiting_lists
from tests.services import role_matrix_data as data
from tests.services.role_matrix_actions import SUPERVISORS, Action, _write
from tests.services.role_matrix_data import MatrixWorld


def fresh_entry(mw: MatrixWorld, *, offered: bool = False) -> int:
    """A new student in line for the full winter piano section 01 (offered a seat if asked)."""
    _family, student_id = data.fresh_family(mw)
    with mw.db.write() as uow:
        place = waiting_lists.join_waiting_list(
            uow,
            actor_id=mw.world.school.admin_id,
            course_id=mw.world.courses["HIV-PIA-01"],
            student_id=student_id,
        )
        if offered:
            entry = uow.session.exec(
                select(WaitingListEntry).where(col(WaitingListEntry.id) == place.entry_id)
            ).one()
            entry.status = WaitingStatus.OFFERED
            entry.offered_at = uow.now()
            uow.session.add(entry)
    return place.entry_id


def _join(mw: MatrixWorld, user: int) -> object:
    _family, student_id = data.fresh_family(mw)
    return _write(
        mw,
        waiting_lists.join_waiting_list,
        actor_id=user,
        course_id=mw.world.courses["HIV-PIA-01"],
        student_id=student_id,
    )


WAITING_LISTS: tuple[Action, ...] = (
    Action("join a waiting list", SUPERVISORS, _join, (waiting_lists.join_waiting_list,)),
    Action(
        "offer free seats",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, waiting_lists.offer_free_seats, mw.world.courses["HIV-PIA-01"], user
        ),
        (waiting_lists.offer_free_seats,),
    ),
    Action(
        "accept a seat offered",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, waiting_lists.accept_offer, fresh_entry(mw, offered=True), user
        ),
        (waiting_lists.accept_offer,),
    ),
    Action(
        "remove from a waiting list",
        SUPERVISORS,
        lambda mw, user: _write(
            mw, waiting_lists.remove_from_list, fresh_entry(mw), user, "Abandon"
        ),
        (waiting_lists.remove_from_list,),
    ),
    Action(
        "move in a waiting list",
        SUPERVISORS,
        lambda mw, user: _write(mw, waiting_lists.move_in_line, fresh_entry(mw), user, up=True),
        (waiting_lists.move_in_line,),
    ),
)
