"""Closing a clerk's drawer: expected totals by method since the last close, counted cash.

The period of a close runs from the clerk's previous close at that establishment
(exclusive) to now (inclusive). It counts the clerk's payments (positive), the voids of
the clerk's payments (negative, in the period they were voided) and the cash refunds the
clerk handed out (negative, cash only: a cheque refund never leaves the drawer).

The portal's online payments go to the « en ligne » drawer of its staff account (Role.PORTAL)
at the family's establishment: no cash to count, closed by a registrar (or an admin) who
names that drawer (`drawer_id`); `online_drawers` lists them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, literal, union_all
from sqlalchemy import select as sa_select
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    DayClose,
    DayCloseTotal,
    Family,
    Payment,
    PaymentVoid,
    Receipt,
    Refund,
    StaffUser,
)
from registrar_tui.models.base import PaymentMethod, RefundMethod, Role, require_id
from registrar_tui.services.audit.record import lock_sequence_row, record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import as_utc, local_date, utc_now
from registrar_tui.services.core.errors import InvalidAmount, NotFound
from registrar_tui.services.core.money import to_cents, valid_amount
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.ledger.errors import DayAlreadyClosed
from registrar_tui.services.ledger.posted_receipts import EstablishmentView, establishment_view


@dataclass(frozen=True)
class MethodTotal:
    """One payment method in a day close; `expected` = received − voided − refunded."""

    method: PaymentMethod
    payment_count: int
    received: Decimal
    voided: Decimal
    refunded: Decimal
    expected: Decimal


@dataclass(frozen=True)
class DayCloseEntry:
    """One movement of the period: a payment, a void (negative) or a cash refund (negative)."""

    occurred_at: datetime
    kind: str  # "payment", "void" or "refund"
    receipt_number: str
    family_name: str
    family_number: str
    method: PaymentMethod
    amount: Decimal


@dataclass(frozen=True)
class DayCloseSummary:
    """A day close (or its preview, before the cash is counted): what the PDF shows."""

    day_close_id: int | None
    establishment: EstablishmentView
    clerk_id: int
    clerk_name: str
    period_start: datetime | None
    closed_at: datetime
    totals: tuple[MethodTotal, ...]
    expected_total: Decimal
    expected_cash: Decimal
    cash_refunds: Decimal
    counted_cash: Decimal | None
    discrepancy: Decimal | None
    """counted − expected cash: negative is a shortage."""
    note: str
    entries: tuple[DayCloseEntry, ...]
    is_online: bool = False
    """The portal's « en ligne » drawer: online payments only, no cash to count."""
    closed_by_name: str | None = None
    """Who recorded the close when not the drawer's clerk (a registrar, for « en ligne »)."""


# Before any close: the period starts at the epoch (a sentinel keeps the query prebuilt).
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _movements_query() -> Any:
    """Payments, voids and cash refunds of one drawer in a period, as one prebuilt query."""
    clerk: Any = bindparam("clerk_id")
    establishment: Any = bindparam("establishment_id")
    start: Any = bindparam("start")
    end: Any = bindparam("end")
    mine = (col(Payment.clerk_id) == clerk, col(Payment.establishment_id) == establishment)
    received: Any = (
        sa_select(
            col(Payment.received_at).label("occurred_at"),
            literal("payment").label("kind"),
            col(Receipt.number),
            col(Family.name),
            col(Family.family_number),
            col(Payment.method).label("method"),
            # The union's column takes this column's type: every row comes back as Decimal.
            col(Payment.amount).label("amount"),
        )
        .join(Receipt, col(Receipt.payment_id) == col(Payment.id))
        .join(Family, col(Family.id) == col(Payment.family_id))
        .where(*mine, col(Payment.received_at) > start, col(Payment.received_at) <= end)
    )
    voided = (
        sa_select(
            col(PaymentVoid.voided_at),
            literal("void"),
            col(Receipt.number),
            col(Family.name),
            col(Family.family_number),
            col(Payment.method),
            -col(Payment.amount),
        )
        .join(Payment, col(Payment.id) == col(PaymentVoid.payment_id))
        .join(Receipt, col(Receipt.payment_id) == col(Payment.id))
        .join(Family, col(Family.id) == col(Payment.family_id))
        .where(*mine, col(PaymentVoid.voided_at) > start, col(PaymentVoid.voided_at) <= end)
    )
    refunded = (
        sa_select(
            col(Refund.refunded_at),
            literal("refund"),
            col(Receipt.number),
            col(Family.name),
            col(Family.family_number),
            col(Refund.method),
            -col(Refund.amount),
        )
        .join(Receipt, col(Receipt.refund_id) == col(Refund.id))
        .join(Family, col(Family.id) == col(Refund.family_id))
        .where(
            col(Refund.refunded_by_id) == clerk,
            col(Refund.establishment_id) == establishment,
            col(Refund.method) == RefundMethod.CASH.value,
            col(Refund.refunded_at) > start,
            col(Refund.refunded_at) <= end,
        )
    )
    return union_all(received, voided, refunded)


_MOVEMENTS = _movements_query()


def _entries(
    uow: UnitOfWork, clerk_id: int, establishment_id: int, start: datetime | None, end: datetime
) -> list[DayCloseEntry]:
    rows = uow.session.execute(
        _MOVEMENTS,
        {
            "clerk_id": clerk_id,
            "establishment_id": establishment_id,
            "start": start or _EPOCH,
            "end": end,
        },
    ).all()
    entries = [
        DayCloseEntry(
            occurred_at=as_utc(row[0]),
            kind=row[1],
            receipt_number=row[2],
            family_name=row[3],
            family_number=row[4],
            # A refund's method is cash, and cash it is in the drawer's totals.
            method=PaymentMethod(str(row[5])),
            amount=row[6],
        )
        for row in rows
    ]
    entries.sort(key=lambda entry: (entry.occurred_at, entry.receipt_number, entry.kind))
    return entries


def _totals(entries: list[DayCloseEntry], *, online: bool) -> tuple[MethodTotal, ...]:
    totals = []
    zero = Decimal("0.00")
    for method in PaymentMethod:
        mine = [entry for entry in entries if entry.method is method]
        if (method is PaymentMethod.ONLINE) is not online and not mine:
            # A counter drawer never holds online payments, the « en ligne » drawer only
            # them: no empty line for the other kind.
            continue
        received = sum((e.amount for e in mine if e.kind == "payment"), zero)
        voided = -sum((e.amount for e in mine if e.kind == "void"), zero)
        refunded = -sum((e.amount for e in mine if e.kind == "refund"), zero)
        totals.append(
            MethodTotal(
                method=method,
                payment_count=sum(1 for e in mine if e.kind == "payment"),
                received=received,
                voided=voided,
                refunded=refunded,
                expected=received - voided - refunded,
            )
        )
    return tuple(totals)


def _last_close(uow: UnitOfWork, clerk_id: int, establishment_id: int) -> DayClose | None:
    return uow.session.exec(
        select(DayClose)
        .where(
            col(DayClose.clerk_id) == clerk_id,
            col(DayClose.establishment_id) == establishment_id,
        )
        .order_by(col(DayClose.closed_at).desc(), col(DayClose.id).desc())
        .limit(1)
    ).first()


def _summary(
    uow: UnitOfWork,
    clerk: StaffUser,
    establishment_id: int,
    start: datetime | None,
    end: datetime,
    *,
    day_close: DayClose | None = None,
) -> DayCloseSummary:
    entries = _entries(uow, require_id(clerk), establishment_id, start, end)
    closed_by = None
    if day_close is not None and day_close.closed_by_id not in (None, day_close.clerk_id):
        closed_by = uow.session.get(StaffUser, day_close.closed_by_id)
    is_online = clerk.role is Role.PORTAL
    totals = _totals(entries, online=is_online)
    zero = Decimal("0.00")
    cash = next(
        (total for total in totals if total.method is PaymentMethod.CASH),
        MethodTotal(PaymentMethod.CASH, 0, zero, zero, zero, zero),
    )
    counted = None if day_close is None else day_close.counted_cash
    return DayCloseSummary(
        day_close_id=None if day_close is None else day_close.id,
        establishment=establishment_view(uow, establishment_id),
        clerk_id=require_id(clerk),
        clerk_name=clerk.full_name,
        period_start=start,
        closed_at=end,
        totals=totals,
        expected_total=sum((total.expected for total in totals), Decimal("0.00")),
        expected_cash=cash.expected,
        cash_refunds=cash.refunded,
        counted_cash=counted,
        discrepancy=None if counted is None else counted - cash.expected,
        note="" if day_close is None else day_close.note,
        entries=tuple(entries),
        is_online=is_online,
        closed_by_name=None if closed_by is None else closed_by.full_name,
    )


def _drawer(uow: UnitOfWork, actor_id: int, drawer_id: int | None) -> tuple[StaffUser, StaffUser]:
    """The acting user and the clerk whose drawer it is: their own, or (registrars and
    admins) the portal's « en ligne » drawer. PermissionDenied, NotFound (`drawer`)."""
    if drawer_id is None or drawer_id == actor_id:
        clerk = active_staff(uow, actor_id)
        return clerk, clerk
    actor = active_staff(uow, actor_id, SUPERVISORS)
    # A revoked client's account is inactive: its last drawer is still closed.
    found = uow.session.get(StaffUser, drawer_id)
    if found is None or found.role is not Role.PORTAL:
        raise NotFound(N_("Caisse en ligne introuvable."), field="drawer")
    return actor, found


def preview_day_close(
    uow: UnitOfWork, actor_id: int, establishment_id: int, drawer_id: int | None = None
) -> DayCloseSummary:
    """What a close would count now (the screen shows it before the cash is counted): the
    actor's own drawer, or with `drawer_id` the portal account's « en ligne » drawer.

    Refuses PermissionDenied (unknown or inactive user; another's drawer without being a
    registrar or an admin) and NotFound (establishment; `drawer` not a portal account).
    """
    _actor, clerk = _drawer(uow, actor_id, drawer_id)
    last = _last_close(uow, require_id(clerk), establishment_id)
    return _summary(uow, clerk, establishment_id, last.closed_at if last else None, utc_now(uow))


@dataclass(frozen=True)
class OnlineDrawer:
    """The « en ligne » drawer of a portal account at an establishment, and what is in it
    since its last close."""

    portal_user_id: int
    portal_name: str
    establishment_id: int
    establishment_code: str
    open_count: int
    """Movements (payments, voids) since the last close."""
    open_total: Decimal
    last_closed_at: datetime | None


def online_drawers(uow: UnitOfWork, actor_id: int) -> tuple[OnlineDrawer, ...]:
    """Every « en ligne » drawer that ever received a payment, by establishment code and
    portal account. Refuses PermissionDenied (not an active registrar or admin)."""
    active_staff(uow, actor_id, SUPERVISORS)
    pairs = uow.session.execute(
        sa_select(col(Payment.clerk_id), col(Payment.establishment_id))
        .join(StaffUser, col(StaffUser.id) == col(Payment.clerk_id))
        .where(col(StaffUser.role) == Role.PORTAL.value)
        .distinct()
    ).all()
    now = utc_now(uow)
    drawers = []
    for clerk_id, establishment_id in pairs:
        clerk = uow.session.get(StaffUser, clerk_id)
        assert clerk is not None
        last = _last_close(uow, clerk_id, establishment_id)
        summary = _summary(uow, clerk, establishment_id, last.closed_at if last else None, now)
        drawers.append(
            OnlineDrawer(
                portal_user_id=clerk_id,
                portal_name=clerk.full_name,
                establishment_id=establishment_id,
                establishment_code=summary.establishment.code,
                open_count=len(summary.entries),
                open_total=summary.expected_total,
                last_closed_at=None if last is None else as_utc(last.closed_at),
            )
        )
    drawers.sort(key=lambda drawer: (drawer.establishment_code, drawer.portal_name))
    return tuple(drawers)


def close_day(
    uow: UnitOfWork,
    actor_id: int,
    establishment_id: int,
    counted_cash: Decimal,
    note: str = "",
    report_pdf: bytes | None = None,
    drawer_id: int | None = None,
) -> DayCloseSummary:
    """Close the clerk's drawer: record expected totals by method, counted cash, discrepancy.
    With `drawer_id`, a registrar or an admin closes the portal account's « en ligne »
    drawer instead (no cash: `counted_cash` is 0); the close and its audit event say who.

    Payments it covers can afterwards be voided only with an override reason.
    Refuses, writing nothing: PermissionDenied, NotFound, InvalidAmount (negative or
    sub-cent counted cash; any cash in an « en ligne » drawer), CardNumberRefused (in the
    note), DayAlreadyClosed (closed already today with nothing since).
    """
    actor, clerk = _drawer(uow, actor_id, drawer_id)
    clerk_id = require_id(clerk)
    counted = valid_amount(counted_cash, field="counted_cash", allow_zero=True)
    if clerk.role is Role.PORTAL and counted != 0:
        raise InvalidAmount(
            N_("Une caisse en ligne ne contient pas de comptant."), field="counted_cash"
        )
    clean_note = safe_text(note, field="note", max_length=1000)
    # One close at a time per drawer (PostgreSQL; SQLite writers are serialised anyway).
    lock_sequence_row(uow, f"day-close:{clerk_id}:{establishment_id}")
    now = utc_now(uow)
    last = _last_close(uow, clerk_id, establishment_id)
    start = last.closed_at if last else None
    preview = _summary(uow, clerk, establishment_id, start, now)
    if last is not None and not preview.entries and local_date(last.closed_at) == local_date(now):
        raise DayAlreadyClosed()
    day_close = DayClose(
        establishment_id=establishment_id,
        clerk_id=clerk_id,
        closed_by_id=actor_id,
        period_start=start,
        closed_at=now,
        expected_cash=preview.expected_cash,
        counted_cash=counted,
        discrepancy=counted - preview.expected_cash,
        note=clean_note,
        report_pdf=report_pdf,
    )
    uow.session.add(day_close)
    uow.session.flush()
    for total in preview.totals:
        uow.session.add(
            DayCloseTotal(
                day_close_id=require_id(day_close),
                method=total.method,
                payment_count=total.payment_count,
                expected=total.expected,
            )
        )
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "day.close",
        "day_close",
        day_close.id,
        {},
        {
            "establishment_id": establishment_id,
            # The audit trail keeps cents.
            "expected_cash_cents": to_cents(day_close.expected_cash),
            "counted_cash_cents": to_cents(counted),
            "discrepancy_cents": to_cents(day_close.discrepancy),
            **({"drawer_clerk_id": clerk_id} if clerk_id != actor_id else {}),
        },
    )
    return dataclasses.replace(
        preview,
        day_close_id=day_close.id,
        counted_cash=counted,
        discrepancy=day_close.discrepancy,
        note=clean_note,
        closed_by_name=None if clerk_id == actor_id else actor.full_name,
    )


def day_close_summary(uow: UnitOfWork, day_close_id: int) -> DayCloseSummary:
    """A recorded day close, for its PDF or a reprint. Refuses an unknown one (NotFound)."""
    day_close = uow.session.get(DayClose, day_close_id)
    if day_close is None:
        raise NotFound(N_("Fermeture de caisse introuvable."))
    clerk = uow.session.get(StaffUser, day_close.clerk_id)
    assert clerk is not None
    return _summary(
        uow,
        clerk,
        day_close.establishment_id,
        day_close.period_start,
        day_close.closed_at,
        day_close=day_close,
    )


def attach_day_close_report(uow: UnitOfWork, day_close_id: int, report_pdf: bytes) -> None:
    """Store the PDF report of a day close (built by reports/ from its summary).

    Refuses an unknown day close with NotFound.
    """
    day_close = uow.session.get(DayClose, day_close_id)
    if day_close is None:
        raise NotFound(N_("Fermeture de caisse introuvable."))
    day_close.report_pdf = report_pdf
    uow.session.add(day_close)
    uow.session.flush()
