"""Admitting a student, correcting the record, withdrawing: on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import threading
from datetime import date

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Role, Student, StudentStatus
from registrar_tui.services.core.errors import (
    CardNumberRefused,
    NotFound,
    PermissionDenied,
    ReasonRequired,
)
from registrar_tui.services.records.contacts import NothingChanged
from registrar_tui.services.records.need_to_know import set_medical_roles
from registrar_tui.services.records.student_numbers import entry_year, next_student_number
from registrar_tui.services.records.students import (
    CodePermanentWarnings,
    InvalidStudent,
    PossibleDuplicate,
    admit_student,
    change_student_status,
    student_record,
    update_student_health,
    update_student_identity,
)
from registrar_tui.services.search.query import search
from tests import builders
from tests.services.records.admission_data import (
    BIRTH,
    AdmissionWorld,
    build_admission,
    health,
    identity,
)


@pytest.fixture
def world(database: Database) -> AdmissionWorld:
    return build_admission(database)


def _admit(database: Database, world: AdmissionWorld, *args: object, **kwargs: object) -> str:
    family = kwargs.pop("family_id", world.family_id)
    actor = kwargs.pop("actor_id", world.clerk_id)
    change = args[0] if args else identity()
    care = args[1] if len(args) > 1 else health()
    with database.write() as uow:
        admitted = admit_student(uow, family, actor, change, care, **kwargs)  # type: ignore[arg-type]
    return admitted.student_number


# --- numbering ----------------------------------------------------------------------


def test_nine_digit_numbers_are_year_site_and_a_gapless_sequence(
    database: Database, world: AdmissionWorld
) -> None:
    first = _admit(database, world)
    second = _admit(database, world, identity("Hugo", code_permanent="TREH01011201"),
                    accept_warnings=True)  # fmt: skip
    assert (first, second) == ("261000001", "261000002")


def test_seven_digit_numbers_have_no_site_digit(database: Database, world: AdmissionWorld) -> None:
    number = _admit(
        database, world, identity("Zoé", "Côté", code_permanent=""), family_id=world.gat_family_id
    )
    assert number == "2600001"
    with database.read() as uow:
        student = uow.session.exec(select(Student).where(Student.student_number == number)).one()
        assert student.establishment_id == world.gat_id


def test_counter_starts_after_the_highest_existing_number(
    database: Database, world: AdmissionWorld
) -> None:
    with database.write() as uow:
        builders.student(uow, world.family_id, world.mtl_id, number="261000417",
                         first_name="Ancien", last_name="Élève")  # fmt: skip
        builders.student(uow, world.family_id, world.mtl_id, number="251000900",
                         first_name="Autre", last_name="Année")  # fmt: skip
    assert _admit(database, world) == "261000418"


def test_a_refused_admission_gives_its_number_back(
    database: Database, world: AdmissionWorld
) -> None:
    with pytest.raises(CodePermanentWarnings):
        _admit(database, world, identity(code_permanent="TREL09031401"))
    assert _admit(database, world, identity(code_permanent="")) == "261000001"


def test_new_school_year_starts_a_new_sequence(database: Database, world: AdmissionWorld) -> None:
    assert entry_year(date(2026, 7, 31)) == 2025
    assert entry_year(date(2026, 8, 1)) == 2026
    with database.write() as uow:
        numbers = [
            next_student_number(uow, world.mtl_id, day)
            for day in (date(2026, 11, 23), date(2027, 6, 30), date(2027, 8, 2), date(2027, 9, 1))
        ]
    assert numbers == ["261000001", "261000002", "271000001", "271000002"]


def test_two_concurrent_admissions_get_two_consecutive_numbers(
    database: Database, world: AdmissionWorld
) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); the row lock is PostgreSQL's")
    barrier = threading.Barrier(2)
    numbers: list[str] = []
    errors: list[BaseException] = []

    def admit(first_name: str) -> None:
        try:
            with database.write() as uow:
                barrier.wait(timeout=10)
                admitted = admit_student(
                    uow, world.family_id, world.clerk_id,
                    identity(first_name, code_permanent=""), health(), allow_duplicates=True,
                )  # fmt: skip
            numbers.append(admitted.student_number)
        except BaseException as error:  # reported below
            errors.append(error)

    for _round in range(5):
        threads = [threading.Thread(target=admit, args=(name,)) for name in ("Ana", "Bob")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert not errors
    assert sorted(numbers) == [f"2610000{n:02d}" for n in range(1, 11)]


# --- checks before saving -----------------------------------------------------------


def test_code_permanent_format_is_refused_next_to_the_field(
    database: Database, world: AdmissionWorld
) -> None:
    with pytest.raises(InvalidStudent) as refused:
        _admit(database, world, identity(code_permanent="TRE123"))
    assert refused.value.field == "code_permanent"
    assert "4 lettres" in refused.value.translated()


def test_mismatching_code_permanent_is_a_warning_the_user_may_accept(
    database: Database, world: AdmissionWorld
) -> None:
    mismatched = identity(code_permanent="TREL09031401")  # a boy's month, birth day 09/03
    with pytest.raises(CodePermanentWarnings) as warned:
        _admit(database, world, mismatched)
    assert any("garçon" in warning for warning in warned.value.warnings)
    assert _admit(database, world, mismatched, accept_warnings=True) == "261000001"


def test_several_bad_fields_are_each_refused(database: Database, world: AdmissionWorld) -> None:
    with pytest.raises(InvalidStudent) as refused:
        _admit(database, world, identity("", birth_date="2030-01-01", sex="X"))
    assert set(refused.value.problems) == {"first_name", "birth_date", "sex"}


def test_same_name_and_birth_date_is_a_possible_duplicate(
    database: Database, world: AdmissionWorld
) -> None:
    _admit(database, world)
    twin = identity("LEA", "tremblay", code_permanent="")
    with pytest.raises(PossibleDuplicate) as found:
        _admit(database, world, twin, family_id=world.gat_family_id)
    assert found.value.may_create_anyway
    assert [d.full_name for d in found.value.duplicates] == ["Léa Tremblay"]
    assert _admit(database, world, twin, family_id=world.gat_family_id, allow_duplicates=True)


def test_same_code_permanent_cannot_be_created_anyway(
    database: Database, world: AdmissionWorld
) -> None:
    _admit(database, world)
    other = identity("Rose", "Tremblay", birth_date="2015-01-01")
    with pytest.raises(PossibleDuplicate) as found:
        _admit(database, world, other, allow_duplicates=True, accept_warnings=True)
    assert not found.value.may_create_anyway
    assert found.value.duplicates[0].same_code_permanent


# --- writing, audit, search -----------------------------------------------------------


def test_admission_is_audited_and_searchable_at_once(
    database: Database, world: AdmissionWorld
) -> None:
    number = _admit(database, world)
    with database.read() as uow:
        hits = search(uow, "lea trem").rows
        event = uow.session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "student.admit")
        ).one()
        assert number in event.after_json and event.actor_id == world.clerk_id
        record = student_record(uow, hits[0].ref_id, world.clerk_id)
    assert [(h.title, h.subtitle) for h in hits] == [("Tremblay, Léa", f"{number} · MTL")]
    who = record.identity
    assert (who.allergies, who.emergency_contact_phone) == ("Arachides", "514-555-0199")
    assert who.address.startswith("12, rue des Érables")


def test_clerk_may_not_correct_identity(database: Database, world: AdmissionWorld) -> None:
    _admit(database, world)
    with database.read() as uow:
        student_id = search(uow, "lea").rows[0].ref_id
    with pytest.raises(PermissionDenied), database.write() as uow:
        update_student_identity(uow, student_id, world.clerk_id, identity("Léonie"))
    with database.write() as uow:
        updated = update_student_identity(
            uow, student_id, world.registrar_id, identity("Léonie", code_permanent="TREL09531401"),
            accept_warnings=True,
        )  # fmt: skip
    assert updated.first_name == "Léonie"
    with database.read() as uow:
        assert search(uow, "leonie").rows[0].ref_id == student_id
        event = uow.session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "student.identity_update")
        ).one()
        before, after = json.loads(event.before_json), json.loads(event.after_json)
    assert (before, after) == ({"first_name": "Léa"}, {"first_name": "Léonie"})
    with pytest.raises(NothingChanged), database.write() as uow:
        update_student_identity(
            uow, student_id, world.registrar_id, identity("Léonie"), accept_warnings=True
        )


def test_health_follows_medical_roles(database: Database, world: AdmissionWorld) -> None:
    with database.write() as uow:
        set_medical_roles(uow, [Role.REGISTRAR, Role.ADMIN], world.admin_id)
    with pytest.raises(PermissionDenied) as refused:
        _admit(database, world)
    assert refused.value.field == "allergies"
    _admit(database, world, identity(), health(allergies=None, medical_conditions=None))
    with database.read() as uow:
        student_id = search(uow, "lea").rows[0].ref_id
    # The clerk still keeps the emergency contact up to date; the health notes are not his.
    with database.write() as uow:
        updated = update_student_health(
            uow, student_id, world.clerk_id,
            health(allergies=None, medical_conditions=None, emergency_contact_phone="5145550100"),
        )  # fmt: skip
    assert updated.emergency_contact_phone == "514-555-0100" and updated.allergies is None
    with pytest.raises(PermissionDenied), database.write() as uow:
        update_student_health(uow, student_id, world.clerk_id, health(allergies="Noix"))
    with database.write() as uow:
        shown = update_student_health(uow, student_id, world.registrar_id, health(allergies="Noix"))
    assert shown.allergies == "Noix"


def test_card_numbers_are_refused_in_every_free_text_field(
    database: Database, world: AdmissionWorld
) -> None:
    card = "4111 1111 1111 1111"
    for change, care in (
        (identity(school_name=card), health()),
        (identity(school_level=card), health()),
        (identity(group_name=card), health()),
        (identity(), health(allergies=card)),
        (identity(), health(medical_conditions=card)),
        (identity(), health(emergency_contact_name=card)),
    ):
        with pytest.raises(InvalidStudent) as refused:
            _admit(database, world, change, care)
        assert any(isinstance(p, CardNumberRefused) for p in refused.value.problems.values())
    with database.read() as uow:
        assert uow.session.exec(select(Student)).first() is None


def test_withdrawal_needs_a_reason_and_leaves_the_default_search(
    database: Database, world: AdmissionWorld
) -> None:
    _admit(database, world)
    with database.read() as uow:
        student_id = search(uow, "lea").rows[0].ref_id
    with pytest.raises(PermissionDenied), database.write() as uow:
        change_student_status(uow, student_id, world.clerk_id, "withdrawn", reason="Déménagement")
    with pytest.raises(ReasonRequired), database.write() as uow:
        change_student_status(uow, student_id, world.registrar_id, "withdrawn", reason=" ")
    with database.write() as uow:
        withdrawn = change_student_status(
            uow, student_id, world.registrar_id, StudentStatus.WITHDRAWN,
            on="2026-11-20", reason="Déménagement à Sherbrooke",
        )  # fmt: skip
    assert withdrawn.status is StudentStatus.WITHDRAWN
    assert withdrawn.status_changed_on == date(2026, 11, 20)
    with database.read() as uow:
        assert search(uow, "lea").rows == ()
        found = search(uow, "lea", include_withdrawn=True).rows
        assert [(h.ref_id, h.is_withdrawn) for h in found] == [(student_id, True)]
        # The family is still found by its name.
        assert [h.kind for h in search(uow, "tremblay").rows] == ["family"]
    with database.write() as uow:
        back = change_student_status(uow, student_id, world.registrar_id, "active")
    assert (back.status, back.status_changed_on, back.status_reason) == (
        StudentStatus.ACTIVE,
        None,
        "",
    )
    with database.read() as uow:
        assert [h.ref_id for h in search(uow, "lea").rows] == [student_id]


def test_graduation_stays_in_search_and_future_dates_are_refused(
    database: Database, world: AdmissionWorld
) -> None:
    _admit(database, world)
    with database.read() as uow:
        student_id = search(uow, "lea").rows[0].ref_id
    with pytest.raises(Exception) as refused, database.write() as uow:
        change_student_status(uow, student_id, world.registrar_id, "graduated", on="2027-06-01")
    assert getattr(refused.value, "field", None) == "status_date"
    with database.write() as uow:
        graduated = change_student_status(uow, student_id, world.admin_id, "graduated")
    assert graduated.status_changed_on == date(2026, 11, 23)
    with database.read() as uow:
        assert [h.is_withdrawn for h in search(uow, "lea").rows] == [False]


def test_unknown_family_or_student(database: Database, world: AdmissionWorld) -> None:
    with pytest.raises(NotFound):
        _admit(database, world, family_id=999)
    with pytest.raises(NotFound), database.write() as uow:
        change_student_status(uow, 999, world.registrar_id, "graduated")
    assert date(2014, 3, 9) == BIRTH
