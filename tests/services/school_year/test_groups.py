"""Course groups: the list with seats taken, create, edit, close and reopen; teachers."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest
from sqlmodel import select

from registrar_tui.db import Database
from registrar_tui.models import Course, Teacher
from registrar_tui.services.core.errors import (
    CardNumberRefused,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from registrar_tui.services.records.enrolment_plan import choose_sections
from registrar_tui.services.school_year import groups, teachers
from registrar_tui.services.school_year.groups import GroupDraft, GroupFilter
from registrar_tui.services.school_year.terms import NothingChanged
from tests.services.school_year.world import YearWorld, audit, audit_count, build_year


@pytest.fixture
def world(database: Database) -> YearWorld:
    return build_year(database)


def _draft(world: YearWorld, **change: object) -> GroupDraft:
    draft = GroupDraft(
        establishment_id=world.montreal_id,
        discipline_id=world.violin_id,
        section="01",
        teacher_id=world.gagnon_id,
        weekday="3",
        starts_at="18h30",
        ends_at="19:30",
        room="Salle 104",
        capacity="10",
        level="Intermédiaire",
    )
    return replace(draft, **change)  # type: ignore[arg-type]


def _edit(world: YearWorld, **change: object) -> GroupDraft:
    """Piano 01 as stored, with `change`."""
    draft = GroupDraft(
        establishment_id=None,
        discipline_id=world.piano_id,
        section="01",
        teacher_id=world.tremblay_id,
        weekday="2",
        starts_at="16:00",
        ends_at="17:00",
        room="B-201",
        capacity="8",
        level="Débutant",
    )
    return replace(draft, **change)  # type: ignore[arg-type]


def test_the_list_shows_seats_taken_by_active_enrolments_only(world: YearWorld) -> None:
    with world.db.read() as uow:
        page = groups.list_groups(uow, GroupFilter(term_id=world.autumn_id))
    first, second = page.rows
    assert (first.section, first.teacher, first.seats_taken, first.capacity) == (
        "01",
        "Marie Tremblay",
        2,  # the student who dropped does not hold a seat
        8,
    )
    assert (first.weekday, first.starts_at, first.room) == (2, time(16, 0), "B-201")
    assert second.is_closed and second.seats_taken == 0
    assert page.total_count == 2


def test_the_list_filters_by_establishment_discipline_and_pages(world: YearWorld) -> None:
    with world.db.read() as uow:
        assert (
            groups.list_groups(
                uow, GroupFilter(term_id=world.autumn_id, establishment_id=world.quebec_id)
            ).rows
            == ()
        )
        assert (
            groups.list_groups(
                uow, GroupFilter(term_id=world.autumn_id, discipline_id=world.violin_id)
            ).rows
            == ()
        )
        page = groups.list_groups(uow, GroupFilter(term_id=world.autumn_id), offset=1, limit=1)
        assert [r.section for r in page.rows] == ["02"] and not page.has_more
        open_only = groups.list_groups(
            uow, GroupFilter(term_id=world.autumn_id, include_closed=False)
        )
        assert [r.section for r in open_only.rows] == ["01"]


def test_seats_taken_has_one_definition_used_by_the_enrolment_plan(world: YearWorld) -> None:
    with world.db.read() as uow:
        assert groups.seats_taken(uow, [world.piano01_id, world.piano02_id]) == {
            world.piano01_id: 2
        }
        from registrar_tui.models import Discipline

        piano = uow.session.get_one(Discipline, world.piano_id)
        [choice] = choose_sections(
            uow,
            student_id=1,
            term_id=world.autumn_id,
            establishment_id=world.montreal_id,
            disciplines=[piano],
        )
        assert choice.section == "01" and choice.seats_left == 6


def test_a_registrar_creates_a_group_audited(world: YearWorld) -> None:
    with world.db.write() as uow:
        row = groups.create_group(
            uow, actor_id=world.registrar_id, term_id=world.winter_id, draft=_draft(world)
        )
    assert (row.term_code, row.discipline.name_fr, row.teacher) == (
        "HIV-2027",
        "Violon",
        "Luc Gagnon",
    )
    assert (row.weekday, row.starts_at, row.ends_at, row.capacity) == (
        3,
        time(18, 30),
        time(19, 30),
        10,
    )
    [(before, after)] = audit(world.db, "group.create")
    assert before == {} and after["starts_at"] == "18:30" and after["room"] == "Salle 104"


def test_a_clerk_reads_groups_but_does_not_create_edit_or_close_them(world: YearWorld) -> None:
    with pytest.raises(PermissionDenied), world.db.write() as uow:
        groups.create_group(
            uow, actor_id=world.clerk_id, term_id=world.winter_id, draft=_draft(world)
        )
    with pytest.raises(PermissionDenied), world.db.write() as uow:
        groups.close_group(uow, actor_id=world.clerk_id, course_id=world.piano01_id)
    with world.db.read() as uow:
        assert groups.group_row(uow, world.piano01_id).closed_at is None


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"establishment_id": None}, "establishment", "obligatoire"),
        ({"discipline_id": None}, "discipline", "obligatoire"),
        ({"section": ""}, "section", "obligatoire"),
        ({"section": "un groupe"}, "section", "1 à 8"),
        ({"teacher_id": 999}, "teacher", "introuvable"),
        ({"weekday": "8"}, "weekday", "1 (lundi)"),
        ({"weekday": ""}, "weekday", "ou aucun"),
        ({"ends_at": ""}, "ends_at", "ou aucun"),
        ({"starts_at": "25:00"}, "starts_at", "HH:MM"),
        ({"ends_at": "18:00"}, "ends_at", "suivre"),
        ({"capacity": "0"}, "capacity", "1 à 999"),
        ({"capacity": "dix"}, "capacity", "1 à 999"),
        ({"room": "x" * 41}, "room", "trop long"),
        ({"level": "4111 1111 1111 1111"}, "level", "numéro complet"),
        ({"room": "carte 4111-1111-1111-1111"}, "room", "numéro complet"),
    ],
)
def test_each_wrong_field_is_refused_next_to_it(
    world: YearWorld, change: dict[str, object], field: str, words: str
) -> None:
    before = audit_count(world.db)
    with pytest.raises((InvalidInput, NotFound)) as refused, world.db.write() as uow:
        groups.create_group(
            uow, actor_id=world.admin_id, term_id=world.winter_id, draft=_draft(world, **change)
        )
    assert refused.value.field == field
    assert words in refused.value.translated()
    assert audit_count(world.db) == before


def test_a_section_is_unique_per_term_establishment_and_discipline(world: YearWorld) -> None:
    with pytest.raises(InvalidInput, match="existe déjà") as refused, world.db.write() as uow:
        groups.create_group(
            uow,
            actor_id=world.admin_id,
            term_id=world.autumn_id,
            draft=_draft(world, discipline_id=world.piano_id, section="02"),
        )
    assert refused.value.field == "section"
    with world.db.write() as uow:  # the same section at Québec is another group
        groups.create_group(
            uow,
            actor_id=world.admin_id,
            term_id=world.autumn_id,
            draft=_draft(world, discipline_id=world.piano_id, establishment_id=world.quebec_id),
        )


def test_a_group_is_unscheduled_when_day_and_times_are_blank(world: YearWorld) -> None:
    with world.db.write() as uow:
        row = groups.create_group(
            uow,
            actor_id=world.admin_id,
            term_id=world.winter_id,
            draft=_draft(world, weekday="", starts_at="", ends_at="", teacher_id=None),
        )
    assert row.weekday is None and row.starts_at is None and row.teacher is None


def test_editing_teacher_and_time_is_audited_field_by_field(world: YearWorld) -> None:
    with world.db.write() as uow:
        row = groups.update_group(
            uow,
            actor_id=world.registrar_id,
            course_id=world.piano01_id,
            draft=_edit(world, teacher_id=world.gagnon_id, starts_at="17:00", ends_at="18:00"),
        )
    assert (row.teacher, row.starts_at, row.seats_taken) == ("Luc Gagnon", time(17, 0), 2)
    [(before, after)] = audit(world.db, "group.update")
    assert before == {"teacher_id": world.tremblay_id, "starts_at": "16:00", "ends_at": "17:00"}
    assert after == {"teacher_id": world.gagnon_id, "starts_at": "17:00", "ends_at": "18:00"}
    with pytest.raises(NothingChanged), world.db.write() as uow:
        groups.update_group(
            uow,
            actor_id=world.registrar_id,
            course_id=world.piano01_id,
            draft=_edit(world, teacher_id=world.gagnon_id, starts_at="17:00", ends_at="18:00"),
        )


def test_capacity_never_goes_below_the_seats_taken(world: YearWorld) -> None:
    taken = "Places déjà prises : 2"
    with pytest.raises(InvalidInput, match=taken) as refused, world.db.write() as uow:
        groups.update_group(
            uow,
            actor_id=world.registrar_id,
            course_id=world.piano01_id,
            draft=_edit(world, capacity="1"),
        )
    assert refused.value.field == "capacity"
    with world.db.write() as uow:  # exactly the seats taken: full, allowed
        row = groups.update_group(
            uow,
            actor_id=world.registrar_id,
            course_id=world.piano01_id,
            draft=_edit(world, capacity="2"),
        )
    assert row.seats_left == 0


def test_the_discipline_of_a_group_with_students_does_not_change(world: YearWorld) -> None:
    with pytest.raises(InvalidInput, match="discipline ne change plus"), world.db.write() as uow:
        groups.update_group(
            uow,
            actor_id=world.registrar_id,
            course_id=world.piano01_id,
            draft=_edit(world, discipline_id=world.violin_id),
        )


def test_closing_keeps_the_students_and_reopening_is_possible(world: YearWorld) -> None:
    with world.db.write() as uow:
        closed = groups.close_group(uow, actor_id=world.registrar_id, course_id=world.piano01_id)
    assert closed.is_closed and closed.seats_taken == 2
    [(_before, after)] = audit(world.db, "group.close")
    assert after["students_staying"] == 2
    with pytest.raises(DomainError, match="déjà fermé"), world.db.write() as uow:
        groups.close_group(uow, actor_id=world.registrar_id, course_id=world.piano01_id)
    with world.db.write() as uow:
        reopened = groups.reopen_group(uow, actor_id=world.admin_id, course_id=world.piano01_id)
    assert not reopened.is_closed
    with pytest.raises(DomainError, match="pas fermé"), world.db.write() as uow:
        groups.reopen_group(uow, actor_id=world.admin_id, course_id=world.piano01_id)


def test_the_form_offers_sites_disciplines_and_teachers(world: YearWorld) -> None:
    with world.db.read() as uow:
        choices = groups.group_choices(uow)
    assert [e.code for e in choices.establishments] == ["MTL", "QC"]
    assert [d.name_fr for d in choices.disciplines] == ["Piano", "Violon"]
    assert [t.label for t in choices.teachers] == ["Luc Gagnon", "Marie Tremblay"]


def test_a_teacher_is_added_found_by_name_and_never_twice(world: YearWorld) -> None:
    with world.db.write() as uow:
        row = teachers.add_teacher(
            uow,
            actor_id=world.registrar_id,
            first_name=" Émile ",
            last_name="Côté",
            email="Emile@Example.ORG",
        )
    assert (row.full_name, row.email) == ("Émile Côté", "Emile@example.org")
    with world.db.read() as uow:
        assert teachers.find_teacher(uow, "emile cote") == row.teacher_id
        assert teachers.find_teacher(uow, str(world.gagnon_id)) == world.gagnon_id
        with pytest.raises(NotFound):
            teachers.find_teacher(uow, "Personne")
    with pytest.raises(InvalidInput, match="déjà dans la liste"), world.db.write() as uow:
        teachers.add_teacher(uow, actor_id=world.admin_id, first_name="EMILE", last_name="cote")
    assert len(audit(world.db, "teacher.add")) == 1


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        ({"first_name": ""}, "first_name", InvalidInput),
        ({"last_name": " "}, "last_name", InvalidInput),
        ({"email": "pas un courriel"}, "email", InvalidInput),
        ({"last_name": "4111111111111111"}, "last_name", CardNumberRefused),
        ({"first_name": "x" * 101}, "first_name", InvalidInput),
    ],
)
def test_a_wrong_teacher_field_is_refused_next_to_it(
    world: YearWorld, change: dict[str, str], field: str, error: type[Exception]
) -> None:
    given = {"first_name": "Ana", "last_name": "Silva", "email": "", **change}
    with pytest.raises(error) as refused, world.db.write() as uow:
        teachers.add_teacher(uow, actor_id=world.registrar_id, **given)
    assert getattr(refused.value, "field", None) == field
    with world.db.read() as uow:
        assert len(uow.session.exec(select(Teacher)).all()) == 2


def test_a_clerk_does_not_add_teachers(world: YearWorld) -> None:
    with pytest.raises(PermissionDenied), world.db.write() as uow:
        teachers.add_teacher(uow, actor_id=world.clerk_id, first_name="A", last_name="B")


def test_the_course_row_keeps_its_term_and_site_on_edit(world: YearWorld) -> None:
    with world.db.write() as uow:
        groups.update_group(
            uow,
            actor_id=world.registrar_id,
            course_id=world.piano01_id,
            draft=_edit(world, establishment_id=world.quebec_id, room="C-1"),
        )
    with world.db.read() as uow:
        course = uow.session.get_one(Course, world.piano01_id)
        assert (course.establishment_id, course.term_id, course.room) == (
            world.montreal_id,
            world.autumn_id,
            "C-1",
        )


def test_a_closed_group_takes_no_new_enrolment_until_reopened(database: Database) -> None:
    from registrar_tui.services.records.enrolment import add_course
    from registrar_tui.services.school_year.groups import GroupClosed
    from tests.services.reenrolment_data import build_world

    world = build_world(database)
    school, violin = world.school, world.courses["AUT-VLN"]
    with database.write() as uow:
        groups.close_group(uow, actor_id=school.registrar_id, course_id=violin)
    refused = pytest.raises(GroupClosed, match="fermé aux nouvelles inscriptions")
    with refused, database.write() as uow:
        add_course(uow, actor_id=school.registrar_id, student_id=world.student_id, course_id=violin)
    with database.write() as uow:
        groups.reopen_group(uow, actor_id=school.registrar_id, course_id=violin)
    with database.write() as uow:
        change = add_course(
            uow, actor_id=school.registrar_id, student_id=world.student_id, course_id=violin
        )
    assert change is not None
    with database.read() as uow:
        assert groups.group_row(uow, violin).seats_taken == 1
