"""What the portal submits (issue #15 §2): change and re-enrolment requests at the door.

Every refusal names its field and writes nothing; a change request is checked whole (all
its mistakes at once) with the parsers the registrar's approval uses; the same reference
is the same request (a retry, or twins at the same moment, post once); the value the
family saw makes a later change of the record a conflict in the queue; the registrar
approves a portal request as any other; the audit names the portal's account.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.i18n import set_language
from registrar_tui.models import (
    AuditEvent,
    ChangeRequest,
    ChangeRequestField,
    ChangeTarget,
    Family,
    Guardian,
    ReenrolmentRequest,
    RequestStatus,
    Role,
    Student,
)
from registrar_tui.services.core.errors import (
    CardNumberRefused,
    DomainError,
    FieldErrors,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from registrar_tui.services.requests.changes.decisions import approve_change
from registrar_tui.services.requests.changes.detail import change_detail
from registrar_tui.services.requests.family import family_requests
from registrar_tui.services.requests.origin import RequestOrigin
from registrar_tui.services.requests.portal import (
    ClientReferenceReused,
    PortalChange,
    PortalFieldChange,
    PortalReenrolment,
    SubmittedPortalRequest,
    submit_portal_change,
    submit_portal_reenrolment,
)
from registrar_tui.services.requests.portal_family import portal_family
from registrar_tui.services.requests.queue import pending_queue
from registrar_tui.services.requests.reenrolment.submit import (
    ReenrolmentAlreadyPending,
    ReenrolmentClosed,
    submit_reenrolment,
)
from tests import builders
from tests.conftest import FIXED_NOW
from tests.services.reenrolment_data import World, build_world, set_today

CARD = "4111 1111 1111 1111"


@dataclass(frozen=True)
class Portal:
    world: World
    portal_id: int
    """The portal's staff account (role portal)."""
    family_portal_id: str
    payer_id: int
    other_guardian_id: int
    """Another family's guardian."""
    other_student_id: int
    removed_guardian_id: int
    """Once a guardian of the family, removed at the counter."""


@pytest.fixture
def portal(database: Database) -> Portal:
    world = build_world(database)
    with database.write() as uow:
        account = builders.staff(
            uow, None, username="portail", full_name="Portail des familles", role=Role.PORTAL
        )
        builders.staff(
            uow, None, username="vieux-portail", full_name="Ancien portail", role=Role.PORTAL,
            is_active=False,
        )  # fmt: skip
        family = uow.session.get_one(Family, world.family_id)
        family.portal_id = "P-TREMBLAY"
        uow.session.add(family)
        payer = uow.session.exec(
            select(Guardian).where(col(Guardian.family_id) == world.family_id)
        ).one()
        removed = builders.guardian(
            uow, world.family_id, first_name="Paul", last_name="Tremblay",
            removed_at=FIXED_NOW, removed_by_id=world.school.clerk_id,
        )  # fmt: skip
        payer.phone = "514-555-0101"
        payer.address_line, payer.city, payer.postal_code = "12, rue Rachel", "Montréal", "H2J 2H7"
        uow.session.add(payer)
        other = uow.session.exec(
            select(Guardian).where(col(Guardian.family_id) != world.family_id)
        ).first()
        assert other is not None and other.id is not None and payer.id is not None
        other_family = other.family_id
    with database.read() as uow:
        other_student = uow.session.exec(
            select(Student.id).where(col(Student.family_id) == other_family)
        ).one()
    return Portal(world, account, "P-TREMBLAY", payer.id, other.id, other_student, removed)


def _change(portal: Portal, *fields: tuple[str, str, str], **overrides: Any) -> PortalChange:
    change = PortalChange(
        portal_user_id=portal.portal_id,
        client_reference="chg-1",
        family_portal_id=portal.family_portal_id,
        target_kind=ChangeTarget.GUARDIAN,
        target_id=portal.payer_id,
        fields=tuple(PortalFieldChange(*f) for f in fields)
        or (PortalFieldChange("phone", "514-555-0101", "514 555-0199"),),
    )
    return replace(change, **overrides)


def _reenrolment(portal: Portal, **overrides: Any) -> PortalReenrolment:
    request = PortalReenrolment(
        portal_user_id=portal.portal_id,
        client_reference="re-1",
        family_portal_id=portal.family_portal_id,
        student_id=portal.world.student_id,
        term_code="HIV-2027",
        discipline_codes=("PIA", "SOL"),
        note="Le mardi si possible",
    )
    return replace(request, **overrides)


def _submit(db: Database, change: PortalChange) -> SubmittedPortalRequest:
    with db.write() as uow:
        return submit_portal_change(uow, change)


def _submit_reenrolment(db: Database, request: PortalReenrolment) -> SubmittedPortalRequest:
    with db.write() as uow:
        return submit_portal_reenrolment(uow, request)


def _counts(db: Database) -> tuple[int, int, int, int]:
    """Change requests, their fields, re-enrolment requests, audit events."""
    with db.read() as uow:
        return (
            len(uow.session.exec(select(ChangeRequest.id)).all()),
            len(uow.session.exec(select(ChangeRequestField.id)).all()),
            len(uow.session.exec(select(ReenrolmentRequest.id)).all()),
            len(uow.session.exec(select(AuditEvent.id)).all()),
        )


def _refused(db: Database, submit: Callable[[], object], error: type[DomainError]) -> DomainError:
    before = _counts(db)
    with pytest.raises(error) as refused:
        submit()
    assert _counts(db) == before  # nothing written
    return refused.value


# --- change requests ------------------------------------------------------------------


def test_a_change_is_recorded_pending_in_the_stored_form_audited_as_the_portal(
    database: Database, portal: Portal
) -> None:
    change = _change(
        portal,
        ("phone", "(514) 555-0101", "514 555 0199"),
        ("email", "", "Helene.Tremblay@Example.ca"),
    )
    submitted = _submit(database, change)

    assert submitted.kind == "change" and submitted.status == "pending"
    assert not submitted.replayed
    with database.read() as uow:
        request = uow.session.get_one(ChangeRequest, submitted.request_id)
        stored = (request.status, request.submitted_by_id, request.client_reference)
        fields = [
            (f.field_name, f.value_at_submission, f.requested_value)
            for f in uow.session.exec(
                select(ChangeRequestField)
                .where(col(ChangeRequestField.request_id) == submitted.request_id)
                .order_by(col(ChangeRequestField.id))
            )
        ]
        event = uow.session.exec(
            select(AuditEvent.actor_id, AuditEvent.entity_id).where(
                col(AuditEvent.action) == "change_request.submit"
            )
        ).one()
    assert stored == (RequestStatus.PENDING, portal.portal_id, "chg-1")
    # The seen phone in the record's spelling: not taken for a change of the record.
    assert fields == [
        ("phone", "514-555-0101", "514-555-0199"),
        ("email", "", "Helene.Tremblay@example.ca"),
    ]
    assert tuple(event) == (portal.portal_id, submitted.request_id)


CHANGE_REFUSALS: list[tuple[dict[str, Any], type[DomainError], str | None]] = [
        ({"portal_user_id": "clerk"}, PermissionDenied, None),
        ({"portal_user_id": "inactive portal"}, PermissionDenied, None),
        ({"family_portal_id": "P-NOBODY"}, NotFound, "family_portal_id"),
        ({"target_id": "other guardian"}, NotFound, "target_id"),
        (
            {"target_kind": ChangeTarget.STUDENT, "target_id": "other student"},
            NotFound,
            "target_id",
        ),
        ({"target_id": "removed guardian"}, NotFound, "target_id"),
        ({"target_id": 2**40}, NotFound, "target_id"),
        ({"target_kind": "teacher"}, InvalidInput, "target_kind"),
        ({"client_reference": ""}, InvalidInput, "client_reference"),
        ({"client_reference": " chg-1"}, InvalidInput, "client_reference"),
        ({"client_reference": "x" * 65}, InvalidInput, "client_reference"),
        ({"fields": ()}, InvalidInput, "fields"),
        ({"fields": (PortalFieldChange("city", "", "Laval"),) * 21}, InvalidInput, "fields"),
]  # fmt: skip


def test_a_change_refused_at_the_door_names_its_field(database: Database, portal: Portal) -> None:
    people = {
        "clerk": portal.world.school.clerk_id,
        "inactive portal": portal.portal_id + 1,
        "other guardian": portal.other_guardian_id,
        "other student": portal.other_student_id,
        "removed guardian": portal.removed_guardian_id,
    }
    for given, error, field in CHANGE_REFUSALS:
        overrides = {k: people.get(v, v) if isinstance(v, str) else v for k, v in given.items()}
        change = _change(portal, **overrides)
        refusal = _refused(database, lambda c=change: _submit(database, c), error)
        assert refusal.field == field, given


FIELD_REFUSALS: list[tuple[tuple[str, str, str], type[DomainError], str, str]] = [
        (("code_permanent", "", "TREE12031401"), InvalidInput, "code_permanent", "portail"),
        (("is_payer", "0", "1"), InvalidInput, "is_payer", "is_payer"),
        (("phone", "514-555-0101", "555-01"), InvalidInput, "phone", ""),
        (("email", "", "helene@"), InvalidInput, "email", ""),
        (("postal_code", "H2J 2H7", "Z9Z 9Z9"), InvalidInput, "postal_code", ""),
        (("province", "QC", "Québec"), InvalidInput, "province", ""),
        (("first_name", "Hélène", "  "), InvalidInput, "first_name", ""),
        (("city", "Montréal", "x" * 101), InvalidInput, "city", "100"),
        (("city", "Montréal", f"Carte {CARD}"), CardNumberRefused, "city", ""),
        (("city", f"Carte {CARD}", "Laval"), CardNumberRefused, "city.seen_value", ""),
        (("city", "x" * 201, "Laval"), InvalidInput, "city.seen_value", "200"),
        (("phone", "514-555-0101", "514-555-0101"), InvalidInput, "fields", "Aucun changement"),
]  # fmt: skip


def test_each_field_is_checked_as_the_registrar_s_approval_would(
    database: Database, portal: Portal
) -> None:
    for field, error, named, in_message in FIELD_REFUSALS:
        change = _change(portal, field)
        refusal = _refused(database, lambda c=change: _submit(database, c), error)
        assert refusal.field == named, field
        assert in_message in refusal.translated(), field


def test_a_student_s_birth_date_is_checked_too(database: Database, portal: Portal) -> None:
    student = portal.world.student_id
    for wanted, message in (("2012-02-30", "AAAA-MM-JJ"), ("2031-01-01", "avenir")):
        change = _change(
            portal,
            ("birth_date", "2012-03-14", wanted),
            target_kind=ChangeTarget.STUDENT,
            target_id=student,
        )
        refusal = _refused(database, lambda c=change: _submit(database, c), InvalidInput)
        assert refusal.field == "birth_date" and message in refusal.translated()
    accepted = _submit(
        database,
        _change(
            portal,
            ("birth_date", "2012-03-14", "2012-03-15"),
            target_kind=ChangeTarget.STUDENT,
            target_id=student,
        ),
    )
    assert accepted.status == "pending"


def test_every_mistake_is_said_at_once(database: Database, portal: Portal) -> None:
    change = _change(
        portal,
        ("phone", "514-555-0101", "555"),
        ("email", "", "pas une adresse"),
        ("postal_code", "H2J 2H7", "H2J"),
        ("city", "Montréal", "Laval"),  # fine: not among the errors
        ("phone", "514-555-0101", "514-555-0199"),
        ("social_insurance_number", "", "046454286"),
    )
    refusal = _refused(database, lambda: _submit(database, change), FieldErrors)
    assert isinstance(refusal, InvalidInput) and refusal.field is None
    named = [e.field for e in refusal.field_errors()]
    assert named == ["phone", "email", "postal_code", "phone", "social_insurance_number"]
    lines = refusal.translated().splitlines()
    assert len(lines) == 5
    assert lines[0].startswith("Téléphone : ") and lines[1].startswith("Courriel : ")
    assert "deux fois" in lines[3]
    assert lines[4].startswith("social_insurance_number : ") and "portail" in lines[4]
    set_language("en")
    assert refusal.translated().splitlines()[0].startswith("Phone: ")


def test_a_seen_value_refused_is_labelled_as_the_one_the_family_saw(
    database: Database, portal: Portal
) -> None:
    change = _change(portal, ("city", CARD, "Laval"), ("email", "", "@"))
    refusal = _refused(database, lambda: _submit(database, change), FieldErrors)
    assert [e.field for e in refusal.field_errors()] == ["city.seen_value", "email"]
    assert refusal.translated().splitlines()[0].startswith("Ville (valeur affichée) : ")


def test_control_and_bidi_characters_are_cleaned_as_at_the_counter(
    database: Database, portal: Portal
) -> None:
    submitted = _submit(database, _change(portal, ("city", "Montréal", "La\u202eval\x07 [b]x[/b]")))
    with database.read() as uow:
        stored = uow.session.exec(
            select(ChangeRequestField.requested_value).where(
                col(ChangeRequestField.request_id) == submitted.request_id
            )
        ).one()
    assert stored == "Laval [b]x[/b]"  # markup is data: kept as typed, shown as text


# --- idempotency ----------------------------------------------------------------------


def test_the_same_reference_twice_is_one_request(database: Database, portal: Portal) -> None:
    first = _submit(database, _change(portal))
    before = _counts(database)
    again = _submit(database, _change(portal))

    assert again == replace(first, replayed=True)
    assert _counts(database) == before
    with database.write() as uow:
        approve_change(uow, first.request_id, portal.world.school.registrar_id)
    late = _submit(database, _change(portal))
    assert (late.request_id, late.status, late.replayed) == (first.request_id, "approved", True)


def test_a_reference_reused_for_other_content_is_refused(
    database: Database, portal: Portal
) -> None:
    _submit(database, _change(portal))
    other = _change(portal, ("city", "Montréal", "Laval"))
    refusal = _refused(database, lambda: _submit(database, other), ClientReferenceReused)
    assert refusal.field == "client_reference"
    as_reenrolment = _reenrolment(portal, client_reference="chg-1")
    refusal = _refused(
        database, lambda: _submit_reenrolment(database, as_reenrolment), ClientReferenceReused
    )
    assert refusal.field == "client_reference"
    # Another portal account may use the same reference: references are per account.
    with database.write() as uow:
        second = builders.staff(
            uow, None, username="portail2", full_name="Second portail", role=Role.PORTAL
        )
    assert not _submit(database, _change(portal, portal_user_id=second)).replayed


def _at_once(count: int, submit: Callable[[], SubmittedPortalRequest]) -> list[object]:
    barrier = threading.Barrier(count)
    outcomes: list[object] = []

    def client() -> None:
        barrier.wait(timeout=10)
        try:
            outcomes.append(submit())
        except Exception as error:  # reported to the test, which fails on it
            outcomes.append(error)

    threads = [threading.Thread(target=client) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_twins_sent_at_the_same_moment_post_once(database: Database, portal: Portal) -> None:
    change_outcomes = _at_once(4, lambda: _submit(database, _change(portal)))
    reenrolment_outcomes = _at_once(4, lambda: _submit_reenrolment(database, _reenrolment(portal)))

    for outcomes in (change_outcomes, reenrolment_outcomes):
        assert all(isinstance(o, SubmittedPortalRequest) for o in outcomes), outcomes
        submitted = [o for o in outcomes if isinstance(o, SubmittedPortalRequest)]
        assert len({s.request_id for s in submitted}) == 1
        assert sorted(s.replayed for s in submitted) == [False, True, True, True]
    changes, _fields, reenrolments, _events = _counts(database)
    assert (changes, reenrolments) == (1, 1)


# --- in the registrar's queue ---------------------------------------------------------


def test_a_record_changed_since_shows_as_a_conflict_in_the_queue(
    database: Database, portal: Portal
) -> None:
    submitted = _submit(database, _change(portal))
    registrar = portal.world.school.registrar_id
    with database.read() as uow:
        assert not change_detail(uow, submitted.request_id, registrar).has_conflict
    with database.write() as uow:  # the counter types another number meanwhile
        payer = uow.session.get_one(Guardian, portal.payer_id)
        payer.phone = "514-555-0142"
        uow.session.add(payer)
    with database.read() as uow:
        detail = change_detail(uow, submitted.request_id, registrar)
        row = pending_queue(uow, registrar).rows[0]
    assert detail.conflict_fields == ("phone",)
    assert [(f.current, f.submitted, f.requested) for f in detail.fields] == [
        ("514-555-0142", "514-555-0101", "514-555-0199")
    ]
    assert row.request_id == submitted.request_id and row.has_conflict
    assert (row.origin, row.submitted_by) == (RequestOrigin.PORTAL, "Portail des familles")


def test_a_stale_seen_value_is_a_conflict_from_the_start(
    database: Database, portal: Portal
) -> None:
    submitted = _submit(database, _change(portal, ("phone", "514-555-0177", "514-555-0199")))
    with database.read() as uow:
        detail = change_detail(uow, submitted.request_id, portal.world.school.registrar_id)
    assert detail.conflict_fields == ("phone",)


def test_the_registrar_approves_a_portal_request_as_any_other(
    database: Database, portal: Portal
) -> None:
    submitted = _submit(
        database,
        _change(
            portal,
            ("address_line", "12, rue Rachel", "4321, rue Rachel Est"),
            ("city", "Montréal", "Montréal"),
            ("postal_code", "H2J 2H7", "h2j2h7"),
        ),
    )
    with database.write() as uow:
        decision = approve_change(uow, submitted.request_id, portal.world.school.registrar_id)
    with database.read() as uow:
        payer = uow.session.get_one(Guardian, portal.payer_id)
        address = (payer.address_line, payer.city, payer.postal_code)
        tab = family_requests(uow, portal.world.family_id).rows
    assert decision.status == RequestStatus.APPROVED
    assert address == (
        "4321, rue Rachel Est",
        "Montréal",
        "H2J 2H7",
    )
    assert [(r.status, r.origin, r.summary) for r in tab] == [
        (
            RequestStatus.APPROVED,
            RequestOrigin.PORTAL,
            "Adresse : 12, rue Rachel → 4321, rue Rachel Est",
        )
    ]


# --- re-enrolment requests ------------------------------------------------------------


def test_a_re_enrolment_follows_the_counter_s_rules_audited_as_the_portal(
    database: Database, portal: Portal
) -> None:
    submitted = _submit_reenrolment(database, _reenrolment(portal))
    again = _submit_reenrolment(database, _reenrolment(portal))

    assert (submitted.kind, submitted.status, submitted.replayed) == (
        "reenrolment",
        "pending",
        False,
    )
    assert again == replace(submitted, replayed=True)
    with database.read() as uow:
        request = uow.session.get_one(ReenrolmentRequest, submitted.request_id)
        stored = (request.note, request.submitted_by_id)
        actors = uow.session.exec(
            select(AuditEvent.actor_id).where(col(AuditEvent.action) == "reenrolment.submit")
        ).all()
        registrar = portal.world.school.registrar_id
        row = pending_queue(uow, registrar).rows[0]
    assert stored == ("Le mardi si possible", portal.portal_id)
    assert actors == [portal.portal_id]
    assert row.origin == RequestOrigin.PORTAL and "Piano, Solfège" in row.summary


REENROLMENT_REFUSALS: list[tuple[dict[str, Any], type[DomainError], str | None]] = [
        ({"portal_user_id": "clerk"}, PermissionDenied, None),
        ({"family_portal_id": "P-NOBODY"}, NotFound, "family_portal_id"),
        ({"student_id": "other student"}, NotFound, "student_id"),
        ({"term_code": "ETE-2031"}, NotFound, "term_code"),
        ({"term_code": "AUT-2026"}, ReenrolmentClosed, "term_code"),
        ({"discipline_codes": ("PIA", "HARPE")}, NotFound, "discipline_codes"),
        ({"discipline_codes": ()}, InvalidInput, "discipline_codes"),
        ({"discipline_codes": ("P" * 17,)}, InvalidInput, "discipline_codes"),
        ({"note": f"Ma carte {CARD}"}, CardNumberRefused, "note"),
        ({"client_reference": "re\x00-1"}, InvalidInput, "client_reference"),
]  # fmt: skip


def test_a_re_enrolment_refused_names_its_field(database: Database, portal: Portal) -> None:
    people = {"clerk": portal.world.school.clerk_id, "other student": portal.other_student_id}
    for given, error, field in REENROLMENT_REFUSALS:
        overrides = {k: people.get(v, v) if isinstance(v, str) else v for k, v in given.items()}
        request = _reenrolment(portal, **overrides)
        refusal = _refused(database, lambda r=request: _submit_reenrolment(database, r), error)
        assert refusal.field == field, given


def test_outside_the_window_the_portal_is_told_when_it_opens(
    database: Database, portal: Portal
) -> None:
    set_today(database, date(2026, 10, 20))
    refusal = _refused(
        database, lambda: _submit_reenrolment(database, _reenrolment(portal)), ReenrolmentClosed
    )
    assert "ouvre le 1 nov. 2026" in refusal.translated()


def test_one_pending_per_student_and_term_whoever_sent_it(
    database: Database, portal: Portal
) -> None:
    first = _submit_reenrolment(database, _reenrolment(portal))
    refusal = _refused(
        database,
        lambda: _submit_reenrolment(database, _reenrolment(portal, client_reference="re-2")),
        ReenrolmentAlreadyPending,
    )
    assert refusal.field == "student_id"
    # Recorded at the counter: the portal's request is refused the same way.
    other = portal.other_student_id
    with database.write() as uow:
        counter = submit_reenrolment(
            uow,
            actor_id=portal.world.school.clerk_id,
            student_id=other,
            term_code="HIV-2027",
            administrative=True,
        )
        assert uow.session.get_one(ReenrolmentRequest, counter.request_id).submitted_by_id == (
            portal.world.school.clerk_id
        )
    with database.read() as uow:
        rows = {
            r.request_id: r.origin
            for r in pending_queue(uow, portal.world.school.registrar_id).rows
        }
    assert rows == {
        first.request_id: RequestOrigin.PORTAL,
        counter.request_id: RequestOrigin.COUNTER,
    }


def test_two_clerks_recording_the_same_re_enrolment_at_once_one_is_told_it_is_pending(
    database: Database, portal: Portal
) -> None:
    school = portal.world.school

    def record(clerk_id: int) -> object:
        with database.write() as uow:
            return submit_reenrolment(
                uow,
                actor_id=clerk_id,
                student_id=portal.world.student_id,
                term_code="HIV-2027",
                administrative=True,
            )

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def clerk(clerk_id: int) -> None:
        barrier.wait(timeout=10)
        try:
            record(clerk_id)
            outcomes.append("recorded")
        except ReenrolmentAlreadyPending:
            outcomes.append("pending")
        except Exception as error:  # an IntegrityError would be a bug: reported
            outcomes.append(repr(error))

    threads = [
        threading.Thread(target=clerk, args=(c,)) for c in (school.clerk_id, school.clerk2_id)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["pending", "recorded"]


# --- what the portal shows ------------------------------------------------------------


def test_the_family_as_the_portal_shows_it(database: Database, portal: Portal) -> None:
    _submit_reenrolment(database, _reenrolment(portal, discipline_codes=("PIA",)))
    with database.read() as uow:
        family = portal_family(uow, "P-TREMBLAY", actor_id=portal.portal_id)
        with pytest.raises(PermissionDenied):
            portal_family(uow, "P-TREMBLAY", actor_id=portal.world.school.clerk_id)
        with pytest.raises(NotFound) as unknown:
            portal_family(uow, "P-NOBODY", actor_id=portal.portal_id)
    assert unknown.value.field == "family_portal_id"
    [payer] = family.guardians
    assert payer.guardian_id == portal.payer_id and payer.is_payer
    assert dict(payer.values)["phone"] == "514-555-0101"
    assert [name for name, _v in payer.values][:3] == ["first_name", "last_name", "phone"]
    [student] = family.students
    assert student.student_id == portal.world.student_id
    assert dict(student.values)["birth_date"] == "2012-03-14"
    assert student.pending_terms == ("HIV-2027",)
    [term] = family.reenrolment_terms
    assert term.code == "HIV-2027" and term.reenrolment_closes_on == date(2026, 12, 5)
    assert [d.code for d in term.disciplines] == ["PIA", "SOL"]
