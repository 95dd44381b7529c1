"""The registrar's queue of pending changes (scenario 6): list, detail, approve, reject.

Every rule of the queue on both backends: oldest first, filters, conflicts flagged and
never applied blindly, one decision per request (a second approval is refused), each
decision audited and announced to the family in its language, bulk approval of the
requests without conflict, and the history of who decided what, when and why.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, date, datetime

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import (
    AuditEvent,
    ChangeRequest,
    ChangeRequestField,
    Guardian,
    OutboxMessage,
    RequestStatus,
    Student,
)
from registrar_tui.services.core.errors import InvalidInput, PermissionDenied
from registrar_tui.services.requests.changes.decisions import (
    ConflictChoiceRequired,
    RequestAlreadyDecided,
    approvable_count,
    approve_all_without_conflict,
    approve_change,
    next_pending_change,
    reject_change,
)
from registrar_tui.services.requests.changes.detail import change_detail
from registrar_tui.services.requests.queue import (
    QueueFilter,
    decided_history,
    pending_queue,
    queue_establishments,
)
from registrar_tui.services.requests.queue_rows import QueueKind
from registrar_tui.services.search.query import search
from tests.services.requests.queue_data import (
    EMILY_NEW_EMAIL,
    MARC_PHONE_NOW,
    MARC_PHONE_REQUESTED,
    MARC_PHONE_SUBMITTED,
    NEW_ADDRESS,
    REJECTION_REASON,
    QueueWorld,
    seed_queue,
)


@pytest.fixture
def world(database: Database) -> QueueWorld:
    return seed_queue(database)


def _outbox(database: Database) -> list[OutboxMessage]:
    with database.read() as uow:
        messages = list(uow.session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))))
        uow.session.expunge_all()  # still readable once the read is rolled back
        return messages


def _actions(database: Database) -> list[tuple[str, str, int | None]]:
    with database.read() as uow:
        return [
            (e.action, e.entity_type, e.entity_id)
            for e in uow.session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))
        ]


def _status(database: Database, request_id: int) -> RequestStatus:
    with database.read() as uow:
        request = uow.session.get(ChangeRequest, request_id)
        assert request is not None
        return RequestStatus(request.status)


def test_the_queue_is_oldest_first_with_conflicts_flagged(
    database: Database, world: QueueWorld
) -> None:
    with database.read() as uow:
        page = pending_queue(uow, world.seeded.registrar_id)
    assert [(r.kind, r.subject, r.age_days, r.has_conflict) for r in page.rows] == [
        (QueueKind.STUDENT, "Hugo Tremblay", 44, False),
        (QueueKind.GUARDIAN, "Hélène Tremblay", 21, False),
        (QueueKind.REENROLMENT, "Léa Tremblay", 8, False),
        (QueueKind.GUARDIAN, "Emily Lavoie", 5, False),
        (QueueKind.GUARDIAN, "Marc Gagnon", 3, True),
        (QueueKind.GUARDIAN, "[@click=app.quit] Tremblay", 2, False),
    ]
    assert page.total_count == 6 and not page.has_more and not page.has_previous
    hugo, _helene, lea, emily, marc, _markup = page.rows
    assert hugo.summary == "Date de naissance : 2016-11-02 → 2016-11-03"
    assert (hugo.family_name, hugo.establishment_code) == ("Tremblay", "MTL")
    assert lea.summary == "HIV-2027 : Piano, Solfège · Même professeure si possible"
    assert (emily.family_name, emily.establishment_code) == ("Lavoie", "QUE")
    assert marc.summary == f"Téléphone : {MARC_PHONE_SUBMITTED} → {MARC_PHONE_REQUESTED}"
    assert marc.submitted_at == datetime(2026, 11, 20, 13, 0, tzinfo=UTC)


def test_filters_by_kind_establishment_and_age(database: Database, world: QueueWorld) -> None:
    registrar = world.seeded.registrar_id
    with database.read() as uow:
        students = pending_queue(uow, registrar, QueueFilter(kind=QueueKind.STUDENT))
        reenrolments = pending_queue(uow, registrar, QueueFilter(kind=QueueKind.REENROLMENT))
        guardians = pending_queue(uow, registrar, QueueFilter(kind=QueueKind.GUARDIAN))
        quebec = pending_queue(uow, registrar, QueueFilter(establishment_id=world.que_id))
        week_old = pending_queue(uow, registrar, QueueFilter(min_age_days=7))
        month_old_mtl = pending_queue(
            uow, registrar, QueueFilter(establishment_id=world.mtl_id, min_age_days=30)
        )
        sites = queue_establishments(uow)
    assert [r.subject for r in students.rows] == ["Hugo Tremblay"]
    assert [r.request_id for r in reenrolments.rows] == [world.reenrolment_request]
    assert guardians.total_count == 4
    assert [r.subject for r in quebec.rows] == ["Emily Lavoie"]
    assert [r.age_days for r in week_old.rows] == [44, 21, 8]
    assert [r.subject for r in month_old_mtl.rows] == ["Hugo Tremblay"]
    assert [(s.code, s.establishment_id) for s in sites] == [
        ("MTL", world.mtl_id),
        ("QUE", world.que_id),
    ]


def test_one_page_at_a_time(database: Database, world: QueueWorld) -> None:
    with database.read() as uow:
        first = pending_queue(uow, world.seeded.registrar_id, limit=4)
        second = pending_queue(uow, world.seeded.registrar_id, offset=4, limit=4)
    assert len(first.rows) == 4 and first.has_more and first.total_count == 6
    assert [r.subject for r in second.rows] == ["Marc Gagnon", "[@click=app.quit] Tremblay"]
    assert second.has_previous and not second.has_more


def test_only_registrars_and_admins(database: Database, world: QueueWorld) -> None:
    clerk = world.seeded.clerk_id
    with database.read() as uow:
        with pytest.raises(PermissionDenied):
            pending_queue(uow, clerk)
        with pytest.raises(PermissionDenied):
            decided_history(uow, clerk)
        with pytest.raises(PermissionDenied):
            change_detail(uow, world.address_request, clerk)
        assert pending_queue(uow, world.seeded.admin_id).total_count == 6
    with pytest.raises(PermissionDenied), database.write() as uow:
        approve_change(uow, world.address_request, clerk)
    with pytest.raises(PermissionDenied), database.write() as uow:
        reject_change(uow, world.address_request, clerk, "Non")
    assert _status(database, world.address_request) is RequestStatus.PENDING


def test_detail_shows_current_submitted_and_requested(
    database: Database, world: QueueWorld
) -> None:
    with database.read() as uow:
        address = change_detail(uow, world.address_request, world.seeded.registrar_id)
        conflict = change_detail(uow, world.conflict_request, world.seeded.registrar_id)
    assert address.subject == "Hélène Tremblay" and not address.has_conflict
    # The address is shown whole: the province the family left out too (unchanged).
    assert [(f.label, f.current, f.submitted, f.requested) for f in address.fields] == [
        ("Adresse", "1234, rue Saint-Denis", "1234, rue Saint-Denis", NEW_ADDRESS[0]),
        ("Ville", "Montréal", "Montréal", NEW_ADDRESS[1]),
        ("Province", "QC", "QC", "QC"),
        ("Code postal", "H2X 3K2", "H2X 3K2", NEW_ADDRESS[2]),
    ]
    assert [f.changes for f in address.fields] == [True, False, False, True]  # same city
    (phone,) = conflict.fields
    assert (phone.current, phone.submitted, phone.requested, phone.conflict) == (
        MARC_PHONE_NOW,
        MARC_PHONE_SUBMITTED,
        MARC_PHONE_REQUESTED,
        True,
    )
    assert conflict.conflict_fields == ("phone",)


def test_approve_applies_audits_closes_and_writes_to_the_family(
    database: Database, world: QueueWorld
) -> None:
    registrar = world.seeded.registrar_id
    with database.write() as uow:
        decision = approve_change(uow, world.address_request, registrar)
    assert decision.status is RequestStatus.APPROVED
    assert decision.applied_fields == ("address_line", "city", "postal_code")
    assert decision.recipient == "helene.tremblay@example.ca"
    with database.read() as uow:
        helene = uow.session.get(Guardian, world.helene_id)
        assert helene is not None
        assert (helene.address_line, helene.city, helene.postal_code) == NEW_ADDRESS
        request = uow.session.get(ChangeRequest, world.address_request)
        assert request is not None and request.status == RequestStatus.APPROVED
        assert request.decided_by_id == registrar
        assert request.decided_at is not None
        fields = uow.session.exec(
            select(ChangeRequestField).where(
                col(ChangeRequestField.request_id) == world.address_request
            )
        ).all()
        assert {f.applied for f in fields} == {True}
    assert _actions(database) == [
        ("guardian.portal_change", "guardian", world.helene_id),
        ("change_request.approve", "change_request", world.address_request),
    ]
    (message,) = _outbox(database)
    assert message.recipient == "helene.tremblay@example.ca"
    assert message.kind == "change_request.approved" and message.language == "fr_CA"
    assert message.subject == "Votre demande de modification a été acceptée"
    assert "Modifié\u00a0: Code postal → H2J 2H7" in message.body  # French spacing
    assert re.search(r"du dossier d'Hélène Tremblay, reçue le \d+ novembre 2026\.", message.body)
    assert "Hélène Tremblay" in message.body
    with database.read() as uow:  # gone from the queue, in the history
        assert pending_queue(uow, registrar).total_count == 5
        history = decided_history(uow, registrar)
    newest = history.rows[0]
    assert (newest.request_id, newest.status, newest.decided_by) == (
        world.address_request,
        RequestStatus.APPROVED,
        "Martine Côté",
    )


def test_a_second_approval_is_refused(database: Database, world: QueueWorld) -> None:
    with database.write() as uow:
        approve_change(uow, world.birth_date_request, world.seeded.registrar_id)
    with pytest.raises(RequestAlreadyDecided), database.write() as uow:
        approve_change(uow, world.birth_date_request, world.seeded.admin_id)
    with pytest.raises(RequestAlreadyDecided), database.write() as uow:
        reject_change(uow, world.birth_date_request, world.seeded.admin_id, "Trop tard")
    with database.read() as uow:
        hugo = uow.session.get(Student, world.hugo_id)
        assert hugo is not None and hugo.birth_date == date(2016, 11, 3)
    assert len(_outbox(database)) == 1
    assert [a for a, _t, _i in _actions(database)] == [
        "student.portal_change",
        "change_request.approve",
    ]


def test_two_registrars_approving_at_once_one_wins(database: Database, world: QueueWorld) -> None:
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def registrar(user_id: int) -> None:
        barrier.wait(timeout=10)
        try:
            with database.write() as uow:
                approve_change(uow, world.address_request, user_id)
            outcomes.append("approved")
        except RequestAlreadyDecided:
            outcomes.append("refused")

    threads = [
        threading.Thread(target=registrar, args=(user_id,))
        for user_id in (world.seeded.registrar_id, world.seeded.admin_id)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["approved", "refused"]
    assert len(_outbox(database)) == 1
    assert [a for a, _t, _i in _actions(database)].count("change_request.approve") == 1


def test_a_conflict_is_never_applied_blindly(database: Database, world: QueueWorld) -> None:
    registrar = world.seeded.registrar_id
    with pytest.raises(ConflictChoiceRequired) as refused, database.write() as uow:
        approve_change(uow, world.conflict_request, registrar)
    assert refused.value.field == "phone"
    assert "Téléphone" in refused.value.translated()
    with pytest.raises(InvalidInput), database.write() as uow:
        approve_change(uow, world.conflict_request, registrar, {"phone": "both"})
    assert _status(database, world.conflict_request) is RequestStatus.PENDING
    assert _outbox(database) == [] and _actions(database) == []

    with database.write() as uow:
        decision = approve_change(uow, world.conflict_request, registrar, {"phone": "current"})
    assert decision.kept_fields == ("phone",) and decision.applied_fields == ()
    with database.read() as uow:
        marc = uow.session.get(Guardian, world.marc_id)
        assert marc is not None and marc.phone == MARC_PHONE_NOW
        (field,) = uow.session.exec(
            select(ChangeRequestField).where(
                col(ChangeRequestField.request_id) == world.conflict_request
            )
        ).all()
        assert field.applied is False
    # Nothing written to the record: only the request's decision is audited.
    assert _actions(database) == [
        ("change_request.approve", "change_request", world.conflict_request)
    ]
    (message,) = _outbox(database)
    assert "Non modifié (le dossier avait changé entre-temps)\u00a0: Téléphone" in message.body
    assert "du dossier de Marc Gagnon" in message.body


def test_a_conflict_resolved_with_the_requested_value(
    database: Database, world: QueueWorld
) -> None:
    with database.write() as uow:
        approve_change(
            uow, world.conflict_request, world.seeded.registrar_id, {"phone": "requested"}
        )
    with database.read() as uow:
        marc = uow.session.get(Guardian, world.marc_id)
        assert marc is not None and marc.phone == MARC_PHONE_REQUESTED
        # The new number finds the family at the counter (the search entries were rebuilt).
        hits = search(uow, "5145550188")
    assert [hit.family_id for hit in hits.rows] == [world.seeded.tremblay_id]


def test_a_requested_value_the_counter_would_refuse_is_not_applied(
    database: Database, world: QueueWorld
) -> None:
    with pytest.raises(InvalidInput) as refused, database.write() as uow:
        approve_change(uow, world.invalid_request, world.seeded.registrar_id)
    assert refused.value.field == "postal_code"
    assert "A1A 1A1" in refused.value.translated()
    assert _status(database, world.invalid_request) is RequestStatus.PENDING


def test_reject_needs_a_reason_and_tells_the_family(database: Database, world: QueueWorld) -> None:
    registrar = world.seeded.registrar_id
    with pytest.raises(InvalidInput), database.write() as uow:
        reject_change(uow, world.email_request, registrar, "   ")
    with database.write() as uow:
        decision = reject_change(uow, world.email_request, registrar, "Adresse non confirmée")
    assert decision.status is RequestStatus.REJECTED and decision.recipient == "emily@example.ca"
    with database.read() as uow:
        request = uow.session.get(ChangeRequest, world.email_request)
        assert request is not None and request.decision_reason == "Adresse non confirmée"
        emily = uow.session.exec(
            select(Guardian).where(col(Guardian.family_id) == world.lavoie_id)
        ).one()
        assert emily.email == "emily@example.ca"  # untouched
    assert _actions(database) == [("change_request.reject", "change_request", world.email_request)]
    (message,) = _outbox(database)
    # The Lavoie family reads English: the message is written in its language.
    assert message.language == "en" and message.kind == "change_request.rejected"
    assert "Adresse non confirmée" in message.body
    assert EMILY_NEW_EMAIL not in message.body


def test_approve_all_without_conflict(database: Database, world: QueueWorld) -> None:
    registrar = world.seeded.registrar_id
    everything = QueueFilter()
    with database.read() as uow:
        assert approvable_count(uow, registrar, everything) == 3
        assert approvable_count(uow, registrar, QueueFilter(establishment_id=world.que_id)) == 1
        assert approvable_count(uow, registrar, QueueFilter(kind=QueueKind.REENROLMENT)) == 0
    with database.write() as uow:
        bulk = approve_all_without_conflict(uow, registrar, everything)
    assert bulk.count == 3
    assert bulk.approved == (world.birth_date_request, world.address_request, world.email_request)
    assert bulk.skipped == (world.conflict_request, world.invalid_request)
    with database.read() as uow:
        left = pending_queue(uow, registrar)
    # The conflict, the refused value and the re-enrolment stay for the registrar.
    assert [r.request_id for r in left.rows] == [
        world.reenrolment_request,
        world.conflict_request,
        world.invalid_request,
    ]
    assert len(_outbox(database)) == 3
    assert [a for a, _t, _i in _actions(database)].count("change_request.approve") == 3


def test_history_says_who_decided_when_and_why(database: Database, world: QueueWorld) -> None:
    registrar = world.seeded.registrar_id
    with database.write() as uow:
        reject_change(uow, world.birth_date_request, world.seeded.admin_id, "Acte de naissance?")
    with database.read() as uow:
        history = decided_history(uow, registrar)
        students = decided_history(uow, registrar, QueueFilter(kind=QueueKind.GUARDIAN))
    assert [(h.subject, h.status, h.decided_by, h.reason) for h in history.rows] == [
        ("Hugo Tremblay", RequestStatus.REJECTED, "Luc Bergeron", "Acte de naissance?"),
        ("Hugo Tremblay", RequestStatus.REJECTED, "Martine Côté", REJECTION_REASON),
    ]
    assert history.rows[0].decided_at == datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
    assert students.total_count == 0


def test_next_pending_change_in_queue_order(database: Database, world: QueueWorld) -> None:
    registrar = world.seeded.registrar_id
    everything = QueueFilter()
    with database.read() as uow:
        after_hugo = next_pending_change(uow, registrar, world.birth_date_request, everything)
        # Re-enrolments are decided on their own screen: the next change skips them.
        after_helene = next_pending_change(uow, registrar, world.address_request, everything)
        wraps = next_pending_change(uow, registrar, world.invalid_request, everything)
        only_one = next_pending_change(
            uow, registrar, world.email_request, QueueFilter(establishment_id=world.que_id)
        )
    assert after_hugo == world.address_request
    assert after_helene == world.email_request
    assert wraps == world.birth_date_request
    assert only_one is None
