"""Terms: the list, the next term created, its dates edited, re-enrolment opened and closed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from registrar_tui.db import Database
from registrar_tui.models import Season, Term
from registrar_tui.services.core.errors import (
    CardNumberRefused,
    DomainError,
    InvalidInput,
    PermissionDenied,
)
from registrar_tui.services.school_year import terms
from registrar_tui.services.school_year.terms import NothingChanged, TermDraft
from tests.services.school_year.world import YearWorld, audit, audit_count, build_year

SPRING = TermDraft(
    code="ete-2027",
    starts_on="2027-05-10",
    ends_on="2027-07-30",
    payment_due_on="2027-05-31",
    reenrolment_opens_on="2027-03-01",
    reenrolment_closes_on="2027-04-15",
    confirmation_deadline="2027-05-20",
)


@pytest.fixture
def world(database: Database) -> YearWorld:
    return build_year(database)


def test_the_list_shows_each_term_latest_first_with_its_groups(world: YearWorld) -> None:
    with world.db.read() as uow:
        rows = terms.list_terms(uow)
    assert [(r.code, r.group_count) for r in rows] == [("HIV-2027", 0), ("AUT-2026", 2)]
    assert rows[1].payment_due_on == date(2026, 9, 30)
    assert not rows[0].reenrolment_open


def test_the_next_term_is_proposed_after_the_latest(world: YearWorld) -> None:
    with world.db.read() as uow:
        assert terms.next_term_draft(uow).code == "ETE-2027"
    assert terms.following_code("AUT-2026") == "HIV-2027"
    assert terms.following_code("ETE-2027") == "AUT-2027"


def test_a_registrar_creates_the_next_term_audited(world: YearWorld) -> None:
    with world.db.write() as uow:
        row = terms.create_term(uow, actor_id=world.registrar_id, draft=SPRING)
    assert (row.code, row.season, row.year) == ("ETE-2027", Season.SUMMER, 2027)
    assert row.reenrolment_closes_on == date(2027, 4, 15)
    with world.db.read() as uow:
        stored = uow.session.get_one(Term, row.term_id)
        assert stored.confirmation_deadline == date(2027, 5, 20)
    [(before, after)] = audit(world.db, "term.create")
    assert before == {} and after["code"] == "ETE-2027"
    assert after["starts_on"] == "2027-05-10"


def test_a_clerk_may_read_the_terms_but_not_create_one(world: YearWorld) -> None:
    with pytest.raises(PermissionDenied), world.db.write() as uow:
        terms.create_term(uow, actor_id=world.clerk_id, draft=SPRING)
    assert audit(world.db, "term.create") == []


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"code": "PRI-2027"}, "code", "AUT, HIV ou ETE"),
        ({"code": "HIV-2027"}, "code", "existe déjà"),
        ({"starts_on": "2026-05-10"}, "starts_on", "commencer en 2027"),
        ({"starts_on": "10/05/2027"}, "starts_on", "AAAA-MM-JJ"),
        ({"ends_on": ""}, "ends_on", "obligatoire"),
        ({"ends_on": "2027-05-01"}, "ends_on", "après son début"),
        ({"payment_due_on": "2027-08-01"}, "payment_due_on", "précéder la fin"),
        ({"reenrolment_opens_on": ""}, "reenrolment_opens_on", "ouverture"),
        ({"reenrolment_closes_on": "2027-02-01"}, "reenrolment_closes_on", "précède"),
        ({"reenrolment_closes_on": "2027-08-01"}, "reenrolment_closes_on", "au plus tard"),
        ({"confirmation_deadline": "2027-09-01"}, "confirmation_deadline", "pendant la session"),
    ],
)
def test_each_wrong_field_is_refused_next_to_it_and_nothing_is_written(
    world: YearWorld, change: dict[str, str], field: str, words: str
) -> None:
    before = audit_count(world.db)
    with pytest.raises(InvalidInput) as refused, world.db.write() as uow:
        terms.create_term(uow, actor_id=world.admin_id, draft=replace(SPRING, **change))
    assert refused.value.field == field
    assert words in refused.value.translated()
    assert audit_count(world.db) == before
    with world.db.read() as uow:
        assert len(terms.list_terms(uow)) == 2


def test_a_card_number_in_a_date_box_is_refused(world: YearWorld) -> None:
    with pytest.raises(CardNumberRefused) as refused, world.db.write() as uow:
        terms.create_term(
            uow, actor_id=world.admin_id, draft=replace(SPRING, starts_on="4111 1111 1111 1111")
        )
    assert refused.value.field == "starts_on"


def test_editing_changes_the_dates_keeps_the_code_and_audits_what_changed(
    world: YearWorld,
) -> None:
    draft = TermDraft(
        code="IGNORED",
        starts_on="2027-01-11",
        ends_on="2027-04-30",
        payment_due_on="2027-02-15",
        reenrolment_opens_on="2026-11-01",
    )
    with world.db.write() as uow:
        row = terms.update_term(
            uow, actor_id=world.registrar_id, term_id=world.winter_id, draft=draft
        )
    assert (row.code, row.payment_due_on) == ("HIV-2027", date(2027, 2, 15))
    assert row.reenrolment_open  # opened on 1 November, no closing day, today 23 November
    [(before, after)] = audit(world.db, "term.update")
    assert before == {"payment_due_on": "2027-02-01", "reenrolment_opens_on": None}
    assert after == {"payment_due_on": "2027-02-15", "reenrolment_opens_on": "2026-11-01"}
    with pytest.raises(NothingChanged), world.db.write() as uow:
        terms.update_term(uow, actor_id=world.registrar_id, term_id=world.winter_id, draft=draft)


def test_reenrolment_opens_today_and_closes_yesterday(world: YearWorld) -> None:
    with world.db.write() as uow:
        opened = terms.open_reenrolment(uow, actor_id=world.registrar_id, term_id=world.winter_id)
    assert opened.reenrolment_open and opened.reenrolment_opens_on == date(2026, 11, 23)
    with pytest.raises(DomainError, match="déjà ouverte"), world.db.write() as uow:
        terms.open_reenrolment(uow, actor_id=world.registrar_id, term_id=world.winter_id)
    with world.db.write() as uow:
        closed = terms.close_reenrolment(uow, actor_id=world.admin_id, term_id=world.winter_id)
    # Opened today and closed today: the window is removed, not left empty.
    assert not closed.reenrolment_open
    assert closed.reenrolment_opens_on is None and closed.reenrolment_closes_on is None
    with pytest.raises(DomainError, match="déjà fermée"), world.db.write() as uow:
        terms.close_reenrolment(uow, actor_id=world.admin_id, term_id=world.winter_id)
    assert [a["reenrolment_opens_on"] for _b, a in audit(world.db, "term.reenrolment_open")] == [
        "2026-11-23"
    ]
    assert len(audit(world.db, "term.reenrolment_close")) == 1


def test_closing_a_window_opened_earlier_sets_the_closing_day_to_yesterday(
    world: YearWorld,
) -> None:
    with world.db.write() as uow:
        term = uow.session.get_one(Term, world.winter_id)
        term.reenrolment_opens_on = date(2026, 11, 1)
    with world.db.write() as uow:
        closed = terms.close_reenrolment(uow, actor_id=world.registrar_id, term_id=world.winter_id)
    assert closed.reenrolment_closes_on == date(2026, 11, 22)
    assert not closed.reenrolment_open


def test_an_ended_term_does_not_reopen(world: YearWorld) -> None:
    with world.db.write() as uow:
        term = uow.session.get_one(Term, world.autumn_id)
        term.ends_on = date(2026, 11, 20)
    with pytest.raises(DomainError, match="terminée"), world.db.write() as uow:
        terms.open_reenrolment(uow, actor_id=world.registrar_id, term_id=world.autumn_id)


def test_the_term_before_is_where_a_rollover_copies_from(world: YearWorld) -> None:
    with world.db.read() as uow:
        before = terms.previous_term(uow, world.winter_id)
        assert before is not None and before.code == "AUT-2026"
        assert terms.previous_term(uow, world.autumn_id) is None
