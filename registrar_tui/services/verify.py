"""Checking the hash chains: receipts per establishment, and the audit trail.

A row edited or removed behind the application's back (the triggers refuse it, but a
file can be opened with another tool) breaks its link or the next one; a missing
receipt number breaks the gapless sequence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.models import AuditEvent, Payment, Receipt, Refund
from registrar_tui.services.audit import audit_payload
from registrar_tui.services.chain import GENESIS_HASH, chain_hash
from registrar_tui.services.receipts import receipt_payload

_NUMBER = re.compile(r"^(?P<prefix>.+-(?P<year>\d{4}))-(?P<sequence>\d+)$")
_BATCH = 1000


@dataclass(frozen=True)
class ChainBreak:
    """The first broken link of one chain."""

    chain: str  # "receipt" or "audit"
    row_id: int
    problem: str  # "previous_hash", "hash", "gap" or "number"
    establishment_id: int | None = None
    receipt_number: str | None = None

    def describe(self) -> str:
        if self.chain == "receipt":
            return (
                f"receipt {self.receipt_number} (id {self.row_id}, establishment "
                f"{self.establishment_id}): {self.problem}"
            )
        return f"audit event {self.row_id}: {self.problem}"


@dataclass(frozen=True)
class VerifyReport:
    receipts_checked: int
    audit_events_checked: int
    breaks: tuple[ChainBreak, ...]

    @property
    def ok(self) -> bool:
        return not self.breaks


def _verify_receipts(uow: UnitOfWork) -> tuple[int, list[ChainBreak]]:
    rows = uow.session.exec(
        select(Receipt, Payment.amount_cents, Refund.amount_cents)
        .outerjoin(Payment, col(Payment.id) == col(Receipt.payment_id))
        .outerjoin(Refund, col(Refund.id) == col(Receipt.refund_id))
        .order_by(col(Receipt.establishment_id), col(Receipt.id))
        .execution_options(yield_per=_BATCH)
    )
    checked = 0
    breaks: list[ChainBreak] = []
    broken: set[int] = set()
    previous: dict[int, str] = {}
    last_sequence: dict[tuple[int, str], int] = {}
    for receipt, paid_cents, refunded_cents in rows:
        checked += 1
        establishment = receipt.establishment_id
        if establishment in broken:
            continue

        def fail(problem: str, receipt: Receipt = receipt) -> None:
            broken.add(receipt.establishment_id)
            breaks.append(
                ChainBreak(
                    "receipt", receipt.id or 0, problem, receipt.establishment_id, receipt.number
                )
            )

        expected_previous = previous.get(establishment, GENESIS_HASH)
        if paid_cents is not None:
            amount = int(paid_cents)
        elif refunded_cents is not None:
            amount = -int(refunded_cents)
        else:
            fail("amount")
            continue
        match = _NUMBER.match(receipt.number)
        if match is None:
            fail("number")
            continue
        series = (establishment, match.group("prefix"))
        sequence = int(match.group("sequence"))
        if sequence != last_sequence.get(series, 0) + 1:
            fail("gap")
            continue
        last_sequence[series] = sequence
        if receipt.previous_hash != expected_previous:
            fail("previous_hash")
            continue
        if receipt.hash != chain_hash(receipt.previous_hash, receipt_payload(receipt, amount)):
            fail("hash")
            continue
        previous[establishment] = receipt.hash
    return checked, breaks


def _verify_audit(uow: UnitOfWork) -> tuple[int, list[ChainBreak]]:
    rows = uow.session.exec(
        select(AuditEvent).order_by(col(AuditEvent.id)).execution_options(yield_per=_BATCH)
    )
    checked = 0
    previous = GENESIS_HASH
    for event in rows:
        checked += 1
        if event.previous_hash != previous:
            return checked, [ChainBreak("audit", event.id or 0, "previous_hash")]
        if event.hash != chain_hash(event.previous_hash, audit_payload(event)):
            return checked, [ChainBreak("audit", event.id or 0, "hash")]
        previous = event.hash
    return checked, []


def verify_chains(uow: UnitOfWork) -> VerifyReport:
    """Recompute every receipt and audit link; name the first broken one of each chain.

    Refuses nothing: a broken chain is reported, not raised.
    """
    receipts, receipt_breaks = _verify_receipts(uow)
    events, audit_breaks = _verify_audit(uow)
    return VerifyReport(
        receipts_checked=receipts,
        audit_events_checked=events,
        breaks=tuple(receipt_breaks + audit_breaks),
    )
