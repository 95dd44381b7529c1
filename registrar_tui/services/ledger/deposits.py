"""Bank deposits (bordereaux de dépôt): the cash and cheques of closed drawers to the bank.

What can be deposited at an establishment: its cash and cheque payments (cheques and
certified cheques) covered by a closed day close of their clerk, not voided, in no
deposit yet. A registrar (or an admin) prepares a deposit from what they saw, with the
count of the cash by denomination, which must equal the cash to deposit; makes it (taken
to the bank: locked for good) or abandons it while it is only prepared (its number stays,
its payments are free again).

Deposits start on a date chosen once per establishment, before its first deposit
(services/ledger/deposit_start.py): nothing before it is ever offered; until it is chosen
nothing is. The cash is counted by denomination (services/ledger/denominations.py).

A day close that counted more or less cash than expected brings its difference (over/short)
into the establishment's next deposit, once: the cash in the bag is what the drawers held.

A payment voided after its deposit was made comes back once, as a negative line
(adjustment) of the establishment's next deposit: the drawer gave that money back since;
so does a cash refund handed out of a drawer that closed since (the day close counted it
against that drawer's cash, which is the cash counted here).

Numbers are gapless per establishment (`number_sequence` row `deposit:<id>`, taken in the
transaction that prepares the deposit); that row's lock also serialises two registrars
preparing at once, and the unique `deposit_item.payment_id` refuses a payment in two
deposits whatever happens (PaymentNotDepositable either way).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    DayClose,
    Deposit,
    DepositAdjustment,
    DepositCashCount,
    DepositItem,
    DepositOverShort,
    DepositStatus,
    Establishment,
    Family,
    Payment,
    PaymentVoid,
    Receipt,
    Refund,
    StaffUser,
)
from registrar_tui.models.base import PaymentMethod, RefundMethod, require_id
from registrar_tui.services.audit.record import next_number, record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import as_utc, utc_now
from registrar_tui.services.core.errors import DomainError, MoneyParam, NotFound
from registrar_tui.services.core.money import ZERO, to_cents
from registrar_tui.services.ledger.denominations import (
    COUNTS_FIELD,
    DenominationCountMismatch,
    DenominationLine,
    count_denominations,
)
from registrar_tui.services.ledger.deposit_start import (
    DepositsNotStarted,
    lock_deposits,
    start_instant,
)
from registrar_tui.services.ledger.posted_receipts import EstablishmentView, establishment_view

CHEQUE_METHODS = frozenset({PaymentMethod.CHEQUE, PaymentMethod.CERTIFIED_CHEQUE})
DEPOSITED_METHODS = CHEQUE_METHODS | {PaymentMethod.CASH}


# --- refusals ---------------------------------------------------------------------------


class NothingToDeposit(DomainError):
    message = N_("Rien à déposer : aucun paiement ni ajustement.")


class NegativeDeposit(DomainError):
    message = N_(
        "Les ajustements dépassent ce qui est déposé ({total}) : attendez le prochain dépôt."
    )


class PaymentNotDepositable(DomainError):
    """Another registrar put it in a deposit meanwhile, it was voided, or it never was in
    a closed drawer of this establishment."""

    message = N_(
        "Un paiement n'est plus à déposer (déjà dans un autre dépôt, annulé ou hors d'une "
        "caisse fermée) : rechargez."
    )


class DepositNotPrepared(DomainError):
    message = N_("Ce dépôt est déjà fait ou abandonné : il ne change plus.")


class DepositPaymentVoided(DomainError):
    message = N_(
        "Un paiement de ce dépôt a été annulé depuis sa préparation : abandonnez-le et "
        "préparez-en un autre."
    )


# --- what the screens, the CLI and the slip receive --------------------------------------
@dataclass(frozen=True)
class DepositLine:
    """A payment to deposit (or deposited): cash or a cheque."""

    payment_id: int
    receipt_number: str
    received_at: datetime
    family_name: str
    method: PaymentMethod
    amount: Decimal
    cheque_number: str | None
    cheque_bank: str | None

    @property
    def is_cash(self) -> bool:
        return self.method is PaymentMethod.CASH


@dataclass(frozen=True)
class AdjustmentLine:
    """Money that left after its drawer closed, taken off a deposit (negative amount): a
    payment voided after its deposit was made, or a cash refund (`refund_id`)."""

    payment_id: int | None
    receipt_number: str
    family_name: str
    method: PaymentMethod
    amount: Decimal
    cheque_number: str | None
    original_deposit_number: str
    """The deposit the voided payment went into ("" for a refund)."""
    refund_id: int | None = None

    @property
    def is_refund(self) -> bool:
        return self.refund_id is not None


@dataclass(frozen=True)
class OverShortLine:
    """A day close whose counted cash differed from the expected cash: `amount` is counted
    − expected (negative short, positive over), added to the deposit's cash."""

    day_close_id: int
    clerk_name: str
    closed_at: datetime
    expected_cash: Decimal
    counted_cash: Decimal
    amount: Decimal

    @property
    def is_short(self) -> bool:
        return self.amount < 0


@dataclass(frozen=True)
class Depositable:
    """What a deposit of the establishment would hold now."""

    establishment: EstablishmentView
    payments: tuple[DepositLine, ...]
    adjustments: tuple[AdjustmentLine, ...]
    cash_total: Decimal
    """Cash payments, cash adjustments and the day closes' over/short: what the drawers
    held, what the denomination count must equal."""
    cheque_total: Decimal
    total: Decimal
    over_short: tuple[OverShortLine, ...] = ()
    starts_on: date | None = None
    """The establishment's first day of deposits; None: not started, nothing offered."""

    @property
    def payment_ids(self) -> tuple[int, ...]:
        return tuple(line.payment_id for line in self.payments)


@dataclass(frozen=True)
class DepositView:
    """A deposit as listed, and as its slip prints it."""

    deposit_id: int
    number: str
    establishment: EstablishmentView
    status: DepositStatus
    prepared_at: datetime
    prepared_by_name: str
    made_at: datetime | None
    made_by_name: str | None
    cash_lines: tuple[DenominationLine, ...]
    payments: tuple[DepositLine, ...]
    adjustments: tuple[AdjustmentLine, ...]
    cash_total: Decimal
    cheque_total: Decimal
    total: Decimal
    over_short: tuple[OverShortLine, ...] = ()

    @property
    def cheques(self) -> tuple[DepositLine, ...]:
        return tuple(line for line in self.payments if not line.is_cash)

    @property
    def cash_payment_total(self) -> Decimal:
        return sum((line.amount for line in self.payments if line.is_cash), ZERO)


@dataclass(frozen=True)
class DepositSummary:
    """One row of the list of deposits."""

    deposit_id: int
    number: str
    status: DepositStatus
    prepared_at: datetime
    made_at: datetime | None
    payment_count: int
    cash_total: Decimal
    cheque_total: Decimal
    total: Decimal


def deposit_label(code: str, number: int) -> str:
    """A deposit's number as printed: `MTL-DEP-0007`."""
    return f"{code}-DEP-{number:04d}"


# --- the count of the cash (pure) --------------------------------------------------------


# --- queries -----------------------------------------------------------------------------
def _line_columns() -> tuple[Any, ...]:
    return (
        col(Payment.id),
        col(Receipt.number),
        col(Payment.received_at),
        col(Family.name),
        col(Payment.method),
        col(Payment.amount),
        col(Payment.cheque_number),
        col(Payment.cheque_bank),
    )


def _line(row: Any) -> DepositLine:
    return DepositLine(
        payment_id=row[0],
        receipt_number=row[1],
        received_at=as_utc(row[2]),
        family_name=row[3],
        method=PaymentMethod(str(row[4])),
        amount=row[5],
        cheque_number=row[6],
        cheque_bank=row[7],
    )


def _payments_query() -> Any:
    return (
        sa_select(*_line_columns())
        .join(Receipt, col(Receipt.payment_id) == col(Payment.id))
        .join(Family, col(Family.id) == col(Payment.family_id))
    )


def _order(lines: Iterable[DepositLine]) -> tuple[DepositLine, ...]:
    # Cash first, then the cheques, each in the order they were received.
    return tuple(
        sorted(lines, key=lambda line: (not line.is_cash, line.received_at, line.receipt_number))
    )


def _open_payments(uow: UnitOfWork, establishment_id: int) -> tuple[DepositLine, ...]:
    start = start_instant(uow, establishment_id)
    if start is None:
        return ()
    closed = exists().where(
        col(DayClose.clerk_id) == col(Payment.clerk_id),
        col(DayClose.establishment_id) == col(Payment.establishment_id),
        col(DayClose.closed_at) >= col(Payment.received_at),
    )
    voided = exists().where(col(PaymentVoid.payment_id) == col(Payment.id))
    deposited = exists().where(col(DepositItem.payment_id) == col(Payment.id))
    rows = uow.session.execute(
        _payments_query().where(
            col(Payment.establishment_id) == establishment_id,
            col(Payment.method).in_([method.value for method in DEPOSITED_METHODS]),
            col(Payment.received_at) >= start,
            closed,
            ~voided,
            ~deposited,
        )
    ).all()
    return _order(_line(row) for row in rows)


def _pending_adjustments(uow: UnitOfWork, establishment_id: int) -> tuple[AdjustmentLine, ...]:
    """Payments voided after their deposit was made, then cash refunds handed out of a
    closed drawer, not yet taken off a deposit."""
    return (*_pending_voids(uow, establishment_id), *_pending_refunds(uow, establishment_id))


def _refund_columns() -> tuple[Any, ...]:
    return (col(Refund.id), col(Receipt.number), col(Family.name), col(Refund.amount))


def _refund_line(row: Any) -> AdjustmentLine:
    return AdjustmentLine(
        payment_id=None,
        receipt_number=row[1],
        family_name=row[2],
        method=PaymentMethod.CASH,
        amount=-row[3],
        cheque_number=None,
        original_deposit_number="",
        refund_id=row[0],
    )


def _pending_refunds(uow: UnitOfWork, establishment_id: int) -> tuple[AdjustmentLine, ...]:
    start = start_instant(uow, establishment_id)
    if start is None:
        return ()
    # The drawer that handed the cash out closed since (as for the payments).
    closed = exists().where(
        col(DayClose.clerk_id) == col(Refund.refunded_by_id),
        col(DayClose.establishment_id) == col(Refund.establishment_id),
        col(DayClose.closed_at) >= col(Refund.refunded_at),
    )
    taken = exists().where(col(DepositAdjustment.refund_id) == col(Refund.id))
    rows = uow.session.execute(
        sa_select(*_refund_columns())
        .join(Receipt, col(Receipt.refund_id) == col(Refund.id))
        .join(Family, col(Family.id) == col(Refund.family_id))
        .where(
            col(Refund.establishment_id) == establishment_id,
            col(Refund.method) == RefundMethod.CASH.value,
            col(Refund.refunded_at) >= start,
            closed,
            ~taken,
        )
        .order_by(col(Refund.refunded_at), col(Refund.id))
    ).all()
    return tuple(_refund_line(row) for row in rows)


def _pending_voids(uow: UnitOfWork, establishment_id: int) -> tuple[AdjustmentLine, ...]:
    code = establishment_view(uow, establishment_id).code
    taken_back = exists().where(col(DepositAdjustment.payment_id) == col(Payment.id))
    rows = uow.session.execute(
        sa_select(*_line_columns(), col(Deposit.number))
        .join(Receipt, col(Receipt.payment_id) == col(Payment.id))
        .join(Family, col(Family.id) == col(Payment.family_id))
        .join(DepositItem, col(DepositItem.payment_id) == col(Payment.id))
        .join(Deposit, col(Deposit.id) == col(DepositItem.deposit_id))
        .join(PaymentVoid, col(PaymentVoid.payment_id) == col(Payment.id))
        .where(
            col(Deposit.establishment_id) == establishment_id,
            col(Deposit.status) == DepositStatus.MADE.value,
            ~taken_back,
        )
        .order_by(col(PaymentVoid.voided_at), col(Payment.id))
    ).all()
    return tuple(_adjustment(row, code) for row in rows)


def _adjustment(row: Any, code: str) -> AdjustmentLine:
    line = _line(row)
    return AdjustmentLine(
        payment_id=line.payment_id,
        receipt_number=line.receipt_number,
        family_name=line.family_name,
        method=line.method,
        amount=-line.amount,
        cheque_number=line.cheque_number,
        original_deposit_number=deposit_label(code, row[8]),
    )


def _over_short_columns() -> tuple[Any, ...]:
    return (
        col(DayClose.id),
        col(StaffUser.full_name),
        col(DayClose.closed_at),
        col(DayClose.expected_cash),
        col(DayClose.counted_cash),
        col(DayClose.discrepancy),
    )


def _over_short_line(row: Any) -> OverShortLine:
    return OverShortLine(
        day_close_id=int(row[0]),
        clerk_name=row[1],
        closed_at=as_utc(row[2]),
        expected_cash=row[3],
        counted_cash=row[4],
        amount=row[5],
    )


def _pending_over_short(uow: UnitOfWork, establishment_id: int) -> tuple[OverShortLine, ...]:
    """The day closes of the establishment since deposits started that counted more or
    less cash than expected, not yet in a deposit."""
    start = start_instant(uow, establishment_id)
    if start is None:
        return ()
    taken = exists().where(col(DepositOverShort.day_close_id) == col(DayClose.id))
    rows = uow.session.execute(
        sa_select(*_over_short_columns())
        .join(StaffUser, col(StaffUser.id) == col(DayClose.clerk_id))
        .where(
            col(DayClose.establishment_id) == establishment_id,
            col(DayClose.discrepancy) != ZERO,
            col(DayClose.closed_at) >= start,
            ~taken,
        )
        .order_by(col(DayClose.closed_at), col(DayClose.id))
    ).all()
    return tuple(_over_short_line(row) for row in rows)


def _totals(
    payments: Sequence[DepositLine],
    adjustments: Sequence[AdjustmentLine],
    over_short: Sequence[OverShortLine] = (),
) -> tuple[Decimal, Decimal]:
    cash = (
        sum((p.amount for p in payments if p.is_cash), ZERO)
        + sum((a.amount for a in adjustments if a.method is PaymentMethod.CASH), ZERO)
        + sum((line.amount for line in over_short), ZERO)
    )
    cheques = sum((p.amount for p in payments if not p.is_cash), ZERO) + sum(
        (a.amount for a in adjustments if a.method is not PaymentMethod.CASH), ZERO
    )
    return cash, cheques


def depositable(uow: UnitOfWork, actor_id: int, establishment_id: int) -> Depositable:
    """What a deposit of the establishment would hold now: the cash and cheque payments of
    closed drawers in no deposit, the adjustments to take back, and the totals.

    Refuses PermissionDenied (not an active registrar or admin), NotFound (establishment).
    """
    active_staff(uow, actor_id, SUPERVISORS)
    establishment = establishment_view(uow, establishment_id)
    payments = _open_payments(uow, establishment_id)
    adjustments = _pending_adjustments(uow, establishment_id)
    over_short = _pending_over_short(uow, establishment_id)
    cash, cheques = _totals(payments, adjustments, over_short)
    found = uow.session.get(Establishment, establishment_id)
    return Depositable(
        establishment=establishment,
        payments=payments,
        adjustments=adjustments,
        cash_total=cash,
        cheque_total=cheques,
        total=cash + cheques,
        over_short=over_short,
        starts_on=None if found is None else found.deposits_start_on,
    )


# --- acting ------------------------------------------------------------------------------
def prepare_deposit(
    uow: UnitOfWork,
    actor_id: int,
    establishment_id: int,
    payment_ids: Sequence[int],
    counts: Mapping[Decimal, int],
) -> DepositView:
    """Prepare the next deposit of the establishment: the payments the registrar saw (from
    `depositable`), every adjustment pending, the count of the cash by denomination.

    Refuses, writing nothing: PermissionDenied, NotFound (establishment),
    DepositsNotStarted (no first day of deposits chosen), PaymentNotDepositable (a
    payment already in another deposit, voided, not in a closed drawer of this
    establishment, or not cash or a cheque), NothingToDeposit,
    NegativeDeposit (the adjustments exceed the cash or the cheques),
    InvalidDenominationCount and DenominationCountMismatch (field `counts`).
    """
    active_staff(uow, actor_id, SUPERVISORS)
    establishment = establishment_view(uow, establishment_id)
    count = count_denominations(counts)
    lock_deposits(uow, establishment_id)
    if start_instant(uow, establishment_id) is None:
        raise DepositsNotStarted()
    open_lines = {line.payment_id: line for line in _open_payments(uow, establishment_id)}
    wanted = sorted(set(payment_ids))
    if any(payment_id not in open_lines for payment_id in wanted):
        raise PaymentNotDepositable()
    payments = _order(open_lines[payment_id] for payment_id in wanted)
    adjustments = _pending_adjustments(uow, establishment_id)
    over_short = _pending_over_short(uow, establishment_id)
    if not payments and not adjustments and not over_short:
        raise NothingToDeposit()
    cash, cheques = _totals(payments, adjustments, over_short)
    if cash < 0 or cheques < 0:
        raise NegativeDeposit(total=MoneyParam(min(cash, cheques)))
    if count.total != cash:
        raise DenominationCountMismatch(
            field=COUNTS_FIELD, counted=MoneyParam(count.total), expected=MoneyParam(cash)
        )
    now = utc_now(uow)
    number = next_number(uow, f"deposit:{establishment_id}")
    deposit = Deposit(
        establishment_id=establishment_id,
        number=number,
        status=DepositStatus.PREPARED,
        prepared_at=now,
        prepared_by_id=actor_id,
        cash_total=cash,
        cheque_total=cheques,
    )
    uow.session.add(deposit)
    uow.session.flush()
    deposit_id = require_id(deposit)
    for line in payments:
        uow.session.add(
            DepositItem(deposit_id=deposit_id, payment_id=line.payment_id, amount=line.amount)
        )
    voided = [a.payment_id for a in adjustments if a.payment_id is not None]
    originals = _original_deposits(uow, voided)
    for adjustment in adjustments:
        uow.session.add(
            DepositAdjustment(
                deposit_id=deposit_id,
                payment_id=adjustment.payment_id,
                refund_id=adjustment.refund_id,
                original_deposit_id=(
                    None if adjustment.payment_id is None else originals[adjustment.payment_id]
                ),
                amount=adjustment.amount,
            )
        )
    for difference in over_short:
        uow.session.add(
            DepositOverShort(
                deposit_id=deposit_id,
                day_close_id=difference.day_close_id,
                amount=difference.amount,
            )
        )
    for counted in count.lines:
        uow.session.add(
            DepositCashCount(
                deposit_id=deposit_id,
                denomination=counted.denomination,
                quantity=counted.quantity,
            )
        )
    try:
        uow.session.flush()
    except IntegrityError as error:
        # Another transaction took one of these payments first (unique payment_id).
        raise PaymentNotDepositable() from error
    record_event(
        uow,
        actor_id,
        "deposit.prepare",
        "deposit",
        deposit_id,
        {},
        {
            "establishment_id": establishment_id,
            "number": deposit_label(establishment.code, number),
            "payment_ids": [line.payment_id for line in payments],
            "adjusted_payment_ids": voided,
            "refund_ids": [a.refund_id for a in adjustments if a.refund_id is not None],
            "over_short_day_close_ids": [line.day_close_id for line in over_short],
            "cash_total_cents": to_cents(cash),
            "cheque_total_cents": to_cents(cheques),
        },
    )
    return _view(uow, deposit)


def _original_deposits(uow: UnitOfWork, payment_ids: Sequence[int]) -> dict[int, int]:
    if not payment_ids:
        return {}
    rows = uow.session.execute(
        sa_select(col(DepositItem.payment_id), col(DepositItem.deposit_id)).where(
            col(DepositItem.payment_id).in_(payment_ids)
        )
    ).all()
    return {int(row[0]): int(row[1]) for row in rows}


def _locked_deposit(uow: UnitOfWork, deposit_id: int) -> Deposit:
    deposit = uow.session.exec(
        select(Deposit).where(col(Deposit.id) == deposit_id).with_for_update()
    ).first()
    if deposit is None:
        raise NotFound(N_("Dépôt introuvable."))
    if deposit.status is not DepositStatus.PREPARED:
        raise DepositNotPrepared()
    return deposit


def make_deposit(uow: UnitOfWork, actor_id: int, deposit_id: int) -> DepositView:
    """The prepared deposit was taken to the bank: it is locked for good.

    Refuses, writing nothing: PermissionDenied, NotFound, DepositNotPrepared (made or
    abandoned already), DepositPaymentVoided (one of its payments was voided since it
    was prepared: abandon it and prepare another).
    """
    active_staff(uow, actor_id, SUPERVISORS)
    deposit = _locked_deposit(uow, deposit_id)
    voided = uow.session.execute(
        sa_select(col(PaymentVoid.id))
        .join(DepositItem, col(DepositItem.payment_id) == col(PaymentVoid.payment_id))
        .where(col(DepositItem.deposit_id) == deposit_id)
        .limit(1)
    ).first()
    if voided is not None:
        raise DepositPaymentVoided()
    deposit.status = DepositStatus.MADE
    deposit.made_at = utc_now(uow)
    deposit.made_by_id = actor_id
    uow.session.add(deposit)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "deposit.make",
        "deposit",
        deposit_id,
        {"status": DepositStatus.PREPARED.value},
        {"status": DepositStatus.MADE.value},
    )
    return _view(uow, deposit)


def abandon_deposit(uow: UnitOfWork, actor_id: int, deposit_id: int) -> DepositView:
    """Give up a prepared deposit: its number stays (abandoned), its payments and
    adjustments go back to what can be deposited.

    Refuses, writing nothing: PermissionDenied, NotFound, DepositNotPrepared.
    """
    active_staff(uow, actor_id, SUPERVISORS)
    deposit = _locked_deposit(uow, deposit_id)
    items = uow.session.exec(
        select(DepositItem).where(col(DepositItem.deposit_id) == deposit_id)
    ).all()
    adjustments = uow.session.exec(
        select(DepositAdjustment).where(col(DepositAdjustment.deposit_id) == deposit_id)
    ).all()
    over_short = uow.session.exec(
        select(DepositOverShort).where(col(DepositOverShort.deposit_id) == deposit_id)
    ).all()
    before = {
        "status": DepositStatus.PREPARED.value,
        "payment_ids": sorted(item.payment_id for item in items),
        "adjusted_payment_ids": sorted(a.payment_id for a in adjustments if a.payment_id),
        "refund_ids": sorted(a.refund_id for a in adjustments if a.refund_id),
        "over_short_day_close_ids": sorted(line.day_close_id for line in over_short),
    }
    for row in (*items, *adjustments, *over_short):
        uow.session.delete(row)
    # The lines go while the deposit is still prepared (the database refuses otherwise).
    uow.session.flush()
    deposit.status = DepositStatus.ABANDONED
    deposit.abandoned_at = utc_now(uow)
    deposit.abandoned_by_id = actor_id
    uow.session.add(deposit)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "deposit.abandon",
        "deposit",
        deposit_id,
        before,
        {"status": DepositStatus.ABANDONED.value},
    )
    return _view(uow, deposit)


# --- reading -----------------------------------------------------------------------------
def _name(uow: UnitOfWork, staff_id: int | None) -> str | None:
    if staff_id is None:
        return None
    found = uow.session.get(StaffUser, staff_id)
    return None if found is None else found.full_name


def _view(uow: UnitOfWork, deposit: Deposit) -> DepositView:
    deposit_id = require_id(deposit)
    establishment = establishment_view(uow, deposit.establishment_id)
    rows = uow.session.execute(
        _payments_query()
        .join(DepositItem, col(DepositItem.payment_id) == col(Payment.id))
        .where(col(DepositItem.deposit_id) == deposit_id)
    ).all()
    adjustment_rows = uow.session.execute(
        sa_select(*_line_columns(), col(Deposit.number))
        .join(Receipt, col(Receipt.payment_id) == col(Payment.id))
        .join(Family, col(Family.id) == col(Payment.family_id))
        .join(DepositAdjustment, col(DepositAdjustment.payment_id) == col(Payment.id))
        .join(Deposit, col(Deposit.id) == col(DepositAdjustment.original_deposit_id))
        .where(col(DepositAdjustment.deposit_id) == deposit_id)
        .order_by(col(Payment.id))
    ).all()
    refund_rows = uow.session.execute(
        sa_select(*_refund_columns())
        .join(Receipt, col(Receipt.refund_id) == col(Refund.id))
        .join(Family, col(Family.id) == col(Refund.family_id))
        .join(DepositAdjustment, col(DepositAdjustment.refund_id) == col(Refund.id))
        .where(col(DepositAdjustment.deposit_id) == deposit_id)
        .order_by(col(Refund.id))
    ).all()
    over_short_rows = uow.session.execute(
        sa_select(*_over_short_columns())
        .join(StaffUser, col(StaffUser.id) == col(DayClose.clerk_id))
        .join(DepositOverShort, col(DepositOverShort.day_close_id) == col(DayClose.id))
        .where(col(DepositOverShort.deposit_id) == deposit_id)
        .order_by(col(DayClose.closed_at), col(DayClose.id))
    ).all()
    counts = uow.session.exec(
        select(DepositCashCount).where(col(DepositCashCount.deposit_id) == deposit_id)
    ).all()
    cash_lines = tuple(
        DenominationLine(c.denomination, c.quantity, c.denomination * c.quantity)
        for c in sorted(counts, key=lambda c: c.denomination, reverse=True)
    )
    return DepositView(
        deposit_id=deposit_id,
        number=deposit_label(establishment.code, deposit.number),
        establishment=establishment,
        status=deposit.status,
        prepared_at=as_utc(deposit.prepared_at),
        prepared_by_name=_name(uow, deposit.prepared_by_id) or "",
        made_at=None if deposit.made_at is None else as_utc(deposit.made_at),
        made_by_name=_name(uow, deposit.made_by_id),
        cash_lines=cash_lines,
        payments=_order(_line(row) for row in rows),
        adjustments=(
            *(_adjustment(row, establishment.code) for row in adjustment_rows),
            *(_refund_line(row) for row in refund_rows),
        ),
        cash_total=deposit.cash_total,
        cheque_total=deposit.cheque_total,
        total=deposit.cash_total + deposit.cheque_total,
        over_short=tuple(_over_short_line(row) for row in over_short_rows),
    )


def deposit_detail(uow: UnitOfWork, actor_id: int, deposit_id: int) -> DepositView:
    """One deposit with its lines, as its slip prints it.

    Refuses PermissionDenied (not an active registrar or admin), NotFound.
    """
    active_staff(uow, actor_id, SUPERVISORS)
    deposit = uow.session.get(Deposit, deposit_id)
    if deposit is None:
        raise NotFound(N_("Dépôt introuvable."))
    return _view(uow, deposit)


def list_deposits(
    uow: UnitOfWork, actor_id: int, establishment_id: int, limit: int = 50
) -> tuple[DepositSummary, ...]:
    """The establishment's deposits, the latest first (`limit` of them).

    Refuses PermissionDenied (not an active registrar or admin), NotFound (establishment).
    """
    active_staff(uow, actor_id, SUPERVISORS)
    code = establishment_view(uow, establishment_id).code
    deposits = uow.session.exec(
        select(Deposit)
        .where(col(Deposit.establishment_id) == establishment_id)
        .order_by(col(Deposit.number).desc())
        .limit(limit)
    ).all()
    ids = [require_id(deposit) for deposit in deposits]
    counted: dict[int, int] = {}
    if ids:
        counted = {
            int(row[0]): int(row[1])
            for row in uow.session.execute(
                sa_select(col(DepositItem.deposit_id), func.count())
                .where(col(DepositItem.deposit_id).in_(ids))
                .group_by(col(DepositItem.deposit_id))
            ).all()
        }
    return tuple(
        DepositSummary(
            deposit_id=require_id(deposit),
            number=deposit_label(code, deposit.number),
            status=deposit.status,
            prepared_at=as_utc(deposit.prepared_at),
            made_at=None if deposit.made_at is None else as_utc(deposit.made_at),
            payment_count=counted.get(require_id(deposit), 0),
            cash_total=deposit.cash_total,
            cheque_total=deposit.cheque_total,
            total=deposit.cash_total + deposit.cheque_total,
        )
        for deposit in deposits
    )


def deposit_id_by_number(uow: UnitOfWork, number: str) -> int:
    """The deposit printed as `number` (`MTL-DEP-0007`, any case). Refuses NotFound."""
    code, _, sequence = number.strip().upper().rpartition("-DEP-")
    if not code or not sequence.isdigit() or not sequence.isascii():
        raise NotFound(N_("Dépôt introuvable."), field="number")
    found = uow.session.execute(
        sa_select(col(Deposit.id))
        .join(Establishment, col(Establishment.id) == col(Deposit.establishment_id))
        .where(col(Establishment.code) == code, col(Deposit.number) == int(sequence))
    ).scalar_one_or_none()
    if found is None:
        raise NotFound(N_("Dépôt introuvable."), field="number")
    return int(found)


def deposit_establishments(uow: UnitOfWork, actor_id: int) -> tuple[EstablishmentView, ...]:
    """The establishments a deposit can be prepared for, by code.

    Refuses PermissionDenied (not an active registrar or admin).
    """
    active_staff(uow, actor_id, SUPERVISORS)
    ids = uow.session.exec(select(Establishment.id).order_by(col(Establishment.code))).all()
    return tuple(establishment_view(uow, int(found)) for found in ids if found is not None)
