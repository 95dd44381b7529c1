"""The role matrix's rows for the tax slips and the student's SIN (issue #16 part 4)."""

from __future__ import annotations

from registrar_tui.services.records import sin
from registrar_tui.services.tax_slips import build, portal, setup
from tests.services.role_matrix_actions import ADMIN, ALL_STAFF, SUPERVISORS, Action, _write
from tests.services.role_matrix_data import MatrixWorld

STUDENT_SIN = "130692544"


def _reveal(mw: MatrixWorld, user: int) -> object:
    admin = mw.user("admin")
    _write(mw, sin.set_student_sin, admin, mw.world.student_id, STUDENT_SIN)
    return _write(mw, sin.reveal_student_sin, user, mw.world.student_id)


TAX_SLIPS: tuple[Action, ...] = (
    Action(
        "type a student's SIN",
        ALL_STAFF,
        lambda mw, user: _write(mw, sin.set_student_sin, user, mw.world.student_id, STUDENT_SIN),
        (sin.set_student_sin,),
    ),
    Action("reveal a student's SIN", SUPERVISORS, _reveal, (sin.reveal_student_sin,)),
    Action(
        "mark fee codes eligible tuition",
        ADMIN,
        lambda mw, user: _write(mw, setup.set_fee_codes_eligible, user, ["SCOL"]),
        (setup.set_fee_codes_eligible,),
    ),
    Action(
        "programme flags (tax slips)",
        ADMIN,
        lambda mw, user: _write(
            mw, setup.set_programme_flags, user, "PIA", post_secondary=True, full_time=False
        ),
        (setup.set_programme_flags,),
    ),
    Action(
        "portal sends a student's SIN",
        frozenset(),
        lambda mw, user: _write(
            mw, portal.portal_set_student_sin, user, "P-NOBODY", "000000000", STUDENT_SIN
        ),
        (portal.portal_set_student_sin,),
    ),
    Action(
        "build tax slips",
        ADMIN,
        lambda mw, user: _write(mw, build.build_slips, user, 2025, dry_run=False),
        (build.build_slips,),
    ),
)
