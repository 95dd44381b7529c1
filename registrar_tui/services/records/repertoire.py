"""A student's repertoire, entered by staff: the works performed at an event.

A registrar or an admin picks an event of the student's establishment (concert, exam,
masterclass, competition, recital) or creates one (kind, title, venue, date; at the
student's establishment), and adds the work the student performed there (composer,
title) — event and work in one transaction. A work entered by mistake is removed (the
audit event keeps what it said). Free text is cleaned and a card number refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import col, or_, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import RepertoireEvent, RepertoireEventKind, RepertoireWork, Student
from registrar_tui.models.base import require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.errors import DomainError, InvalidInput, NotFound
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.records.assessments import (
    EDITORS,
    MSG_DATE_FORMAT,
    MSG_DATE_REQUIRED,
    InvalidAssessment,
)

EVENT_CHOICES = 30
"""The most recent events offered to pick from."""
EVENT_FIELDS = ("kind", "event_title", "venue", "held_on")
WORK_FIELDS = ("composer", "title")

MSG_STUDENT_NOT_FOUND = N_("Élève introuvable.")
MSG_EVENT_NOT_FOUND = N_("Événement introuvable.")
MSG_WORK_NOT_FOUND = N_("Œuvre introuvable.")
MSG_REQUIRED = N_("Ce champ est obligatoire.")
MSG_EVENT_KIND = N_("Type d'événement inconnu.")
MSG_EVENT_CHOICE = N_("Choisissez un événement ou créez-en un.")


@dataclass(frozen=True)
class EventChoice:
    event_id: int
    held_on: date
    kind: RepertoireEventKind
    title: str
    venue: str


@dataclass(frozen=True)
class EventEntry:
    """A new event as typed (raw text; `held_on` as `2026-11-20`)."""

    kind: str
    event_title: str
    venue: str
    held_on: str


@dataclass(frozen=True)
class WorkEntry:
    """A work as typed (raw text)."""

    composer: str
    title: str


@dataclass(frozen=True)
class WorkAdded:
    event_id: int
    work_id: int
    event_created: bool


def event_choices(uow: UnitOfWork, student_id: int) -> tuple[EventChoice, ...]:
    """The latest events of the student's establishment (or of none), newest first.

    Refuses `NotFound` for an unknown student.
    """
    student = uow.session.get(Student, student_id)
    if student is None:
        raise NotFound(MSG_STUDENT_NOT_FOUND, field="student")
    events = uow.session.exec(
        select(RepertoireEvent)
        .where(
            or_(
                col(RepertoireEvent.establishment_id) == student.establishment_id,
                col(RepertoireEvent.establishment_id).is_(None),
            )
        )
        .order_by(col(RepertoireEvent.held_on).desc(), col(RepertoireEvent.id).desc())
        .limit(EVENT_CHOICES)
    )
    return tuple(
        EventChoice(
            event_id=require_id(event),
            held_on=event.held_on,
            kind=RepertoireEventKind(event.kind),
            title=event.title,
            venue=event.venue,
        )
        for event in events
    )


def _required(text: str, *, field: str, max_length: int) -> str:
    cleaned = safe_text(text, field=field, max_length=max_length)
    if not cleaned:
        raise InvalidInput(MSG_REQUIRED, field=field)
    return cleaned


def _day(text: str) -> date:
    cleaned = safe_text(text, field="held_on", max_length=20)
    if not cleaned:
        raise InvalidInput(MSG_DATE_REQUIRED, field="held_on")
    try:
        return date.fromisoformat(cleaned)
    except ValueError:
        raise InvalidInput(MSG_DATE_FORMAT, field="held_on") from None


def _event_kind(text: str) -> RepertoireEventKind:
    try:
        return RepertoireEventKind(text.strip())
    except ValueError:
        raise InvalidInput(MSG_EVENT_KIND, field="kind") from None


def _collect(parsers: dict[str, Any], entry: object, names: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    problems: dict[str, DomainError] = {}
    for name in names:
        try:
            values[name] = parsers[name](getattr(entry, name))
        except DomainError as error:
            error.field = name
            problems[name] = error
    if problems:
        raise InvalidAssessment(problems, (*EVENT_FIELDS, *WORK_FIELDS))
    return values


def add_work(
    uow: UnitOfWork,
    actor_id: int,
    student_id: int,
    work: WorkEntry,
    *,
    event_id: int | None = None,
    new_event: EventEntry | None = None,
) -> WorkAdded:
    """Record a work the student performed at an existing event (`event_id`) or at a new
    one (`new_event`, created at the student's establishment in the same transaction).

    Refuses: `PermissionDenied` (not an active registrar or admin); `NotFound` (unknown
    student or event); `InvalidInput` field "event" when neither or both are given;
    `InvalidAssessment` (a blank or too long composer, title, event title or venue, a
    malformed date, an unknown kind, a card number), with every problem of both parts.
    Writes `repertoire_event.add` (a new event) and `repertoire_work.add`.
    """
    active_staff(uow, actor_id, roles=EDITORS)
    student = uow.session.get(Student, student_id)
    if student is None:
        raise NotFound(MSG_STUDENT_NOT_FOUND, field="student")
    if (event_id is None) == (new_event is None):
        raise InvalidInput(MSG_EVENT_CHOICE, field="event")
    problems: dict[str, DomainError] = {}
    event_values: dict[str, Any] = {}
    if new_event is not None:
        try:
            event_values = _collect(
                {
                    "kind": _event_kind,
                    "event_title": lambda t: _required(t, field="event_title", max_length=200),
                    "venue": lambda t: _required(t, field="venue", max_length=200),
                    "held_on": _day,
                },
                new_event,
                EVENT_FIELDS,
            )
        except InvalidAssessment as invalid:
            problems.update(invalid.problems)
    try:
        work_values = _collect(
            {
                "composer": lambda t: _required(t, field="composer", max_length=200),
                "title": lambda t: _required(t, field="title", max_length=300),
            },
            work,
            WORK_FIELDS,
        )
    except InvalidAssessment as invalid:
        problems.update(invalid.problems)
    if problems:
        raise InvalidAssessment(problems, (*EVENT_FIELDS, *WORK_FIELDS))
    if new_event is not None:
        event = RepertoireEvent(
            kind=event_values["kind"],
            title=event_values["event_title"],
            venue=event_values["venue"],
            held_on=event_values["held_on"],
            establishment_id=student.establishment_id,
        )
        uow.session.add(event)
        uow.session.flush()
        record_event(
            uow,
            actor_id,
            "repertoire_event.add",
            "repertoire_event",
            event.id,
            {},
            {
                "kind": str(event.kind),
                "title": event.title,
                "venue": event.venue,
                "held_on": event.held_on.isoformat(),
                "establishment_id": event.establishment_id,
            },
        )
    else:
        found = uow.session.get(RepertoireEvent, event_id)
        if found is None:
            raise NotFound(MSG_EVENT_NOT_FOUND, field="event")
        event = found
    performed = RepertoireWork(event_id=require_id(event), student_id=student_id, **work_values)
    uow.session.add(performed)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "repertoire_work.add",
        "repertoire_work",
        performed.id,
        {},
        {"event_id": event.id, "student_id": student_id, **work_values},
    )
    return WorkAdded(require_id(event), require_id(performed), event_created=new_event is not None)


def remove_work(uow: UnitOfWork, actor_id: int, work_id: int) -> int:
    """Delete a work entered by mistake (its event stays); `repertoire_work.remove` keeps
    what it said. Returns the student's id. Refuses `PermissionDenied`, `NotFound`."""
    active_staff(uow, actor_id, roles=EDITORS)
    work = uow.session.exec(
        select(RepertoireWork).where(col(RepertoireWork.id) == work_id).with_for_update()
    ).first()
    if work is None:
        raise NotFound(MSG_WORK_NOT_FOUND, field="work")
    before = {
        "event_id": work.event_id,
        "student_id": work.student_id,
        "composer": work.composer,
        "title": work.title,
    }
    uow.session.delete(work)
    uow.session.flush()
    record_event(uow, actor_id, "repertoire_work.remove", "repertoire_work", work_id, before, {})
    return work.student_id
