"""Importing enrolments: a student (by old id) in a course group of a term.

The group is found as the model names it: the term's code, the discipline's code and the
section (`01` when blank), at the student's establishment unless the row gives one. An
imported enrolment bills nothing: what the old system billed is carried by the opening
balances (services/interchange/balances.py). A student already in that group (not
through this import) is a problem.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlmodel import col

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Course, Discipline, Enrolment, Student, Term
from registrar_tui.models.base import EnrolmentStatus
from registrar_tui.services.interchange.families import establishments_by_code, old_id_of
from registrar_tui.services.interchange.links import chunked, linked
from registrar_tui.services.interchange.reading import Column, Table
from registrar_tui.services.interchange.report import ChangedRow, Plan, Problem, Progress
from registrar_tui.services.interchange.students import KIND as STUDENT_KIND

KIND = "enrolments"
COLUMNS: tuple[Column, ...] = (
    Column("ancien_id", ("old_id",), required=True, filled=True),
    Column("eleve_ancien_id", ("student_old_id",), required=True, filled=True),
    Column("session", ("term",), required=True, filled=True),
    Column("discipline", ("discipline",), required=True, filled=True),
    Column("section", ("section",)),
    Column("etablissement", ("establishment",)),
    Column("statut", ("status",)),
)
_STATUSES = {
    "": EnrolmentStatus.ACTIVE,
    "actif": EnrolmentStatus.ACTIVE,
    "active": EnrolmentStatus.ACTIVE,
    "abandon": EnrolmentStatus.DROPPED,
    "abandonné": EnrolmentStatus.DROPPED,
    "abandonne": EnrolmentStatus.DROPPED,
    "dropped": EnrolmentStatus.DROPPED,
    "terminé": EnrolmentStatus.COMPLETED,
    "termine": EnrolmentStatus.COMPLETED,
    "completed": EnrolmentStatus.COMPLETED,
}

MSG_UNKNOWN_STUDENT = N_(
    "Élève inconnu : « {old_id} » n'a pas été importé (importez les élèves d'abord)."
)
MSG_UNKNOWN_TERM = N_("Session inconnue : {code}.")
MSG_UNKNOWN_DISCIPLINE = N_("Discipline inconnue : {code}.")
MSG_ESTABLISHMENT = N_("Établissement inconnu : {code}.")
MSG_NO_GROUP = N_("Aucun groupe {discipline} section {section} à la session {term} ({site}).")
MSG_STATUS = N_("Statut : actif, abandonné ou terminé.")
MSG_ALREADY = N_("Cet élève est déjà inscrit à ce groupe.")
MSG_TWICE = N_("Même élève et même groupe en double dans le fichier (déjà à la ligne {line}).")


@dataclass(frozen=True)
class EnrolmentRow:
    line: int
    old_id: str
    student_id: int
    course_id: int
    status: EnrolmentStatus


def check(uow: UnitOfWork, table: Table, progress: Progress | None = None) -> Plan:
    """Every problem of an enrolments file, and the enrolments it would create."""
    plan = Plan()
    session = uow.session
    sites = establishments_by_code(uow)
    site_codes = {id_: code for code, id_ in sites.items()}
    terms = {
        code.upper(): id_ for id_, code in session.execute(select(col(Term.id), col(Term.code)))
    }
    disciplines = {
        code.upper(): id_
        for id_, code in session.execute(select(col(Discipline.id), col(Discipline.code)))
    }
    courses = {
        (term_id, site, discipline, section.upper()): course_id
        for course_id, term_id, site, discipline, section in session.execute(
            select(
                col(Course.id),
                col(Course.term_id),
                col(Course.establishment_id),
                col(Course.discipline_id),
                col(Course.section),
            )
        )
    }
    students = linked(uow, STUDENT_KIND, [row.get("eleve_ancien_id") for row in table.rows])
    student_sites = {
        student_id: site
        for chunk in chunked(sorted(set(students.values())))
        for student_id, site in session.execute(
            select(col(Student.id), col(Student.establishment_id)).where(col(Student.id).in_(chunk))
        )
    }
    seen: dict[str, int] = {}
    pairs: dict[tuple[int, int], int] = {}
    candidates: list[EnrolmentRow] = []
    for row in table.rows:
        before = len(plan.problems)
        old_id = old_id_of(row, table, seen, plan)
        student_old_id = row.get("eleve_ancien_id")
        student_id = students.get(student_old_id)
        if student_old_id and student_id is None:
            plan.problems.append(
                Problem(
                    row.line,
                    table.shown("eleve_ancien_id"),
                    MSG_UNKNOWN_STUDENT,
                    {"old_id": student_old_id},
                )
            )
        term_code = row.get("session").upper()
        term_id = terms.get(term_code)
        if term_code and term_id is None:
            plan.problems.append(
                Problem(row.line, table.shown("session"), MSG_UNKNOWN_TERM, {"code": term_code})
            )
        discipline_code = row.get("discipline").upper()
        discipline_id = disciplines.get(discipline_code)
        if discipline_code and discipline_id is None:
            plan.problems.append(
                Problem(
                    row.line,
                    table.shown("discipline"),
                    MSG_UNKNOWN_DISCIPLINE,
                    {"code": discipline_code},
                )
            )
        code = row.get("etablissement").upper()
        site = sites.get(code) if code else student_sites.get(student_id or 0)
        if code and site is None:
            plan.problems.append(
                Problem(row.line, table.shown("etablissement"), MSG_ESTABLISHMENT, {"code": code})
            )
        status = _STATUSES.get(row.get("statut").strip().casefold())
        if status is None:
            plan.problems.append(Problem(row.line, table.shown("statut"), MSG_STATUS))
        if len(plan.problems) > before or None in (
            old_id,
            student_id,
            term_id,
            discipline_id,
            site,
        ):
            continue
        assert old_id and student_id and term_id and discipline_id and site and status
        section = row.get("section").strip().upper() or "01"
        course_id = courses.get((term_id, site, discipline_id, section))
        if course_id is None:
            plan.problems.append(
                Problem(
                    row.line,
                    table.shown("section")
                    if "section" in table.header
                    else table.shown("discipline"),
                    MSG_NO_GROUP,
                    {
                        "discipline": discipline_code,
                        "section": section,
                        "term": term_code,
                        "site": site_codes.get(site, ""),
                    },
                )
            )
            continue
        if (student_id, course_id) in pairs:
            plan.problems.append(
                Problem(
                    row.line,
                    table.shown("eleve_ancien_id"),
                    MSG_TWICE,
                    {"line": pairs[(student_id, course_id)]},
                )
            )
            continue
        pairs[(student_id, course_id)] = row.line
        candidates.append(EnrolmentRow(row.line, old_id, student_id, course_id, status))
    links = linked(uow, KIND, [c.old_id for c in candidates])
    stored: dict[int, tuple[int, int, str]] = {}
    for chunk in chunked(sorted(links.values())):
        for enrolment_id, student_id, course_id, status in session.execute(
            select(
                col(Enrolment.id),
                col(Enrolment.student_id),
                col(Enrolment.course_id),
                col(Enrolment.status),
            ).where(col(Enrolment.id).in_(chunk))
        ):
            stored[enrolment_id] = (student_id, course_id, str(status))
    fresh: list[EnrolmentRow] = []
    for item in candidates:
        if item.old_id in links:
            if stored.get(links[item.old_id]) == (
                item.student_id,
                item.course_id,
                str(item.status),
            ):
                plan.unchanged += 1
            else:
                plan.changed.append(ChangedRow(item.line, item.old_id, ("discipline", "statut")))
        else:
            fresh.append(item)
    by_student: dict[int, list[EnrolmentRow]] = {}
    for item in fresh:
        by_student.setdefault(item.student_id, []).append(item)
    for id_chunk in chunked(sorted(by_student)):
        for student_id, course_id in session.execute(
            select(col(Enrolment.student_id), col(Enrolment.course_id)).where(
                col(Enrolment.student_id).in_(id_chunk)
            )
        ):
            for item in by_student[student_id]:
                if item.course_id == course_id:
                    plan.problems.append(
                        Problem(item.line, table.shown("eleve_ancien_id"), MSG_ALREADY)
                    )
    flagged = {problem.line for problem in plan.problems}
    plan.new = [row for row in fresh if row.line not in flagged]
    return plan


ENROLMENTS = Enrolment.metadata.tables["enrolment"]


def write(
    uow: UnitOfWork, rows: list[EnrolmentRow], progress: Progress | None = None
) -> list[tuple[str, int]]:
    """Insert the enrolments (billing nothing); (old id, enrolment id) pairs."""
    now = uow.now()
    pairs: list[tuple[str, int]] = []
    for start in range(0, len(rows), 2_000):
        chunk = rows[start : start + 2_000]
        values = [
            {
                "student_id": row.student_id,
                "course_id": row.course_id,
                "status": row.status,
                "enrolled_at": now,
                "dropped_at": now if row.status is EnrolmentStatus.DROPPED else None,
                "teacher_comment": "",
            }
            for row in chunk
        ]
        # A plain executemany, then the ids by (student, course), unique (see families.write).
        uow.session.execute(insert(ENROLMENTS), values)
        students = sorted({row.student_id for row in chunk})
        by_pair = {
            (student_id, course_id): enrolment_id
            for enrolment_id, student_id, course_id in uow.session.execute(
                select(
                    col(Enrolment.id), col(Enrolment.student_id), col(Enrolment.course_id)
                ).where(col(Enrolment.student_id).in_(students))
            )
        }
        ids = [by_pair[(row.student_id, row.course_id)] for row in chunk]
        pairs.extend((row.old_id, id_) for row, id_ in zip(chunk, ids, strict=True))
        if progress is not None:
            progress(start + len(chunk), len(rows))
    return pairs
