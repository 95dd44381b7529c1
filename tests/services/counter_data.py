"""On top of the shared counter world (tests/screens/fixtures.py): guardian ids, a
disabled clerk, a registrar, and the Tremblay family's portal requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import (
    ChangeRequest,
    ChangeRequestField,
    ChangeTarget,
    Discipline,
    DisciplineKind,
    Guardian,
    ReenrolmentKind,
    ReenrolmentRequest,
    ReenrolmentRequestDiscipline,
    RequestStatus,
    Role,
    Season,
    Student,
)
from tests import builders
from tests.screens.fixtures import Seeded, seed

NOTE_WITH_MARKUP = "[b]urgent[/b] merci"


@dataclass(frozen=True)
class CounterWorld:
    seeded: Seeded
    helene_id: int
    """Hélène Tremblay, payer of the Tremblay family."""
    marc_id: int
    markup_guardian_id: int
    disabled_clerk_id: int
    registrar_id: int


def seed_counter(db: Database) -> CounterWorld:
    """The shared seed plus staff and requests (three for the Tremblay family)."""
    seeded = seed(db)
    with db.write() as uow:
        session = uow.session
        guardians = {
            (g.family_id, g.first_name): g.id
            for g in session.exec(select(Guardian).order_by(col(Guardian.id)))
        }
        users = []
        for username, role, active in (
            ("ancien", Role.CLERK, False),
            ("registraire", Role.REGISTRAR, True),
        ):
            users.append(
                builders.staff(
                    uow,
                    None,
                    username=username,
                    full_name=username.title(),
                    role=role,
                    password_hash="x",
                    is_active=active,
                )
            )
        lea, hugo = session.exec(
            select(Student)
            .where(col(Student.family_id) == seeded.tremblay_id)
            .order_by(col(Student.id))
        ).all()
        term_id = builders.term(
            uow,
            code="HIV-2027",
            season=Season.WINTER,
            year=2027,
            starts_on=date(2027, 1, 11),
            ends_on=date(2027, 5, 1),
            payment_due_on=date(2027, 1, 31),
        )
        piano = Discipline(
            code="PIA", name_fr="Piano", name_en="Piano", kind=DisciplineKind.INSTRUMENT
        )
        solfege = Discipline(
            code="SOL", name_fr="Solfège", name_en="Music theory", kind=DisciplineKind.THEORY
        )
        session.add_all([piano, solfege])
        session.flush()
        helene_id = guardians[(seeded.tremblay_id, "Hélène")]
        change = ChangeRequest(
            family_id=seeded.tremblay_id,
            target_kind=ChangeTarget.GUARDIAN,
            target_id=helene_id,
            submitted_at=datetime(2026, 11, 2, 15, 0, tzinfo=UTC),
        )
        rejected = ChangeRequest(
            family_id=seeded.tremblay_id,
            target_kind=ChangeTarget.STUDENT,
            target_id=hugo.id,
            status=RequestStatus.REJECTED,
            submitted_at=datetime(2026, 10, 5, 15, 0, tzinfo=UTC),
            decided_at=datetime(2026, 10, 7, 15, 0, tzinfo=UTC),
            decision_reason="Pièce justificative manquante",
        )
        reenrolment = ReenrolmentRequest(
            family_id=seeded.tremblay_id,
            student_id=lea.id,
            term_id=term_id,
            kind=ReenrolmentKind.DISCIPLINES,
            note=NOTE_WITH_MARKUP,
            submitted_at=datetime(2026, 11, 10, 18, 0, tzinfo=UTC),
        )
        session.add_all([change, rejected, reenrolment])
        session.flush()
        session.add_all(
            [
                ChangeRequestField(
                    request_id=change.id,
                    field_name="phone",
                    value_at_submission="514-555-0101",
                    requested_value="514-555-0199",
                ),
                ChangeRequestField(
                    request_id=rejected.id,
                    field_name="birth_date",
                    value_at_submission="2016-11-02",
                    requested_value="2016-11-03",
                ),
                ReenrolmentRequestDiscipline(request_id=reenrolment.id, discipline_id=piano.id),
                ReenrolmentRequestDiscipline(request_id=reenrolment.id, discipline_id=solfege.id),
            ]
        )
    return CounterWorld(
        seeded=seeded,
        helene_id=helene_id or 0,
        marc_id=guardians[(seeded.tremblay_id, "Marc")] or 0,
        markup_guardian_id=next(
            gid for (family, _name), gid in guardians.items() if family == seeded.markup_id
        )
        or 0,
        disabled_clerk_id=users[0] or 0,
        registrar_id=users[1] or 0,
    )
