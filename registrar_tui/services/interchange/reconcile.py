"""The processor's settlement file against the online payments posted here.

The payment processor sends a settlement file (CSV, columns in docs/reconcile.md): one row
per card transaction it settled (or refunded). `reconcile_online` matches its rows with
the online payments by the processor's transaction id and lists what differs:

- missing: settled by the processor, never posted here (the portal's report was lost);
- extra: posted here during the period, absent from the file (never settled);
- amount differs: the same transaction with two amounts;
- voided but settled: a payment voided here that the processor settled (to refund);
- refunded but live: refunded by the processor, still posted here (to void).

The file is read as an office keeps it: UTF-8 with or without BOM, or Windows-1252; `,`
or `;` between columns; amounts `1234.50` or `1 234,50`; dates `AAAA-MM-JJ` (an ISO
instant is cut to its day) or `JJ/MM/AAAA`.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Family, Payment, PaymentVoid, Receipt
from registrar_tui.models.base import PaymentMethod
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import DomainError, InvalidInput
from registrar_tui.services.core.money import ZERO, parse_money
from registrar_tui.text import clean_text

COLUMNS: dict[str, tuple[str, ...]] = {
    "transaction_id": ("transaction_id", "transaction", "id", "no_transaction"),
    "amount": ("amount", "montant"),
    "date": ("settled_at", "date", "settlement_date", "paid_at", "date_reglement"),
    "status": ("status", "statut"),
}
"""Each column we read and the header names accepted for it (case and accents ignored)."""
REFUNDED = frozenset({"refunded", "refund", "rembourse", "remboursement"})
NOT_SETTLED = frozenset({"declined", "failed", "refused", "refuse", "echoue", "decline"})
MAX_BYTES = 50 * 1024 * 1024

_DMY = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


class SettlementFileInvalid(InvalidInput):
    message = N_("Fichier de règlement illisible.")


@dataclass(frozen=True)
class SettledRow:
    """A row of the settlement file as read (`line`: its line number in the file)."""

    line: int
    transaction_id: str
    amount: Decimal
    settled_on: date | None
    refunded: bool


@dataclass(frozen=True)
class RowProblem:
    """A row that could not be read, and why (in French; translated when shown)."""

    line: int
    problem: DomainError


@dataclass(frozen=True)
class PostedOnline:
    """An online payment posted here, as the reconciliation shows it."""

    transaction_id: str
    receipt_number: str
    family_number: str
    amount: Decimal
    paid_on: date
    voided: bool


@dataclass(frozen=True)
class Difference:
    """One transaction that does not agree: the file's row and/or the posted payment."""

    transaction_id: str
    settled: SettledRow | None
    posted: PostedOnline | None


@dataclass(frozen=True)
class Reconciliation:
    """What `reconcile_online` found over `period_from`..`period_to` (inclusive)."""

    period_from: date | None
    period_to: date | None
    file_rows: int
    matched: int
    matched_total: Decimal
    missing: tuple[Difference, ...]
    extra: tuple[Difference, ...]
    amount_differs: tuple[Difference, ...]
    voided_but_settled: tuple[Difference, ...]
    refunded_but_live: tuple[Difference, ...]
    unreadable: tuple[RowProblem, ...]

    @property
    def ok(self) -> bool:
        """Everything matches: nothing missing, extra, different or unreadable."""
        return not (
            self.missing
            or self.extra
            or self.amount_differs
            or self.voided_but_settled
            or self.refunded_but_live
            or self.unreadable
        )


def decode_settlement(data: bytes) -> str:
    """The file's text: UTF-8 (a BOM is dropped), else Windows-1252 (SettlementFileInvalid)."""
    if len(data) > MAX_BYTES:
        raise SettlementFileInvalid(N_("Fichier de règlement trop volumineux."), field="file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise SettlementFileInvalid(
            N_("Encodage du fichier non reconnu (UTF-8 ou Windows-1252 attendu)."), field="file"
        ) from error


def _key(header: str) -> str:
    """A header name compared without case, accents, spaces or hyphens."""
    import unicodedata

    plain = unicodedata.normalize("NFKD", header.strip().lower())
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return re.sub(r"[\s\-]+", "_", plain)


def _day(text: str) -> date:
    found = _DMY.match(text)
    if found:
        return date(int(found[3]), int(found[2]), int(found[1]))
    found = _YMD.match(text)
    if found and (len(text) == 10 or "T" in text or " " in text):
        if len(text) > 10:
            instant = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return local_date(instant) if instant.tzinfo is not None else instant.date()
        return date(int(found[1]), int(found[2]), int(found[3]))
    raise ValueError(text)


def _amount(text: str) -> Decimal:
    value = text.strip()
    negative = value.startswith("-")
    amount = parse_money(value.removeprefix("-"), "fr_CA", field="amount")
    return -amount if negative else amount


def read_settlement(text: str) -> tuple[list[SettledRow], list[RowProblem]]:
    """The rows of a settlement file's text and the rows it could not read.

    Refuses, with SettlementFileInvalid: no header, or a header without a transaction id
    or amount column.
    """
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise SettlementFileInvalid(N_("Le fichier est vide : un en-tête est attendu."))
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [_key(name) for name in next(reader)]
    where: dict[str, int] = {}
    for column, names in COLUMNS.items():
        for index, name in enumerate(header):
            if name in names and column not in where:
                where[column] = index
    for needed in ("transaction_id", "amount"):
        if needed not in where:
            raise SettlementFileInvalid(
                N_("Colonne « {column} » absente de l'en-tête du fichier."),
                field="file",
                column=needed,
            )
    rows: list[SettledRow] = []
    problems: list[RowProblem] = []
    seen: set[tuple[str, bool]] = set()
    for values in reader:
        line = reader.line_num
        if not any(value.strip() for value in values):
            continue

        def value(column: str, cells: list[str] = values) -> str:
            index = where.get(column)
            return (
                clean_text(cells[index]).strip() if index is not None and index < len(cells) else ""
            )

        transaction_id = value("transaction_id")
        status = _key(value("status"))
        if status in NOT_SETTLED:
            continue
        try:
            if not transaction_id:
                raise InvalidInput(N_("Numéro de transaction absent."), field="transaction_id")
            if (transaction_id, status in REFUNDED) in seen:
                raise InvalidInput(
                    N_("Transaction {id} en double dans le fichier."),
                    field="transaction_id",
                    id=transaction_id,
                )
            amount = _amount(value("amount"))
            try:
                settled_on = _day(value("date")) if value("date") else None
            except ValueError as error:
                raise InvalidInput(
                    N_("Date illisible : « {text} » (AAAA-MM-JJ ou JJ/MM/AAAA)."),
                    field="date",
                    text=value("date"),
                ) from error
        except DomainError as problem:
            problems.append(RowProblem(line, problem))
            continue
        refunded = status in REFUNDED or amount < 0
        seen.add((transaction_id, refunded))
        rows.append(SettledRow(line, transaction_id, abs(amount), settled_on, refunded))
    return rows, problems


def _posted(
    uow: UnitOfWork, transaction_ids: set[str], start: date | None, end: date | None
) -> list[PostedOnline]:
    """The online payments named in the file, and those paid during the period."""
    query = (
        select(Payment, Receipt.number, Family.family_number, PaymentVoid.id)
        .join(Receipt, col(Receipt.payment_id) == col(Payment.id))
        .join(Family, col(Family.id) == col(Payment.family_id))
        .outerjoin(PaymentVoid, col(PaymentVoid.payment_id) == col(Payment.id))
        .where(col(Payment.method) == PaymentMethod.ONLINE.value)
    )
    found: list[PostedOnline] = []
    for payment, number, family_number, void_id in uow.session.exec(query).all():
        assert payment.processor_transaction_id is not None and payment.paid_at is not None
        paid_on = local_date(payment.paid_at)
        in_period = (start is None or paid_on >= start) and (end is None or paid_on <= end)
        if payment.processor_transaction_id in transaction_ids or in_period:
            found.append(
                PostedOnline(
                    transaction_id=payment.processor_transaction_id,
                    receipt_number=number,
                    family_number=family_number,
                    amount=payment.amount,
                    paid_on=paid_on,
                    voided=void_id is not None,
                )
            )
    return found


def reconcile_online(
    uow: UnitOfWork, data: bytes, *, period_from: date | None = None, period_to: date | None = None
) -> Reconciliation:
    """Match a settlement file's rows with the posted online payments by transaction id.

    The period (inclusive, local days) says which rows of the file count (a row without a
    date always counts) and which posted payments must be in it (by the day the parent
    paid); without one, it spans the file's dates (every payment when the file has none).
    A row the file cannot give (no id, an amount or a date unreadable, an id twice) is
    listed as unreadable with its line. Refuses SettlementFileInvalid (encoding, header)
    and InvalidInput (`period_to` before `period_from`).
    """
    if period_from is not None and period_to is not None and period_to < period_from:
        raise InvalidInput(N_("La fin de la période précède son début."), field="period_to")
    rows, problems = read_settlement(decode_settlement(data))
    days = [row.settled_on for row in rows if row.settled_on is not None]
    start = period_from if period_from is not None else (min(days) if days else None)
    end = period_to if period_to is not None else (max(days) if days else None)
    rows = [
        row
        for row in rows
        if row.settled_on is None
        or ((start is None or row.settled_on >= start) and (end is None or row.settled_on <= end))
    ]
    # A refund may come as a second row of the same transaction: the pair is a refund of
    # the amount settled.
    by_id: dict[str, SettledRow] = {}
    for row in rows:
        prior = by_id.get(row.transaction_id)
        if prior is None:
            by_id[row.transaction_id] = row
        else:
            settled = row if prior.refunded else prior
            by_id[row.transaction_id] = dataclasses.replace(settled, refunded=True)
    rows = list(by_id.values())
    posted = {p.transaction_id: p for p in _posted(uow, set(by_id), start, end)}
    missing: list[Difference] = []
    extra: list[Difference] = []
    differs: list[Difference] = []
    voided: list[Difference] = []
    refunded: list[Difference] = []
    matched, matched_total = 0, ZERO
    for row in rows:
        payment = posted.get(row.transaction_id)
        difference = Difference(row.transaction_id, row, payment)
        if payment is None:
            if not row.refunded:
                missing.append(difference)
        elif row.refunded:
            if not payment.voided:
                refunded.append(difference)
            else:
                matched += 1
        elif payment.voided:
            voided.append(difference)
        elif row.amount != payment.amount:
            differs.append(difference)
        else:
            matched += 1
            matched_total += row.amount
    for transaction_id, payment in sorted(posted.items()):
        if transaction_id not in by_id and not payment.voided:
            extra.append(Difference(transaction_id, None, payment))
    return Reconciliation(
        period_from=start,
        period_to=end,
        file_rows=len(rows),
        matched=matched,
        matched_total=matched_total,
        missing=tuple(missing),
        extra=tuple(extra),
        amount_differs=tuple(differs),
        voided_but_settled=tuple(voided),
        refunded_but_live=tuple(refunded),
        unreadable=tuple(problems),
    )
