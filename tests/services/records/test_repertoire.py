"""A student's repertoire entered by staff: pick or create an event, add a work, remove it."""

from __future__ import annotations

import json

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, RepertoireEvent, Student
from registrar_tui.services.core.errors import InvalidInput, NotFound, PermissionDenied
from registrar_tui.services.records import repertoire
from registrar_tui.services.records.assessments import InvalidAssessment
from registrar_tui.services.records.repertoire import EventEntry, WorkEntry
from registrar_tui.services.records.student_activities import repertoire as performed
from tests.services import role_matrix_data as data
from tests.services.role_matrix_data import MatrixWorld, build_matrix_world

RECITAL = EventEntry(
    kind="recital", event_title="Récital d'hiver", venue="Salle Bourgie", held_on="2027-02-14"
)
CHOPIN = WorkEntry(composer="Frédéric Chopin", title="Nocturne op. 9 no 2")


@pytest.fixture
def mw(database: Database) -> MatrixWorld:
    return build_matrix_world(database)


def _actions(mw: MatrixWorld) -> list[str]:
    with mw.db.read() as uow:
        return [e.action for e in uow.session.exec(select(AuditEvent).order_by(AuditEvent.id))]


def test_a_new_event_and_its_work_show_in_the_repertoire(mw: MatrixWorld) -> None:
    _family, student_id = data.fresh_family(mw)
    registrar = mw.world.school.registrar_id
    with mw.db.write() as uow:
        added = repertoire.add_work(uow, registrar, student_id, CHOPIN, new_event=RECITAL)
    assert added.event_created
    with mw.db.read() as uow:
        (entry,) = performed(uow, student_id)
        event_site = uow.session.get_one(RepertoireEvent, added.event_id).establishment_id
        site = uow.session.get_one(Student, student_id).establishment_id
        choices = repertoire.event_choices(uow, student_id)
    assert (entry.title, entry.venue, str(entry.kind)) == (
        "Récital d'hiver",
        "Salle Bourgie",
        "recital",
    )
    assert [(w.composer, w.title, w.work_id) for w in entry.works] == [
        ("Frédéric Chopin", "Nocturne op. 9 no 2", added.work_id)
    ]
    assert event_site == site
    assert choices[0].event_id == added.event_id
    assert _actions(mw)[-2:] == ["repertoire_event.add", "repertoire_work.add"]

    # A second student performs at the same event: picked, not created again.
    _family, other_id = data.fresh_family(mw)
    with mw.db.write() as uow:
        again = repertoire.add_work(
            uow, registrar, other_id, WorkEntry("Erik Satie", "Gymnopédie no 1"),
            event_id=added.event_id,
        )  # fmt: skip
    assert again.event_id == added.event_id and not again.event_created
    with mw.db.read() as uow:
        assert uow.session.exec(select(RepertoireEvent.id)).all() == [added.event_id]


def test_removing_a_work_keeps_the_event_and_audits_the_work(mw: MatrixWorld) -> None:
    _family, student_id = data.fresh_family(mw)
    admin = mw.world.school.admin_id
    with mw.db.write() as uow:
        added = repertoire.add_work(uow, admin, student_id, CHOPIN, new_event=RECITAL)
    with mw.db.write() as uow:
        assert repertoire.remove_work(uow, admin, added.work_id) == student_id
    with mw.db.read() as uow:
        assert performed(uow, student_id) == ()
        assert uow.session.get(RepertoireEvent, added.event_id) is not None
        removed = uow.session.exec(
            select(AuditEvent.before_json).where(col(AuditEvent.action) == "repertoire_work.remove")
        ).one()
    assert json.loads(removed)["composer"] == "Frédéric Chopin"
    with pytest.raises(NotFound), mw.db.write() as uow:
        repertoire.remove_work(uow, admin, added.work_id)


def test_every_problem_of_event_and_work_is_said_and_nothing_written(mw: MatrixWorld) -> None:
    _family, student_id = data.fresh_family(mw)
    wrong_event = EventEntry(kind="bal", event_title="", venue="x" * 201, held_on="14 février")
    wrong_work = WorkEntry(composer="Voir 4111 1111 1111 1111", title="  ")
    with pytest.raises(InvalidAssessment) as refused, mw.db.write() as uow:
        repertoire.add_work(
            uow, mw.world.school.registrar_id, student_id, wrong_work, new_event=wrong_event
        )
    problems = refused.value.problems
    assert set(problems) == {"kind", "event_title", "venue", "held_on", "composer", "title"}
    assert "carte" in problems["composer"].translated()
    with mw.db.read() as uow:
        assert uow.session.exec(select(RepertoireEvent)).all() == []
    assert not {"repertoire_event.add", "repertoire_work.add"} & set(_actions(mw))


def test_an_event_must_be_picked_or_created_and_a_clerk_may_not(mw: MatrixWorld) -> None:
    _family, student_id = data.fresh_family(mw)
    with pytest.raises(InvalidInput) as refused, mw.db.write() as uow:
        repertoire.add_work(uow, mw.world.school.registrar_id, student_id, CHOPIN)
    assert refused.value.field == "event"
    with pytest.raises(NotFound), mw.db.write() as uow:
        repertoire.add_work(uow, mw.world.school.registrar_id, student_id, CHOPIN, event_id=999)
    with pytest.raises(PermissionDenied), mw.db.write() as uow:
        repertoire.add_work(uow, mw.world.school.clerk_id, student_id, CHOPIN, new_event=RECITAL)
