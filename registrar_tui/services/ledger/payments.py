"""Posting a payment at the counter: checks, allocation, receipt and audit, in one transaction.

`write_payment` is the one writer of a payment and what goes with it, for the counter
(`post_payment`) and for the portal's online payments (services/ledger/online.py).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ARRAY,
    Integer,
    String,
    and_,
    any_,
    bindparam,
    false,
    func,
    insert,
    literal,
    true,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select as sa_select
from sqlmodel import col

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    Allocation,
    Establishment,
    Family,
    Guardian,
    Invoice,
    NumberSequence,
    Payment,
    ReceiptHandover,
    StaffUser,
    Student,
    Term,
)
from registrar_tui.models.base import PaymentMethod, require_id
from registrar_tui.models.money import Cents
from registrar_tui.services.audit.chain import canonical_json
from registrar_tui.services.audit.ledger_chain import PendingLink, pending_links
from registrar_tui.services.audit.record import ensure_sequence_rows
from registrar_tui.services.core.clock import utc_now
from registrar_tui.services.core.errors import (
    InvalidAmount,
    MoneyParam,
    NotFound,
    PermissionDenied,
)
from registrar_tui.services.core.money import ZERO, to_cents, valid_amount
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.ledger.errors import (
    AmountExceedsBalance,
    CreditNotAccepted,
    IdempotencyConflict,
    InvoiceAlreadyPaid,
    InvoiceCancelled,
    MissingPaymentDetail,
    StaleBalance,
)
from registrar_tui.services.ledger.locks import lock_family, lock_invoices
from registrar_tui.services.ledger.posted_receipts import (
    AllocationLine,
    PostedPayment,
    allocation_lines,
    payment_receipt,
    posted_payment,
    view_of,
)
from registrar_tui.services.ledger.receipts import (
    NOT_ISSUED_YET,
    POST_ACTION,
    AuditDraft,
    IssuedReceipt,
    issue_payment_receipt,
    payment_chain_keys,
)
from registrar_tui.services.ledger.statement import (
    FAMILY_CREDIT,
    INVOICE_IS_OPEN,
    InvoiceFigures,
    invoice_figures,
)

CARD_METHODS = frozenset({PaymentMethod.DEBIT, PaymentMethod.CREDIT_CARD})
CHEQUE_METHODS = frozenset({PaymentMethod.CHEQUE, PaymentMethod.CERTIFIED_CHEQUE})
_LAST4 = re.compile(r"^[0-9]{4}$")
_AUTHORIZATION = re.compile(r"^[0-9A-Za-z-]{1,20}$")


@dataclass(frozen=True)
class InvoiceChoice:
    """An invoice the clerk chose, and optionally how much of the payment goes to it."""

    invoice_id: int
    amount: Decimal | None = None
    """None: as much as the invoice still owes (within what is left of the payment)."""


@dataclass(frozen=True)
class PaymentRequest:
    """What the payment form submits.

    `seen_balance` is the total balance of the targeted invoices as the clerk saw it (all
    the family's unpaid invoices when `invoices` is empty); `idempotency_key` is created
    when the form opens, so a retry of the same submission posts nothing new.
    """

    idempotency_key: str
    family_id: int
    establishment_id: int
    clerk_id: int
    amount: Decimal
    method: PaymentMethod
    seen_balance: Decimal
    invoices: tuple[InvoiceChoice, ...] = ()
    amount_tendered: Decimal | None = None
    card_brand: str | None = None
    card_last4: str | None = None
    authorization_number: str | None = None
    cheque_number: str | None = None
    cheque_bank: str | None = None
    credit_accepted: Decimal | None = None
    """The family credit the clerk agreed to leave (0: none). Posting refuses a payment
    whose split would leave any other credit (CreditNotAccepted): money handed over is
    never kept as credit behind the clerk's back. None: the caller does not check."""


@dataclass(frozen=True)
class _Checked:
    """A request once validated: what would be stored, to the cent and cleaned text."""

    amount: Decimal
    seen: Decimal
    tendered: Decimal | None
    card_brand: str | None
    card_last4: str | None
    authorization_number: str | None
    cheque_number: str | None
    cheque_bank: str | None
    choices: tuple[tuple[int, Decimal | None], ...]

    def fingerprint(self, request: PaymentRequest) -> str:
        # In cents, as it always was: a retry must match a payment stored before.
        content = {
            "family_id": request.family_id,
            "establishment_id": request.establishment_id,
            "clerk_id": request.clerk_id,
            "method": str(request.method),
            "amount_cents": to_cents(self.amount),
            "seen_cents": to_cents(self.seen),
            "tendered_cents": None if self.tendered is None else to_cents(self.tendered),
            "card": [self.card_brand, self.card_last4, self.authorization_number],
            "cheque": [self.cheque_number, self.cheque_bank],
            "choices": [
                [invoice_id, None if part is None else to_cents(part)]
                for invoice_id, part in self.choices
            ],
        }
        return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def _check_request(request: PaymentRequest) -> _Checked:
    """Validate everything that needs no database; every refusal names its field."""
    amount = valid_amount(request.amount)
    seen = valid_amount(request.seen_balance, field="seen_balance", allow_zero=True)
    # Every text field is checked for a card number, whatever the method.
    brand = safe_text(request.card_brand, field="card_brand", max_length=20) or None
    last4 = safe_text(request.card_last4, field="card_last4") or None
    authorization = safe_text(request.authorization_number, field="authorization_number") or None
    cheque_number = safe_text(request.cheque_number, field="cheque_number") or None
    bank = safe_text(request.cheque_bank, field="cheque_bank", max_length=100) or None
    if request.method is PaymentMethod.ONLINE:
        # An online payment needs the processor's transaction id: only the portal's
        # report of it posts one, never a counter form.
        raise MissingPaymentDetail(
            N_("Un paiement en ligne est déclaré par le portail, pas au comptoir."),
            field="method",
        )
    tendered: Decimal | None = None
    if request.method is PaymentMethod.CASH:
        tendered = amount
        if request.amount_tendered is not None:
            tendered = valid_amount(request.amount_tendered, field="amount_tendered")
            if tendered < amount:
                raise InvalidAmount(
                    N_("Le montant remis est inférieur au montant à payer."),
                    field="amount_tendered",
                )
    if request.method in CARD_METHODS:
        if last4 is None or not _LAST4.match(last4):
            raise MissingPaymentDetail(
                N_("Indiquez les 4 derniers chiffres de la carte."), field="card_last4"
            )
        if authorization is None or not _AUTHORIZATION.match(authorization):
            raise MissingPaymentDetail(
                N_("Indiquez le numéro d'autorisation du terminal."), field="authorization_number"
            )
        if brand is None:
            if request.method is PaymentMethod.CREDIT_CARD:
                raise MissingPaymentDetail(
                    N_("Indiquez la marque de la carte."), field="card_brand"
                )
            brand = "Interac"
    if request.method in CHEQUE_METHODS:
        if cheque_number is None or len(cheque_number) > 20:
            raise MissingPaymentDetail(N_("Indiquez le numéro du chèque."), field="cheque_number")
        if bank is None:
            raise MissingPaymentDetail(N_("Indiquez la banque du chèque."), field="cheque_bank")
    choices: list[tuple[int, Decimal | None]] = []
    for choice in request.invoices:
        part = None if choice.amount is None else valid_amount(choice.amount, field="invoices")
        choices.append((choice.invoice_id, part))
    if len({invoice_id for invoice_id, _ in choices}) != len(choices):
        raise InvalidAmount(N_("Une facture est choisie deux fois."), field="invoices")
    is_card = request.method in CARD_METHODS
    is_cheque = request.method in CHEQUE_METHODS
    return _Checked(
        amount=amount,
        seen=seen,
        tendered=tendered,
        card_brand=brand if is_card else None,
        card_last4=last4 if is_card else None,
        authorization_number=authorization if is_card else None,
        cheque_number=cheque_number if is_cheque else None,
        cheque_bank=bank if is_cheque else None,
        choices=tuple(choices),
    )


def allocation_targets(
    uow: UnitOfWork,
    family_id: int,
    choices: tuple[tuple[int, Decimal | None], ...],
    *,
    lock: bool,
) -> list[tuple[InvoiceFigures, Decimal | None]]:
    """The invoices a payment goes to, in payment order, with the clerk's chosen parts.

    `choices` are (invoice id, part or None); empty means every open invoice of
    the family, oldest due first. With `lock` the rows are locked before their balances
    are read (posting); the preview reads without locking. Refuses an invoice of another
    family (or unknown) with NotFound.
    """
    # Row locks are PostgreSQL's: a SQLite writer holds the whole database already (its
    # write transaction begins IMMEDIATE), and its lock statements would only read.
    lock = lock and uow.session.get_bind().dialect.name == "postgresql"
    if choices:
        ids = tuple(invoice_id for invoice_id, _ in choices)
        if lock:
            lock_invoices(uow, ids)
        by_id = {figures.invoice_id: figures for figures in invoice_figures(uow, invoice_ids=ids)}
        for invoice_id in ids:
            if invoice_id not in by_id or by_id[invoice_id].family_id != family_id:
                raise NotFound(N_("Facture introuvable."), field="invoices")
        return [(by_id[invoice_id], part) for invoice_id, part in choices]
    if lock:
        # The open invoices found and locked in one statement, in id order; their figures
        # are read after it, under the locks.
        uow.execute(_LOCK_OPEN_INVOICES, {"family_id": family_id})
    return [
        (figures, None)
        for figures in invoice_figures(uow, family_id=family_id)
        if not figures.is_cancelled and figures.balance > 0
    ]


_LOCK_OPEN_INVOICES = (
    sa_select(col(Invoice.id))
    .where(col(Invoice.family_id) == bindparam("family_id"), INVOICE_IS_OPEN)
    .order_by(col(Invoice.id))
    .with_for_update(of=Invoice, key_share=True)
)


def targets_balance(targets: list[tuple[InvoiceFigures, Decimal | None]]) -> Decimal:
    """What the clerk's `seen_balance` is compared with: the targets' balances still owed."""
    return sum((max(figures.balance, ZERO) for figures, _ in targets), ZERO)


def _targets(
    uow: UnitOfWork, family_id: int, checked: _Checked
) -> list[tuple[InvoiceFigures, Decimal | None]]:
    """The invoices to pay with their requested parts, rows locked; stale view refused."""
    targets = allocation_targets(uow, family_id, checked.choices, lock=True)
    if targets_balance(targets) != checked.seen:
        raise StaleBalance()
    for figures, _ in targets:
        if figures.is_cancelled:
            raise InvoiceCancelled(field="invoices")
        if figures.balance <= 0:
            raise InvoiceAlreadyPaid(field="invoices")
    return targets


def split_allocation(
    amount: Decimal, targets: list[tuple[InvoiceFigures, Decimal | None]]
) -> list[tuple[InvoiceFigures, Decimal]]:
    """How much goes to each invoice: chosen parts first, then in order; the rest is credit.

    Refuses parts above the payment, or a part above its invoice's balance, with
    AmountExceedsBalance. Used by `post_payment` and by the payment form's preview.
    """
    fixed = sum((part for _, part in targets if part is not None), ZERO)
    if fixed > amount:
        raise AmountExceedsBalance(
            N_("L'imputation ({allocated}) dépasse le montant du paiement ({amount})."),
            field="invoices",
            allocated=MoneyParam(fixed),
            amount=MoneyParam(amount),
        )
    remaining = amount - fixed
    parts: list[tuple[InvoiceFigures, Decimal]] = []
    for figures, part in targets:
        if part is not None:
            if part > figures.balance:
                raise AmountExceedsBalance(field="invoices", balance=MoneyParam(figures.balance))
            parts.append((figures, part))
            continue
        share = min(remaining, figures.balance)
        remaining -= share
        if share > 0:
            parts.append((figures, share))
    return parts


_CLERK_AND_SITE = (
    sa_select(StaffUser, Establishment)
    .select_from(StaffUser)
    .outerjoin(Establishment, col(Establishment.id) == bindparam("establishment_id"))
    .where(col(StaffUser.id) == bindparam("clerk_id"))
)
_PAYER_AND_CREDIT = (
    sa_select(col(Guardian.first_name), col(Guardian.last_name), FAMILY_CREDIT)
    .select_from(Family)
    .outerjoin(Guardian, and_(col(Guardian.family_id) == col(Family.id), col(Guardian.is_payer)))
    .where(col(Family.id) == bindparam("family_id"))
)
"""The family's payer (one at most) and its credit: read after the payment is written."""


def _staged_receipt(uow: UnitOfWork, staged: StagedPayment) -> StagedReceipt:
    """A staged payment's receipt lines, payer and family credit, read (two statements)."""
    payer = uow.execute(_PAYER_AND_CREDIT, {"family_id": staged.payment.family_id}).one()
    return StagedReceipt(
        allocations=allocation_lines(uow, staged.payment_id),
        payer_name=f"{payer[0]} {payer[1]}" if payer[0] is not None else None,
        family_credit_after=payer[2],
    )


_BY_IDEMPOTENCY_KEY = sa_select(col(Payment.id), col(Payment.request_fingerprint)).where(
    col(Payment.idempotency_key) == bindparam("key")
)
"""A payment already posted with this key (read after the family's lock: a retry of the
same submission waits for the first one's commit, then finds it)."""
_LOCKED_FAMILY_CLERK_AND_SITE = (
    sa_select(Family, StaffUser, Establishment)
    .select_from(Family)
    .join(StaffUser, col(StaffUser.id) == bindparam("clerk_id"))
    .join(Establishment, col(Establishment.id) == bindparam("establishment_id"))
    .where(col(Family.id) == bindparam("family_id"))
    .with_for_update(of=Family, key_share=True)
)
"""The family, its row locked as `locks.lock_family` locks it (FOR NO KEY UPDATE), with the
clerk and the site (when all three exist)."""
_LOCKED_FAMILY_CLERK_AND_SITE_PG = _LOCKED_FAMILY_CLERK_AND_SITE.add_columns(
    func.set_config("plan_cache_mode", "force_generic_plan", True),
    sa_select(func.count())
    .where(col(NumberSequence.key) == any_(bindparam("chain_keys", type_=ARRAY(String()))))
    .scalar_subquery(),
)
"""The same, on PostgreSQL, with how many of the payment chains' lock rows exist (all but
for a chain's first writer: `post_payment` creates them before its last statement), and
this transaction's statements planned once per connection.

The staging statement (`_insert_staged`) knows its arrays' lengths only when planned for
its values: PostgreSQL then finds every such plan cheaper than the one made once for all
and planned it again at every payment (0.45 ms of the server's time, as much as running
it; run, the general plan is as fast). The setting ends with the transaction (SET LOCAL);
the posting's other statements were planned once already."""


def _clerk_site_and_family(
    uow: UnitOfWork, request: PaymentRequest, chain_keys: tuple[str, ...]
) -> tuple[StaffUser, Establishment, Family, bool]:
    """The clerk (active: else PermissionDenied), the establishment (else NotFound) and the
    family, its row locked (else NotFound): one statement when all three exist; else the
    checks one by one, in that order, for the refusal. And whether the lock rows
    `chain_keys` all exist (PostgreSQL; SQLite's chains need none beforehand)."""
    postgresql = uow.session.get_bind().dialect.name == "postgresql"
    params: dict[str, Any] = {
        "clerk_id": request.clerk_id,
        "establishment_id": request.establishment_id,
        "family_id": request.family_id,
    }
    if postgresql:
        params["chain_keys"] = list(chain_keys)
    found = uow.session.execute(
        _LOCKED_FAMILY_CLERK_AND_SITE_PG if postgresql else _LOCKED_FAMILY_CLERK_AND_SITE, params
    ).first()
    if found is None:
        clerk, establishment = _clerk_and_site(uow, request)
        return clerk, establishment, lock_family(uow, request.family_id), not postgresql
    family, clerk, establishment = found[:3]
    if not clerk.is_active:
        raise PermissionDenied()
    return clerk, establishment, family, not postgresql or found[4] == len(chain_keys)


def _clerk_and_site(uow: UnitOfWork, request: PaymentRequest) -> tuple[StaffUser, Establishment]:
    """The clerk (active: else PermissionDenied) and the establishment (else NotFound),
    in one statement (what `active_staff` and a `get` would read in two)."""
    found = uow.session.execute(
        _CLERK_AND_SITE,
        {"clerk_id": request.clerk_id, "establishment_id": request.establishment_id},
    ).first()
    if found is None or not found[0].is_active:
        raise PermissionDenied()
    if found[1] is None:
        raise NotFound(N_("Établissement introuvable."), field="establishment_id")
    return found[0], found[1]


def post_payment(uow: UnitOfWork, request: PaymentRequest) -> PostedPayment:
    """Post a payment received at the counter, with its allocations, receipt, audit event
    and the pending handover of its receipt (`ReceiptHandover`).

    Invoices are paid in the clerk's chosen order and amounts, or oldest due first; what is
    left becomes family credit. A retry with the same idempotency key and the same content
    returns the payment already posted (`replayed=True`).

    Refuses, writing nothing: InvalidAmount (zero, negative, sub-cent, tendered cash below
    the amount), CardNumberRefused (a full card number in any text field),
    MissingPaymentDetail (card last 4 digits / authorization, cheque number / bank),
    PermissionDenied (unknown or inactive clerk), NotFound (family, establishment, an
    invoice of another family), IdempotencyConflict (same key, different content),
    StaleBalance (the invoices' balance is not the one the clerk saw), InvoiceCancelled,
    InvoiceAlreadyPaid (a chosen invoice owes nothing), AmountExceedsBalance (a chosen
    part above the invoice's balance, or parts above the payment), CreditNotAccepted (the
    split would leave family credit other than `credit_accepted`, field `amount`).

    Its last statement writes the receipt's chains: in a unit of work that is this one call
    (`Database.write(one_call=True)`, the payment screen's), the transaction commits with
    it, on PostgreSQL in the same round trip (`UnitOfWork.execute_last`).
    """
    checked = _check_request(request)
    if not request.idempotency_key or len(request.idempotency_key) > 64:
        raise InvalidAmount(N_("Clé d'idempotence invalide."), field="idempotency_key")
    now = utc_now(uow)
    chain_keys = payment_chain_keys(request.establishment_id, now)
    clerk, establishment, family, chains_ready = _clerk_site_and_family(uow, request, chain_keys)
    fingerprint = checked.fingerprint(request)
    existing = uow.execute(_BY_IDEMPOTENCY_KEY, {"key": request.idempotency_key}).first()
    if existing is not None:
        if existing[1] != fingerprint:
            raise IdempotencyConflict()
        return payment_receipt(uow, int(existing[0]), replayed=True)

    parts = split_allocation(checked.amount, _targets(uow, request.family_id, checked))
    credit_created = checked.amount - sum((share for _, share in parts), ZERO)
    if request.credit_accepted is not None and credit_created != request.credit_accepted:
        raise CreditNotAccepted(field="amount", credit=MoneyParam(credit_created))
    change = None if checked.tendered is None else checked.tendered - checked.amount
    payment = Payment(
        establishment_id=request.establishment_id,
        family_id=request.family_id,
        clerk_id=request.clerk_id,
        received_at=now,
        amount=checked.amount,
        method=request.method,
        card_brand=checked.card_brand,
        card_last4=checked.card_last4,
        authorization_number=checked.authorization_number,
        cheque_number=checked.cheque_number,
        cheque_bank=checked.cheque_bank,
        tendered=checked.tendered,
        change=change,
        idempotency_key=request.idempotency_key,
        request_fingerprint=fingerprint,
    )
    staged = stage_payment(uow, payment, parts)
    # The receipt's content is read now, before the chains' locks are taken: only the
    # receipt's number and hash come after. A payment just written has no void, and its
    # family, clerk and site were read above: two statements, not seven.
    receipt = staged.receipt or _staged_receipt(uow, staged)
    content = posted_payment(
        payment,
        issued=NOT_ISSUED_YET,
        establishment=view_of(establishment),
        family=family,
        payer_name=receipt.payer_name,
        clerk_name=clerk.full_name,
        allocations=receipt.allocations,
        credit_created=staged.credit_created,
        family_credit_after=receipt.family_credit_after,
    )
    if not chains_ready:  # a chain's first writer: its rows created before the locks
        ensure_sequence_rows(uow, chain_keys)
    # The last statement: a unit of work that is this one call commits with it.
    issued = chain_payment(uow, staged, establishment, last=True)
    return replace(
        content,
        receipt_id=issued.receipt_id,
        receipt_number=issued.number,
        receipt_hash=issued.hash,
    )


@dataclass(frozen=True)
class StagedPayment:
    """A payment written with its allocations and pending handover, not chained yet."""

    payment: Payment
    payment_id: int
    parts: tuple[tuple[InvoiceFigures, Decimal], ...]
    links: tuple[PendingLink, ...]
    credit_created: Decimal
    receipt: StagedReceipt | None = None
    """What the receipt shows besides the payment, read by the statement that wrote it
    (PostgreSQL); None: to be read."""


@dataclass(frozen=True)
class StagedReceipt:
    """A fresh payment's receipt lines, payer and the family's credit after it."""

    allocations: tuple[AllocationLine, ...]
    payer_name: str | None
    family_credit_after: Decimal


def stage_payment(
    uow: UnitOfWork, payment: Payment, parts: list[tuple[InvoiceFigures, Decimal]]
) -> StagedPayment:
    """Write a checked payment (flushed already or not) with its allocations (`parts`,
    from `split_allocation`) and the pending handover of its receipt, and digest its
    ledger links: everything of a payment but its place in the chains (`chain_payment`),
    so that the caller can read what it needs before the chains' locks are taken.
    Refuses nothing: the caller checked the request, locked the family and the invoices.
    """
    now = payment.received_at
    # Handing the receipt over (original PDF, e-mail) is pending work written in this very
    # transaction: a crash right after the commit leaves it to complete, never lost
    # (services/outbox/handover.py completes it exactly once).
    receipt: StagedReceipt | None = None
    if payment.id is None and uow.session.get_bind().dialect.name == "postgresql":
        allocations, receipt = _insert_staged(uow, payment, parts)
    else:
        uow.session.add(payment)
        uow.session.flush()
        payment_id = require_id(payment)
        allocations = [
            Allocation(
                payment_id=payment_id, invoice_id=figures.invoice_id, amount=share, created_at=now
            )
            for figures, share in parts
        ]
        handover = ReceiptHandover(payment_id=payment_id, requested_at=now)
        uow.session.add_all([*allocations, handover])
        uow.session.flush()
    payment_id = require_id(payment)
    return StagedPayment(
        payment=payment,
        payment_id=payment_id,
        parts=tuple(parts),
        links=tuple(pending_links([payment, *allocations])),
        credit_created=payment.amount - sum((share for _, share in parts), ZERO),
        receipt=receipt,
    )


def _column_binds(model: Any, prefix: str) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A model's columns but its id as bound parameters `prefix + attribute`, and the
    attributes, in order (a money attribute `amount` is the column `amount_cents`)."""
    binds: dict[str, Any] = {}
    names: list[str] = []
    for attribute in sa_inspect(model).column_attrs:
        if attribute.key == "id":
            continue
        column = attribute.columns[0]
        binds[column.name] = bindparam(prefix + attribute.key, type_=column.type)
        names.append(attribute.key)
    return binds, tuple(names)


def _staging_statement() -> tuple[Any, tuple[str, ...]]:
    """PostgreSQL: a payment, its allocations and its pending handover in one statement
    (data-modifying CTEs), built once; the allocations' rows given as two arrays, inserted
    in their order (their ids follow it: a receipt lists them by id)."""
    payments: Any = sa_inspect(Payment).local_table
    allocations: Any = sa_inspect(Allocation).local_table
    handovers: Any = sa_inspect(ReceiptHandover).local_table
    binds, names = _column_binds(Payment, "p_")
    new_payment = insert(payments).values(binds).returning(payments.c.id).cte("new_payment")
    parts = (
        func.unnest(
            bindparam("a_invoice_ids", type_=ARRAY(Integer())),
            bindparam("a_amounts", type_=ARRAY(Cents())),
        )
        .table_valued("invoice_id", "amount", with_ordinality="n")
        .render_derived(name="parts")
    )
    new_allocations = (
        insert(allocations)
        .from_select(
            ["payment_id", "invoice_id", "amount_cents", "created_at"],
            sa_select(
                new_payment.c.id,
                parts.c.invoice_id,
                parts.c.amount,
                bindparam("a_created_at", type_=allocations.c.created_at.type),
            )
            .select_from(new_payment)
            .join(parts, true())
            .order_by(parts.c.n),
        )
        .returning(allocations.c.id, allocations.c.invoice_id)
        .cte("new_allocations")
    )
    new_handover = insert(handovers).from_select(
        ["payment_id", "requested_at", "print_requested", "attempts", "last_error"],
        sa_select(
            new_payment.c.id,
            bindparam("h_requested_at", type_=handovers.c.requested_at.type),
            false(),
            literal(0),
            literal(""),
        ),
    )
    family: Any = bindparam("family_id")
    payer = (
        sa_select(col(Guardian.first_name), col(Guardian.last_name))
        .where(col(Guardian.family_id) == family, col(Guardian.is_payer))
        .subquery()
    )
    # What the receipt lists of each allocation (`posted_receipts.allocation_lines`), and the
    # payer and the family's credit: read on the statement's snapshot, before its writes.
    statement = (
        sa_select(
            new_payment.c.id,
            new_allocations.c.id,
            new_allocations.c.invoice_id,
            col(Invoice.number),
            col(Invoice.description),
            col(Student.first_name),
            col(Student.last_name),
            col(Term.code),
            sa_select(payer.c.first_name).scalar_subquery(),
            sa_select(payer.c.last_name).scalar_subquery(),
            FAMILY_CREDIT,
        )
        .select_from(new_payment)
        .outerjoin(new_allocations, true())
        .outerjoin(Invoice, col(Invoice.id) == new_allocations.c.invoice_id)
        .outerjoin(Student, col(Student.id) == col(Invoice.student_id))
        .outerjoin(Term, col(Term.id) == col(Invoice.term_id))
        .add_cte(new_handover.cte("new_handover"))
    )
    return statement, names


_STAGE_PG, _PAYMENT_ATTRIBUTES = _staging_statement()


def _insert_staged(
    uow: UnitOfWork, payment: Payment, parts: list[tuple[InvoiceFigures, Decimal]]
) -> tuple[list[Allocation], StagedReceipt]:
    """`stage_payment`'s rows on PostgreSQL, in one statement (no ORM unit of work): the
    payment gets its id, its allocations are returned with theirs, and the receipt's
    lines, payer and the family's credit after the payment with them."""
    now = payment.received_at
    params: dict[str, Any] = {f"p_{name}": getattr(payment, name) for name in _PAYMENT_ATTRIBUTES}
    params["a_invoice_ids"] = [figures.invoice_id for figures, _ in parts]
    params["a_amounts"] = [share for _, share in parts]
    params["a_created_at"] = now
    params["h_requested_at"] = now
    params["family_id"] = payment.family_id
    rows = uow.execute(_STAGE_PG, params).all()
    payment.id = int(rows[0][0])
    found = {int(row[2]): row for row in rows if row[1] is not None}
    allocations = [
        Allocation(
            id=int(found[figures.invoice_id][1]),
            payment_id=payment.id,
            invoice_id=figures.invoice_id,
            amount=share,
            created_at=now,
        )
        for figures, share in parts
    ]
    # The invoices were read under their locks just before: each one's balance right
    # after this payment is what it owed less its share (what `allocation_lines` reads
    # back from the allocations up to this one).
    lines = sorted(  # by allocation id: the receipt's order
        ((found[figures.invoice_id], figures, share) for figures, share in parts),
        key=lambda line: int(line[0][1]),
    )
    first, last, credit_before = rows[0][8], rows[0][9], rows[0][10]
    credit_created = payment.amount - sum((share for _, share in parts), ZERO)
    return allocations, StagedReceipt(
        allocations=tuple(
            AllocationLine(
                invoice_id=figures.invoice_id,
                invoice_number=row[3],
                description=row[4],
                student_name=f"{row[5]} {row[6]}" if row[5] is not None else None,
                term_code=row[7],
                amount=share,
                balance_after=figures.balance - share,
            )
            for row, figures, share in lines
        ),
        payer_name=f"{first} {last}" if first is not None else None,
        family_credit_after=credit_before + credit_created,
    )


def chain_payment(
    uow: UnitOfWork,
    staged: StagedPayment,
    establishment: Establishment,
    audit: dict[str, object] | None = None,
    *,
    last: bool = False,
) -> IssuedReceipt:
    """The last writes of a staged payment: its receipt numbered and chained at the
    payment's establishment, its ledger links and its audit event (`audit`: more of the
    event's after-values), with the chains' locks held from here to the commit
    (`receipts.issue_payment_receipt`). Nothing else should follow in the transaction;
    `last`: nothing of the caller's service follows (the unit of work may commit with it,
    `UnitOfWork.execute_last`; the rows of `receipts.payment_chain_keys` must exist).
    """
    payment = staged.payment

    def after(receipt_number: str) -> dict[str, object]:
        return {
            "receipt_number": receipt_number,
            "family_id": payment.family_id,
            "method": str(payment.method),
            # The audit trail keeps cents.
            "amount_cents": to_cents(payment.amount),
            "allocations": {str(f.invoice_id): to_cents(share) for f, share in staged.parts},
            "credit_created_cents": to_cents(staged.credit_created),
            **(audit or {}),
        }

    return issue_payment_receipt(
        uow,
        establishment=establishment,
        amount=payment.amount,
        issued_at=payment.received_at,
        payment_id=staged.payment_id,
        links=staged.links,
        audit=AuditDraft(payment.clerk_id, POST_ACTION, "payment", staged.payment_id, after),
        last=last,
    )


def write_payment(
    uow: UnitOfWork,
    payment: Payment,
    parts: list[tuple[InvoiceFigures, Decimal]],
    audit: dict[str, object] | None = None,
) -> int:
    """Write a checked payment (at the counter or reported online) with everything that
    goes with it, in the caller's write unit of work: its allocations (`parts`, from
    `split_allocation`), its receipt numbered and chained at the payment's establishment,
    its ledger links, the pending handover of its receipt and its audit event (`audit`:
    more of the event's after-values). Returns the payment's id. Refuses nothing: the
    caller checked the request, locked the family and the invoices.

    (`stage_payment` then `chain_payment`: a caller with more to read reads it between.)
    """
    staged = stage_payment(uow, payment, parts)
    establishment = uow.session.get_one(Establishment, payment.establishment_id)
    chain_payment(uow, staged, establishment, audit)
    return staged.payment_id
