"""The administrator's reference data: establishments, term dates, fee schedule (issue #6, #5)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.models import AuditEvent, Establishment, FeeScheduleItem, InvoiceLine, Term
from registrar_tui.models.base import FeeKind
from registrar_tui.services.core.errors import (
    CardNumberRefused,
    DomainError,
    InvalidAmount,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from registrar_tui.services.requests.reenrolment.submit import ReenrolmentClosed, submit_reenrolment
from registrar_tui.services.staff.reference import (
    NothingChanged,
    set_fee,
    set_term_dates,
    update_establishment,
)
from tests.services.ledger_data import School, add_family, add_invoice, build_school
from tests.services.reenrolment_data import World, build_world, set_today

D = Decimal


def _audit(
    db: Database, action: str
) -> list[tuple[int | None, dict[str, object], dict[str, object]]]:
    with db.read() as uow:
        events = uow.session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == action).order_by(col(AuditEvent.id))
        ).all()
        return [(e.actor_id, json.loads(e.before_json), json.loads(e.after_json)) for e in events]


def _audit_count(db: Database) -> int:
    with db.read() as uow:
        return int(uow.session.exec(select(func.count()).select_from(AuditEvent)).one())


def _fee(db: Database, code: str, term_id: int) -> FeeScheduleItem | None:
    """A detached copy of the term's fee `code` (None when there is none)."""
    with db.read() as uow:
        found = uow.session.exec(
            select(FeeScheduleItem).where(
                col(FeeScheduleItem.code) == code, col(FeeScheduleItem.term_id) == term_id
            )
        ).first()
        return FeeScheduleItem.model_validate(found.model_dump()) if found else None


@pytest.fixture
def school(database: Database) -> School:
    return build_school(database)


# --- establishments ----------------------------------------------------------------------
def test_admin_updates_an_establishment_audited(database: Database, school: School) -> None:
    with database.write() as uow:
        info = update_establishment(
            uow,
            actor_id=school.admin_id,
            code="mtl",
            name="  Conservatoire de musique de Montréal ",
            phone="(514) 873-4032 poste 12",
            postal_code="h2t2c8",
            email="Info@CMM.example.ca",
        )
    assert info.phone == "514-873-4032 x12"
    assert info.email == "Info@cmm.example.ca"
    with database.read() as uow:
        stored = uow.session.get_one(Establishment, school.montreal_id)
        assert stored.name == "Conservatoire de musique de Montréal"
        assert stored.phone == "514-873-4032 x12"
        assert stored.city == "Montréal"  # not given: unchanged
    [(actor, before, after)] = _audit(database, "establishment.update")
    assert actor == school.admin_id
    # Only the fields that changed (the postal code was already H2T 2C8).
    assert before == {
        "email": None,
        "name": "Conservatoire de Montréal",
        "phone": "514 873-4031",
    }
    assert after == {
        "email": "Info@cmm.example.ca",
        "name": "Conservatoire de musique de Montréal",
        "phone": "514-873-4032 x12",
    }


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("name", "   ", InvalidInput),
        ("city", "x" * 101, InvalidInput),
        ("postal_code", "H2T 2C", InvalidInput),
        ("phone", "555-0123", InvalidInput),
        ("email", "info@", InvalidInput),
        ("address_line", "Carte 4111 1111 1111 1111", CardNumberRefused),
    ],
)
def test_establishment_refusals_name_the_field(
    database: Database, school: School, field: str, value: str, error: type[DomainError]
) -> None:
    events = _audit_count(database)
    with pytest.raises(error) as refused, database.write() as uow:
        update_establishment(uow, actor_id=school.admin_id, code="MTL", **{field: value})
    assert refused.value.field == field
    assert refused.value.translated()
    assert _audit_count(database) == events


def test_establishment_unknown_or_unchanged(database: Database, school: School) -> None:
    with pytest.raises(NotFound), database.write() as uow:
        update_establishment(uow, actor_id=school.admin_id, code="XYZ", name="X")
    with pytest.raises(NothingChanged), database.write() as uow:
        update_establishment(uow, actor_id=school.admin_id, code="QC", city="Québec")


# --- refusals by role --------------------------------------------------------------------
def _calls(school: School) -> list[Callable[[UnitOfWork, int], object]]:
    return [
        lambda uow, user: update_establishment(uow, actor_id=user, code="MTL", name="Autre"),
        lambda uow, user: set_term_dates(
            uow, actor_id=user, term_code="AUT-2026", reenrolment_opens_on=date(2026, 11, 1)
        ),
        lambda uow, user: set_fee(
            uow,
            actor_id=user,
            term_code="AUT-2026",
            code="NOUV",
            amount=D("10.00"),
            kind=FeeKind.OTHER,
            description_fr="Nouveau",
            description_en="New",
        ),
    ]


@pytest.mark.parametrize("role", ["clerk", "registrar", "inactive"])
def test_only_an_active_admin_changes_reference_data(
    database: Database, school: School, role: str
) -> None:
    user = {
        "clerk": school.clerk_id,
        "registrar": school.registrar_id,
        "inactive": school.inactive_id,
    }[role]
    for call in _calls(school):
        with pytest.raises(PermissionDenied), database.write() as uow:
            call(uow, user)
    assert _audit_count(database) == 0
    with database.read() as uow:
        assert uow.session.get_one(Establishment, school.montreal_id).name != "Autre"
        assert uow.session.get_one(Term, school.term_id).reenrolment_opens_on is None
    assert _fee(database, "NOUV", school.term_id) is None


# --- term dates --------------------------------------------------------------------------
def test_admin_sets_term_dates_left_out_stays_none_clears(
    database: Database, school: School
) -> None:
    with database.write() as uow:
        set_term_dates(
            uow,
            actor_id=school.admin_id,
            term_code="AUT-2026",
            reenrolment_opens_on=date(2026, 11, 1),
            reenrolment_closes_on=date(2026, 12, 5),
            confirmation_deadline=date(2026, 10, 1),
        )
    with database.write() as uow:
        dates = set_term_dates(
            uow, actor_id=school.admin_id, term_code="AUT-2026", confirmation_deadline=None
        )
    assert dates.reenrolment_opens_on == date(2026, 11, 1)  # left out: kept
    assert dates.reenrolment_closes_on == date(2026, 12, 5)
    assert dates.confirmation_deadline is None  # None: cleared
    assert dates.payment_due_on == date(2026, 9, 30)
    first, second = _audit(database, "term.set_dates")
    assert first == (
        school.admin_id,
        {
            "confirmation_deadline": None,
            "reenrolment_closes_on": None,
            "reenrolment_opens_on": None,
        },
        {
            "confirmation_deadline": "2026-10-01",
            "reenrolment_closes_on": "2026-12-05",
            "reenrolment_opens_on": "2026-11-01",
        },
    )
    assert second[1:] == ({"confirmation_deadline": "2026-10-01"}, {"confirmation_deadline": None})
    with pytest.raises(NothingChanged), database.write() as uow:
        set_term_dates(
            uow, actor_id=school.admin_id, term_code="AUT-2026", payment_due_on=date(2026, 9, 30)
        )


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        (
            {
                "reenrolment_opens_on": date(2026, 11, 10),
                "reenrolment_closes_on": date(2026, 11, 9),
            },
            "reenrolment_closes_on",
        ),
        ({"reenrolment_closes_on": date(2026, 11, 9)}, "reenrolment_opens_on"),
        (
            {"reenrolment_opens_on": date(2026, 11, 1), "reenrolment_closes_on": date(2027, 1, 5)},
            "reenrolment_closes_on",
        ),
        ({"confirmation_deadline": date(2026, 8, 31)}, "confirmation_deadline"),
        ({"confirmation_deadline": date(2026, 12, 21)}, "confirmation_deadline"),
        ({"payment_due_on": None}, "payment_due_on"),
        ({"payment_due_on": date(2026, 12, 21)}, "payment_due_on"),
    ],
)
def test_term_date_refusals_name_the_field(
    database: Database, school: School, dates: dict[str, date | None], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused, database.write() as uow:
        set_term_dates(uow, actor_id=school.admin_id, term_code="AUT-2026", **dates)
    assert refused.value.field == field
    assert "{" not in refused.value.translated()
    assert _audit_count(database) == 0
    with database.read() as uow:
        term = uow.session.get_one(Term, school.term_id)
        assert term.reenrolment_opens_on is None and term.payment_due_on == date(2026, 9, 30)


def test_window_set_by_the_admin_is_what_the_counter_honours(database: Database) -> None:
    world: World = build_world(database)
    set_today(database, date(2026, 11, 23))

    def submit() -> int:
        with database.write() as uow:
            return submit_reenrolment(
                uow,
                actor_id=world.school.clerk_id,
                student_id=world.student_id,
                term_code="HIV-2027",
                discipline_codes=("PIA",),
            ).request_id

    with database.write() as uow:
        set_term_dates(
            uow,
            actor_id=world.school.admin_id,
            term_code="HIV-2027",
            reenrolment_closes_on=date(2026, 11, 22),
        )
    with pytest.raises(ReenrolmentClosed) as refused:
        submit()
    assert "22" in refused.value.translated()
    with database.write() as uow:
        set_term_dates(
            uow,
            actor_id=world.school.admin_id,
            term_code="HIV-2027",
            reenrolment_closes_on=date(2026, 11, 23),  # the closing day is included
        )
    assert submit() > 0


# --- fee schedule ------------------------------------------------------------------------
def test_changing_a_fee_leaves_issued_invoices_untouched(database: Database) -> None:
    world = build_world(database)
    school = world.school
    family = add_family(database, school, "Ouellet")
    invoice_id = add_invoice(database, school, family, (("50.00", ""),))
    with database.read() as uow:
        lines_before = [
            (line.fee_code, line.amount, line.description)
            for line in uow.session.exec(
                select(InvoiceLine).where(col(InvoiceLine.invoice_id) == invoice_id)
            )
        ]
    with database.write() as uow:
        info = set_fee(
            uow,
            actor_id=school.admin_id,
            term_code="AUT-2026",
            code="ins",
            amount=D("65.00"),
            description_en="Registration fee (new rate)",
        )
    assert (info.code, info.amount, info.added) == ("INS", D("65.00"), False)
    fee = _fee(database, "INS", world.autumn_id)
    assert fee is not None and fee.amount == D("65.00")
    assert fee.description_fr == "Frais d'inscription"  # not given: unchanged
    other_term = _fee(database, "INS", world.winter_id)
    assert other_term is not None and other_term.amount == D("50.00")
    with database.read() as uow:
        lines_after = [
            (line.fee_code, line.amount, line.description)
            for line in uow.session.exec(
                select(InvoiceLine).where(col(InvoiceLine.invoice_id) == invoice_id)
            )
        ]
    assert lines_after == lines_before
    [(actor, before, after)] = _audit(database, "fee.update")
    assert actor == school.admin_id
    assert before == {"amount_cents": 5000, "description_en": "Registration fee"}
    assert after == {"amount_cents": 6500, "description_en": "Registration fee (new rate)"}


def test_admin_adds_a_fee_with_its_kind(database: Database, school: School) -> None:
    with database.write() as uow:
        info = set_fee(
            uow,
            actor_id=school.admin_id,
            term_code="AUT-2026",
            code="fond-2",
            amount=D("0"),
            kind=FeeKind.VOLUNTARY,
            description_fr="Fondation — bourse",
            description_en="Foundation — bursary",
        )
    assert info.added and info.amount == D("0.00")
    fee = _fee(database, "FOND-2", school.term_id)
    assert fee is not None and fee.is_voluntary and fee.kind is FeeKind.VOLUNTARY
    [(_actor, before, after)] = _audit(database, "fee.add")
    assert before == {}
    assert after["kind"] == "voluntary" and after["amount_cents"] == 0


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"code": "INS", "amount": D("-1")}, InvalidAmount, "amount"),
        ({"code": "INS", "amount": D("1.005")}, InvalidAmount, "amount"),
        ({"code": "IN S", "amount": D("1")}, InvalidInput, "code"),
        ({"code": "X" * 17, "amount": D("1")}, InvalidInput, "code"),
        ({"code": "INS", "amount": D("1"), "kind": FeeKind.OTHER}, InvalidInput, "kind"),
        ({"code": "INS", "amount": D("1"), "description_fr": " "}, InvalidInput, "description_fr"),
        ({"code": "NEW", "amount": D("1"), "description_fr": "a", "description_en": "b"},
         InvalidInput, "kind"),
        ({"code": "NEW", "amount": D("1"), "kind": FeeKind.OTHER, "description_fr": "a"},
         InvalidInput, "description_en"),
        ({"code": "NEW", "amount": D("1"), "kind": FeeKind.TUITION, "description_fr": "a",
          "description_en": "b"}, InvalidInput, "kind"),
    ],
)  # fmt: skip
def test_fee_refusals_name_the_field(
    database: Database,
    school: School,
    kwargs: dict[str, object],
    error: type[DomainError],
    field: str,
) -> None:
    with database.write() as uow:
        set_fee(
            uow,
            actor_id=school.admin_id,
            term_code="AUT-2026",
            code="INS",
            amount=D("50.00"),
            kind=FeeKind.REGISTRATION,
            description_fr="Frais d'inscription",
            description_en="Registration fee",
        )
    events = _audit_count(database)
    with pytest.raises(error) as refused, database.write() as uow:
        set_fee(uow, actor_id=school.admin_id, term_code="AUT-2026", **kwargs)  # type: ignore[arg-type]
    assert refused.value.field == field
    assert _audit_count(database) == events
    fee = _fee(database, "INS", school.term_id)
    assert fee is not None and fee.amount == D("50.00")
    assert _fee(database, "NEW", school.term_id) is None


def test_fee_for_an_unknown_term(database: Database, school: School) -> None:
    with pytest.raises(NotFound) as refused, database.write() as uow:
        set_fee(uow, actor_id=school.admin_id, term_code="ETE-1999", code="INS", amount=D("1"))
    assert refused.value.field == "term"
