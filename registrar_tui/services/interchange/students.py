"""Importing students: each attached to a family imported before (by its old id).

The counter's rules: names cleaned and card-free, the birth date in the past and after
1900 (`records.students.parse_birth_date`), the code permanent's format and date
(`parse_code_permanent`), unique; the student number, when the old system's is kept,
has the establishment's 7 or 9 digits and is unique, else the establishment's sequence
gives it (`records.student_numbers.take_student_numbers`). A student on file with the
same code permanent, or the same names and birth date, is a problem (the admission rule
of `records/students.find_duplicates`, set-based). The address is the payer's, as at the
counter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Establishment, Family, Guardian, Student
from registrar_tui.models.base import Sex
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import DomainError, InvalidInput
from registrar_tui.services.core.identifiers import parse_code_permanent, parse_student_number
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.interchange.families import (
    KIND as FAMILY_KIND,
)
from registrar_tui.services.interchange.families import (
    establishments_by_code,
    old_id_of,
)
from registrar_tui.services.interchange.links import chunked, insert_numbered, linked
from registrar_tui.services.interchange.reading import Column, Row, Table, problem_of
from registrar_tui.services.interchange.report import ChangedRow, Plan, Problem, Progress
from registrar_tui.services.records.student_numbers import take_student_numbers
from registrar_tui.services.records.students import parse_birth_date
from registrar_tui.services.search.index import name_parts

KIND = "students"
COLUMNS: tuple[Column, ...] = (
    Column("ancien_id", ("old_id",), required=True, filled=True),
    Column("famille_ancien_id", ("family_old_id",), required=True, filled=True),
    Column("prenom", ("first_name",), required=True, filled=True),
    Column("nom", ("last_name",), required=True, filled=True),
    Column("date_naissance", ("birth_date",), required=True, filled=True),
    Column("sexe", ("sex",)),
    Column("code_permanent", ("permanent_code",)),
    Column("no_eleve", ("student_number",)),
    Column("etablissement", ("establishment",)),
    Column("ecole", ("school",)),
    Column("niveau", ("level",)),
)

MSG_UNKNOWN_FAMILY = N_(
    "Famille inconnue : « {old_id} » n'a pas été importée (importez les familles d'abord)."
)
MSG_ESTABLISHMENT = N_("Établissement inconnu : {code}.")
MSG_SEX = N_("Sexe : F, M ou vide.")
MSG_CP_TWICE = N_("Code permanent en double dans le fichier (déjà à la ligne {line}).")
MSG_CP_TAKEN = N_("Ce code permanent est déjà celui d'un autre élève ({name}, {number}).")
MSG_NUMBER_TWICE = N_("Numéro d'élève en double dans le fichier (déjà à la ligne {line}).")
MSG_NUMBER_TAKEN = N_("Ce numéro d'élève est déjà celui d'un autre élève.")
MSG_DUPLICATE = N_("Un élève semblable existe déjà : {name} ({number}), même date de naissance.")


@dataclass(frozen=True)
class StudentRow:
    line: int
    old_id: str
    family_id: int
    establishment_id: int
    number: str | None
    values: dict[str, Any]
    """first_name, last_name, birth_date, sex, code_permanent, school_name, school_level."""


def _sex(text: str) -> Sex | None:
    value = text.strip().upper()
    if not value:
        return None
    if value not in {s.value for s in Sex}:
        raise InvalidInput(MSG_SEX)
    return Sex(value)


def _values(row: Row, table: Table, today: date, plan: Plan) -> dict[str, Any] | None:
    parsers: dict[str, tuple[str, Any]] = {
        "first_name": ("prenom", lambda t: safe_text(t, field="prenom", max_length=100)),
        "last_name": ("nom", lambda t: safe_text(t, field="nom", max_length=100)),
        "birth_date": ("date_naissance", lambda t: parse_birth_date(t, today)),
        "sex": ("sexe", _sex),
        "code_permanent": (
            "code_permanent",
            lambda t: parse_code_permanent(t) if safe_text(t, field="cp").strip() else None,
        ),
        "school_name": ("ecole", lambda t: safe_text(t, field="ecole", max_length=200)),
        "school_level": ("niveau", lambda t: safe_text(t, field="niveau", max_length=40)),
    }
    values: dict[str, Any] = {}
    ok = True
    for field, (column, parse) in parsers.items():
        text = row.get(column)
        if column in ("prenom", "nom", "date_naissance") and not text.strip():
            ok = False  # reported by read_table
            continue
        try:
            values[field] = parse(text)
        except DomainError as error:
            plan.problems.append(problem_of(row.line, table.shown(column), error))
            ok = False
    return values if ok else None


def _folded(name: str) -> str:
    return "".join(name_parts(name))


def check(uow: UnitOfWork, table: Table, progress: Progress | None = None) -> Plan:
    """Every problem of a students file, and the students it would create."""
    plan = Plan()
    today = local_date(uow.now())
    sites = establishments_by_code(uow)
    digits: dict[int, int] = dict(
        list(
            uow.session.execute(
                select(col(Establishment.id), col(Establishment.student_number_digits))
            )
        )
    )
    families = linked(uow, FAMILY_KIND, [row.get("famille_ancien_id") for row in table.rows])
    family_sites = {
        family_id: site
        for chunk in chunked(sorted(set(families.values())))
        for family_id, site in uow.session.execute(
            select(col(Family.id), col(Family.establishment_id)).where(col(Family.id).in_(chunk))
        )
    }
    seen: dict[str, int] = {}
    codes: dict[str, int] = {}
    numbers: dict[str, int] = {}
    candidates: list[StudentRow] = []
    total = len(table.rows)
    for done, row in enumerate(table.rows, start=1):
        if progress is not None and done % 1000 == 0:
            progress(done, total)
        before = len(plan.problems)
        old_id = old_id_of(row, table, seen, plan)
        family_old_id = row.get("famille_ancien_id")
        family_id = families.get(family_old_id)
        if family_old_id and family_id is None:
            plan.problems.append(
                Problem(
                    row.line,
                    table.shown("famille_ancien_id"),
                    MSG_UNKNOWN_FAMILY,
                    {"old_id": family_old_id},
                )
            )
        code = row.get("etablissement").upper()
        establishment_id = sites.get(code) if code else family_sites.get(family_id or 0)
        if code and establishment_id is None:
            plan.problems.append(
                Problem(row.line, table.shown("etablissement"), MSG_ESTABLISHMENT, {"code": code})
            )
        values = _values(row, table, today, plan)
        cp = values.get("code_permanent") if values else None
        if cp:
            if cp in codes:
                plan.problems.append(
                    Problem(
                        row.line, table.shown("code_permanent"), MSG_CP_TWICE, {"line": codes[cp]}
                    )
                )
            codes.setdefault(cp, row.line)
        number: str | None = None
        if row.get("no_eleve").strip() and establishment_id is not None:
            try:
                number = parse_student_number(row.get("no_eleve"), digits[establishment_id])
            except DomainError as error:
                plan.problems.append(problem_of(row.line, table.shown("no_eleve"), error))
            if number is not None and number in numbers:
                plan.problems.append(
                    Problem(
                        row.line,
                        table.shown("no_eleve"),
                        MSG_NUMBER_TWICE,
                        {"line": numbers[number]},
                    )
                )
            elif number is not None:
                numbers[number] = row.line
        if len(plan.problems) > before or None in (old_id, family_id, establishment_id, values):
            continue
        assert old_id and family_id and establishment_id and values
        candidates.append(StudentRow(row.line, old_id, family_id, establishment_id, number, values))
    links = linked(uow, KIND, [c.old_id for c in candidates])
    fresh = [c for c in candidates if c.old_id not in links]
    _compare_linked(uow, [c for c in candidates if c.old_id in links], links, plan)
    _check_on_file(uow, table, fresh, plan)
    flagged = {problem.line for problem in plan.problems}
    plan.new = [c for c in fresh if c.line not in flagged]
    return plan


def _compare_linked(
    uow: UnitOfWork, rows: list[StudentRow], links: dict[str, int], plan: Plan
) -> None:
    columns = {
        "first_name": "prenom",
        "last_name": "nom",
        "birth_date": "date_naissance",
        "sex": "sexe",
        "code_permanent": "code_permanent",
    }
    for chunk in chunked(rows):
        names = tuple(columns)
        stored = {
            student_id: dict(zip(names, values, strict=True))
            for student_id, *values in uow.session.execute(
                select(col(Student.id), *(getattr(Student, name) for name in names)).where(
                    col(Student.id).in_([links[r.old_id] for r in chunk])
                )
            )
        }
        for row in chunk:
            student = stored.get(links[row.old_id])
            if student is None:
                continue
            changed = tuple(
                column
                for field, column in columns.items()
                if student[field] != row.values.get(field)
            )
            if changed:
                plan.changed.append(ChangedRow(row.line, row.old_id, changed))
            else:
                plan.unchanged += 1


def _check_on_file(uow: UnitOfWork, table: Table, rows: list[StudentRow], plan: Plan) -> None:
    """Code permanent or student number already on file; same names and birth date."""
    by_code = {
        row.values["code_permanent"]: row for row in rows if row.values.get("code_permanent")
    }
    for chunk in chunked(sorted(by_code)):
        for code, first, last, number in uow.session.execute(
            select(
                col(Student.code_permanent),
                col(Student.first_name),
                col(Student.last_name),
                col(Student.student_number),
            ).where(col(Student.code_permanent).in_(chunk))
        ):
            assert code is not None
            plan.problems.append(
                Problem(
                    by_code[code].line,
                    table.shown("code_permanent"),
                    MSG_CP_TAKEN,
                    {"name": f"{first} {last}", "number": number},
                )
            )
    by_number = {row.number: row for row in rows if row.number}
    for chunk in chunked(sorted(by_number)):
        for number in uow.session.execute(
            select(col(Student.student_number)).where(col(Student.student_number).in_(chunk))
        ).scalars():
            plan.problems.append(
                Problem(by_number[number].line, table.shown("no_eleve"), MSG_NUMBER_TAKEN)
            )
    by_birth: dict[tuple[date, str, str], StudentRow] = {}
    for row in rows:
        key = (
            row.values["birth_date"],
            _folded(row.values["first_name"]),
            _folded(row.values["last_name"]),
        )
        by_birth.setdefault(key, row)
    births = sorted({key[0] for key in by_birth})
    for chunk in chunked(births):
        for birth, first, last, number in uow.session.execute(
            select(
                col(Student.birth_date),
                col(Student.first_name),
                col(Student.last_name),
                col(Student.student_number),
            ).where(col(Student.birth_date).in_(chunk))
        ):
            match = by_birth.get((birth, _folded(first), _folded(last)))
            if match is not None:
                plan.problems.append(
                    Problem(
                        match.line,
                        table.shown("nom"),
                        MSG_DUPLICATE,
                        {"name": f"{first} {last}", "number": number},
                    )
                )


STUDENTS = Student.metadata.tables["student"]
CHUNK = 2_000


def write(
    uow: UnitOfWork, rows: list[StudentRow], progress: Progress | None = None
) -> tuple[list[tuple[str, int]], list[str]]:
    """Insert the students in bulk, numbered; (old id, student id) pairs and numbers."""
    session = uow.session
    now = uow.now()
    today = local_date(now)
    given = [row.number for row in rows if row.number]
    wanting: dict[int, list[int]] = {}
    for index, row in enumerate(rows):
        if not row.number:
            wanting.setdefault(row.establishment_id, []).append(index)
    numbers: list[str] = [row.number or "" for row in rows]
    for establishment_id, indexes in sorted(wanting.items()):
        taken = take_student_numbers(uow, establishment_id, today, len(indexes), given)
        for index, number in zip(indexes, taken, strict=True):
            numbers[index] = number
    addresses: dict[int, tuple[str, str, str, str]] = {}
    for id_chunk in chunked(sorted({row.family_id for row in rows})):
        for family_id, *address in session.execute(
            select(
                col(Guardian.family_id),
                col(Guardian.address_line),
                col(Guardian.city),
                col(Guardian.province),
                col(Guardian.postal_code),
            ).where(col(Guardian.family_id).in_(id_chunk), col(Guardian.is_payer))
        ):
            addresses[family_id] = (address[0], address[1], address[2], address[3])
    pairs: list[tuple[str, int]] = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        values = []
        for offset, row in enumerate(chunk):
            line, city, province, postal = addresses.get(row.family_id, ("", "", "QC", ""))
            values.append(
                {
                    "family_id": row.family_id,
                    "establishment_id": row.establishment_id,
                    "student_number": numbers[start + offset],
                    "address_line": line,
                    "city": city,
                    "province": province,
                    "postal_code": postal,
                    "group_name": "",
                    "allergies": "",
                    "medical_conditions": "",
                    "emergency_contact_name": "",
                    "emergency_contact_phone": "",
                    "status_reason": "",
                    "created_at": now,
                    **row.values,
                }
            )
        chunk_numbers = numbers[start : start + len(chunk)]
        ids = insert_numbered(
            session, STUDENTS, values, col(Student.student_number), col(Student.id), chunk_numbers
        )
        pairs.extend((row.old_id, student_id) for row, student_id in zip(chunk, ids, strict=True))
        if progress is not None:
            progress(start + len(chunk), len(rows))
    return pairs, numbers
