"""Checking the hash chains: receipts per establishment, and the audit trail.

A row edited or removed behind the application's back (the triggers refuse it, but a
file can be opened with another tool) breaks its link or the next one; a missing
receipt number breaks the gapless sequence, except the numbers a restore recorded as
skipped (`backup.restore` events of the audit trail, itself chained): the database
replaced by the backup had issued them, so they are never issued again.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from sqlalchemy import Integer, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import col

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, _
from registrar_tui.models import AuditEvent, Payment, Receipt, Refund
from registrar_tui.services.audit.chain import GENESIS_HASH, chain_hash

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
        """The broken record and what is wrong with it, in the UI language."""
        problem = _(_PROBLEMS.get(self.problem, self.problem))
        if self.chain == "receipt":
            return _("reçu {number} (id {id}, établissement {establishment}) : {problem}").format(
                number=self.receipt_number,
                id=self.row_id,
                establishment=self.establishment_id,
                problem=problem,
            )
        return _("événement d'audit {id} : {problem}").format(id=self.row_id, problem=problem)


_PROBLEMS = {
    "previous_hash": N_("lien avec l'enregistrement précédent rompu (previous_hash)"),
    "hash": N_("contenu modifié, l'empreinte ne correspond plus (hash)"),
    "gap": N_("numéro manquant avant celui-ci (gap)"),
    "number": N_("numéro de reçu mal formé (number)"),
}


@dataclass(frozen=True)
class VerifyReport:
    receipts_checked: int
    audit_events_checked: int
    breaks: tuple[ChainBreak, ...]

    @property
    def ok(self) -> bool:
        return not self.breaks


_RECEIPTS = (
    sa_select(
        col(Receipt.id),
        col(Receipt.establishment_id),
        col(Receipt.number),
        col(Receipt.payment_id),
        col(Receipt.refund_id),
        col(Receipt.issued_at),
        col(Receipt.previous_hash),
        col(Receipt.hash),
        # The stored integers, not the Decimal the models map them to: the link's payload
        # holds the cents exactly as they were chained.
        type_coerce(col(Payment.amount), Integer).label("paid_cents"),
        type_coerce(col(Refund.amount), Integer).label("refunded_cents"),
    )
    .outerjoin(Payment, col(Payment.id) == col(Receipt.payment_id))
    .outerjoin(Refund, col(Refund.id) == col(Receipt.refund_id))
    .order_by(col(Receipt.establishment_id), col(Receipt.id))
    .execution_options(yield_per=_BATCH)
)
_AUDIT = (
    sa_select(
        col(AuditEvent.id),
        col(AuditEvent.occurred_at),
        col(AuditEvent.actor_id),
        col(AuditEvent.action),
        col(AuditEvent.entity_type),
        col(AuditEvent.entity_id),
        col(AuditEvent.before_json),
        col(AuditEvent.after_json),
        col(AuditEvent.previous_hash),
        col(AuditEvent.hash),
    )
    .order_by(col(AuditEvent.id))
    .execution_options(yield_per=_BATCH)
)


RESTORE_ACTION = "backup.restore"
"""Written by `services.staff.backup.restore_database` (a room above this one)."""


def _skipped_numbers(uow: UnitOfWork) -> dict[tuple[int, str], dict[int, int]]:
    """Per receipt series, the numbers restores skipped: {first skipped: last skipped}."""
    skipped: dict[tuple[int, str], dict[int, int]] = {}
    query = sa_select(col(AuditEvent.after_json)).where(col(AuditEvent.action) == RESTORE_ACTION)
    for (after_json,) in uow.session.execute(query):
        try:
            ranges = json.loads(after_json).get("receipt_numbers_skipped", [])
            for establishment, prefix, first, last in ranges:
                if int(last) >= int(first):  # forward only: the walk below always ends
                    series = skipped.setdefault((int(establishment), str(prefix)), {})
                    series[int(first)] = int(last)
        except (ValueError, TypeError, AttributeError):
            continue  # not ours to judge here: the audit chain check covers its content
    return skipped


def _verify_receipts(uow: UnitOfWork) -> tuple[int, list[ChainBreak]]:
    checked = 0
    skipped = _skipped_numbers(uow)
    breaks: list[ChainBreak] = []
    broken: set[int] = set()
    previous: dict[int, str] = {}
    last_sequence: dict[tuple[int, str], int] = {}
    for row in uow.session.execute(_RECEIPTS):
        checked += 1
        (receipt_id, establishment, number, payment_id, refund_id, issued_at) = row[:6]
        previous_hash, link_hash, paid_cents, refunded_cents = row[6:]
        if establishment in broken:
            continue
        problem = None
        match = _NUMBER.match(number)
        if paid_cents is None and refunded_cents is None:
            problem = "amount"
        elif match is None:
            problem = "number"
        else:
            series = (establishment, match.group("prefix"))
            sequence = int(match.group("sequence"))
            amount = int(paid_cents) if paid_cents is not None else -int(refunded_cents)
            payload = {
                "establishment_id": establishment,
                "number": number,
                "payment_id": payment_id,
                "refund_id": refund_id,
                "issued_at": issued_at,
                "amount_cents": amount,
            }
            expected = last_sequence.get(series, 0) + 1
            jumps = skipped.get(series, {})
            while expected in jumps and sequence != expected:
                expected = jumps[expected] + 1  # numbers a restore skipped
            if sequence != expected:
                problem = "gap"
            elif previous_hash != previous.get(establishment, GENESIS_HASH):
                problem = "previous_hash"
            elif link_hash != chain_hash(previous_hash, payload):
                problem = "hash"
            else:
                last_sequence[series] = sequence
                previous[establishment] = link_hash
        if problem is not None:
            broken.add(establishment)
            breaks.append(ChainBreak("receipt", receipt_id, problem, establishment, number))
    return checked, breaks


def _verify_audit(uow: UnitOfWork) -> tuple[int, list[ChainBreak]]:
    checked = 0
    previous = GENESIS_HASH
    for row in uow.session.execute(_AUDIT):
        checked += 1
        event_id, previous_hash, link_hash = row[0], row[8], row[9]
        payload = dict(zip(_AUDIT_FIELDS, row[1:8], strict=True))
        if previous_hash != previous:
            return checked, [ChainBreak("audit", event_id, "previous_hash")]
        if link_hash != chain_hash(previous_hash, payload):
            return checked, [ChainBreak("audit", event_id, "hash")]
        previous = link_hash
    return checked, []


_AUDIT_FIELDS = (
    "occurred_at",
    "actor_id",
    "action",
    "entity_type",
    "entity_id",
    "before_json",
    "after_json",
)


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
