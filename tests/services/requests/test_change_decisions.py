"""Deciding a change request as a registrar expects (issue #13, point 6).

The address is one unit (a conflict on any part covers them all, approving writes it or
keeps it whole); a field sent as it was is no change; a corrected name or birth date the
code permanent no longer agrees with is warned before approval; an approved move is
offered to the household at the old address; the last decision is undone while its
message is unsent (values back, message withdrawn, both audited), and not after.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.models import (
    AuditEvent,
    ChangeRequest,
    ChangeRequestField,
    ChangeTarget,
    Guardian,
    OutboxMessage,
    OutboxStatus,
    ReenrolmentRequest,
    RequestStatus,
    Sex,
    Student,
)
from registrar_tui.services.core.identifiers import make_code_permanent
from registrar_tui.services.outbox.withdraw import MessageAlreadySent, MessageSending
from registrar_tui.services.requests.changes.decisions import (
    ConflictChoiceRequired,
    IdentityDisagrees,
    approvable_count,
    approve_all_without_conflict,
    approve_change,
    reject_change,
)
from registrar_tui.services.requests.changes.detail import change_detail
from registrar_tui.services.requests.changes.household import apply_household_move
from registrar_tui.services.requests.changes.undo import (
    ChangedSinceDecision,
    NothingToUndo,
    NotYourDecision,
    ReenrolmentNotUndone,
    last_decision,
    undo_change_decision,
)
from registrar_tui.services.requests.family import family_requests
from registrar_tui.services.requests.queue import QueueFilter, pending_queue
from registrar_tui.services.requests.queue_rows import QueueKind
from tests.services.requests.queue_data import NEW_ADDRESS, QueueWorld, seed_queue

OLD = ("1234, rue Saint-Denis", "Montréal", "QC", "H2X 3K2")
CHELSEA = ("8, chemin Scott", "Chelsea", "QC", "J9B 9H8")


@pytest.fixture
def world(database: Database) -> QueueWorld:
    return seed_queue(database)


def add_change(
    uow: UnitOfWork,
    family_id: int,
    target: ChangeTarget,
    target_id: int,
    fields: list[tuple[str, str, str]],
) -> int:
    request = ChangeRequest(
        family_id=family_id,
        target_kind=target,
        target_id=target_id,
        submitted_at=datetime(2026, 11, 22, 13, 0, tzinfo=UTC),
    )
    uow.session.add(request)
    uow.session.flush()
    assert request.id is not None
    for name, before, after in fields:
        uow.session.add(
            ChangeRequestField(
                request_id=request.id,
                field_name=name,
                value_at_submission=before,
                requested_value=after,
            )
        )
    uow.session.flush()
    return request.id


def address(database: Database, model: type[Guardian] | type[Student], record_id: int) -> tuple:
    with database.read() as uow:
        record = uow.session.get(model, record_id)
        assert record is not None
        return (record.address_line, record.city, record.province, record.postal_code)


def actions(database: Database) -> list[str]:
    with database.read() as uow:
        return [e.action for e in uow.session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))]


def outbox(database: Database) -> list[tuple[str, str]]:
    with database.read() as uow:
        return [
            (m.recipient, m.body)
            for m in uow.session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))
        ]


def move_request(database: Database, world: QueueWorld, street_at_counter: str) -> int:
    """Hélène asks to move to Chelsea; the counter then types another street."""
    with database.write() as uow:
        request_id = add_change(
            uow,
            world.seeded.tremblay_id,
            ChangeTarget.GUARDIAN,
            world.helene_id,
            [
                ("address_line", OLD[0], CHELSEA[0]),
                ("city", OLD[1], CHELSEA[1]),
                ("postal_code", OLD[3], CHELSEA[3]),
            ],
        )
        helene = uow.session.get_one(Guardian, world.helene_id)
        helene.address_line = street_at_counter
        uow.session.add(helene)
    return request_id


def test_a_conflict_on_the_street_covers_the_whole_address(
    database: Database, world: QueueWorld
) -> None:
    request_id = move_request(database, world, "12, rue Principale")
    registrar = world.seeded.registrar_id
    with database.read() as uow:
        detail = change_detail(uow, request_id, registrar)
    assert [(f.label, f.conflict) for f in detail.fields] == [
        ("Adresse", True),
        ("Ville", True),
        ("Province", True),
        ("Code postal", True),
    ]
    with pytest.raises(ConflictChoiceRequired) as refused, database.write() as uow:
        approve_change(uow, request_id, registrar)
    assert "Adresse (rue, ville, province, code postal)" in refused.value.translated()
    # Keeping the street typed at the counter keeps the whole address it belongs to:
    # never « 12, rue Principale | Chelsea | J9B 9H8 », nobody's address.
    with database.write() as uow:
        approve_change(uow, request_id, registrar, {"address_line": "current"})
    assert address(database, Guardian, world.helene_id) == ("12, rue Principale", *OLD[1:])
    # Generated French text keeps its colon on the line (a no-break space before it).
    assert (
        "Non modifié (le dossier avait changé entre-temps)\xa0: Adresse" in outbox(database)[-1][1]
    )
    assert "Chelsea" not in outbox(database)[-1][1]


def test_taking_the_requested_address_takes_all_of_it(
    database: Database, world: QueueWorld
) -> None:
    request_id = move_request(database, world, "12, rue Principale")
    with database.write() as uow:
        approve_change(uow, request_id, world.seeded.registrar_id, {"address": "requested"})
    assert address(database, Guardian, world.helene_id) == CHELSEA


def test_a_field_sent_as_it_was_is_no_change(database: Database, world: QueueWorld) -> None:
    with database.write() as uow:
        request_id = add_change(
            uow,
            world.seeded.tremblay_id,
            ChangeTarget.GUARDIAN,
            world.marc_id,
            [("city", "Québec", "Québec"), ("phone", "514-555-0102", "514-555-0199")],
        )
        marc = uow.session.get_one(Guardian, world.marc_id)
        marc.city = "Gatineau"  # typed at the counter since: the unchanged city must stay
        uow.session.add(marc)
    registrar = world.seeded.registrar_id
    with database.read() as uow:
        row = next(
            r
            for r in pending_queue(uow, registrar).rows
            if (r.kind, r.request_id) == (QueueKind.GUARDIAN, request_id)
        )
        detail = change_detail(uow, request_id, registrar)
        tab = family_requests(uow, world.seeded.tremblay_id)
    assert row.summary == "Téléphone : 514-555-0102 → 514-555-0199" and not row.has_conflict
    assert [f.label for f in detail.fields] == ["Téléphone"]
    summaries = [r.summary for r in tab.rows if (r.kind, r.request_id) == ("change", request_id)]
    assert summaries == ["Téléphone : 514-555-0102 → 514-555-0199"]
    with database.write() as uow:
        approve_change(uow, request_id, registrar)
    with database.read() as uow:
        marc = uow.session.get_one(Guardian, world.marc_id)
        assert (marc.city, marc.phone) == ("Gatineau", "514-555-0199")
    assert "Ville" not in outbox(database)[-1][1]


def test_a_birth_date_the_code_permanent_no_longer_agrees_with_is_warned(
    database: Database, world: QueueWorld
) -> None:
    born = date(2016, 11, 2)
    with database.write() as uow:
        hugo = uow.session.get_one(Student, world.hugo_id)
        hugo.sex = Sex.MALE
        hugo.code_permanent = make_code_permanent("Hugo", "Tremblay", born, Sex.MALE)
        uow.session.add(hugo)
    registrar = world.seeded.registrar_id
    request_id = world.birth_date_request  # 2016-11-02 → 2016-11-03
    with database.read() as uow:
        detail = change_detail(uow, request_id, registrar)
        (row,) = [
            r
            for r in pending_queue(uow, registrar).rows
            if (r.kind, r.request_id) == (QueueKind.STUDENT, request_id)
        ]
        count = approvable_count(uow, registrar, QueueFilter(kind=QueueKind.STUDENT))
    assert len(detail.warnings) == 1 and "ne correspond pas" in detail.warnings[0]
    assert row.warnings == detail.warnings and count == 0
    with pytest.raises(IdentityDisagrees), database.write() as uow:
        approve_change(uow, request_id, registrar)
    with database.write() as uow:
        bulk = approve_all_without_conflict(uow, registrar, QueueFilter(kind=QueueKind.STUDENT))
    assert bulk.approved == () and request_id in bulk.skipped
    with database.write() as uow:
        approve_change(uow, request_id, registrar, accept_warnings=True)
    with database.read() as uow:
        assert uow.session.get_one(Student, world.hugo_id).birth_date == date(2016, 11, 3)


def test_a_move_is_offered_to_the_household_then_undone_with_it(
    database: Database, world: QueueWorld
) -> None:
    with database.write() as uow:
        for model, record_id in (
            (Guardian, world.marc_id),
            (Student, world.hugo_id),
        ):
            record = uow.session.get_one(model, record_id)
            record.address_line, record.city, record.province, record.postal_code = OLD
            uow.session.add(record)
    registrar = world.seeded.registrar_id
    with database.write() as uow:
        decision = approve_change(uow, world.address_request, registrar)
    # Léa lives elsewhere (no address on file): not offered.
    assert [(m.target_kind, m.name) for m in decision.household] == [
        (ChangeTarget.GUARDIAN, "Marc Gagnon"),
        (ChangeTarget.STUDENT, "Hugo Tremblay"),
    ]
    members = [(m.target_kind, m.record_id) for m in decision.household]
    with database.write() as uow:
        moved = apply_household_move(uow, world.address_request, registrar, members)
    assert moved.moved == ("Marc Gagnon", "Hugo Tremblay")
    new = (NEW_ADDRESS[0], NEW_ADDRESS[1], "QC", NEW_ADDRESS[2])
    assert address(database, Guardian, world.marc_id) == new
    assert address(database, Student, world.hugo_id) == new
    assert actions(database)[-2:] == ["guardian.household_move", "student.household_move"]
    assert len(outbox(database)) == 1

    with database.read() as uow:
        last = last_decision(uow, registrar)
    assert (last.request_id, last.household, last.recipient) == (
        world.address_request,
        2,
        "helene.tremblay@example.ca",
    )
    with database.write() as uow:
        undone = undo_change_decision(uow, world.address_request, registrar)
    assert (undone.restored, undone.withdrawn_to) == (6, "helene.tremblay@example.ca")
    assert address(database, Guardian, world.helene_id) == OLD
    assert address(database, Guardian, world.marc_id) == OLD
    assert address(database, Student, world.hugo_id) == OLD
    assert outbox(database) == []  # withdrawn: the family is never told
    with database.read() as uow:
        request = uow.session.get_one(ChangeRequest, world.address_request)
        assert (request.status, request.decided_by_id, request.message_id) == (
            RequestStatus.PENDING,
            None,
            None,
        )
    assert actions(database)[-5:] == [
        "outbox.withdraw",
        "guardian.portal_change_undone",
        "guardian.portal_change_undone",
        "student.portal_change_undone",
        "change_request.undo",
    ]
    # Pending again: it can be decided anew.
    with database.write() as uow:
        approve_change(uow, world.address_request, registrar)
    assert address(database, Guardian, world.helene_id) == new


def test_no_undo_once_the_message_left_or_by_another_or_after_a_counter_change(
    database: Database, world: QueueWorld
) -> None:
    registrar, admin = world.seeded.registrar_id, world.seeded.admin_id
    with database.read() as uow, pytest.raises(NothingToUndo):
        last_decision(uow, admin)  # the admin decided nothing
    with database.write() as uow:
        reject_change(uow, world.email_request, registrar, "Adresse non confirmée")
    with pytest.raises(NotYourDecision), database.write() as uow:
        undo_change_decision(uow, world.email_request, admin)
    with database.write() as uow:
        message = uow.session.exec(select(OutboxMessage)).one()
        message.attempts = 1  # `outbox send` claimed it: it may be on its way
        uow.session.add(message)
    with database.read() as uow, pytest.raises(MessageSending):
        last_decision(uow, registrar)
    with database.write() as uow:
        message = uow.session.exec(select(OutboxMessage)).one()
        message.status = OutboxStatus.SENT
        message.sent_at = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
        uow.session.add(message)
    with pytest.raises(MessageAlreadySent) as refused, database.write() as uow:
        undo_change_decision(uow, world.email_request, registrar)
    assert "parti le 23 nov. 2026" in refused.value.translated()
    assert len(outbox(database)) == 1

    # A value the decision wrote, changed at the counter since: the decision stands.
    with database.write() as uow:
        approve_change(uow, world.address_request, registrar)
    with database.write() as uow:
        helene = uow.session.get_one(Guardian, world.helene_id)
        helene.postal_code = "H2J 2H8"
        uow.session.add(helene)
    with pytest.raises(ChangedSinceDecision) as changed, database.write() as uow:
        undo_change_decision(uow, world.address_request, registrar)
    assert changed.value.field == "postal_code"
    with database.read() as uow:
        assert uow.session.get_one(ChangeRequest, world.address_request).status == "approved"


def test_a_decided_request_kept_in_its_place(database: Database, world: QueueWorld) -> None:
    registrar = world.seeded.registrar_id
    with database.write() as uow:
        approve_change(uow, world.address_request, registrar)
    keep = [(QueueKind.GUARDIAN, world.address_request)]
    with database.read() as uow:
        plain = pending_queue(uow, registrar)
        kept = pending_queue(uow, registrar, keep=keep)
    assert world.address_request not in [r.request_id for r in plain.rows]
    assert [(r.subject, r.status) for r in kept.rows[:2]] == [
        ("Hugo Tremblay", RequestStatus.PENDING),
        ("Hélène Tremblay", RequestStatus.APPROVED),
    ]


def test_u_never_reaches_past_a_re_enrolment_decision(
    database: Database, world: QueueWorld
) -> None:
    registrar = world.seeded.registrar_id
    with database.write() as uow:
        approve_change(uow, world.email_request, registrar)
    with database.write() as uow:
        request = uow.session.get_one(ReenrolmentRequest, world.reenrolment_request)
        request.status = RequestStatus.REJECTED
        request.decision_reason = "Complet"
        request.decided_by_id = registrar
        request.decided_at = datetime(2026, 11, 23, 14, 40, tzinfo=UTC)
        uow.session.add(request)
    # The last decision is the re-enrolment's: `u` says so, never undoes the one before.
    with database.read() as uow, pytest.raises(ReenrolmentNotUndone):
        last_decision(uow, registrar)
