"""Correcting a guardian's contact: validation per field, audit with before/after, roles."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Guardian
from registrar_tui.services.core.errors import CardNumberRefused, NotFound, PermissionDenied
from registrar_tui.services.records.contacts import (
    AUDIT_ACTION,
    GuardianContact,
    GuardianContactChange,
    InvalidContact,
    NothingChanged,
    guardian_contact,
    update_guardian_contact,
)
from registrar_tui.services.search.query import search
from tests.services.counter_data import CounterWorld, seed_counter


@pytest.fixture
def world(database: Database) -> CounterWorld:
    return seed_counter(database)


def _as_typed(contact: GuardianContact) -> GuardianContactChange:
    return GuardianContactChange(
        phone=contact.phone or "",
        email=contact.email or "",
        address_line=contact.address_line,
        city=contact.city,
        province=contact.province,
        postal_code=contact.postal_code,
    )


def _helene(database: Database, world: CounterWorld) -> GuardianContactChange:
    with database.read() as uow:
        return _as_typed(guardian_contact(uow, world.helene_id))


@dataclass(frozen=True)
class Audited:
    actor_id: int | None
    entity_type: str
    entity_id: int | None
    before: dict[str, object]
    after: dict[str, object]


def _audit(database: Database) -> list[Audited]:
    with database.read() as uow:
        return [
            Audited(
                e.actor_id,
                e.entity_type,
                e.entity_id,
                json.loads(e.before_json),
                json.loads(e.after_json),
            )
            for e in uow.session.exec(
                select(AuditEvent)
                .where(col(AuditEvent.action) == AUDIT_ACTION)
                .order_by(col(AuditEvent.id))
            )
        ]


def test_reads_the_stored_contact(database: Database, world: CounterWorld) -> None:
    with database.read() as uow:
        contact = guardian_contact(uow, world.helene_id)
    assert contact.full_name == "Hélène Tremblay"
    assert contact.phone == "514-555-0101"
    assert contact.postal_code == "H2X 3K2"
    assert contact.family_id == world.seeded.tremblay_id
    with database.read() as uow, pytest.raises(NotFound):
        guardian_contact(uow, 999_999)


def test_saves_normalised_values_and_audits_only_the_changed_fields(
    database: Database, world: CounterWorld
) -> None:
    typed = replace(_helene(database, world), phone="(438) 555 0142 poste 7", postal_code="h2x-3k2")
    with database.write() as uow:
        saved = update_guardian_contact(uow, world.helene_id, world.seeded.clerk_id, typed)
    assert saved.phone == "438-555-0142 x7"
    assert saved.postal_code == "H2X 3K2"  # the same once normalised: not a change
    with database.read() as uow:
        stored = uow.session.get(Guardian, world.helene_id)
        assert stored is not None and stored.phone == "438-555-0142 x7"
    (event,) = _audit(database)
    assert event.actor_id == world.seeded.clerk_id
    assert (event.entity_type, event.entity_id) == ("guardian", world.helene_id)
    assert event.before == {"phone": "514-555-0101"}
    assert event.after == {"phone": "438-555-0142 x7"}


def test_new_phone_is_searchable(database: Database, world: CounterWorld) -> None:
    typed = replace(_helene(database, world), phone="438-555-0177")
    with database.write() as uow:
        update_guardian_contact(uow, world.helene_id, world.seeded.clerk_id, typed)
    with database.read() as uow:
        page = search(uow, "438-555-0177")
    assert [hit.family_id for hit in page.rows] == [world.seeded.tremblay_id]


def test_blank_email_and_phone_are_cleared(database: Database, world: CounterWorld) -> None:
    typed = replace(_helene(database, world), email="  ", phone="")
    with database.write() as uow:
        saved = update_guardian_contact(uow, world.helene_id, world.seeded.clerk_id, typed)
    assert saved.email is None and saved.phone is None
    (event,) = _audit(database)
    assert event.after == {"email": None, "phone": None}


def test_each_bad_field_is_refused_with_its_own_message(
    database: Database, world: CounterWorld
) -> None:
    typed = replace(
        _helene(database, world),
        phone="514-555-01",
        email="helene@",
        province="XX",
        postal_code="D2X 3K2",
    )
    with database.write() as uow, pytest.raises(InvalidContact) as caught:
        update_guardian_contact(uow, world.helene_id, world.seeded.clerk_id, typed)
    problems = caught.value.problems
    assert set(problems) == {"phone", "email", "province", "postal_code"}
    assert caught.value.field == "phone"
    assert "10 chiffres" in problems["phone"].translated()
    assert "exemple.ca" in problems["email"].translated()
    assert "QC" in problems["province"].translated()
    assert "D" in problems["postal_code"].translated()
    assert all(error.field == name for name, error in problems.items())
    with database.read() as uow:
        assert guardian_contact(uow, world.helene_id).phone == "514-555-0101"
    assert _audit(database) == []


def test_card_number_in_the_address_is_refused(database: Database, world: CounterWorld) -> None:
    typed = replace(_helene(database, world), address_line="4111 1111 1111 1111, rue Ontario")
    with database.write() as uow, pytest.raises(InvalidContact) as caught:
        update_guardian_contact(uow, world.helene_id, world.seeded.clerk_id, typed)
    assert isinstance(caught.value.problems["address_line"], CardNumberRefused)
    assert caught.value.field == "address_line"
    with database.read() as uow:
        assert guardian_contact(uow, world.helene_id).address_line == "1234, rue Saint-Denis"
    assert _audit(database) == []


def test_disabled_user_is_refused(database: Database, world: CounterWorld) -> None:
    typed = replace(_helene(database, world), phone="438-555-0142")
    with database.write() as uow, pytest.raises(PermissionDenied):
        update_guardian_contact(uow, world.helene_id, world.disabled_clerk_id, typed)
    with database.read() as uow:
        assert guardian_contact(uow, world.helene_id).phone == "514-555-0101"
    assert _audit(database) == []


def test_registrar_may_correct_too(database: Database, world: CounterWorld) -> None:
    typed = replace(_helene(database, world), city="Laval", postal_code="H7N 1A1")
    with database.write() as uow:
        saved = update_guardian_contact(uow, world.helene_id, world.registrar_id, typed)
    assert (saved.city, saved.postal_code) == ("Laval", "H7N 1A1")
    (event,) = _audit(database)
    assert event.before == {"city": "Montréal", "postal_code": "H2X 3K2"}


def test_nothing_changed_is_refused_without_audit(database: Database, world: CounterWorld) -> None:
    typed = replace(_helene(database, world), phone="514 555 0101")  # same number, retyped
    with database.write() as uow, pytest.raises(NothingChanged):
        update_guardian_contact(uow, world.helene_id, world.seeded.clerk_id, typed)
    assert _audit(database) == []


def test_unknown_guardian_is_not_found(database: Database, world: CounterWorld) -> None:
    typed = _helene(database, world)
    with database.write() as uow, pytest.raises(NotFound):
        update_guardian_contact(uow, 999_999, world.seeded.clerk_id, typed)


def test_control_characters_are_removed(database: Database, world: CounterWorld) -> None:
    typed = replace(_helene(database, world), address_line="12, rue\x1b[2J Ontario\u202e")
    with database.write() as uow:
        saved = update_guardian_contact(uow, world.helene_id, world.seeded.clerk_id, typed)
    assert saved.address_line == "12, rue[2J Ontario"
