"""Online payments reported by the portal (scenario 15): posted once, like at the counter."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, Family, Guardian, OutboxMessage, Payment
from registrar_tui.models.base import Language, PaymentMethod, Role
from registrar_tui.services.core.errors import (
    CardNumberRefused,
    DomainError,
    InvalidAmount,
    InvalidInput,
    NotFound,
    PermissionDenied,
)
from registrar_tui.services.documents.output import OutputSettings
from registrar_tui.services.ledger.errors import AmountExceedsBalance
from registrar_tui.services.ledger.online import (
    OnlinePaymentReport,
    OnlineTransactionConflict,
    PostedOnlinePayment,
    post_online_payment,
)
from registrar_tui.services.ledger.payments import InvoiceChoice
from registrar_tui.services.ledger.voids import void_payment
from registrar_tui.services.outbox.handover import hand_over_receipt
from tests import builders
from tests.conftest import FIXED_NOW, fixed_clock
from tests.services.ledger_data import (
    D,
    School,
    add_family,
    add_invoice,
    balance,
    build_school,
    check_invariants,
    credit,
    row_counts,
)

EMAIL = "helene@example.ca"
PAID_AT = datetime(2026, 11, 23, 4, 40, tzinfo=UTC)  # 23:40 the evening before, in Québec


@dataclasses.dataclass(frozen=True)
class World:
    school: School
    portal_id: int
    family_id: int
    older_invoice: int
    newer_invoice: int


@pytest.fixture
def world(database: Database) -> World:
    """The Tremblay family of Québec (English-speaking), two invoices, the portal's account."""
    school = build_school(database)
    family_id = add_family(database, school)
    with database.write() as uow:
        family = uow.session.get(Family, family_id)
        assert family is not None
        family.establishment_id = school.quebec_id
        family.language = Language.ENGLISH
        uow.session.add(family)
        payer = uow.session.exec(select(Guardian).where(col(Guardian.family_id) == family_id)).one()
        payer.email = EMAIL
        uow.session.add(payer)
        portal_id = builders.staff(
            uow, None, username="portail", full_name="Portail des familles", role=Role.PORTAL
        )
    older = add_invoice(database, school, family_id, (("100.00", ""),), due_on=FIXED_NOW.date())
    newer = add_invoice(database, school, family_id, (("275.00", ""),))
    return World(school, portal_id, family_id, older, newer)


def report(world: World, amount: str = "375.00", **changes: Any) -> OnlinePaymentReport:
    base = OnlinePaymentReport(
        portal_user_id=world.portal_id,
        family_id=world.family_id,
        processor_transaction_id="ch_3PqR7x2026-11-23",
        authorization_number="A1B2C3",
        card_brand="Visa",
        card_last4="4242",
        amount=D(amount),
        paid_at=PAID_AT,
    )
    return dataclasses.replace(base, **changes)


def post(db: Database, online: OnlinePaymentReport) -> PostedOnlinePayment:
    with db.write() as uow:
        return post_online_payment(uow, online)


def refused(db: Database, online: OnlinePaymentReport, error: type[DomainError]) -> DomainError:
    before = row_counts(db)
    with pytest.raises(error) as caught:
        post(db, online)
    assert row_counts(db) == before, "a refused report wrote something"
    return caught.value


def test_posted_like_at_the_counter_oldest_due_first(database: Database, world: World) -> None:
    posted = post(database, report(world))

    assert not posted.replayed
    # The receipt comes from the family's establishment (Québec), not the portal's account.
    assert posted.receipt_number == "QC-2026-000001"
    assert posted.establishment_code == "QC"
    assert [(a.invoice_id, a.amount) for a in posted.allocations] == [
        (world.older_invoice, D("100.00")),
        (world.newer_invoice, D("275.00")),
    ]
    assert posted.credit_left == D("0.00")
    assert posted.paid_at == PAID_AT and posted.received_at == FIXED_NOW
    assert balance(database, world.older_invoice) == D("0.00")
    with database.read() as uow:
        payment = uow.session.get(Payment, posted.payment_id)
        assert payment is not None
        assert payment.method is PaymentMethod.ONLINE
        assert payment.clerk_id == world.portal_id
        assert payment.establishment_id == world.school.quebec_id
        assert payment.processor_transaction_id == "ch_3PqR7x2026-11-23"
        assert (payment.card_brand, payment.card_last4) == ("Visa", "4242")
        event = uow.session.exec(
            select(AuditEvent).where(
                col(AuditEvent.entity_type) == "payment", col(AuditEvent.action) == "payment.post"
            )
        ).one()
        # The audit names the portal's account, and the processor's transaction.
        assert event.actor_id == world.portal_id
        assert json.loads(event.after_json)["processor_transaction_id"] == "ch_3PqR7x2026-11-23"
    check_invariants(database)  # gapless receipts, ledger chain verifies


def test_chosen_invoice_and_excess_left_as_credit(database: Database, world: World) -> None:
    posted = post(database, report(world, "300.00", invoices=(InvoiceChoice(world.newer_invoice),)))

    assert [(a.invoice_id, a.amount) for a in posted.allocations] == [
        (world.newer_invoice, D("275.00"))
    ]
    assert posted.credit_left == D("25.00")
    assert credit(database, world.family_id) == D("25.00")
    assert balance(database, world.older_invoice) == D("100.00")


def test_receipt_e_mail_queued_to_the_payer_in_the_family_language(
    database: Database, world: World, tmp_path: Path
) -> None:
    posted = post(database, report(world))

    handed = hand_over_receipt(
        database, posted.payment_id, OutputSettings(tmp_path, None), print_now=False
    )

    assert handed.completed and handed.emailed_to == EMAIL
    with database.read() as uow:
        message = uow.session.exec(select(OutboxMessage)).one()
        assert message.recipient == EMAIL
        assert message.language is Language.ENGLISH
        assert message.subject == f"Your receipt {posted.receipt_number}"
        assert message.attachment_name is not None


def test_the_same_transaction_again_posts_nothing(database: Database, world: World) -> None:
    first = post(database, report(world))
    counts = row_counts(database)

    again = post(database, report(world))

    assert again.replayed
    assert dataclasses.replace(again, replayed=False) == first
    assert row_counts(database) == counts


@pytest.mark.parametrize(
    "changes",
    [{"amount": D("374.00")}, {"card_last4": "1881"}, {"family_id": None}],
    ids=["amount", "card", "family"],
)
def test_the_same_transaction_with_another_content_is_refused(
    database: Database, world: World, changes: dict[str, Any]
) -> None:
    post(database, report(world))
    if changes.get("family_id", 0) is None:
        changes = {"family_id": add_family(database, world.school, "Côté")}

    error = refused(database, report(world, **changes), OnlineTransactionConflict)

    assert error.field == "processor_transaction_id"


def test_two_simultaneous_reports_of_one_transaction_post_once(
    database: Database, world: World
) -> None:
    # Two reports of the same transaction, for two families (each takes its own family's
    # lock, so only the unique transaction id can stop the second): one posts, the other
    # is told it conflicts; the same report twice: one posts, the other replays.
    other_family = add_family(database, world.school, "Côté")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def send(online: OnlinePaymentReport) -> None:
        db = Database.open(database.url, clock=fixed_clock)
        try:
            barrier.wait(timeout=10)
            try:
                posted = post(db, online)
                outcomes.append("replayed" if posted.replayed else "posted")
            except OnlineTransactionConflict:
                outcomes.append("conflict")
            except Exception as error:  # reported to the test, which fails on it
                outcomes.append(f"error:{type(error).__name__}:{error}")
        finally:
            db.dispose()

    rounds = (
        ("race-1", (world.family_id, other_family), ["conflict", "posted"]),
        ("race-2", (world.family_id, world.family_id), ["posted", "replayed"]),
    )
    for transaction_id, families, expected in rounds:
        outcomes.clear()
        threads = [
            threading.Thread(
                target=send,
                args=(
                    report(
                        world, "10.00", processor_transaction_id=transaction_id, family_id=family
                    ),
                ),
            )
            for family in families
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
        assert sorted(outcomes) == expected
    with database.read() as uow:
        assert uow.session.exec(select(func.count()).select_from(Payment)).one() == 2
    check_invariants(database)


@pytest.mark.parametrize(
    ("changes", "error", "field"),
    [
        ({"amount": D("0.00")}, InvalidAmount, "amount"),
        ({"amount": D("-5.00")}, InvalidAmount, "amount"),
        ({"amount": D("10.001")}, InvalidAmount, "amount"),
        ({"processor_transaction_id": ""}, InvalidInput, "processor_transaction_id"),
        ({"processor_transaction_id": "ch 1/2"}, InvalidInput, "processor_transaction_id"),
        ({"processor_transaction_id": "x" * 65}, InvalidInput, "processor_transaction_id"),
        ({"card_last4": "424"}, InvalidInput, "card_last4"),
        ({"card_last4": "42a2"}, InvalidInput, "card_last4"),
        ({"authorization_number": ""}, InvalidInput, "authorization_number"),
        ({"authorization_number": "A1-B2"}, InvalidInput, "authorization_number"),
        ({"authorization_number": "A" * 21}, InvalidInput, "authorization_number"),
        ({"card_brand": " "}, InvalidInput, "card_brand"),
        ({"card_brand": "Visa 4111 1111 1111 1111"}, CardNumberRefused, "card_brand"),
        ({"card_last4": "4111111111111111"}, CardNumberRefused, "card_last4"),
        ({"paid_at": datetime(2026, 11, 23, 14, 30)}, InvalidInput, "paid_at"),
        ({"paid_at": FIXED_NOW + timedelta(minutes=6)}, InvalidInput, "paid_at"),
        ({"family_id": 999_999}, NotFound, "family_id"),
        ({"invoices": (InvoiceChoice(999_999),)}, NotFound, "invoices"),
        ({"invoices": (InvoiceChoice(1), InvoiceChoice(1))}, InvalidAmount, "invoices"),
        ({"invoices": (InvoiceChoice(1, D("500.00")),)}, AmountExceedsBalance, "invoices"),
    ],
)
def test_every_field_refusal_names_its_field(
    database: Database,
    world: World,
    changes: dict[str, Any],
    error: type[DomainError],
    field: str | None,
) -> None:
    if "invoices" in changes and changes["invoices"][0].invoice_id == 1:
        changes = {
            "invoices": tuple(
                dataclasses.replace(choice, invoice_id=world.older_invoice)
                for choice in changes["invoices"]
            )
        }

    caught = refused(database, report(world, **changes), error)

    assert caught.field == field
    assert str(caught)  # a message a person can read


def test_a_little_clock_skew_is_accepted(database: Database, world: World) -> None:
    posted = post(database, report(world, "10.00", paid_at=FIXED_NOW + timedelta(minutes=4)))

    assert posted.receipt_number == "QC-2026-000001"


def test_another_family_invoice_is_refused(database: Database, world: World) -> None:
    other = add_family(database, world.school, "Côté")
    theirs = add_invoice(database, world.school, other)

    caught = refused(database, report(world, invoices=(InvoiceChoice(theirs),)), NotFound)

    assert caught.field == "invoices"


@pytest.mark.parametrize(
    "account",
    ["clerk", "registrar", "inactive portal", "unknown"],
)
def test_only_an_active_portal_account_reports(
    database: Database, world: World, account: str
) -> None:
    school = world.school
    if account == "inactive portal":
        with database.write() as uow:
            actor = builders.staff(
                uow, None, username="old", full_name="Old", role=Role.PORTAL, is_active=False
            )
    else:
        actor = {"clerk": school.clerk_id, "registrar": school.registrar_id}.get(account, 999)

    refused(database, report(world, portal_user_id=actor), PermissionDenied)


def test_a_registrar_voids_an_online_payment(database: Database, world: World) -> None:
    posted = post(database, report(world))

    with database.write() as uow:
        voided = void_payment(
            uow, posted.payment_id, "Paiement contesté", world.school.registrar_id
        )

    assert voided.reversed_amount == D("375.00")
    assert balance(database, world.older_invoice) == D("100.00")
    assert balance(database, world.newer_invoice) == D("275.00")
    # Voided, the transaction stays posted: reported again it replays, never posts anew.
    assert post(database, report(world)).replayed
    check_invariants(database)


def test_receipts_tab_and_receipt_pdf_show_the_online_payment(
    database: Database, world: World
) -> None:
    from registrar_tui.services.documents.build import receipt_pdf
    from registrar_tui.services.ledger.receipt_list import family_receipts
    from tests.reports.pdftext import text_of

    posted = post(database, report(world))

    with database.read() as uow:
        rows = family_receipts(uow, world.family_id).page.rows
        document = receipt_pdf(uow, posted.payment_id, language="fr_CA")
    assert [(row.receipt_number, row.method, row.clerk_name) for row in rows] == [
        ("QC-2026-000001", PaymentMethod.ONLINE, "Portail des familles")
    ]
    text = text_of(document.pdf)
    for expected in ("Paiement en ligne", "Visa ••••4242", "A1B2C3", "ch_3PqR7x2026-11-23"):
        assert expected in text, expected
