"""A new school adds the disciplines it teaches (issue #15): `add_discipline`."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Discipline
from registrar_tui.models.base import DisciplineKind
from registrar_tui.services.core.errors import CardNumberRefused, InvalidInput, PermissionDenied
from registrar_tui.services.school_year.disciplines import add_discipline, list_disciplines
from registrar_tui.services.school_year.groups import discipline_id_by_code
from tests.services.ledger_data import School, build_school

HARP: dict[str, Any] = {
    "code": " hrp ",
    "name_fr": "Harpe",
    "name_en": "Harp",
    "kind": DisciplineKind.INSTRUMENT,
}


@pytest.fixture
def school(database: Database) -> School:
    return build_school(database)


def _count(db: Database) -> tuple[int, int]:
    with db.read() as uow:
        rows = uow.session.exec(select(func.count()).select_from(Discipline)).one()
        events = uow.session.exec(select(func.count()).select_from(AuditEvent)).one()
        return int(rows), int(events)


@pytest.mark.parametrize("role", ["registrar", "admin"])
def test_registrar_or_admin_adds_a_discipline_audited(
    database: Database, school: School, role: str
) -> None:
    actor = school.registrar_id if role == "registrar" else school.admin_id
    with database.write() as uow:
        row = add_discipline(uow, actor_id=actor, **HARP)
    assert (row.code, row.name_fr, row.name_en, row.kind) == (
        "HRP",
        "Harpe",
        "Harp",
        DisciplineKind.INSTRUMENT,
    )
    with database.read() as uow:
        assert [d.code for d in list_disciplines(uow)] == ["HRP"]
        assert discipline_id_by_code(uow, "hrp") == row.discipline_id  # groups find it
        event = uow.session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "discipline.add")
        ).one()
        actor_id, before, after = event.actor_id, event.before_json, event.after_json
    assert actor_id == actor and json.loads(before) == {}
    assert json.loads(after) == {
        "code": "HRP",
        "name_fr": "Harpe",
        "name_en": "Harp",
        "kind": "instrument",
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": ""}, "code"),
        ({"code": "TROPLONG9"}, "code"),
        ({"code": "H P"}, "code"),
        ({"name_fr": " "}, "name_fr"),
        ({"name_en": ""}, "name_en"),
        ({"name_en": "x" * 101}, "name_en"),
    ],
)
def test_refusals_name_the_field_and_write_nothing(
    database: Database, school: School, change: dict[str, Any], field: str
) -> None:
    before = _count(database)
    with pytest.raises(InvalidInput) as raised, database.write() as uow:
        add_discipline(uow, actor_id=school.admin_id, **{**HARP, **change})
    assert raised.value.field == field
    assert _count(database) == before


def test_a_used_code_is_refused(database: Database, school: School) -> None:
    with database.write() as uow:
        add_discipline(uow, actor_id=school.admin_id, **HARP)
    before = _count(database)
    with pytest.raises(InvalidInput) as raised, database.write() as uow:
        add_discipline(uow, actor_id=school.admin_id, **{**HARP, "code": "Hrp"})
    assert raised.value.field == "code" and "HRP" in raised.value.translated()
    assert _count(database) == before


def test_a_card_number_in_a_name_is_refused(database: Database, school: School) -> None:
    with pytest.raises(CardNumberRefused), database.write() as uow:
        add_discipline(uow, actor_id=school.admin_id, **{**HARP, "name_fr": "4111 1111 1111 1111"})
    assert _count(database) == (0, 0)


def test_a_clerk_or_disabled_account_cannot_add(database: Database, school: School) -> None:
    for user in (school.clerk_id, school.inactive_id):
        with pytest.raises(PermissionDenied), database.write() as uow:
            add_discipline(uow, actor_id=user, **HARP)
    assert _count(database) == (0, 0)
