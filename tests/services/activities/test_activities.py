"""Activities: the filtered list, an activity's totals, registering (invoice, e-mail, audit),
the deadline and its registrar override, and every refusal writing nothing."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import col, func, select

from registrar_tui.db import Database
from registrar_tui.models import (
    ActivityRegistration,
    AuditEvent,
    Invoice,
    InvoiceLine,
    OutboxMessage,
)
from registrar_tui.models.base import Language
from registrar_tui.services.activities.catalogue import (
    ActivityFilters,
    activity_detail,
    list_activities,
)
from registrar_tui.services.activities.registration import (
    AlreadyRegistered,
    Registered,
    RegistrationClosed,
    StudentNotEligible,
    register_student,
)
from registrar_tui.services.core.errors import (
    CardNumberRefused,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from registrar_tui.services.ledger.payments import post_payment
from tests.reports.pdftext import text_of
from tests.services.activities.activities_data import SMITH_EMAIL, TREMBLAY_EMAIL, ActivityWorld
from tests.services.activities.activities_data import build_activities as _build
from tests.services.ledger_data import cash

D = Decimal
LUNCHES = "Dîners-bénéfice de l'harmonie"
OUTING = "Sortie à l'orchestre — Casse-Noisette"
QUEBEC = "Visite du Musée national des beaux-arts du Québec"
CAMP = "Camp musical d'été 2027"


@pytest.fixture
def world(database: Database) -> ActivityWorld:
    return _build(database)


def titles(database: Database, filters: ActivityFilters, **page: int) -> list[str]:
    with database.read() as uow:
        return [row.title for row in list_activities(uow, filters, **page).rows]


def register(
    database: Database,
    world: ActivityWorld,
    activity_id: int,
    student_id: int,
    quantities: dict[int, int],
    user_id: int | None = None,
    reason: str = "",
) -> Registered:
    with database.write() as uow:
        return register_student(
            uow, activity_id, student_id, quantities, user_id or world.school.clerk_id, reason
        )


def three_lunches(world: ActivityWorld) -> dict[int, int]:
    return dict.fromkeys(world.lunch_item_ids, 1)


def counts(database: Database) -> tuple[int, int, int, int]:
    """Registrations, invoices, outbox messages, audit events."""
    with database.read() as uow:
        return tuple(  # type: ignore[return-value]
            uow.session.exec(select(func.count()).select_from(model)).one()
            for model in (ActivityRegistration, Invoice, OutboxMessage, AuditEvent)
        )


def test_the_list_is_latest_first_with_closed_ones_marked(
    database: Database, world: ActivityWorld
) -> None:
    with database.read() as uow:
        page = list_activities(uow, ActivityFilters())
    assert [row.title for row in page.rows] == [CAMP, LUNCHES, OUTING, QUEBEC]
    assert [row.is_closed for row in page.rows] == [False, False, True, True]
    assert [row.establishment_code for row in page.rows] == ["", "MTL", "MTL", "QC"]
    assert page.total_count == 4 and not page.has_more and not page.has_previous


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ActivityFilters(place="qc"), [QUEBEC]),
        (ActivityFilters(place="Conservatoire de Montreal"), [LUNCHES, OUTING]),
        (ActivityFilters(place="saint-louis"), [CAMP]),
        (ActivityFilters(level="Secondaire 2"), [LUNCHES, OUTING, QUEBEC]),
        (ActivityFilters(level="primaire 5"), [CAMP, LUNCHES, OUTING, QUEBEC]),
        (ActivityFilters(keyword="DINERS"), [LUNCHES]),  # accents and case ignored
        (ActivityFilters(keyword="voyage"), [LUNCHES]),  # the description too
        (ActivityFilters(keyword="noisette"), [OUTING]),
        (
            ActivityFilters(held_from=date(2026, 12, 1), held_to=date(2026, 12, 31)),
            [LUNCHES, OUTING],
        ),
        (ActivityFilters(place="MTL", keyword="orchestre"), [OUTING]),
        (ActivityFilters(keyword="piscine"), []),
    ],
)
def test_filters_narrow_the_list(
    database: Database, world: ActivityWorld, filters: ActivityFilters, expected: list[str]
) -> None:
    assert titles(database, filters) == expected


def test_the_list_comes_a_page_at_a_time(database: Database, world: ActivityWorld) -> None:
    with database.read() as uow:
        second = list_activities(uow, ActivityFilters(), offset=2, limit=2)
    assert [row.title for row in second.rows] == [OUTING, QUEBEC]
    assert second.has_previous and not second.has_more


def test_scenario_10_three_lunches_make_a_16_50_invoice_mailed_and_paid(
    database: Database, world: ActivityWorld
) -> None:
    before = counts(database)
    done = register(database, world, world.lunches_id, world.lea_id, three_lunches(world))

    assert done.total == D("16.50") and not done.late
    assert done.emailed_to == TREMBLAY_EMAIL and done.student_name == "Léa Tremblay"
    assert counts(database)[:3] == (before[0] + 1, before[1] + 1, before[2] + 1)
    with database.read() as uow:
        invoice = uow.session.get(Invoice, done.invoice_id)
        assert invoice is not None
        assert (invoice.number, invoice.description) == (done.invoice_number, LUNCHES)
        assert (invoice.student_id, invoice.family_id) == (world.lea_id, world.tremblay_id)
        assert invoice.due_on == date(2026, 12, 7)  # two weeks, before the last lunch
        lines = uow.session.exec(
            select(InvoiceLine)
            .where(col(InvoiceLine.invoice_id) == done.invoice_id)
            .order_by(col(InvoiceLine.position))
        ).all()
        assert [(line.description, line.amount) for line in lines] == [
            ("Dîner du 27 novembre × 1 (Léa)", D("5.50")),
            ("Dîner du 4 décembre × 1 (Léa)", D("5.50")),
            ("Dîner du 11 décembre × 1 (Léa)", D("5.50")),
        ]
        [message] = uow.session.exec(select(OutboxMessage)).all()
        actions = uow.session.exec(select(AuditEvent.action).order_by(col(AuditEvent.id))).all()
        event = uow.session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "activity.register")
        ).one()
        assert message.recipient == TREMBLAY_EMAIL and message.kind == "activity_registration"
        assert message.subject == f"Inscription\u00a0: {LUNCHES}"
        raw_body = message.body
        body = raw_body.replace("\u00a0", " ").replace("\u202f", " ")
        attachment = message.attachment
        after = json.loads(event.after_json)
    assert "L'inscription de Léa Tremblay à « " in body and "Total : 16,50 $" in body
    assert "Total\u00a0: 16,50" in raw_body  # French spacing: no line starts with ":"
    assert "- Dîner du 4 décembre × 1" in body and done.invoice_number in body
    assert attachment is not None
    pdf = text_of(attachment)
    assert done.invoice_number in pdf and "16,50" in pdf
    assert actions[-2:] == ["invoice.issue", "activity.register"]
    assert after["invoice_number"] == done.invoice_number

    with database.read() as uow:
        detail = activity_detail(uow, world.lunches_id)
    assert [(item.quantity, item.total) for item in detail.items] == [(1, D("5.50"))] * 3
    assert detail.total == D("16.50") and detail.registrations.total_count == 1
    [row] = detail.registrations.rows
    assert (row.student_name, row.invoice_number) == ("Léa Tremblay", done.invoice_number)
    assert (row.total, row.balance, row.registered_by) == (D("16.50"), D("16.50"), "Clerk Test")

    # Paid like any other invoice.
    with database.write() as uow:
        post_payment(
            uow,
            cash(world.school, world.tremblay_id, "16.50", "16.50", invoices=(done.invoice_id,)),
        )
    with database.read() as uow:
        [paid] = activity_detail(uow, world.lunches_id).registrations.rows
        listed = list_activities(uow, ActivityFilters(keyword="diners")).rows[0]
    assert paid.balance == D("0.00") and listed.registration_count == 1


def test_an_english_family_gets_its_confirmation_in_english_amounts(
    database: Database, world: ActivityWorld
) -> None:
    first_lunch = world.lunch_item_ids[0]
    done = register(database, world, world.lunches_id, world.emma_id, {first_lunch: 2})
    assert done.total == D("11.00") and done.emailed_to == SMITH_EMAIL
    with database.read() as uow:
        [message] = uow.session.exec(select(OutboxMessage)).all()
        detail = activity_detail(uow, world.lunches_id)
        assert message.language == Language.ENGLISH and "$11.00" in message.body
    assert [item.quantity for item in detail.items] == [2, 0, 0]


def test_a_student_already_registered_is_refused_with_the_invoice(
    database: Database, world: ActivityWorld
) -> None:
    done = register(database, world, world.lunches_id, world.lea_id, three_lunches(world))
    before = counts(database)
    with pytest.raises(AlreadyRegistered) as refused:
        register(database, world, world.lunches_id, world.lea_id, {world.lunch_item_ids[0]: 1})
    assert refused.value.field == "student"
    assert refused.value.translated() == (
        "L'inscription de Léa Tremblay à cette activité est déjà faite "
        f"(facture {done.invoice_number})."
    )
    assert counts(database) == before


def test_after_the_deadline_a_clerk_is_refused_with_the_deadline(
    database: Database, world: ActivityWorld
) -> None:
    before = counts(database)
    tickets = {world.outing_item_ids[0]: 1}
    for reason in ("", "La mère a appelé le 19"):
        with pytest.raises(RegistrationClosed) as refused:
            register(database, world, world.outing_id, world.lea_id, tickets, reason=reason)
        assert refused.value.field == "override_reason"
        assert "(20 nov. 2026) est passée" in refused.value.translated()
    assert counts(database) == before


@pytest.mark.parametrize("role", ["registrar", "admin"])
def test_after_the_deadline_a_registrar_overrides_with_a_reason(
    database: Database, world: ActivityWorld, role: str
) -> None:
    user_id = world.school.registrar_id if role == "registrar" else world.school.admin_id
    tickets = {world.outing_item_ids[0]: 1, world.outing_item_ids[1]: 1}
    before = counts(database)
    with pytest.raises(RegistrationClosed) as refused:
        register(database, world, world.outing_id, world.lea_id, tickets, user_id, "   ")
    assert "indiquez la raison" in refused.value.translated()
    with pytest.raises(CardNumberRefused):
        register(
            database, world, world.outing_id, world.lea_id, tickets, user_id, "4111111111111111"
        )
    assert counts(database) == before

    done = register(
        database, world, world.outing_id, world.lea_id, tickets, user_id, " Billet réservé\x07 "
    )
    assert done.late and done.total == D("25.00")
    with database.read() as uow:
        [row] = activity_detail(uow, world.outing_id).registrations.rows
        event = uow.session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "activity.register")
        ).one()
        assert json.loads(event.after_json)["override_reason"] == "Billet réservé"
        assert event.actor_id == user_id
    assert row.override_reason == "Billet réservé"


def test_a_payer_without_e_mail_gets_no_message(database: Database, world: ActivityWorld) -> None:
    with database.read() as uow:
        [item] = activity_detail(uow, world.quebec_visit_id).items
    done = register(
        database,
        world,
        world.quebec_visit_id,
        world.quebec_student_id,
        {item.item_id: 1},
        world.school.registrar_id,
        "Inscription reçue par la poste avant la date",
    )
    assert done.emailed_to is None and done.total == D("12.00")
    assert counts(database)[2] == 0


@pytest.mark.parametrize(
    ("quantities", "error"),
    [
        ({}, "Indiquez au moins une quantité."),
        ("zeros", "Indiquez au moins une quantité."),
        ("negative", "Une quantité est un nombre entier de 0 à 99."),
        ("hundred", "Une quantité est un nombre entier de 0 à 99."),
        ("foreign", "Cet article n'appartient pas à l'activité."),
    ],
)
def test_quantities_are_checked(
    database: Database, world: ActivityWorld, quantities: object, error: str
) -> None:
    first = world.lunch_item_ids[0]
    given = {
        "zeros": dict.fromkeys(world.lunch_item_ids, 0),
        "negative": {first: -1},
        "hundred": {first: 100},
        "foreign": {world.outing_item_ids[0]: 1},
    }.get(str(quantities), {})
    before = counts(database)
    with pytest.raises(InvalidInput) as refused:
        register(database, world, world.lunches_id, world.lea_id, given)
    assert refused.value.translated() == error and refused.value.field == "quantities"
    assert counts(database) == before


def test_other_refusals(database: Database, world: ActivityWorld) -> None:
    lunch = {world.lunch_item_ids[0]: 1}
    cases: list[tuple[type[DomainError], int, int, int]] = [
        (StudentNotEligible, world.lunches_id, world.quebec_student_id, world.school.clerk_id),
        (NotFound, 9999, world.lea_id, world.school.clerk_id),
        (NotFound, world.lunches_id, 9999, world.school.clerk_id),
        (PermissionDenied, world.lunches_id, world.lea_id, world.school.inactive_id),
    ]
    before = counts(database)
    for error, activity_id, student_id, user_id in cases:
        with pytest.raises(error):
            register(database, world, activity_id, student_id, lunch, user_id)
    assert counts(database) == before
    with database.read() as uow, pytest.raises(NotFound):
        activity_detail(uow, 9999)


def test_registrations_come_a_page_at_a_time_newest_first(
    database: Database, world: ActivityWorld
) -> None:
    register(database, world, world.lunches_id, world.lea_id, three_lunches(world))
    register(database, world, world.lunches_id, world.emma_id, {world.lunch_item_ids[2]: 4})
    with database.read() as uow:
        first = activity_detail(uow, world.lunches_id, limit=1)
        second = activity_detail(uow, world.lunches_id, offset=1, limit=1)
    page = first.registrations
    assert page.total_count == 2 and page.has_more and not page.has_previous
    assert {page.rows[0].student_name, second.registrations.rows[0].student_name} == {
        "Léa Tremblay",
        "Emma Smith",
    }
    assert second.registrations.has_previous and not second.registrations.has_more
    assert first.total == D("38.50")
    assert [item.quantity for item in first.items] == [1, 1, 5]
