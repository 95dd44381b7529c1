"""A family's guardians: add one, edit every field, change the payer, remove (history kept)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, ChangeRequest, Guardian
from registrar_tui.services.core.errors import NotFound, PermissionDenied
from registrar_tui.services.records.contacts import (
    GuardianContactChange,
    GuardianRemoved,
    InvalidContact,
    NewGuardian,
    guardian_contact,
    update_guardian_contact,
)
from registrar_tui.services.records.families import family_overview
from registrar_tui.services.records.guardians import (
    ADD_ACTION,
    PAYER_ACTION,
    REMOVE_ACTION,
    AlreadyPayer,
    PayerNotRemoved,
    TooManyGuardians,
    add_guardian,
    make_payer,
    remove_guardian,
)
from registrar_tui.services.requests.changes.decisions import approve_change
from registrar_tui.services.search.query import search
from tests.services.counter_data import CounterWorld, seed_counter

NADIA = NewGuardian(
    first_name="Nadia", last_name="Roy", relationship_label="tante", phone="5145550177"
)


@pytest.fixture
def world(database: Database) -> CounterWorld:
    return seed_counter(database)


def _events(database: Database, action: str) -> list[tuple[str, int | None, dict, dict]]:  # type: ignore[type-arg]
    with database.read() as uow:
        return [
            (e.entity_type, e.entity_id, json.loads(e.before_json), json.loads(e.after_json))
            for e in uow.session.exec(select(AuditEvent).where(col(AuditEvent.action) == action))
        ]


def _names(database: Database, family_id: int) -> list[tuple[str, bool]]:
    with database.read() as uow:
        return [(g.full_name, g.is_payer) for g in family_overview(uow, family_id).guardians]


def _found(database: Database, query: str, family_id: int) -> bool:
    with database.read() as uow:
        return family_id in {hit.family_id for hit in search(uow, query).rows}


def test_a_third_guardian_is_refused_until_one_is_removed(
    database: Database, world: CounterWorld
) -> None:
    tremblay = world.seeded.tremblay_id
    with pytest.raises(TooManyGuardians), database.write() as uow:
        add_guardian(uow, world.seeded.clerk_id, tremblay, NADIA)
    with database.write() as uow:
        remove_guardian(uow, world.seeded.clerk_id, world.marc_id)
    with database.write() as uow:
        added = add_guardian(uow, world.seeded.clerk_id, tremblay, NADIA)
    assert (added.phone, added.is_payer) == ("514-555-0177", False)
    assert _names(database, tremblay) == [("Hélène Tremblay", True), ("Nadia Roy", False)]
    assert _found(database, "nadia roy", tremblay)
    [(kind, entity, before, after)] = _events(database, ADD_ACTION)
    assert (kind, entity, before) == ("guardian", added.guardian_id, {})
    assert after["first_name"] == "Nadia" and after["relationship_label"] == "tante"


def test_a_removed_guardian_leaves_the_family_and_the_search_but_stays_on_file(
    database: Database, world: CounterWorld
) -> None:
    tremblay = world.seeded.tremblay_id
    assert _found(database, "5145550102", tremblay)
    with database.write() as uow:
        removed = remove_guardian(uow, world.seeded.clerk_id, world.marc_id)
    assert removed.is_removed
    assert _names(database, tremblay) == [("Hélène Tremblay", True)]
    assert not _found(database, "5145550102", tremblay)  # Marc's phone
    assert not _found(database, "gagnon", tremblay)
    with database.read() as uow:
        row = uow.session.get_one(Guardian, world.marc_id)
        assert row.removed_by_id == world.seeded.clerk_id and row.removed_at is not None
        assert row.first_name == "Marc"  # kept for the history
    [(_kind, entity, before, after)] = _events(database, REMOVE_ACTION)
    assert entity == world.marc_id and before["first_name"] == "Marc" and "removed_at" in after
    # Removed means removed: no correction, no second removal, not the payer.
    change = GuardianContactChange("", "", "", "", "QC", "")
    for call in (
        lambda uow: update_guardian_contact(uow, world.marc_id, world.seeded.clerk_id, change),
        lambda uow: remove_guardian(uow, world.seeded.clerk_id, world.marc_id),
        lambda uow: make_payer(uow, world.seeded.clerk_id, world.marc_id),
    ):
        with pytest.raises(GuardianRemoved), database.write() as uow:
            call(uow)


def test_the_payer_is_never_removed(database: Database, world: CounterWorld) -> None:
    with pytest.raises(PayerNotRemoved) as refused, database.write() as uow:
        remove_guardian(uow, world.seeded.clerk_id, world.helene_id)
    assert "payeur" in refused.value.translated()
    assert _names(database, world.seeded.tremblay_id)[0] == ("Hélène Tremblay", True)
    assert _events(database, REMOVE_ACTION) == []


def test_the_payer_changes_and_stays_unique(database: Database, world: CounterWorld) -> None:
    with database.write() as uow:
        change = make_payer(uow, world.seeded.clerk_id, world.marc_id)
    assert change.previous_payer_id == world.helene_id and change.payer.is_payer
    assert _names(database, world.seeded.tremblay_id) == [
        ("Marc Gagnon", True),
        ("Hélène Tremblay", False),
    ]
    with database.read() as uow:
        payers = uow.session.exec(
            select(Guardian.id).where(
                col(Guardian.family_id) == world.seeded.tremblay_id, col(Guardian.is_payer)
            )
        ).all()
    assert payers == [world.marc_id]
    [(kind, entity, before, after)] = _events(database, PAYER_ACTION)
    assert (kind, entity) == ("family", world.seeded.tremblay_id)
    assert (before["payer"], after["payer"]) == ("Hélène Tremblay", "Marc Gagnon")
    with pytest.raises(AlreadyPayer), database.write() as uow:
        make_payer(uow, world.seeded.clerk_id, world.marc_id)
    # Now Hélène, no longer the payer, may be removed.
    with database.write() as uow:
        remove_guardian(uow, world.seeded.clerk_id, world.helene_id)
    assert _names(database, world.seeded.tremblay_id) == [("Marc Gagnon", True)]


def test_names_and_every_field_are_corrected_and_searchable(
    database: Database, world: CounterWorld
) -> None:
    with database.read() as uow:
        marc = guardian_contact(uow, world.marc_id)
    change = GuardianContactChange(
        phone=marc.phone or "",
        email="marc@example.ca",
        address_line="",
        city="",
        province="QC",
        postal_code="",
        first_name="Marc-André",
        last_name="Gagnon-Côté",
        relationship_label="beau-père",
        phone_alt="(450) 555-0199",
        language="en",
    )
    with database.write() as uow:
        saved = update_guardian_contact(uow, world.marc_id, world.seeded.clerk_id, change)
    assert (saved.full_name, saved.relationship_label, saved.phone_alt, saved.language) == (
        "Marc-André Gagnon-Côté",
        "beau-père",
        "450-555-0199",
        "en",
    )
    assert _found(database, "gagnon-cote", world.seeded.tremblay_id)
    assert _found(database, "4505550199", world.seeded.tremblay_id)
    with pytest.raises(InvalidContact) as refused, database.write() as uow:
        update_guardian_contact(
            uow, world.marc_id, world.seeded.clerk_id, replace(change, last_name="  ")
        )
    assert set(refused.value.problems) == {"last_name"}


def test_a_disabled_clerk_changes_nothing(database: Database, world: CounterWorld) -> None:
    for call in (
        lambda uow: add_guardian(uow, world.disabled_clerk_id, world.seeded.tremblay_id, NADIA),
        lambda uow: make_payer(uow, world.disabled_clerk_id, world.marc_id),
        lambda uow: remove_guardian(uow, world.disabled_clerk_id, world.marc_id),
    ):
        with pytest.raises(PermissionDenied), database.write() as uow:
            call(uow)
    assert len(_names(database, world.seeded.tremblay_id)) == 2


def test_an_unknown_guardian_is_not_found(database: Database, world: CounterWorld) -> None:
    with pytest.raises(NotFound), database.write() as uow:
        remove_guardian(uow, world.seeded.clerk_id, 99_999)


def test_a_portal_change_to_a_removed_guardian_is_not_applied(
    database: Database, world: CounterWorld
) -> None:
    """The portal's pending requests about Hélène: once she is removed, approving says
    the record is gone and writes nothing."""
    with database.write() as uow:
        make_payer(uow, world.seeded.clerk_id, world.marc_id)
    with database.write() as uow:
        remove_guardian(uow, world.seeded.clerk_id, world.helene_id)
    with database.read() as uow:
        request_id = uow.session.exec(
            select(ChangeRequest.id).where(col(ChangeRequest.target_id) == world.helene_id)
        ).first()
    assert request_id is not None
    with pytest.raises(NotFound), database.write() as uow:
        approve_change(uow, request_id, world.seeded.registrar_id)
