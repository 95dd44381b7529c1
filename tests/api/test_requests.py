"""The portal submits change and re-enrolment requests: pending, idempotent, every field
error named where it is in the body, nothing written on a refusal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlmodel import col, func, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, ChangeRequest, Family, Guardian, ReenrolmentRequest
from registrar_tui.models.base import Role
from registrar_tui.services.staff.api_clients import add_api_client
from tests import builders
from tests.api.conftest import NOW, SigningClient
from tests.services.reenrolment_data import build_world

CHANGES = "/v1/change-requests"
REENROLMENTS = "/v1/reenrolment-requests"


@dataclass(frozen=True)
class Door:
    api: SigningClient
    payer_id: int
    student_id: int
    portal_user_id: int


@pytest.fixture
def door(database: Database) -> Iterator[Door]:
    from fastapi.testclient import TestClient

    from registrar_tui.api.app import create_api
    from registrar_tui.api.settings import ApiSettings

    world = build_world(database)
    with database.write() as uow:
        admin = builders.staff(uow, None, username="ada", full_name="Ada", role=Role.ADMIN)
        family = uow.session.get_one(Family, world.family_id)
        family.portal_id = "P-TREMBLAY"
        uow.session.add(family)
        payer = uow.session.exec(
            select(Guardian).where(col(Guardian.family_id) == world.family_id)
        ).one()
        payer.phone = "514-555-0101"
        uow.session.add(payer)
        created = add_api_client(uow, admin, "portail")
        portal_user = uow.session.exec(
            select(AuditEvent.actor_id).where(col(AuditEvent.action) == "api_client.add")
        ).one()
        assert payer.id is not None and portal_user is not None
        payer_id = payer.id
    with database.read() as uow:
        from registrar_tui.models import ApiClient

        portal_user_id = uow.session.exec(select(ApiClient.staff_user_id)).one()
    app = create_api(settings=ApiSettings(database=database))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Door(SigningClient(client, created.key), payer_id, world.student_id, portal_user_id)


def _change(door: Door, *fields: dict[str, str], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "client_reference": "chg-1",
        "family_portal_id": "P-TREMBLAY",
        "target_kind": "guardian",
        "target_id": door.payer_id,
        "fields": list(fields)
        or [
            {"field_name": "phone", "seen_value": "514-555-0101", "requested_value": "514 555-0199"}
        ],
    }
    body.update(overrides)
    return body


def _reenrolment(door: Door, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "client_reference": "re-1",
        "family_portal_id": "P-TREMBLAY",
        "student_id": door.student_id,
        "term_code": "HIV-2027",
        "discipline_codes": ["PIA", "SOL"],
        "note": "Le mardi si possible",
    }
    body.update(overrides)
    return body


def _counts(database: Database) -> tuple[int, int]:
    with database.read() as uow:
        return (
            int(uow.session.exec(select(func.count()).select_from(ChangeRequest)).one()),
            int(uow.session.exec(select(func.count()).select_from(ReenrolmentRequest)).one()),
        )


def _errors(answer: Any) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in answer.json()["errors"]]


def test_a_change_request_is_pending_and_the_same_one_again_is_a_replay(
    door: Door, database: Database
) -> None:
    first = door.api.post(CHANGES, _change(door))
    again = door.api.post(CHANGES, _change(door), timestamp=NOW + 1)
    assert first.status_code == 201, first.text
    assert first.json()["kind"] == "change" and first.json()["status"] == "pending"
    assert again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == {**first.json(), "replayed": True}
    assert _counts(database) == (1, 0)
    with database.read() as uow:
        request = uow.session.get_one(ChangeRequest, first.json()["request_id"])
        assert request.submitted_by_id == door.portal_user_id


def test_a_reference_reused_for_other_content_is_a_conflict(door: Door, database: Database) -> None:
    door.api.post(CHANGES, _change(door))
    other = _change(
        door,
        {"field_name": "phone", "seen_value": "514-555-0101", "requested_value": "514-555-0177"},
    )
    answer = door.api.post(CHANGES, other, timestamp=NOW + 1)
    assert answer.status_code == 409
    assert _errors(answer) == [("client_reference", "client_reference_reused")]
    assert _counts(database) == (1, 0)


CHANGE_REFUSALS: list[tuple[dict[str, Any], int, list[tuple[str, str]]]] = [
    ({"family_portal_id": "P-NOBODY"}, 404, [("family_portal_id", "not_found")]),
    ({"target_id": 999999}, 404, [("target_id", "not_found")]),
    ({"target_kind": "teacher"}, 422, [("target_kind", "enum")]),
    ({"target_id": "un"}, 422, [("target_id", "int_parsing")]),
    ({"client_reference": ""}, 422, [("client_reference", "string_too_short")]),
    ({"client_reference": "x" * 65}, 422, [("client_reference", "string_too_long")]),
    ({"fields": []}, 422, [("fields", "too_short")]),
    ({"surprise": 1}, 422, [("surprise", "extra_forbidden")]),
    ({"family_portal_id": None}, 422, [("family_portal_id", "string_type")]),
    ({"fields": [{"field_name": "city", "seen_value": "", "requested_value": "4111111111111111"}]},
     422, [("fields.0.requested_value", "card_number_refused")]),
]  # fmt: skip


def test_a_change_refused_names_its_field_and_writes_nothing(
    door: Door, database: Database
) -> None:
    # One world for every case: a refusal writes nothing.
    for tick, (overrides, status, errors) in enumerate(CHANGE_REFUSALS):
        answer = door.api.post(CHANGES, _change(door, **overrides), timestamp=NOW - tick)
        assert (answer.status_code, _errors(answer)) == (status, errors), overrides
    assert _counts(database) == (0, 0)


def test_every_field_mistake_is_listed_at_once_where_it_is(door: Door) -> None:
    answer = door.api.post(
        CHANGES,
        _change(
            door,
            {
                "field_name": "phone",
                "seen_value": "514-555-0101",
                "requested_value": "pas un numéro",
            },
            {"field_name": "email", "seen_value": "", "requested_value": "pas-un-courriel"},
            {"field_name": "salary", "seen_value": "", "requested_value": "1"},
        ),
    )
    assert answer.status_code == 422
    assert sorted(field for field, _code in _errors(answer)) == [
        "fields.0.requested_value",
        "fields.1.requested_value",
        "fields.2.field_name",
    ]
    english = door.api.post(
        CHANGES,
        _change(door, {"field_name": "salary", "seen_value": "", "requested_value": "1"}),
        timestamp=NOW + 1,
        headers={"Accept-Language": "en"},
    )
    assert english.json()["errors"][0]["message"].isascii()


def test_a_reenrolment_request_is_pending_then_replayed(door: Door, database: Database) -> None:
    first = door.api.post(REENROLMENTS, _reenrolment(door))
    again = door.api.post(REENROLMENTS, _reenrolment(door), timestamp=NOW + 1)
    assert first.status_code == 201, first.text
    assert (first.json()["kind"], first.json()["status"]) == ("reenrolment", "pending")
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert _counts(database) == (0, 1)


REENROLMENT_REFUSALS: list[tuple[dict[str, Any], int, list[tuple[str, str]]]] = [
    ({"family_portal_id": "P-NOBODY"}, 404, [("family_portal_id", "not_found")]),
    ({"student_id": 999999}, 404, [("student_id", "not_found")]),
    ({"term_code": "ETE-2031"}, 404, [("term_code", "not_found")]),
    ({"term_code": "AUT-2026"}, 422, [("term_code", "reenrolment_closed")]),
    ({"discipline_codes": ["PIA", "HARPE"]}, 404, [("discipline_codes", "not_found")]),
    ({"discipline_codes": []}, 422, [("discipline_codes", "invalid_input")]),
    ({"discipline_codes": ["P" * 17]}, 422, [("discipline_codes.0", "string_too_long")]),
    ({"student_id": 0}, 422, [("student_id", "greater_than_equal")]),
    ({"administrative": "oui"}, 422, [("administrative", "bool_parsing")]),
    ({"note": "x" * 1001}, 422, [("note", "string_too_long")]),
]  # fmt: skip


def test_a_reenrolment_refused_names_its_field_and_writes_nothing(
    door: Door, database: Database
) -> None:
    for tick, (overrides, status, errors) in enumerate(REENROLMENT_REFUSALS):
        answer = door.api.post(REENROLMENTS, _reenrolment(door, **overrides), timestamp=NOW - tick)
        assert (answer.status_code, _errors(answer)) == (status, errors), (overrides, answer.text)
    assert _counts(database) == (0, 0)


def test_the_family_read_gives_the_ids_and_values_a_request_names(door: Door) -> None:
    answer = door.api.get("/v1/families/P-TREMBLAY")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    payer = body["guardians"][0]
    assert (payer["id"], payer["is_payer"], payer["values"]["phone"]) == (
        door.payer_id,
        True,
        "514-555-0101",
    )
    assert door.student_id in [student["id"] for student in body["students"]]
    assert "HIV-2027" in [term["code"] for term in body["reenrolment_terms"]]
    unknown = door.api.get("/v1/families/P-NOBODY", timestamp=NOW + 1)
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0]["field"] == "portal_id"
