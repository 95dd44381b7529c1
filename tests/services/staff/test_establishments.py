"""A new school creates its establishments (issue #15): `add_establishment`."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Establishment
from registrar_tui.models.base import Role
from registrar_tui.services.core.errors import InvalidInput, PermissionDenied
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.staff.reference import add_establishment, list_establishments
from tests import builders
from tests.services.ledger_data import School, add_family, add_invoice, build_school, cash

LAVAL: dict[str, Any] = {
    "code": "lav",
    "name": "École de musique de Laval",
    "address_line": "1, boulevard de la Concorde",
    "city": "Laval",
    "postal_code": "h7n 1a1",
    "phone": "(450) 555 0100",
}


@pytest.fixture
def school(database: Database) -> School:
    return build_school(database)


def _count(db: Database) -> tuple[int, int]:
    with db.read() as uow:
        sites = uow.session.exec(select(func.count()).select_from(Establishment)).one()
        events = uow.session.exec(select(func.count()).select_from(AuditEvent)).one()
        return int(sites), int(events)


def test_admin_adds_an_establishment_audited(database: Database, school: School) -> None:
    with database.write() as uow:
        info = add_establishment(
            uow, actor_id=school.admin_id, email="accueil@laval.example.org", **LAVAL
        )
    assert (info.code, info.postal_code, info.phone) == ("LAV", "H7N 1A1", "450-555-0100")
    assert (info.province, info.student_number_digits, info.student_number_site_digit) == (
        "QC",
        9,
        "1",
    )
    with database.read() as uow:
        assert [e.code for e in list_establishments(uow)] == ["LAV", "MTL", "QC"]
        event = uow.session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "establishment.add")
        ).one()
        assert event.actor_id == school.admin_id
        assert json.loads(event.before_json) == {}
        after = json.loads(event.after_json)
        assert after["code"] == "LAV" and after["email"] == "accueil@laval.example.org"
        assert after["student_number_site_digit"] == "1"


def test_seven_digit_numbers_have_no_site_digit(database: Database, school: School) -> None:
    with database.write() as uow:
        info = add_establishment(
            uow, actor_id=school.admin_id, student_number_digits=7, province="on", **LAVAL
        )
    assert (info.student_number_digits, info.student_number_site_digit) == (7, "")
    assert info.province == "ON"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"code": "MTL"}, "code"),
        ({"code": "mtl "}, "code"),
        ({"code": "L"}, "code"),
        ({"code": "TROP-LONG9"}, "code"),
        ({"code": "LA V"}, "code"),
        ({"name": "  "}, "name"),
        ({"address_line": ""}, "address_line"),
        ({"city": "x" * 101}, "city"),
        ({"province": "XX"}, "province"),
        ({"postal_code": "H2X"}, "postal_code"),
        ({"phone": "555"}, "phone"),
        ({"email": "pas-un-courriel"}, "email"),
        ({"student_number_digits": 8}, "student_number_digits"),
        ({"student_number_site_digit": "12"}, "student_number_site_digit"),
        (
            {"student_number_digits": 7, "student_number_site_digit": "1"},
            "student_number_site_digit",
        ),
    ],
)
def test_refusals_name_the_field_and_write_nothing(
    database: Database, school: School, change: dict[str, Any], field: str
) -> None:
    before = _count(database)
    with pytest.raises(InvalidInput) as raised, database.write() as uow:
        add_establishment(uow, actor_id=school.admin_id, **{**LAVAL, **change})
    assert raised.value.field == field
    assert _count(database) == before


def test_only_an_admin_adds_an_establishment(database: Database, school: School) -> None:
    before = _count(database)
    for user in (school.clerk_id, school.registrar_id, school.inactive_id):
        with pytest.raises(PermissionDenied), database.write() as uow:
            add_establishment(uow, actor_id=user, **LAVAL)
    assert _count(database) == before


def test_a_new_establishment_takes_a_payment_with_a_receipt_number(
    database: Database, school: School
) -> None:
    with database.write() as uow:
        add_establishment(uow, actor_id=school.admin_id, **LAVAL)
        site_id = uow.session.exec(
            select(Establishment.id).where(col(Establishment.code) == "LAV")
        ).one()
        assert site_id is not None
        clerk = builders.staff(
            uow, site_id, username="laval", full_name="Commis Laval", role=Role.CLERK
        )
    family = add_family(database, school)
    add_invoice(database, school, family, (("100.00", ""),))
    request = cash(school, family, "100.00", "100.00", clerk_id=clerk)
    with database.write() as uow:
        posted = post_payment(uow, replace(request, establishment_id=site_id))
    assert posted.establishment.code == "LAV"
    assert posted.receipt_number == "LAV-2026-000001"  # its own numbering, from 1
