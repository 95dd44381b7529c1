"""Exporting families, students and balances in the import format (docs/import.md), so
another copy of the program — or this one, after a fresh start — can import them back.

The old ids written are this program's own numbers: the family number for a family (and
its balance), the student number for a student.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import select
from sqlmodel import col

from registrar_tui.db import UnitOfWork
from registrar_tui.models import Establishment, Family, Guardian, Student
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.services.interchange.csv_out import CsvFormat, csv_bytes
from registrar_tui.services.interchange.families import GUARDIAN_COLUMNS, SIDES
from registrar_tui.services.records.families import family_balance

EXPORT_KINDS = ("families", "students", "balances")

FAMILY_HEADER = (
    "ancien_id",
    "etablissement",
    "nom_famille",
    "no_famille",
    "langue",
    "portail_id",
    "payeur",
    *(f"{side}_{french}" for side in SIDES for french, _ in GUARDIAN_COLUMNS.values()),
)
STUDENT_HEADER = (
    "ancien_id",
    "famille_ancien_id",
    "prenom",
    "nom",
    "date_naissance",
    "sexe",
    "code_permanent",
    "no_eleve",
    "etablissement",
    "ecole",
    "niveau",
)
BALANCE_HEADER = ("famille_ancien_id", "montant", "date", "description")


def _codes(uow: UnitOfWork) -> dict[int, str]:
    return dict(list(uow.session.execute(select(col(Establishment.id), col(Establishment.code)))))


def _family_rows(uow: UnitOfWork) -> Iterator[list[str]]:
    codes = _codes(uow)
    guardians: dict[int, list[Guardian]] = {}
    for guardian in uow.session.execute(
        select(Guardian)
        .where(col(Guardian.removed_at).is_(None))
        .order_by(col(Guardian.family_id), col(Guardian.is_payer).desc(), col(Guardian.id))
    ).scalars():
        guardians.setdefault(guardian.family_id, []).append(guardian)
    for family in uow.session.execute(select(Family).order_by(col(Family.family_number))).scalars():
        people = guardians.get(family.id or 0, [])[:2]
        cells = [
            family.family_number,
            codes[family.establishment_id],
            family.name,
            family.family_number,
            str(family.language),
            family.portal_id or "",
            "1",
        ]
        for index in range(len(SIDES)):
            person = people[index] if index < len(people) else None
            for field in GUARDIAN_COLUMNS:
                value = getattr(person, field) if person is not None else ""
                cells.append("" if value is None else str(value))
        yield cells


def _student_rows(uow: UnitOfWork) -> Iterator[list[str]]:
    codes = _codes(uow)
    for student, family_number in uow.session.execute(
        select(Student, col(Family.family_number))
        .join(Family, col(Family.id) == col(Student.family_id))
        .order_by(col(Student.student_number))
    ):
        yield [
            student.student_number,
            family_number,
            student.first_name,
            student.last_name,
            student.birth_date.isoformat(),
            str(student.sex) if student.sex else "",
            student.code_permanent or "",
            student.student_number,
            codes[student.establishment_id],
            student.school_name,
            student.school_level,
        ]


def _balance_rows(uow: UnitOfWork) -> Iterator[list[str]]:
    today = local_date(uow.now()).isoformat()
    for family_id, number in uow.session.execute(
        select(col(Family.id), col(Family.family_number)).order_by(col(Family.family_number))
    ):
        owed = family_balance(uow, family_id)
        if owed > 0:
            yield [number, f"{owed:.2f}", today, ""]


def export_table(uow: UnitOfWork, kind: str) -> tuple[Sequence[str], Iterator[list[str]]]:
    """The header and rows of `kind` (families, students, balances) in the import format.
    Balances: what each family owes today (a family's credit is not exported: an import
    refuses it, docs/import.md). Refuses an unknown kind (`InvalidInput`)."""
    if kind == "families":
        return FAMILY_HEADER, _family_rows(uow)
    if kind == "students":
        return STUDENT_HEADER, _student_rows(uow)
    if kind == "balances":
        return BALANCE_HEADER, _balance_rows(uow)
    raise InvalidInput(field="kind")


def to_csv(
    header: Sequence[str], rows: Iterator[list[str]], fmt: CsvFormat = CsvFormat()
) -> tuple[bytes, int]:
    """The CSV bytes (UTF-8 with BOM by default: Excel opens accents right) and the row
    count, through the one CSV writer of the exports (csv_out: a character the encoding
    cannot hold is refused with its line, never replaced; a cell that a spreadsheet would
    run as a formula starts with « ' », which the import takes off again)."""
    materialised = list(rows)
    return csv_bytes(header, materialised, fmt), len(materialised)
