"""Disciplines, teachers, courses, enrolments with evaluations and absences, repertoire."""

from __future__ import annotations

import enum
from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from registrar_tui.models.base import (
    DisciplineKind,
    EnrolmentStatus,
    RepertoireEventKind,
    WaitingStatus,
    enum_column,
)


class EvaluationKind(enum.StrEnum):
    """What an evaluation was: the title says which one (« Étude imposée »)."""

    EXAM = "exam"
    JURY = "jury"
    ASSIGNMENT = "assignment"
    AUDITION = "audition"
    OTHER = "other"


class Discipline(SQLModel, table=True):
    """What is taught: piano, violin, solfège, art dramatique…"""

    __tablename__ = "discipline"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=8, unique=True)
    name_fr: str = Field(max_length=100)
    name_en: str = Field(max_length=100)
    kind: DisciplineKind = Field(sa_column=enum_column(DisciplineKind))
    is_post_secondary: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    """A programme at the post-secondary (collegial) level: its months go on the T2202."""
    is_full_time: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    """Taught full time: its months are full-time months (T2202), its completed sessions
    count for RL-8 box A when it is also post-secondary."""


class Teacher(SQLModel, table=True):
    __tablename__ = "teacher"

    id: int | None = Field(default=None, primary_key=True)
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str | None = Field(default=None, max_length=200)


class Course(SQLModel, table=True):
    """A course group (section): a discipline taught by a teacher at an establishment
    during a term, on a weekday at a time, in a room, for a level, up to its capacity."""

    __tablename__ = "course"
    __table_args__ = (
        UniqueConstraint("term_id", "establishment_id", "discipline_id", "section"),
        CheckConstraint("capacity > 0", name="capacity"),
        CheckConstraint("weekday IS NULL OR (weekday BETWEEN 1 AND 7)", name="weekday"),
        CheckConstraint(
            "starts_at IS NULL OR ends_at IS NULL OR ends_at > starts_at", name="times_ordered"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    term_id: int = Field(foreign_key="term.id", index=True)
    establishment_id: int = Field(foreign_key="establishment.id")
    discipline_id: int = Field(foreign_key="discipline.id")
    teacher_id: int | None = Field(default=None, foreign_key="teacher.id")
    section: str = Field(default="01", max_length=8)
    capacity: int = Field(default=20)
    weekday: int | None = None
    """ISO weekday, 1 = Monday … 7 = Sunday (None: not scheduled yet)."""
    starts_at: time | None = None
    ends_at: time | None = None
    room: str = Field(default="", max_length=40)
    level: str = Field(default="", max_length=40)
    closed_at: datetime | None = None
    """When the group was closed to new enrolments (its enrolments stay)."""
    rolled_from_id: int | None = Field(default=None, foreign_key="course.id", unique=True)
    """The group of the term before this one was copied from by a rollover (at most once)."""


class WaitingListEntry(SQLModel, table=True):
    """A student waiting for a seat in a full course group, in line by `position`.

    Only the waiting and offered entries are in line; an entry leaves the line enrolled,
    declined or removed (with a reason) and stays as the list's history.
    """

    __tablename__ = "waiting_list_entry"

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    position: int
    """Order in line within the group (smaller is first; gaps allowed)."""
    status: WaitingStatus = Field(
        default=WaitingStatus.WAITING, sa_column=enum_column(WaitingStatus)
    )
    reenrolment_request_id: int | None = Field(default=None, foreign_key="reenrolment_request.id")
    """The re-enrolment validation that put the student in line (None: added otherwise)."""
    added_at: datetime
    added_by_id: int = Field(foreign_key="staff_user.id")
    offered_at: datetime | None = None
    closed_at: datetime | None = None
    """When the entry left the line (enrolled, declined, removed)."""
    closed_by_id: int | None = Field(default=None, foreign_key="staff_user.id")
    reason: str = Field(default="")
    """Why the entry was removed or declined."""
    enrolment_id: int | None = Field(default=None, foreign_key="enrolment.id")


class Enrolment(SQLModel, table=True):
    """A student in a course; past terms' enrolments are the student's history."""

    __tablename__ = "enrolment"
    __table_args__ = (
        UniqueConstraint("student_id", "course_id"),
        CheckConstraint(
            "final_mark IS NULL OR (final_mark >= 0 AND final_mark <= 100)", name="final_mark"
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    course_id: int = Field(foreign_key="course.id", index=True)
    status: EnrolmentStatus = Field(
        default=EnrolmentStatus.ACTIVE, sa_column=enum_column(EnrolmentStatus)
    )
    enrolled_at: datetime
    dropped_at: datetime | None = None
    attendance_confirmed_at: datetime | None = None
    final_mark: int | None = None
    teacher_comment: str = Field(default="")
    added_invoice_id: int | None = Field(default=None, foreign_key="invoice.id")
    """The invoice a course added at the counter was billed on (cancelled by a same-day drop)."""


class Evaluation(SQLModel, table=True):
    __tablename__ = "evaluation"
    __table_args__ = (CheckConstraint("mark IS NULL OR (mark >= 0 AND mark <= 100)", name="mark"),)

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="enrolment.id", index=True)
    held_on: date
    title: str = Field(max_length=200)
    mark: int | None = None
    comment: str = Field(default="")
    kind: EvaluationKind = Field(
        default=EvaluationKind.OTHER, sa_column=enum_column(EvaluationKind)
    )


class Absence(SQLModel, table=True):
    __tablename__ = "absence"

    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="enrolment.id", index=True)
    absent_on: date
    is_justified: bool = Field(default=False)
    reason: str = Field(default="")


class RepertoireEvent(SQLModel, table=True):
    """A concert, exam or masterclass students took part in."""

    __tablename__ = "repertoire_event"

    id: int | None = Field(default=None, primary_key=True)
    kind: RepertoireEventKind = Field(sa_column=enum_column(RepertoireEventKind))
    title: str = Field(max_length=200)
    held_on: date
    venue: str = Field(max_length=200)
    establishment_id: int | None = Field(default=None, foreign_key="establishment.id")


class RepertoireWork(SQLModel, table=True):
    """A work a student performed at an event."""

    __tablename__ = "repertoire_work"

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="repertoire_event.id", index=True)
    student_id: int = Field(foreign_key="student.id", index=True)
    composer: str = Field(max_length=200)
    title: str = Field(max_length=300)
