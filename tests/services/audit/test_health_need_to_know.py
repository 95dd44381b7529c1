"""Need-to-know on the audit trail: a student's allergies and medical notes are shown to
readers in `medical_roles` and masked for the others, on the list and in the detail, while
the rows themselves stay as written (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AppSetting, AuditEvent, Role
from registrar_tui.services.audit.log import (
    AuditEventDetail,
    AuditFilter,
    AuditRow,
    audit_event_detail,
    audit_page,
)
from registrar_tui.services.audit.need_to_know import HEALTH_FIELDS, reader_sees_health
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.records.need_to_know import may_see_medical, set_medical_roles
from registrar_tui.services.records.students import (
    StudentHealthChange,
    admit_student,
    update_student_health,
)
from registrar_tui.services.staff.settings import MEDICAL_ROLES
from tests.services.records.admission_data import AdmissionWorld, build_admission, identity

ALLERGIES = "Arachides (EpiPen dans le sac)"
MEDICAL = "Asthme léger"
NEW_ALLERGIES = "Arachides, noix de cajou"


@pytest.fixture
def world(database: Database) -> AdmissionWorld:
    return build_admission(database)


def _admit_and_correct(db: Database, world: AdmissionWorld) -> int:
    """Léa admitted with health notes, then her allergies corrected (both by the admin)."""
    with db.write() as uow:
        lea = admit_student(
            uow,
            world.family_id,
            world.admin_id,
            identity(),
            StudentHealthChange("Marc Tremblay", "514-555-0102", ALLERGIES, MEDICAL),
        )
    with db.write() as uow:
        update_student_health(
            uow,
            lea.id,
            world.admin_id,
            StudentHealthChange("Marc Tremblay", "514-555-0102", NEW_ALLERGIES, MEDICAL),
        )
    return lea.id


def _keep_to(db: Database, world: AdmissionWorld, *roles: Role) -> None:
    with db.write() as uow:
        set_medical_roles(uow, roles, world.admin_id)


def _student_events(db: Database, reader: int, student_id: int) -> list[AuditRow]:
    with db.read() as uow:
        page = audit_page(uow, reader, AuditFilter(entity_type="student", entity_id=student_id))
    return list(page.rows)


def _detail(db: Database, reader: int, event_id: int) -> AuditEventDetail:
    with db.write() as uow:
        return audit_event_detail(uow, reader, event_id)


def _rows_as_written(db: Database, student_id: int) -> list[tuple[str, str, str, str]]:
    with db.read() as uow:
        return [
            (event.action, event.before_json, event.after_json, event.hash)
            for event in uow.session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.entity_type) == "student")
                .where(col(AuditEvent.entity_id) == student_id)
                .order_by(col(AuditEvent.id))
            )
        ]


def test_a_registrar_outside_medical_roles_sees_the_fields_named_never_their_values(
    database: Database, world: AdmissionWorld
) -> None:
    _keep_to(database, world, Role.ADMIN)
    student_id = _admit_and_correct(database, world)
    before = _rows_as_written(database, student_id)

    correction, admission = _student_events(database, world.registrar_id, student_id)
    assert (correction.action, admission.action) == ("student.health_update", "student.admit")
    assert correction.changed_fields == ("allergies",)
    assert {"allergies", "medical_conditions", "first_name"} <= set(admission.changed_fields)

    detail = _detail(database, world.registrar_id, correction.event_id)
    [allergies] = detail.fields
    assert allergies.name == "allergies"
    assert allergies.hidden and allergies.changed
    assert (allergies.before, allergies.after) == (None, None)
    assert detail.hash == ""

    detail = _detail(database, world.registrar_id, admission.event_id)
    hidden = {field.name: field for field in detail.fields if field.hidden}
    assert set(hidden) == HEALTH_FIELDS
    assert all(f.before is None and f.after is None for f in hidden.values())
    shown = {field.name: field.after for field in detail.fields if not field.hidden}
    assert shown["first_name"] == "Léa"
    assert shown["emergency_contact_name"] == "Marc Tremblay"  # not need-to-know
    for text in (ALLERGIES, MEDICAL, NEW_ALLERGIES, "Arachides", "Asthme"):
        assert text not in repr(detail)

    # The trail itself is untouched: the values are on it, the chain holds.
    assert _rows_as_written(database, student_id) == before
    assert ALLERGIES in before[0][2] and NEW_ALLERGIES in before[1][2]
    with database.read() as uow:
        assert verify_chains(uow).breaks == ()


def test_a_reader_in_medical_roles_sees_before_and_after(
    database: Database, world: AdmissionWorld
) -> None:
    _keep_to(database, world, Role.REGISTRAR, Role.ADMIN)
    student_id = _admit_and_correct(database, world)

    correction, _admission = _student_events(database, world.registrar_id, student_id)
    [allergies] = _detail(database, world.registrar_id, correction.event_id).fields
    assert not allergies.hidden
    assert (allergies.before, allergies.after) == (ALLERGIES, NEW_ALLERGIES)
    with database.read() as uow:
        stored = uow.session.get(AuditEvent, correction.event_id)
        assert stored is not None
        stored_hash = stored.hash
    assert _detail(database, world.registrar_id, correction.event_id).hash == stored_hash


def test_without_the_setting_the_registrar_and_admin_see_the_values(
    database: Database, world: AdmissionWorld
) -> None:
    student_id = _admit_and_correct(database, world)
    for reader in (world.registrar_id, world.admin_id):
        correction, _admission = _student_events(database, reader, student_id)
        [allergies] = _detail(database, reader, correction.event_id).fields
        assert allergies.after == NEW_ALLERGIES


def test_a_masked_reader_cannot_tell_notes_from_none(
    database: Database, world: AdmissionWorld
) -> None:
    """Léa admitted with health notes, her brother with none typed: the same for a reader
    outside `medical_roles`, on the list and in the detail."""
    _keep_to(database, world, Role.ADMIN)
    student_id = _admit_and_correct(database, world)
    with database.write() as uow:
        theo = admit_student(
            uow,
            world.family_id,
            world.admin_id,
            identity("Théo", birth_date="2016-05-02", code_permanent="TRET02051601", sex="M"),
            StudentHealthChange("Marc Tremblay", "514-555-0102", "", ""),
        )
    views = []
    for admitted in (student_id, theo.id):
        *_later, admission = _student_events(database, world.registrar_id, admitted)
        detail = _detail(database, world.registrar_id, admission.event_id)
        views.append(
            (
                admission.changed_fields,
                [(f.name, f.before, f.after, f.hidden) for f in detail.fields if f.hidden],
            )
        )
    assert views[0] == views[1]
    assert set(views[0][0]) >= HEALTH_FIELDS


@pytest.mark.parametrize(
    "stored", ["", "admin", "registrar,admin", " Registrar , clerk", "infirmière", "  "]
)
def test_the_trail_and_the_records_room_agree_on_who_sees_health(
    database: Database, world: AdmissionWorld, stored: str
) -> None:
    with database.write() as uow:
        if stored:
            uow.session.add(AppSetting(key=MEDICAL_ROLES, value=stored))
    with database.read() as uow:
        for reader in (world.clerk_id, world.registrar_id, world.admin_id):
            user = active_staff(uow, reader)
            assert reader_sees_health(uow, user) == may_see_medical(uow, reader), (stored, reader)


def test_the_detail_of_a_setting_change_is_not_masked(
    database: Database, world: AdmissionWorld
) -> None:
    """Only the health fields are need-to-know: the roles chosen read as they are."""
    _keep_to(database, world, Role.ADMIN)
    with database.read() as uow:
        [event_id] = uow.session.exec(
            select(AuditEvent.id).where(col(AuditEvent.action) == "setting.change")
        ).all()
    assert event_id is not None
    fields = {f.name: f for f in _detail(database, world.registrar_id, event_id).fields}
    assert fields["value"].after == "admin"
    assert not any(f.hidden for f in fields.values())
    assert fields["key"].after == "medical_roles"
