"""The registrar's queue on top of the shared counter world (tests/screens/fixtures.py).

Pending, oldest first (at 13:00 UTC; the fixed clock is 2026-11-23 14:30 UTC):

1. 2026-10-10  Hugo Tremblay, birth date 2016-11-02 → 2016-11-03        (44 days)
2. 2026-11-02  Hélène Tremblay (payer), new address                      (21 days)
3. 2026-11-15  Léa Tremblay, re-enrolment HIV-2027 in piano and solfège  (8 days)
4. 2026-11-18  Emily Lavoie (QUE site, English family), new e-mail      (5 days)
5. 2026-11-20  Marc Gagnon, phone — CONFLICT: the record changed since   (3 days)
6. 2026-11-21  the "[@click=app.quit]" guardian, a postal code that is not one (2 days)

and one decided request (rejected on 2026-10-07 by the registrar, with a reason).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from unittest import mock

from sqlmodel import col, select

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.models import (
    ChangeRequest,
    ChangeRequestField,
    ChangeTarget,
    Discipline,
    DisciplineKind,
    Establishment,
    Guardian,
    Language,
    ReenrolmentKind,
    ReenrolmentRequest,
    ReenrolmentRequestDiscipline,
    RequestStatus,
    Season,
    Student,
)
from registrar_tui.services.staff.passwords import hash_password
from tests import builders
from tests.screens import fixtures
from tests.screens.fixtures import Seeded, seed

HELENE_EMAIL = "helene.tremblay@example.ca"
NEW_ADDRESS = ("4321, rue Rachel Est", "Montréal", "H2J 2H7")
MARC_PHONE_NOW = "514-555-0102"
MARC_PHONE_SUBMITTED = "514-555-0177"
MARC_PHONE_REQUESTED = "514-555-0188"
EMILY_NEW_EMAIL = "emily.lavoie@example.org"
REJECTION_REASON = "Pièce justificative manquante"


@dataclass(frozen=True)
class QueueWorld:
    seeded: Seeded
    mtl_id: int
    que_id: int
    lavoie_id: int
    helene_id: int
    marc_id: int
    hugo_id: int
    birth_date_request: int
    address_request: int
    reenrolment_request: int
    email_request: int
    conflict_request: int
    invalid_request: int
    rejected_request: int


def _at(month: int, day: int, hour: int = 13) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


def _change(
    uow: UnitOfWork,
    family_id: int,
    target: ChangeTarget,
    target_id: int,
    submitted_at: datetime,
    fields: list[tuple[str, str, str]],
    **decided: object,
) -> int:
    request = ChangeRequest(
        family_id=family_id,
        target_kind=target,
        target_id=target_id,
        submitted_at=submitted_at,
        **decided,
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


_hash_once = functools.cache(hash_password)


def seed_queue(db: Database) -> QueueWorld:
    """The shared seed plus a second site, an English family and the requests above."""
    # The same three passwords in every test: hash them once (a real hash, 0.15 s each).
    with mock.patch.object(fixtures, "hash_password", _hash_once):
        seeded = seed(db)
    with db.write() as uow:
        session = uow.session
        mtl = session.exec(select(Establishment)).one()
        que = builders.establishment(
            uow,
            code="QUE",
            name="Conservatoire de musique de Québec",
            address_line="270, rue Saint-Amable",
            city="Québec",
            postal_code="G1R 5G1",
            phone="418-643-2190",
        )
        assert mtl.id is not None
        lavoie = builders.family(
            uow, que, number="F0000200", name="Lavoie", language=Language.ENGLISH
        )
        emily = builders.guardian(
            uow,
            lavoie,
            first_name="Emily",
            last_name="Lavoie",
            is_payer=True,
            email="emily@example.ca",
            language=Language.ENGLISH,
        )
        guardians = {
            g.first_name: g
            for g in session.exec(select(Guardian).order_by(col(Guardian.id)))
            if g.id is not None
        }
        helene, marc = guardians["Hélène"], guardians["Marc"]
        markup_guardian = session.exec(
            select(Guardian).where(col(Guardian.family_id) == seeded.markup_id)
        ).one()
        lea, hugo = session.exec(
            select(Student)
            .where(col(Student.family_id) == seeded.tremblay_id)
            .order_by(col(Student.id))
        ).all()
        assert helene.id and marc.id and markup_guardian.id and lea.id and hugo.id
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
        tremblay = seeded.tremblay_id
        birth_date = _change(
            uow,
            tremblay,
            ChangeTarget.STUDENT,
            hugo.id,
            _at(10, 10),
            [("birth_date", "2016-11-02", "2016-11-03")],
        )
        address = _change(
            uow,
            tremblay,
            ChangeTarget.GUARDIAN,
            helene.id,
            _at(11, 2),
            [
                ("address_line", helene.address_line, NEW_ADDRESS[0]),
                ("city", helene.city, NEW_ADDRESS[1]),
                ("postal_code", helene.postal_code, NEW_ADDRESS[2]),
            ],
        )
        reenrolment = ReenrolmentRequest(
            family_id=tremblay,
            student_id=lea.id,
            term_id=term_id,
            kind=ReenrolmentKind.DISCIPLINES,
            note="Même professeure si possible",
            submitted_at=_at(11, 15),
        )
        session.add(reenrolment)
        session.flush()
        assert reenrolment.id is not None
        for discipline in (piano, solfege):
            session.add(
                ReenrolmentRequestDiscipline(request_id=reenrolment.id, discipline_id=discipline.id)
            )
        email = _change(
            uow,
            lavoie,
            ChangeTarget.GUARDIAN,
            emily,
            _at(11, 18),
            [("email", "emily@example.ca", EMILY_NEW_EMAIL)],
        )
        conflict = _change(
            uow,
            tremblay,
            ChangeTarget.GUARDIAN,
            marc.id,
            _at(11, 20),
            [("phone", MARC_PHONE_SUBMITTED, MARC_PHONE_REQUESTED)],
        )
        invalid = _change(
            uow,
            seeded.markup_id,
            ChangeTarget.GUARDIAN,
            markup_guardian.id,
            _at(11, 21),
            [("postal_code", "", "H2X 1Y")],
        )
        rejected = _change(
            uow,
            tremblay,
            ChangeTarget.STUDENT,
            hugo.id,
            _at(10, 5),
            [("first_name", "Hugo", "Hugues")],
            status=RequestStatus.REJECTED,
            decided_at=_at(10, 7),
            decided_by_id=seeded.registrar_id,
            decision_reason=REJECTION_REASON,
        )
        world = QueueWorld(
            seeded=seeded,
            mtl_id=mtl.id,
            que_id=que,
            lavoie_id=lavoie,
            helene_id=helene.id,
            marc_id=marc.id,
            hugo_id=hugo.id,
            birth_date_request=birth_date,
            address_request=address,
            reenrolment_request=reenrolment.id,
            email_request=email,
            conflict_request=conflict,
            invalid_request=invalid,
            rejected_request=rejected,
        )
    return world
