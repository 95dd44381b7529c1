"""The requests tab's data: a family's change and re-enrolment requests, pending first."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from registrar_tui.db import Database
from registrar_tui.i18n import set_language
from registrar_tui.models import RequestStatus
from registrar_tui.services.requests.family import RequestKind, family_requests
from tests.services.counter_data import NOTE_WITH_MARKUP, CounterWorld, seed_counter


@pytest.fixture
def world(database: Database) -> CounterWorld:
    return seed_counter(database)


def test_pending_first_then_newest(database: Database, world: CounterWorld) -> None:
    with database.read() as uow:
        requests = family_requests(uow, world.seeded.tremblay_id).rows
    assert [(r.kind, r.status, r.subject) for r in requests] == [
        (RequestKind.REENROLMENT, RequestStatus.PENDING, "Léa Tremblay"),
        (RequestKind.CHANGE, RequestStatus.PENDING, "Hélène Tremblay"),
        (RequestKind.CHANGE, RequestStatus.REJECTED, "Hugo Tremblay"),
    ]
    reenrolment, change, rejected = requests
    assert reenrolment.summary == f"HIV-2027 : Piano, Solfège · {NOTE_WITH_MARKUP}"
    assert reenrolment.submitted_at == datetime(2026, 11, 10, 18, 0, tzinfo=UTC)
    assert change.summary == "Téléphone : 514-555-0101 → 514-555-0199"
    assert rejected.summary == "Date de naissance : 2016-11-02 → 2016-11-03"
    assert rejected.decision_reason == "Pièce justificative manquante"


def test_summary_in_english(database: Database, world: CounterWorld) -> None:
    set_language("en")
    with database.read() as uow:
        reenrolment, change, _rejected = family_requests(uow, world.seeded.tremblay_id).rows
    # Discipline names come from the database in the UI language, sorted as shown.
    assert "HIV-2027" in reenrolment.summary
    assert "Music theory, Piano" in reenrolment.summary
    assert "514-555-0101 → 514-555-0199" in change.summary


def test_a_page_at_a_time(database: Database, world: CounterWorld) -> None:
    with database.read() as uow:
        first = family_requests(uow, world.seeded.tremblay_id, limit=2)
        rest = family_requests(uow, world.seeded.tremblay_id, limit=2, offset=2)
    assert len(first.rows) == 2 and first.total_count == 3 and first.has_more
    assert [r.subject for r in rest.rows] == ["Hugo Tremblay"]
    assert rest.offset == 2 and rest.has_previous and not rest.has_more


def test_family_without_requests(database: Database, world: CounterWorld) -> None:
    with database.read() as uow:
        assert family_requests(uow, world.seeded.markup_id).rows == ()
        assert family_requests(uow, 999_999).total_count == 0
