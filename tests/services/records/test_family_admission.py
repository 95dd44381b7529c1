"""Admitting a family at the counter: validation, duplicates, numbering, search, audit."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Family, Guardian
from registrar_tui.models.base import Language
from registrar_tui.services.core.errors import CardNumberRefused, InvalidInput, PermissionDenied
from registrar_tui.services.records.admission import (
    ADMIT_ACTION,
    InvalidFamily,
    NewFamily,
    PossibleDuplicate,
    admit_family,
    establishment_choices,
    find_duplicate_families,
    next_family_number,
)
from registrar_tui.services.records.contacts import NewGuardian
from registrar_tui.services.search.query import search
from tests.services.counter_data import CounterWorld, seed_counter

SOPHIE = NewGuardian(
    first_name="Sophie",
    last_name="Lévesque",
    relationship_label="mère",
    phone="(418) 555-0170",
    email="sophie.levesque@example.ca",
    address_line="55, rue Cartier",
    city="Québec",
    province="qc",
    postal_code="g1r2s3",
)
PIERRE = NewGuardian(
    first_name="Pierre",
    last_name="Ouellet",
    relationship_label="père",
    phone="418 555 0171",
    phone_alt="418-555-0172",
    language="en",
)
HELENE_AGAIN = NewGuardian(first_name="HELENE", last_name="tremblay", phone="+1 (514) 555-0101")


@pytest.fixture
def world(database: Database) -> CounterWorld:
    return seed_counter(database)


def _admit(database: Database, actor: int, new: NewFamily, **kw: bool) -> object:
    with database.write() as uow:
        return admit_family(uow, actor, new, **kw)


def _events(database: Database) -> list[tuple[int | None, dict[str, object]]]:
    with database.read() as uow:
        return [
            (e.entity_id, json.loads(e.after_json))
            for e in uow.session.exec(
                select(AuditEvent).where(col(AuditEvent.action) == ADMIT_ACTION)
            )
        ]


def test_a_family_with_two_guardians_is_created_numbered_and_audited(
    database: Database, world: CounterWorld
) -> None:
    with database.read() as uow:
        expected_number = next_family_number(uow)
        numbers = uow.session.exec(select(Family.family_number)).all()
    assert expected_number == "F0000116"  # the seed's largest is F0000115 (Bouchard 15)
    assert expected_number not in numbers
    with database.write() as uow:
        admitted = admit_family(
            uow, world.seeded.clerk_id, NewFamily(payer=SOPHIE, second=PIERRE, language="fr_CA")
        )
    assert admitted.family_number == expected_number
    assert admitted.name == "Lévesque"
    with database.read() as uow:
        language = uow.session.get_one(Family, admitted.family_id).language
        guardians = [
            (g.first_name, g.is_payer, g.phone, g.phone_alt, g.postal_code, g.province, g.language)
            for g in uow.session.exec(
                select(Guardian)
                .where(col(Guardian.family_id) == admitted.family_id)
                .order_by(col(Guardian.id))
            )
        ]
    assert language == Language.FRENCH
    # Stored in canonical form: phones, postal code, province; the payer first.
    assert guardians == [
        ("Sophie", True, "418-555-0170", None, "G1R 2S3", "QC", Language.FRENCH),
        ("Pierre", False, "418-555-0171", "418-555-0172", "", "QC", Language.ENGLISH),
    ]
    [(entity_id, after)] = _events(database)
    assert entity_id == admitted.family_id
    assert after["family_number"] == expected_number
    assert [g["first_name"] for g in after["guardians"]] == ["Sophie", "Pierre"]  # type: ignore[index]
    assert "duplicates_overridden" not in after


def test_the_next_family_takes_the_next_number(database: Database, world: CounterWorld) -> None:
    first = _admit(database, world.seeded.clerk_id, NewFamily(payer=SOPHIE))
    second = _admit(database, world.seeded.registrar_id, NewFamily(payer=PIERRE))
    assert first.family_number == "F0000116"  # type: ignore[attr-defined]
    assert second.family_number == "F0000117"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "query", ["levesque", "Lévesque", "4185550170", "sophie.levesque@example.ca", "F0000116", "116"]
)
def test_the_new_family_is_found_at_once(
    database: Database, world: CounterWorld, query: str
) -> None:
    admitted = _admit(database, world.seeded.clerk_id, NewFamily(payer=SOPHIE, second=PIERRE))
    with database.read() as uow:
        hits = search(uow, query).rows
    assert admitted.family_id in {hit.family_id for hit in hits}  # type: ignore[attr-defined]


def test_the_family_belongs_to_the_clerks_establishment_by_default(
    database: Database, world: CounterWorld
) -> None:
    admitted = _admit(database, world.seeded.clerk_id, NewFamily(payer=SOPHIE))
    with database.read() as uow:
        [choice] = establishment_choices(uow)
        family = uow.session.get_one(Family, admitted.family_id)  # type: ignore[attr-defined]
        assert family.establishment_id == choice.id


@pytest.mark.parametrize(
    "typed",
    [
        HELENE_AGAIN,  # case, and the phone written another way
        replace(HELENE_AGAIN, first_name="Hélène", last_name="TREMBLAY", phone="514.555.0101"),
        replace(HELENE_AGAIN, phone="", email="Helene.Tremblay@EXAMPLE.CA"),  # e-mail
        replace(HELENE_AGAIN, phone="418-555-0199", phone_alt="5145550101"),  # the other phone
    ],
)
def test_a_guardian_on_file_is_a_possible_duplicate(
    database: Database, world: CounterWorld, typed: NewGuardian
) -> None:
    with pytest.raises(PossibleDuplicate) as refused, database.write() as uow:
        admit_family(uow, world.seeded.clerk_id, NewFamily(payer=typed))
    [match] = refused.value.matches
    assert (match.family_number, match.full_name) == ("F0000001", "Hélène Tremblay")
    assert match.family_id == world.seeded.tremblay_id
    assert match.matched_side == "payer"
    assert match.balance == Decimal("275.00")  # the Tremblay family's balance
    with database.read() as uow:
        assert uow.session.exec(select(Family).where(col(Family.name) == "tremblay")).all() == []
    assert _events(database) == []


def test_a_second_guardian_on_file_is_a_duplicate_too(
    database: Database, world: CounterWorld
) -> None:
    marc = NewGuardian(first_name="marc", last_name="Gagnon", phone="514 555 0102")
    with database.read() as uow:
        [match] = find_duplicate_families(uow, NewFamily(payer=SOPHIE, second=marc))
    assert (match.full_name, match.matched_side, match.matched_on) == (
        "Marc Gagnon",
        "second",
        ("phone",),
    )


@pytest.mark.parametrize(
    "typed",
    [
        replace(HELENE_AGAIN, phone="514-555-0199"),  # same name, another phone
        replace(HELENE_AGAIN, first_name="Hélèna"),  # same phone, another name
        replace(HELENE_AGAIN, phone="", email=""),  # a name alone proves nothing
    ],
)
def test_a_namesake_or_a_shared_phone_alone_is_no_duplicate(
    database: Database, world: CounterWorld, typed: NewGuardian
) -> None:
    with database.read() as uow:
        assert find_duplicate_families(uow, NewFamily(payer=typed)) == ()


def test_create_anyway_records_the_override(database: Database, world: CounterWorld) -> None:
    admitted = _admit(
        database, world.seeded.clerk_id, NewFamily(payer=HELENE_AGAIN), allow_duplicates=True
    )
    [(_entity, after)] = _events(database)
    assert after["duplicates_overridden"] == ["F0000001"]
    assert admitted.overridden == ("F0000001",)  # type: ignore[attr-defined]


def test_every_bad_field_is_named_and_nothing_is_written(
    database: Database, world: CounterWorld
) -> None:
    bad = NewFamily(
        payer=replace(SOPHIE, first_name=" ", phone="555-0170", postal_code="12345"),
        second=replace(PIERRE, email="pierre@", province="ZZ"),
    )
    with pytest.raises(InvalidFamily) as refused, database.write() as uow:
        admit_family(uow, world.seeded.clerk_id, bad)
    assert set(refused.value.problems) == {
        "payer.first_name",
        "payer.phone",
        "payer.postal_code",
        "second.email",
        "second.province",
    }
    assert refused.value.field == "payer.first_name"
    assert "prénom" in refused.value.problems["payer.first_name"].translated()
    assert _events(database) == []
    with database.read() as uow:
        assert uow.session.exec(select(Family).where(col(Family.name) == "Lévesque")).all() == []


def test_a_card_number_in_a_name_is_refused(database: Database, world: CounterWorld) -> None:
    with pytest.raises(InvalidFamily) as refused, database.write() as uow:
        admit_family(
            uow,
            world.seeded.clerk_id,
            NewFamily(payer=replace(SOPHIE, last_name="4111 1111 1111 1111")),
        )
    assert isinstance(refused.value.problems["payer.last_name"], CardNumberRefused)


def test_an_unknown_establishment_is_refused(database: Database, world: CounterWorld) -> None:
    with pytest.raises(InvalidInput) as refused, database.write() as uow:
        admit_family(uow, world.seeded.clerk_id, NewFamily(payer=SOPHIE, establishment_id=999))
    assert refused.value.field == "establishment"


def test_a_disabled_clerk_is_refused(database: Database, world: CounterWorld) -> None:
    with pytest.raises(PermissionDenied), database.write() as uow:
        admit_family(uow, world.disabled_clerk_id, NewFamily(payer=SOPHIE))
    assert _events(database) == []
