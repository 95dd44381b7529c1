"""The trail's records named as people know them, and found by a family's or a person's
name (issue #13 point 11), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlmodel import col, select

import registrar_tui.services.audit.log as audit_log_module
from registrar_tui.db import Database
from registrar_tui.models import Guardian, Invoice, Payment, Receipt, StaffUser, Student
from registrar_tui.services.audit.log import (
    AuditFilter,
    NameTooVague,
    actions_matching,
    audit_event_detail,
    audit_page,
)
from registrar_tui.services.audit.record import record_event
from tests.conftest import fixed_clock
from tests.screens.fixtures import seed

RECEIPT = "MTL-2026-000042"


@pytest.fixture
def named(database: Database) -> dict[str, int]:
    """Events on the Tremblay family, its guardian, student, invoice and a payment with its
    receipt, a staff user, and one on a record that no longer exists."""
    seeded = seed(database)
    ids: dict[str, int] = {"registrar": seeded.registrar_id, "clerk": seeded.clerk_id}
    with database.write() as uow:
        session = uow.session

        def one(query: object) -> int:
            found = session.exec(query).first()  # type: ignore[call-overload]
            assert found is not None
            return int(found)

        ids["family"] = seeded.tremblay_id
        ids["guardian"] = one(select(Guardian.id).where(col(Guardian.first_name) == "Hélène"))
        ids["student"] = one(select(Student.id).where(col(Student.first_name) == "Léa"))
        ids["invoice"] = one(select(Invoice.id).where(col(Invoice.number) == "FAC00000001"))
        payment = session.exec(
            select(Payment).where(col(Payment.family_id) == seeded.tremblay_id)
        ).first()
        assert payment is not None and payment.id is not None
        ids["payment"] = payment.id
        session.add(
            Receipt(
                establishment_id=payment.establishment_id,
                number=RECEIPT,
                payment_id=payment.id,
                issued_at=fixed_clock(),
                previous_hash="0" * 64,
                hash="1" * 64,
            )
        )
        for kind, action in (
            ("family", "guardian.portal_change"),
            ("guardian", "guardian.contact_update"),
            ("student", "student.portal_change"),
            ("invoice", "invoice.issue"),
            ("payment", "payment.post"),
        ):
            record_event(
                uow, seeded.clerk_id, action, kind, ids[kind], {"city": "A"}, {"city": "B"}
            )
        record_event(
            uow, seeded.clerk_id, "auth.login", "staff_user", seeded.clerk_id,
            {"failed_attempts": 0}, {"failed_attempts": 0, "locked_until": None},
        )  # fmt: skip
        record_event(uow, seeded.clerk_id, "payment.void", "payment", 999_999, {}, {"voided": True})
    return ids


def _page(db: Database, user: int, filters: AuditFilter) -> list[tuple[str, str, str, str]]:
    with db.read() as uow:
        page = audit_page(uow, user, filters, limit=50)
    return [
        (row.action, row.entity_type, row.record_reference, row.record_name) for row in page.rows
    ]


def test_records_are_named_by_their_numbers_and_names(
    database: Database, named: dict[str, int]
) -> None:
    rows = _page(database, named["registrar"], AuditFilter())

    assert ("guardian.portal_change", "family", "F0000001", "Tremblay") in rows
    assert ("guardian.contact_update", "guardian", "F0000001", "Hélène Tremblay") in rows
    assert ("student.portal_change", "student", "201337007", "Léa Tremblay") in rows
    assert ("invoice.issue", "invoice", "FAC00000001", "Tremblay") in rows
    assert ("payment.post", "payment", RECEIPT, "Tremblay") in rows
    assert ("auth.login", "staff_user", "clerk", "Josée Lavoie") in rows
    assert ("payment.void", "payment", "", "") in rows  # gone: only its id is left
    with database.read() as uow:
        clerk = uow.session.exec(
            select(StaffUser.username).where(col(StaffUser.id) == named["clerk"])
        ).one()
    assert clerk == "clerk"


def test_the_trail_by_a_family_or_a_person_name(database: Database, named: dict[str, int]) -> None:
    about_tremblay = {
        ("family", "F0000001"),
        ("guardian", "F0000001"),
        ("student", "201337007"),
        ("invoice", "FAC00000001"),
        ("payment", RECEIPT),
    }
    for typed in ("Tremblay", "tremblay", "helene", "HÉLÈNE trem", "léa"):
        rows = _page(database, named["registrar"], AuditFilter(name=typed))
        assert {(kind, ref) for _a, kind, ref, _n in rows} == about_tremblay, typed
    assert _page(database, named["registrar"], AuditFilter(name="Zzyzx")) == []
    # A name and an action together.
    rows = _page(database, named["registrar"], AuditFilter(name="tremblay", action="encaissé"))
    assert [(action, ref) for action, _k, ref, _n in rows] == [("payment.post", RECEIPT)]


def test_a_vague_name_is_refused(
    database: Database, named: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audit_log_module, "MAX_NAMED_FAMILIES", 3)
    import registrar_tui.services.audit.records as records

    monkeypatch.setattr(records, "MAX_NAMED_FAMILIES", 3)
    with pytest.raises(NameTooVague) as refused, database.read() as uow:
        audit_page(uow, named["registrar"], AuditFilter(name="Bouchard"))
    assert refused.value.field == "name"


def test_the_action_filter_matches_the_names_shown() -> None:
    assert actions_matching("encaissé") == ["payment.post"]
    assert actions_matching("ENCAISSE") == ["payment.post"]
    assert set(actions_matching("annulé")) >= {"payment.void", "invoice.cancel"}
    # The code matches too: « payment » finds the payments and the payment plans.
    assert sorted(actions_matching("payment")) == [
        "payment.post",
        "payment.void",
        "payment_plan.cancel",
        "payment_plan.complete",
        "payment_plan.make",
    ]


def test_an_event_detail_names_its_record(database: Database, named: dict[str, int]) -> None:
    with database.write() as uow:
        page = audit_page(uow, named["registrar"], AuditFilter(action="auth.login"))
        detail = audit_event_detail(uow, named["registrar"], page.rows[0].event_id)
    assert (detail.row.record_reference, detail.row.record_name) == ("clerk", "Josée Lavoie")
    # failed_attempts 0 → 0 and an absent locked_until: nothing changed on this sign-in.
    assert [field.name for field in detail.fields if field.changed] == []
