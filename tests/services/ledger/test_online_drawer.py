"""The « en ligne » drawer (scenario 15): the portal's payments, closed by a registrar."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, DayClose
from registrar_tui.models.base import PaymentMethod, Role
from registrar_tui.services.core.errors import InvalidAmount, NotFound, PermissionDenied
from registrar_tui.services.documents.day_close import day_close_pdf
from registrar_tui.services.ledger.day_close.close import (
    close_day,
    online_drawers,
    preview_day_close,
)
from registrar_tui.services.ledger.online import OnlinePaymentReport, post_online_payment
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.voids import void_payment
from tests import builders
from tests.reports.pdftext import text_of
from tests.services.ledger_data import (
    D,
    School,
    add_family,
    add_invoice,
    build_school,
    cash,
    ticking_clock,
)


@pytest.fixture
def school(database: Database) -> School:
    database.clock = ticking_clock(datetime(2026, 11, 23, 13, 0, tzinfo=UTC), timedelta(minutes=1))
    return build_school(database)


def _portal(db: Database) -> int:
    with db.write() as uow:
        return builders.staff(
            uow, None, username="portail", full_name="Portail des familles", role=Role.PORTAL
        )


def _online(db: Database, portal: int, family: int, amount: str, transaction: str) -> int:
    with db.write() as uow:
        return post_online_payment(
            uow,
            OnlinePaymentReport(
                portal_user_id=portal,
                family_id=family,
                processor_transaction_id=transaction,
                authorization_number="OK1",
                card_brand="Visa",
                card_last4="4242",
                amount=D(amount),
                paid_at=datetime(2026, 11, 23, 4, 40, tzinfo=UTC),
            ),
        ).payment_id


def test_a_registrar_sees_and_closes_the_online_drawer(database: Database, school: School) -> None:
    portal = _portal(database)
    family = add_family(database, school)
    add_invoice(database, school, family, (("1000.00", ""),))
    _online(database, portal, family, "275.00", "tx-1")
    voided = _online(database, portal, family, "50.00", "tx-2")
    with database.write() as uow:
        void_payment(uow, voided, "Contestation", school.registrar_id)
        # A counter payment stays in the clerk's drawer, not in the online one.
        post_payment(uow, cash(school, family, "100.00", "725.00"))

    with database.read() as uow:
        drawers = online_drawers(uow, school.registrar_id)
        preview = preview_day_close(uow, school.registrar_id, school.montreal_id, portal)
    assert [(d.portal_name, d.establishment_code, d.open_count) for d in drawers] == [
        ("Portail des familles", "MTL", 3)
    ]
    assert drawers[0].open_total == D("275.00")
    assert preview.is_online
    # Only the online line: no empty counter methods in this drawer.
    assert [
        (t.method, t.payment_count, t.received, t.voided, t.expected) for t in preview.totals
    ] == [(PaymentMethod.ONLINE, 2, D("325.00"), D("50.00"), D("275.00"))]
    assert preview.expected_cash == D("0.00")

    with database.write() as uow:
        closed = close_day(uow, school.registrar_id, school.montreal_id, D("0"), drawer_id=portal)
    assert closed.day_close_id is not None
    assert closed.closed_by_name == "Registrar Test"
    with database.read() as uow:
        row = uow.session.get(DayClose, closed.day_close_id)
        assert row is not None
        assert (row.clerk_id, row.closed_by_id) == (portal, school.registrar_id)
        event = uow.session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "day.close")
        ).one()
        assert event.actor_id == school.registrar_id
        assert json.loads(event.after_json)["drawer_clerk_id"] == portal
        text = text_of(day_close_pdf(uow, closed.day_close_id).pdf)
        # Nothing left open in it; the clerk's own drawer still holds the cash.
        assert online_drawers(uow, school.registrar_id)[0].open_count == 0
        assert preview_day_close(uow, school.clerk_id, school.montreal_id).expected_cash == 100
    for expected in (
        "FERMETURE DE CAISSE EN",
        "Caisse en ligne",
        "Portail des familles",
        "Fermée par : Registrar Test",
        "aucun comptant à compter",
        "275,00 $",
    ):
        assert expected in text, expected
    assert "Comptant compté" not in text


def test_only_registrars_close_it_and_never_with_cash(database: Database, school: School) -> None:
    portal = _portal(database)
    family = add_family(database, school)
    _online(database, portal, family, "20.00", "tx-9")

    with database.write() as uow, pytest.raises(PermissionDenied):
        close_day(uow, school.clerk_id, school.montreal_id, D("0"), drawer_id=portal)
    with database.read() as uow, pytest.raises(PermissionDenied):
        online_drawers(uow, school.clerk_id)
    with database.write() as uow, pytest.raises(InvalidAmount) as cash_counted:
        close_day(uow, school.registrar_id, school.montreal_id, D("20.00"), drawer_id=portal)
    assert cash_counted.value.field == "counted_cash"
    # Another person's counter drawer is not an online drawer.
    with database.read() as uow, pytest.raises(NotFound) as not_online:
        preview_day_close(uow, school.registrar_id, school.montreal_id, school.clerk_id)
    assert not_online.value.field == "drawer"
