"""Need-to-know: health notes by role, the social insurance number masked everywhere but
one audited reveal (audit JSON, PDFs, search, logs), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AppSetting, AuditEvent, Guardian, Role
from registrar_tui.reports.documents import CopyKind
from registrar_tui.services.core.errors import InvalidInput, PermissionDenied
from registrar_tui.services.documents.build import invoice_pdf, receipt_pdf, statement_pdf
from registrar_tui.services.records.contacts import (
    AUDIT_ACTION,
    GuardianContactChange,
    InvalidContact,
    NothingChanged,
    guardian_contact,
    update_guardian_contact,
)
from registrar_tui.services.records.need_to_know import medical_roles, set_medical_roles
from registrar_tui.services.records.sin import (
    SIN_FIELD,
    VIEW_ACTION,
    InvalidSin,
    NoSinStored,
    mask_sin,
    parse_sin,
    reveal_sin,
)
from registrar_tui.services.records.students import student_record
from registrar_tui.services.search.index import rebuild_index
from registrar_tui.services.search.query import search
from registrar_tui.services.staff.settings import MEDICAL_ROLES
from tests.reports.pdftext import text_of
from tests.services.records.need_to_know_data import (
    ALLERGIES,
    MEDICAL,
    OTHER_SIN,
    SIN,
    SIN_GROUPED,
    SIN_MASKED,
    NeedToKnowWorld,
    build_world,
)


@pytest.fixture
def world(database: Database) -> NeedToKnowWorld:
    return build_world(database)


def _user_of(world: NeedToKnowWorld, role: str) -> int:
    school = world.school
    return {"clerk": school.clerk_id, "registrar": school.registrar_id, "admin": school.admin_id}[
        role
    ]


def _health(database: Database, world: NeedToKnowWorld, role: str) -> tuple[object, object]:
    with database.read() as uow:
        who = student_record(uow, world.student_id, _user_of(world, role)).identity
    return who.allergies, who.medical_conditions


@dataclass(frozen=True)
class Audited:
    actor_id: int | None
    entity_type: str
    entity_id: int | None
    before_json: str
    after_json: str


def _audit(database: Database, action: str | None = None) -> list[Audited]:
    with database.read() as uow:
        query = select(AuditEvent).order_by(col(AuditEvent.id))
        if action is not None:
            query = query.where(col(AuditEvent.action) == action)
        return [
            Audited(e.actor_id, e.entity_type, e.entity_id, e.before_json, e.after_json)
            for e in uow.session.exec(query)
        ]


def _contact_change(
    database: Database, world: NeedToKnowWorld, sin: str | None
) -> GuardianContactChange:
    with database.read() as uow:
        contact = guardian_contact(uow, world.payer_id)
    return GuardianContactChange(
        phone=contact.phone or "",
        email=contact.email or "",
        address_line=contact.address_line,
        city=contact.city,
        province=contact.province,
        postal_code=contact.postal_code,
        social_insurance_number=sin,
    )


def _stored_sin(database: Database, world: NeedToKnowWorld) -> str | None:
    with database.read() as uow:
        guardian = uow.session.get(Guardian, world.payer_id)
        assert guardian is not None
        return guardian.social_insurance_number


# ---------------------------------------------------------------- health notes by role


@pytest.mark.parametrize("role", ["clerk", "registrar", "admin"])
def test_without_the_setting_every_role_sees_health_notes(
    database: Database, world: NeedToKnowWorld, role: str
) -> None:
    assert _health(database, world, role) == (ALLERGIES, MEDICAL)


@pytest.mark.parametrize(
    ("setting", "role", "visible"),
    [
        ("registrar,admin", "clerk", False),
        ("registrar,admin", "registrar", True),
        ("registrar,admin", "admin", True),
        ("clerk", "registrar", False),
        ("clerk", "clerk", True),
        ("nurse", "admin", False),  # a value naming no role hides the notes from everyone
    ],
)
def test_the_setting_decides_who_sees_health_notes(
    database: Database, world: NeedToKnowWorld, setting: str, role: str, visible: bool
) -> None:
    with database.write() as uow:
        uow.session.add(AppSetting(key=MEDICAL_ROLES, value=setting))
    expected = (ALLERGIES, MEDICAL) if visible else (None, None)
    assert _health(database, world, role) == expected


def test_an_inactive_reader_gets_no_record(database: Database, world: NeedToKnowWorld) -> None:
    with database.read() as uow, pytest.raises(PermissionDenied):
        student_record(uow, world.student_id, world.school.inactive_id)


def test_only_an_admin_chooses_the_roles_and_the_change_is_audited(
    database: Database, world: NeedToKnowWorld
) -> None:
    for user_id in (world.school.clerk_id, world.school.registrar_id):
        with database.write() as uow, pytest.raises(PermissionDenied):
            set_medical_roles(uow, [Role.REGISTRAR], user_id)
    with database.write() as uow, pytest.raises(InvalidInput):
        set_medical_roles(uow, [], world.school.admin_id)
    with database.write() as uow:
        set_medical_roles(uow, [Role.ADMIN, Role.REGISTRAR], world.school.admin_id)
    with database.read() as uow:
        assert medical_roles(uow) == {Role.REGISTRAR, Role.ADMIN}
    assert _health(database, world, "clerk") == (None, None)
    (event,) = _audit(database, "setting.change")
    assert json.loads(event.after_json) == {"key": MEDICAL_ROLES, "value": "registrar,admin"}


# ---------------------------------------------------------------- the number itself


@pytest.mark.parametrize("typed", [SIN, SIN_GROUPED, "130-692-544", " 130.692.544 "])
def test_a_number_is_accepted_in_the_usual_forms(typed: str) -> None:
    assert parse_sin(typed) == SIN


@pytest.mark.parametrize(
    "typed",
    [
        "130692545",  # Luhn check fails
        "13069254",  # eight digits
        "1306925440",  # ten digits
        "046454286",  # Luhn-valid, but 0 is never an individual's first digit
        "130 692 54a",
        "１３０６９２５４４",  # full-width digits
    ],
)
def test_a_wrong_number_is_refused_without_repeating_it(typed: str) -> None:
    with pytest.raises(InvalidSin) as refused:
        parse_sin(typed)
    assert refused.value.field == SIN_FIELD
    digits = "".join(char for char in typed if char.isdigit())
    assert digits[-3:] not in refused.value.translated()


def test_blank_means_no_number_and_the_mask_keeps_three_digits() -> None:
    assert parse_sin("  ") is None
    assert mask_sin(SIN) == SIN_MASKED
    assert mask_sin(SIN_GROUPED) == SIN_MASKED
    assert mask_sin(None) == ""


# ---------------------------------------------------------------- storing it (the contact form)


def test_the_contact_reads_back_masked(database: Database, world: NeedToKnowWorld) -> None:
    with database.read() as uow:
        contact = guardian_contact(uow, world.payer_id)
    assert contact.sin_masked == SIN_MASKED
    assert SIN not in repr(contact)


def test_a_registrar_changes_the_number_audited_masked(
    database: Database, world: NeedToKnowWorld
) -> None:
    change = _contact_change(database, world, "193 456 787")
    with database.write() as uow:
        saved = update_guardian_contact(uow, world.payer_id, world.school.registrar_id, change)
    assert saved.sin_masked == "*** *** 787"
    assert _stored_sin(database, world) == OTHER_SIN
    (event,) = _audit(database, AUDIT_ACTION)
    assert json.loads(event.before_json) == {SIN_FIELD: SIN_MASKED}
    assert json.loads(event.after_json) == {SIN_FIELD: "*** *** 787"}
    # Emptying the box removes it; the audit keeps the masked number it had.
    with database.write() as uow:
        update_guardian_contact(
            uow, world.payer_id, world.school.admin_id, replace(change, social_insurance_number="")
        )
    assert _stored_sin(database, world) is None
    last = _audit(database, AUDIT_ACTION)[-1]
    assert json.loads(last.after_json) == {SIN_FIELD: None}
    assert json.loads(last.before_json) == {SIN_FIELD: "*** *** 787"}


def test_a_clerk_corrects_the_phone_but_not_the_number(
    database: Database, world: NeedToKnowWorld
) -> None:
    clerk = world.school.clerk_id
    keep = replace(_contact_change(database, world, None), phone="438-555-0142")
    with database.write() as uow:
        update_guardian_contact(uow, world.payer_id, clerk, keep)
    with database.write() as uow, pytest.raises(PermissionDenied) as refused:
        update_guardian_contact(
            uow, world.payer_id, clerk, replace(keep, social_insurance_number=OTHER_SIN)
        )
    assert refused.value.field == SIN_FIELD
    assert _stored_sin(database, world) == SIN
    # The same number typed again is no change, whoever types it.
    with database.write() as uow, pytest.raises(NothingChanged):
        update_guardian_contact(
            uow, world.payer_id, clerk, replace(keep, social_insurance_number=SIN_GROUPED)
        )


def test_a_wrong_number_is_an_error_under_its_field(
    database: Database, world: NeedToKnowWorld
) -> None:
    change = replace(_contact_change(database, world, "130692545"), postal_code="H2X")
    with database.write() as uow, pytest.raises(InvalidContact) as refused:
        update_guardian_contact(uow, world.payer_id, world.school.registrar_id, change)
    assert set(refused.value.problems) == {"postal_code", SIN_FIELD}
    assert _stored_sin(database, world) == SIN


# ---------------------------------------------------------------- the one reveal


def test_a_registrar_reveals_the_number_and_the_look_is_audited(
    database: Database, world: NeedToKnowWorld
) -> None:
    with database.write() as uow:
        revealed = reveal_sin(uow, world.school.registrar_id, world.payer_id)
    assert (revealed.number, revealed.formatted) == (SIN, SIN_GROUPED)
    assert SIN not in repr(revealed)
    (event,) = _audit(database, VIEW_ACTION)
    assert (event.actor_id, event.entity_type, event.entity_id) == (
        world.school.registrar_id,
        "guardian",
        world.payer_id,
    )
    assert json.loads(event.after_json) == {SIN_FIELD: SIN_MASKED}


def test_a_clerk_cannot_reveal_and_nothing_is_audited(
    database: Database, world: NeedToKnowWorld
) -> None:
    with database.write() as uow, pytest.raises(PermissionDenied):
        reveal_sin(uow, world.school.clerk_id, world.payer_id)
    assert _audit(database, VIEW_ACTION) == []


def test_no_number_no_reveal(database: Database, world: NeedToKnowWorld) -> None:
    with database.write() as uow:
        guardian = uow.session.get(Guardian, world.payer_id)
        assert guardian is not None
        guardian.social_insurance_number = None
        uow.session.add(guardian)
    with database.write() as uow, pytest.raises(NoSinStored):
        reveal_sin(uow, world.school.admin_id, world.payer_id)


# ---------------------------------------------------------------- nowhere else in full


def test_the_full_number_is_in_no_audit_row_pdf_search_entry_or_log(
    database: Database, world: NeedToKnowWorld
) -> None:
    change = replace(_contact_change(database, world, OTHER_SIN), phone="438-555-0142")
    with database.write() as uow:
        update_guardian_contact(uow, world.payer_id, world.school.registrar_id, change)
        reveal_sin(uow, world.school.registrar_id, world.payer_id)
        rebuild_index(uow)
    forms = (SIN, SIN_GROUPED, OTHER_SIN, "193 456 787")
    audited = " ".join(e.before_json + e.after_json for e in _audit(database))
    assert "*** *** 787" in audited
    assert not any(form in audited for form in forms)
    with database.read() as uow:
        texts = [
            text_of(statement_pdf(uow, world.family_id).pdf),
            text_of(receipt_pdf(uow, world.payment_id, copy=CopyKind.DUPLICATE).pdf),
            text_of(invoice_pdf(uow, world.invoice_id).pdf),
        ]
        guardian = uow.session.get(Guardian, world.payer_id)
        # The payer is on every document; the number, in any form, on none.
        assert all("Hélène Tremblay" in text for text in texts)
        assert not any(form in text for text in texts for form in forms)
        assert OTHER_SIN not in repr(guardian)
        for probe in (OTHER_SIN, "193456", "193 456 787"):
            assert search(uow, probe).rows == ()
        assert search(uow, "438-555-0142").rows != ()


def test_demo_payers_numbers_are_valid_and_fixed_by_their_id() -> None:
    from registrar_tui.demo.people import SIN_EVERY, demo_sin

    numbers = [demo_sin(guardian_id) for guardian_id in range(1, 2000, SIN_EVERY)]
    assert all(parse_sin(number) == number for number in numbers)
    assert len(set(numbers)) == len(numbers)
    assert demo_sin(26) == "602058943"  # from the id alone: the same in every demo


def test_a_database_error_names_no_number(database: Database, world: NeedToKnowWorld) -> None:
    """An unexpected error's text reaches the app's log: it must not carry the number."""
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError) as failed, database.write() as uow:
        uow.session.add(
            Guardian(family_id=999_999, first_name="X", last_name="Y", social_insurance_number=SIN)
        )
        uow.session.flush()
    assert "social_insurance_number" in str(failed.value)  # the statement is there...
    assert SIN not in str(failed.value) and SIN not in repr(failed.value)  # ...not the values
