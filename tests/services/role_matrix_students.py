"""The role matrix's rows for keeping a student's record (admission, identity, health,
status); see `role_matrix_actions` for how a row runs."""

from __future__ import annotations

from registrar_tui.services.records import students
from registrar_tui.services.records.students import StudentHealthChange, StudentIdentityChange
from tests.services.role_matrix_actions import ALL_STAFF, SUPERVISORS, Action, _write
from tests.services.role_matrix_data import MatrixWorld


def _identity(first_name: str) -> StudentIdentityChange:
    return StudentIdentityChange(
        first_name=first_name, last_name="Matrice", sex="F", birth_date="2015-05-05",
        code_permanent="",
    )  # fmt: skip


def _health(user: int) -> StudentHealthChange:
    return StudentHealthChange(
        emergency_contact_name="Urgence",
        emergency_contact_phone=f"514-555-01{user % 100:02d}",
        allergies=f"Pollen {user}",
        medical_conditions="",
    )


def _admit(mw: MatrixWorld, user: int) -> object:
    return _write(
        mw, students.admit_student, mw.world.family_id, user, _identity(f"Admise {user}"),
        _health(user), allow_duplicates=True,
    )  # fmt: skip


def _status(mw: MatrixWorld, user: int) -> object:
    student_id = mw.world.student_id
    _write(mw, students.change_student_status, student_id, user, "withdrawn", reason="Départ")
    return _write(mw, students.change_student_status, student_id, user, "active")


STUDENT_RECORDS: tuple[Action, ...] = (
    Action("admit a student", ALL_STAFF, _admit, (students.admit_student,)),
    Action(
        "edit student identity",
        SUPERVISORS,
        lambda mw, user: _write(
            mw,
            students.update_student_identity,
            mw.world.student_id,
            user,
            _identity(f"Corrigée {user}"),
        ),
        (students.update_student_identity,),
    ),
    Action(
        "edit student health and emergency contact",
        ALL_STAFF,
        lambda mw, user: _write(
            mw, students.update_student_health, mw.world.student_id, user, _health(user)
        ),
        (students.update_student_health,),
    ),
    Action("change student status", SUPERVISORS, _status, (students.change_student_status,)),
)
