"""Payment plans (issue #16 part 2, scenario 16): made by a registrar, paid earliest
instalment first, cancelled with a reason, one active plan per family."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, PaymentPlan, PaymentPlanInstalment, PlanStatus
from registrar_tui.services.core.errors import (
    DomainError,
    FieldErrors,
    PermissionDenied,
    ReasonRequired,
)
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.plans import (
    ChosenInstalment,
    EqualSplit,
    NothingToPlan,
    PlanAlreadyActive,
    PlanForm,
    PlanInterval,
    PlanNotActive,
    PlanView,
    cancel_plan,
    family_plan,
    make_plan,
    plan_standing,
    preview_plan,
    read_plan_form,
)
from registrar_tui.services.ledger.statement import statement
from registrar_tui.services.ledger.voids import void_payment
from tests.services.ledger_data import D, School, add_family, add_invoice, build_school, cash

THREE_MONTHLY = EqualSplit(count=3, first_due_on=date(2026, 12, 15))
"""900,00 $ in three: 15 December, 15 January, 15 February (today is 23 November 2026)."""


@pytest.fixture
def school(database: Database) -> School:
    return build_school(database)


def owing(db: Database, school: School, amount: str = "900.00") -> int:
    """A family owing `amount` on one invoice."""
    family = add_family(db, school)
    add_invoice(db, school, family, ((amount, ""),))
    return family


def made(db: Database, school: School, family: int, terms: object = THREE_MONTHLY) -> PlanView:
    with db.write() as uow:
        return make_plan(uow, family, terms, school.registrar_id)  # type: ignore[arg-type]


def pay(db: Database, school: School, family: int, amount: str, seen: str) -> int:
    with db.write() as uow:
        return post_payment(uow, cash(school, family, amount, seen, tendered=amount)).payment_id


def plan_rows(db: Database) -> int:
    with db.read() as uow:
        return len(uow.session.exec(select(PaymentPlan)).all())


def refusal(db: Database, school: School, family: int, terms: object) -> DomainError:
    before = plan_rows(db)
    with pytest.raises(DomainError) as raised:
        made(db, school, family, terms)
    assert plan_rows(db) == before
    return raised.value


def events(db: Database, action: str) -> list[AuditEvent]:
    with db.read() as uow:
        found = list(
            uow.session.exec(select(AuditEvent).where(col(AuditEvent.action) == action)).all()
        )
        uow.session.expunge_all()  # read after the session closes
        return found


def test_a_registrar_splits_900_dollars_in_three_monthly_instalments(
    database: Database, school: School
) -> None:
    family = owing(database, school)

    plan = made(database, school, family)

    assert plan.status is PlanStatus.ACTIVE
    assert plan.balance == D("900.00")
    assert [(i.sequence, i.due_on, i.amount, i.paid, i.outstanding) for i in plan.instalments] == [
        (1, date(2026, 12, 15), D("300.00"), D("0.00"), D("300.00")),
        (2, date(2027, 1, 15), D("300.00"), D("0.00"), D("300.00")),
        (3, date(2027, 2, 15), D("300.00"), D("0.00"), D("300.00")),
    ]
    assert plan.created_by == "Registrar Test"
    (event,) = events(database, "payment_plan.make")
    assert event.actor_id == school.registrar_id and event.entity_id == plan.plan_id
    after = json.loads(event.after_json)
    assert after["balance_cents"] == 90000
    assert [line["amount_cents"] for line in after["instalments"]] == [30000] * 3
    with database.read() as uow:
        shown = statement(uow, family).plan
    assert shown is not None and shown.plan_id == plan.plan_id


def test_odd_cents_go_to_the_first_instalments(database: Database, school: School) -> None:
    family = owing(database, school, "100.00")
    plan = made(database, school, family, EqualSplit(3, date(2026, 12, 1), PlanInterval.WEEKLY))
    assert [(i.due_on, i.amount) for i in plan.instalments] == [
        (date(2026, 12, 1), D("33.34")),
        (date(2026, 12, 8), D("33.33")),
        (date(2026, 12, 15), D("33.33")),
    ]


def test_chosen_amounts_must_sum_to_the_balance(database: Database, school: School) -> None:
    family = owing(database, school)
    short = (
        ChosenInstalment(date(2026, 12, 1), D("500.00")),
        ChosenInstalment(date(2027, 1, 1), D("350.00")),
    )
    error = refusal(database, school, family, short)
    assert isinstance(error, FieldErrors)
    assert [e.field for e in error.field_errors()] == ["total"]
    assert "850,00" in error.translated() and "900,00" in error.translated()
    with database.read() as uow:
        preview = preview_plan(uow, family, short)
    assert (preview.total, preview.difference, preview.acceptable) == (
        D("850.00"),
        D("50.00"),
        False,
    )

    exact = (*short[:1], ChosenInstalment(date(2027, 1, 1), D("400.00")))
    plan = made(database, school, family, exact)
    assert [i.amount for i in plan.instalments] == [D("500.00"), D("400.00")]


def test_dates_in_the_past_out_of_order_and_zero_amounts_are_refused_by_field(
    database: Database, school: School
) -> None:
    family = owing(database, school)
    terms = (
        ChosenInstalment(date(2026, 11, 20), D("300.00")),  # before today (23 November)
        ChosenInstalment(date(2027, 1, 1), D("600.00")),
        ChosenInstalment(date(2027, 1, 1), D("0.00")),  # same day as the previous one
    )
    error = refusal(database, school, family, terms)
    assert [e.field for e in error.field_errors()] == ["due_on_1", "amount_3", "due_on_3"]

    past = refusal(database, school, family, EqualSplit(3, date(2026, 11, 1)))
    assert [e.field for e in past.field_errors()] == ["first_due_on"]
    too_many = refusal(database, school, family, EqualSplit(25, date(2026, 12, 1)))
    assert [e.field for e in too_many.field_errors()] == ["count"]


def test_a_balance_of_fewer_cents_than_instalments_is_refused(
    database: Database, school: School
) -> None:
    family = owing(database, school, "0.05")
    error = refusal(database, school, family, EqualSplit(7, date(2026, 12, 1)))
    assert [e.field for e in error.field_errors()] == ["count"]
    assert "5 au plus" in error.translated()


def test_nothing_owed_no_plan(database: Database, school: School) -> None:
    family = add_family(database, school)
    assert isinstance(refusal(database, school, family, THREE_MONTHLY), NothingToPlan)


def test_a_clerk_cannot_make_or_cancel_a_plan(database: Database, school: School) -> None:
    family = owing(database, school)
    with pytest.raises(PermissionDenied), database.write() as uow:
        make_plan(uow, family, THREE_MONTHLY, school.clerk_id)
    plan = made(database, school, family)
    with pytest.raises(PermissionDenied), database.write() as uow:
        cancel_plan(uow, plan.plan_id, "Entente rompue", school.clerk_id)


def test_one_active_plan_then_cancel_with_a_reason_then_a_new_one(
    database: Database, school: School
) -> None:
    family = owing(database, school)
    first = made(database, school, family)
    assert isinstance(refusal(database, school, family, THREE_MONTHLY), PlanAlreadyActive)

    with pytest.raises(ReasonRequired), database.write() as uow:
        cancel_plan(uow, first.plan_id, "  ", school.registrar_id)
    with database.write() as uow:
        cancelled = cancel_plan(uow, first.plan_id, "Nouvelle entente", school.registrar_id)
    assert cancelled.status is PlanStatus.CANCELLED
    assert cancelled.cancel_reason == "Nouvelle entente"
    assert cancelled.cancelled_by == "Registrar Test"
    (event,) = events(database, "payment_plan.cancel")
    assert json.loads(event.before_json) == {"status": "active"}
    assert json.loads(event.after_json) == {"status": "cancelled", "reason": "Nouvelle entente"}
    with pytest.raises(PlanNotActive), database.write() as uow:
        cancel_plan(uow, first.plan_id, "Encore", school.registrar_id)

    second = made(database, school, family, EqualSplit(2, date(2027, 1, 10)))
    with database.read() as uow:
        current = family_plan(uow, family)
    assert current is not None and current.plan_id == second.plan_id
    assert [i.amount for i in current.instalments] == [D("450.00"), D("450.00")]


def test_payments_reduce_the_earliest_instalment_first(database: Database, school: School) -> None:
    family = owing(database, school)
    pay(database, school, family, "100.00", "900.00")  # before the plan: not in it
    made(database, school, family, EqualSplit(2, date(2026, 12, 15)))  # 800 $: 400 + 400
    pay(database, school, family, "450.00", "800.00")

    with database.read() as uow:
        plan = family_plan(uow, family)
    assert plan is not None
    assert [(i.paid, i.outstanding) for i in plan.instalments] == [
        (D("400.00"), D("0.00")),
        (D("50.00"), D("350.00")),
    ]
    assert (plan.paid, plan.outstanding) == (D("450.00"), D("350.00"))

    with database.read() as uow:
        before_second = plan_standing(uow.session, [family, 999_999], date(2027, 1, 15))
        after_second = plan_standing(uow.session, [family], date(2027, 1, 16))
    assert set(before_second) == {family}
    assert before_second[family].in_good_standing and before_second[family].overdue == ()
    standing = after_second[family]
    assert not standing.in_good_standing
    assert [(o.sequence, o.due_on, o.outstanding) for o in standing.overdue] == [
        (2, date(2027, 1, 15), D("350.00"))
    ]
    assert standing.overdue[0].instalment_id == plan.instalments[1].instalment_id


def test_a_void_after_a_payment_reopens_the_instalment(database: Database, school: School) -> None:
    family = owing(database, school)
    made(database, school, family)
    payment = pay(database, school, family, "300.00", "900.00")
    with database.read() as uow:
        plan = family_plan(uow, family)
    assert plan is not None and plan.instalments[0].outstanding == D("0.00")

    with database.write() as uow:
        void_payment(uow, payment, "Mauvaise famille", school.registrar_id)

    with database.read() as uow:
        plan = family_plan(uow, family)
        late = plan_standing(uow.session, [family], date(2026, 12, 16))[family]
    assert plan is not None
    assert (plan.instalments[0].paid, plan.instalments[0].outstanding) == (D("0.00"), D("300.00"))
    assert [o.sequence for o in late.overdue] == [1]


def test_a_paid_plan_is_completed_when_the_next_one_is_made(
    database: Database, school: School
) -> None:
    family = owing(database, school)
    first = made(database, school, family)
    pay(database, school, family, "900.00", "900.00")
    with database.read() as uow:
        done = family_plan(uow, family)
    assert done is not None and done.status is PlanStatus.COMPLETED

    add_invoice(database, school, family, (("120.00", ""),))
    second = made(database, school, family, EqualSplit(2, date(2027, 1, 1)))

    assert second.balance == D("120.00")
    with database.read() as uow:
        stored = uow.session.get_one(PaymentPlan, first.plan_id)
        assert stored.status is PlanStatus.COMPLETED and stored.completed_at is not None
    assert len(events(database, "payment_plan.complete")) == 1


def test_read_plan_form_names_each_wrong_field() -> None:
    with pytest.raises(FieldErrors) as raised:
        read_plan_form(PlanForm(count="x", first_due_on="15/12/2026"), "fr_CA")
    assert [e.field for e in raised.value.field_errors()] == ["count", "first_due_on"]
    assert read_plan_form(PlanForm(count="3", first_due_on="2026-12-15"), "fr_CA") == (
        THREE_MONTHLY
    )
    lines = (("2026-12-01", "500,00"), ("", ""), ("2027-01-01", "abc"))
    with pytest.raises(FieldErrors) as raised:
        read_plan_form(PlanForm(chosen=True, lines=lines), "fr_CA")
    assert [e.field for e in raised.value.field_errors()] == ["amount_3"]
    chosen = read_plan_form(PlanForm(chosen=True, lines=lines[:2]), "fr_CA")
    assert chosen == (ChosenInstalment(date(2026, 12, 1), D("500.00")),)


def test_instalments_are_never_edited(database: Database, school: School) -> None:
    family = owing(database, school)
    plan = made(database, school, family)
    with pytest.raises(DatabaseError), database.write() as uow:
        uow.session.execute(
            text("UPDATE payment_plan_instalment SET amount_cents = 1 WHERE id = :id"),
            {"id": plan.instalments[0].instalment_id},
        )
    with database.read() as uow:
        first = uow.session.get_one(PaymentPlanInstalment, plan.instalments[0].instalment_id)
        assert first.amount == Decimal("300.00")


def test_the_statement_pdf_lists_the_instalments(database: Database, school: School) -> None:
    from registrar_tui.services.documents.build import statement_pdf
    from tests.reports.pdftext import text_of

    family = owing(database, school)
    made(database, school, family)
    pay(database, school, family, "300.00", "900.00")
    with database.read() as uow:
        text = text_of(statement_pdf(uow, family).pdf)
    assert "Échéancier convenu le 23 novembre 2026" in text
    for expected in ("2026-12-15", "2027-01-15", "2027-02-15", "Payé", "À venir"):
        assert expected in text, expected


def test_a_card_number_in_the_cancel_reason_is_refused(database: Database, school: School) -> None:
    from registrar_tui.services.core.errors import CardNumberRefused

    family = owing(database, school)
    plan = made(database, school, family)
    with pytest.raises(CardNumberRefused), database.write() as uow:
        cancel_plan(uow, plan.plan_id, "Carte 4111 1111 1111 1111", school.registrar_id)
    with database.read() as uow:
        assert uow.session.get_one(PaymentPlan, plan.plan_id).status is PlanStatus.ACTIVE
