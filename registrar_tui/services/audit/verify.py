"""Checking the hash chains: receipts per establishment, the ledger, and the audit trail.

A row edited or removed behind the application's back (the triggers refuse it, but a
file can be opened with another tool) breaks its link or the next one; a missing
receipt number breaks the gapless sequence, except the numbers a restore recorded as
skipped (`backup.restore` events of the audit trail, itself chained: the database
replaced by the backup had issued them, so they are never issued again); a money record
without a ledger link was added outside the application. Each chain reports its first
break, the record named as a person knows it (receipt number, FAC number, line of FAC…).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, and_, type_coerce
from sqlalchemy import select as sa_select
from sqlmodel import col

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, _
from registrar_tui.models import (
    Allocation,
    AuditEvent,
    ContributionChoice,
    CreditNote,
    Invoice,
    InvoiceLine,
    LedgerLink,
    Payment,
    PaymentVoid,
    Receipt,
    Refund,
)
from registrar_tui.services.audit.chain import GENESIS_HASH, chain_hash
from registrar_tui.services.audit.ledger_chain import (
    KIND_BY_NAME,
    KINDS,
    content_digest,
    link_hash,
    unlinked_query,
)

_NUMBER = re.compile(r"^(?P<prefix>.+-(?P<year>\d{4}))-(?P<sequence>\d+)$")
_BATCH = 1000


@dataclass(frozen=True)
class ChainBreak:
    """The first broken link of one chain."""

    chain: str  # "receipt", "ledger" or "audit"
    row_id: int
    """The record's id (a receipt, a money record of `kind`, an audit event)."""
    problem: str  # "previous_hash", "hash", "gap", "number", "missing" or "unlinked"
    establishment_id: int | None = None
    receipt_number: str | None = None
    kind: str | None = None
    """Ledger chain: the record's kind (invoice, invoice_line, payment, allocation…)."""
    invoice_number: str | None = None
    line_position: int | None = None
    document_number: str | None = None
    """Ledger chain: the record's own number (an invoice's FAC…, a credit note's NC…)."""

    def describe(self) -> str:
        """The broken record and what is wrong with it, in the UI language."""
        problem = _(_PROBLEMS.get(self.problem, self.problem))
        if self.chain == "ledger":
            return _("{record} : {problem}").format(record=self.record(), problem=problem)
        if self.chain == "receipt":
            return _("reçu {number} (id {id}, établissement {establishment}) : {problem}").format(
                number=self.receipt_number,
                id=self.row_id,
                establishment=self.establishment_id,
                problem=problem,
            )
        return _("événement d'audit {id} : {problem}").format(id=self.row_id, problem=problem)

    def record(self) -> str:
        """A ledger record as a person knows it: « ligne 2 de la facture FAC00000012 »."""
        template = _RECORDS.get(self.kind or "")
        known = {
            "number": self.document_number,
            "receipt": self.receipt_number,
            "invoice": self.invoice_number,
            "position": self.line_position,
        }
        if template is not None and all(
            known[name] is not None for name in _RECORD_FIELDS[self.kind or ""]
        ):
            return _(template).format(**known)
        kind = _(_KIND_NAMES[self.kind]) if self.kind in _KIND_NAMES else self.kind
        return _("{kind} (id {id})").format(kind=kind, id=self.row_id)


_PROBLEMS = {
    "previous_hash": N_("lien avec l'enregistrement précédent rompu (previous_hash)"),
    "hash": N_("contenu modifié, l'empreinte ne correspond plus (hash)"),
    "gap": N_("numéro manquant avant celui-ci (gap)"),
    "number": N_("numéro de reçu mal formé (number)"),
    "amount": N_("montant introuvable : paiement ou remboursement supprimé (amount)"),
    "link_gap": N_("un maillon manque avant celui-ci : un enregistrement a été supprimé (gap)"),
    "missing": N_("enregistrement supprimé, son maillon est resté (missing)"),
    "unlinked": N_("enregistrement ajouté hors de l'application, sans maillon (unlinked)"),
}
_RECORDS = {
    "invoice": N_("facture {number}"),
    "invoice_line": N_("ligne {position} de la facture {invoice}"),
    "contribution_choice": N_("choix de cotisation, ligne {position} de la facture {invoice}"),
    "payment": N_("paiement du reçu {receipt}"),
    "allocation": N_("imputation du reçu {receipt} sur la facture {invoice}"),
    "payment_void": N_("annulation du paiement du reçu {receipt}"),
    "refund": N_("remboursement du reçu {receipt}"),
    "credit_note": N_("note de crédit {number} (facture {invoice})"),
}
_RECORD_FIELDS = {
    "invoice": ("number",),
    "invoice_line": ("position", "invoice"),
    "contribution_choice": ("position", "invoice"),
    "payment": ("receipt",),
    "allocation": ("receipt", "invoice"),
    "payment_void": ("receipt",),
    "refund": ("receipt",),
    "credit_note": ("number", "invoice"),
}
_KIND_NAMES = {
    "invoice": N_("facture"),
    "invoice_line": N_("ligne de facture"),
    "contribution_choice": N_("choix de cotisation"),
    "payment": N_("paiement"),
    "allocation": N_("imputation"),
    "payment_void": N_("annulation de paiement"),
    "refund": N_("remboursement"),
    "credit_note": N_("note de crédit"),
}


@dataclass(frozen=True)
class VerifyReport:
    receipts_checked: int
    audit_events_checked: int
    breaks: tuple[ChainBreak, ...]
    ledger_records_checked: int = 0

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
    """Recompute every receipt, ledger and audit link; name the first broken one of each.

    The ledger chain reports its first broken link and, separately, the first money
    record that has no link at all. Refuses nothing: a broken chain is reported, not raised.
    """
    receipts, receipt_breaks = _verify_receipts(uow)
    records, ledger_breaks = _verify_ledger(uow)
    events, audit_breaks = _verify_audit(uow)
    return VerifyReport(
        receipts_checked=receipts,
        audit_events_checked=events,
        breaks=tuple(receipt_breaks + ledger_breaks + audit_breaks),
        ledger_records_checked=records,
    )


def _ledger_walk() -> tuple[Any, dict[str, int]]:
    """Every link in order with its record's covered fields (one outer join per kind)."""
    columns: list[Any] = [
        col(LedgerLink.position),
        col(LedgerLink.kind),
        col(LedgerLink.record_id),
        col(LedgerLink.previous_hash),
        col(LedgerLink.hash),
    ]
    offsets: dict[str, int] = {}
    query_from: Any = LedgerLink.__table__  # type: ignore[attr-defined]
    for kind in KINDS:
        offsets[kind.name] = len(columns)
        columns.append(kind.column("id"))
        columns.extend(kind.column(name) for name in kind.covered)
        query_from = query_from.outerjoin(
            kind.model.__table__,  # type: ignore[attr-defined]
            and_(col(LedgerLink.kind) == kind.name, kind.column("id") == col(LedgerLink.record_id)),
        )
    query = (
        sa_select(*columns)
        .select_from(query_from)
        .order_by(col(LedgerLink.position))
        .execution_options(yield_per=_BATCH)
    )
    return query, offsets


_LEDGER, _LEDGER_OFFSETS = _ledger_walk()


def _verify_ledger(uow: UnitOfWork) -> tuple[int, list[ChainBreak]]:
    checked = 0
    previous = GENESIS_HASH
    broken: tuple[str, int, str] | None = None
    for row in uow.session.execute(_LEDGER):
        checked += 1
        if broken is not None:
            continue  # only the first break is named; the links are still counted
        position, kind_name, record_id, previous_hash, stored_hash = row[:5]
        kind = KIND_BY_NAME.get(kind_name)
        if position != checked:
            broken = (kind_name, record_id, "link_gap")
        elif previous_hash != previous:
            broken = (kind_name, record_id, "previous_hash")
        elif kind is None:
            broken = (kind_name, record_id, "hash")
        else:
            start = _LEDGER_OFFSETS[kind.name]
            values = row[start : start + 1 + len(kind.covered)]
            if values[0] is None:
                broken = (kind_name, record_id, "missing")
            else:
                digest = content_digest(kind, values[1:])
                if stored_hash != link_hash(previous_hash, position, kind.name, record_id, digest):
                    broken = (kind_name, record_id, "hash")
        previous = stored_hash
    breaks = [] if broken is None else [_ledger_break(uow, *broken)]
    for kind in KINDS:
        outside = uow.session.execute(unlinked_query(kind).limit(1)).first()
        if outside is not None:
            breaks.append(_ledger_break(uow, kind.name, int(outside[0]), "unlinked"))
            break
    return checked, breaks


def _ledger_break(uow: UnitOfWork, kind: str, record_id: int, problem: str) -> ChainBreak:
    """The break, with the numbers a person knows the record by (when it still exists)."""
    session = uow.session
    names: dict[str, Any] = {}
    invoice_id: int | None = None
    line_id: int | None = None
    payment_id: int | None = None
    if kind == "invoice":
        invoice_id = record_id
        names["document_number"] = _scalar(uow, col(Invoice.number), Invoice.id, record_id)
    elif kind == "invoice_line":
        line_id = record_id
    elif kind == "contribution_choice":
        line_id = _scalar(
            uow, col(ContributionChoice.invoice_line_id), ContributionChoice.id, record_id
        )
    elif kind == "payment":
        payment_id = record_id
    elif kind == "allocation":
        found = session.get(Allocation, record_id)
        if found is not None:
            payment_id, invoice_id = found.payment_id, found.invoice_id
    elif kind == "payment_void":
        payment_id = _scalar(uow, col(PaymentVoid.payment_id), PaymentVoid.id, record_id)
    elif kind == "refund":
        names["receipt_number"] = _scalar(uow, col(Receipt.number), Receipt.refund_id, record_id)
    elif kind == "credit_note":
        names["document_number"] = _scalar(uow, col(CreditNote.number), CreditNote.id, record_id)
        invoice_id = _scalar(uow, col(CreditNote.invoice_id), CreditNote.id, record_id)
    if line_id is not None:
        names["line_position"] = _scalar(uow, col(InvoiceLine.position), InvoiceLine.id, line_id)
        invoice_id = _scalar(uow, col(InvoiceLine.invoice_id), InvoiceLine.id, line_id)
    if payment_id is not None:
        names["receipt_number"] = _scalar(uow, col(Receipt.number), Receipt.payment_id, payment_id)
    if invoice_id is not None and kind != "invoice":
        names["invoice_number"] = _scalar(uow, col(Invoice.number), Invoice.id, invoice_id)
    return ChainBreak("ledger", record_id, problem, kind=kind, **names)


def _scalar(uow: UnitOfWork, column: Any, key: Any, value: int) -> Any:
    return uow.session.execute(
        sa_select(column).where(col(key) == value).limit(1)
    ).scalar_one_or_none()
