"""Online payments: a card payment made on the family portal, reported by its processor.

The portal's API client reports each payment it took (`post_online_payment`); it is posted
like a counter payment (`payments.stage_payment` then `chain_payment`: allocations oldest
due first unless the parent chose the invoices, receipt numbered at the family's
establishment, ledger links, pending receipt handover, audit event), with the method
« en ligne », the portal's staff account (Role.PORTAL) as the clerk whose drawer it goes
to, and the processor's transaction id as the idempotency key: the same transaction
reported again posts nothing and returns the first result, even when two reports race
(the unique constraint decides).

Unlike the counter, nobody is there to be asked: what the payment does not owe stays as
family credit, and an invoice paid meanwhile simply takes nothing.

The receipt's handover (original PDF, the same e-mail to the payer as at the counter) is
pending work written with the payment: the caller completes it after the commit with
`services.outbox.handover.hand_over_receipt(database, payment_id, settings,
print_now=False)`; the app's start and `registrar-tui receipts resume` complete any left.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Establishment, Payment
from registrar_tui.models.base import PaymentMethod, Role, require_id
from registrar_tui.services.audit.chain import canonical_json
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.clock import as_utc, utc_now
from registrar_tui.services.core.errors import DomainError, InvalidAmount, InvalidInput, NotFound
from registrar_tui.services.core.money import ZERO, to_cents, valid_amount
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.ledger.locks import lock_family
from registrar_tui.services.ledger.payments import (
    InvoiceChoice,
    allocation_targets,
    chain_payment,
    split_allocation,
    stage_payment,
)
from registrar_tui.services.ledger.posted_receipts import (
    AllocationLine,
    allocation_lines,
    payment_receipt,
)

_TRANSACTION_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_AUTHORIZATION = re.compile(r"^[A-Za-z0-9]{1,20}$")
_LAST4 = re.compile(r"^[0-9]{4}$")
_CLOCK_SKEW = timedelta(minutes=5)
"""How far in the future a processor's `paid_at` may be (clocks differ a little)."""


class OnlineTransactionConflict(DomainError):
    """The processor's transaction id is already posted with another family, amount or
    card: a second payment under the same id is never posted."""

    message = N_(
        "Cette transaction du processeur est déjà enregistrée avec un autre contenu "
        "(famille, montant ou carte)."
    )


@dataclass(frozen=True)
class OnlinePaymentReport:
    """What the portal reports about a card payment its processor accepted."""

    portal_user_id: int
    """The API client's staff account (Role.PORTAL): the clerk of the payment's drawer."""
    family_id: int
    processor_transaction_id: str
    """The processor's id of the transaction: the idempotency key; [A-Za-z0-9_-], 1..64."""
    authorization_number: str
    card_brand: str
    """Visa, Mastercard, Amex, …"""
    card_last4: str
    """Exactly 4 digits (never the card number)."""
    amount: Decimal
    paid_at: datetime
    """Aware: when the processor accepted the card."""
    invoices: tuple[InvoiceChoice, ...] = ()
    """The invoices the parent paid (and how much of each); empty: oldest due first."""


@dataclass(frozen=True)
class PostedOnlinePayment:
    """An online payment as posted (or as first posted, on a replay)."""

    payment_id: int
    receipt_number: str
    establishment_code: str
    allocations: tuple[AllocationLine, ...]
    """Each invoice paid (`invoice_number`, `amount`, and its balance right after)."""
    credit_left: Decimal
    """The part of the payment left as family credit."""
    replayed: bool
    """True when this transaction id was already posted (nothing posted this time)."""
    family_id: int
    amount: Decimal
    processor_transaction_id: str
    paid_at: datetime
    received_at: datetime


@dataclass(frozen=True)
class _Checked:
    transaction_id: str
    authorization_number: str
    card_brand: str
    card_last4: str
    amount: Decimal
    paid_at: datetime
    choices: tuple[tuple[int, Decimal | None], ...]

    def fingerprint(self, report: OnlinePaymentReport) -> str:
        """What a replay must repeat: who reported it, the family, the money and the card."""
        content = {
            "portal_user_id": report.portal_user_id,
            "family_id": report.family_id,
            "amount_cents": to_cents(self.amount),
            "card_last4": self.card_last4,
            "authorization_number": self.authorization_number,
            "choices": [
                [invoice_id, None if part is None else to_cents(part)]
                for invoice_id, part in self.choices
            ],
        }
        return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def idempotency_key(transaction_id: str) -> str:
    """The payment's idempotency key for a processor transaction (never a counter key)."""
    return "online:" + hashlib.sha256(transaction_id.encode("utf-8")).hexdigest()[:56]


def _check_report(report: OnlinePaymentReport, now: datetime) -> _Checked:
    """Validate everything that needs no database; every refusal names its field."""
    transaction_id = safe_text(report.processor_transaction_id, field="processor_transaction_id")
    if not _TRANSACTION_ID.match(transaction_id):
        raise InvalidInput(
            N_("Numéro de transaction invalide : 1 à 64 lettres, chiffres, « _ » ou « - »."),
            field="processor_transaction_id",
        )
    amount = valid_amount(report.amount)
    brand = safe_text(report.card_brand, field="card_brand", max_length=20)
    if not brand:
        raise InvalidInput(N_("Indiquez la marque de la carte."), field="card_brand")
    last4 = safe_text(report.card_last4, field="card_last4")
    if not _LAST4.match(last4):
        raise InvalidInput(N_("Indiquez les 4 derniers chiffres de la carte."), field="card_last4")
    authorization = safe_text(report.authorization_number, field="authorization_number")
    if not _AUTHORIZATION.match(authorization):
        raise InvalidInput(
            N_("Numéro d'autorisation invalide : 1 à 20 lettres ou chiffres."),
            field="authorization_number",
        )
    if report.paid_at.tzinfo is None or report.paid_at.utcoffset() is None:
        raise InvalidInput(
            N_("L'heure du paiement doit indiquer son fuseau horaire."), field="paid_at"
        )
    paid_at = as_utc(report.paid_at)
    if paid_at > now + _CLOCK_SKEW:
        raise InvalidInput(N_("L'heure du paiement est dans le futur."), field="paid_at")
    choices: list[tuple[int, Decimal | None]] = []
    for choice in report.invoices:
        part = None if choice.amount is None else valid_amount(choice.amount, field="invoices")
        choices.append((choice.invoice_id, part))
    if len({invoice_id for invoice_id, _ in choices}) != len(choices):
        raise InvalidAmount(N_("Une facture est choisie deux fois."), field="invoices")
    return _Checked(
        transaction_id=transaction_id,
        authorization_number=authorization,
        card_brand=brand,
        card_last4=last4,
        amount=amount,
        paid_at=paid_at,
        choices=tuple(choices),
    )


def _posted(uow: UnitOfWork, payment_id: int, *, replayed: bool) -> PostedOnlinePayment:
    receipt = payment_receipt(uow, payment_id, replayed=replayed)
    payment = uow.session.get(Payment, payment_id)
    assert payment is not None and payment.processor_transaction_id is not None
    assert payment.paid_at is not None
    return PostedOnlinePayment(
        payment_id=payment_id,
        receipt_number=receipt.receipt_number,
        establishment_code=receipt.establishment.code,
        allocations=receipt.allocations,
        credit_left=receipt.credit_created,
        replayed=replayed,
        family_id=payment.family_id,
        amount=payment.amount,
        processor_transaction_id=payment.processor_transaction_id,
        paid_at=as_utc(payment.paid_at),
        received_at=as_utc(payment.received_at),
    )


def _just_posted(
    uow: UnitOfWork, payment: Payment, allocations: tuple[AllocationLine, ...], receipt_number: str
) -> PostedOnlinePayment:
    """The answer for a payment this transaction wrote, from what it read before the
    chains' locks (the family's, the receipt chain's, the ledger's and the audit's locks
    are held until the commit, and every other payment waits for them)."""
    payment_id = require_id(payment)
    establishment = uow.session.get_one(Establishment, payment.establishment_id)
    assert payment.processor_transaction_id is not None and payment.paid_at is not None
    return PostedOnlinePayment(
        payment_id=payment_id,
        receipt_number=receipt_number,
        establishment_code=establishment.code,
        allocations=allocations,
        credit_left=payment.amount - sum((line.amount for line in allocations), ZERO),
        replayed=False,
        family_id=payment.family_id,
        amount=payment.amount,
        processor_transaction_id=payment.processor_transaction_id,
        paid_at=as_utc(payment.paid_at),
        received_at=as_utc(payment.received_at),
    )


def _replay(uow: UnitOfWork, existing: Payment, fingerprint: str) -> PostedOnlinePayment:
    if existing.request_fingerprint != fingerprint:
        raise OnlineTransactionConflict(field="processor_transaction_id")
    return _posted(uow, require_id(existing), replayed=True)


def _existing(uow: UnitOfWork, transaction_id: str) -> Payment | None:
    return uow.session.exec(
        select(Payment).where(col(Payment.processor_transaction_id) == transaction_id)
    ).first()


def post_online_payment(uow: UnitOfWork, report: OnlinePaymentReport) -> PostedOnlinePayment:
    """Post a card payment the portal's processor accepted, in the caller's write unit of
    work: method « en ligne », clerk the portal's account, receipt from the family's
    establishment, invoices oldest due first unless chosen, the rest as family credit, the
    receipt's handover pending (see the module), the audit event by the portal's account.

    The same transaction id reported again returns the first result (`replayed=True`) and
    posts nothing, also when two reports race.

    Refuses, writing nothing: PermissionDenied (the portal account unknown, inactive or not
    Role.PORTAL), InvalidInput / InvalidAmount per field (`processor_transaction_id`,
    `amount` ≤ 0 or sub-cent, `card_brand`, `card_last4`, `authorization_number`,
    `paid_at` naive or more than 5 minutes ahead, `invoices` chosen twice),
    CardNumberRefused (a card number in any text field), NotFound (`family_id`; an unknown
    invoice or another family's: `invoices`), AmountExceedsBalance (a chosen part above
    its invoice's balance or parts above the payment: `invoices`),
    OnlineTransactionConflict (the transaction id already posted with another family,
    amount, card or portal client: `processor_transaction_id`).
    """
    now = utc_now(uow)
    checked = _check_report(report, now)
    active_staff(uow, report.portal_user_id, roles=(Role.PORTAL,))
    try:
        family = lock_family(uow, report.family_id)  # read and locked in one statement
    except NotFound:
        raise NotFound(N_("Famille introuvable."), field="family_id") from None
    fingerprint = checked.fingerprint(report)
    existing = _existing(uow, checked.transaction_id)
    if existing is not None:
        return _replay(uow, existing, fingerprint)
    targets = allocation_targets(uow, report.family_id, checked.choices, lock=True)
    parts = split_allocation(checked.amount, targets)
    payment = Payment(
        establishment_id=family.establishment_id,
        family_id=report.family_id,
        clerk_id=report.portal_user_id,
        received_at=now,
        amount=checked.amount,
        method=PaymentMethod.ONLINE,
        card_brand=checked.card_brand,
        card_last4=checked.card_last4,
        authorization_number=checked.authorization_number,
        idempotency_key=idempotency_key(checked.transaction_id),
        request_fingerprint=fingerprint,
        processor_transaction_id=checked.transaction_id,
        paid_at=checked.paid_at,
    )
    try:
        # A report of the same transaction for another family raced this one past the
        # family lock: the unique transaction id decides, the first one stays.
        with uow.session.begin_nested():
            uow.session.add(payment)
            uow.session.flush()
    except IntegrityError:
        raced = _existing(uow, checked.transaction_id)
        if raced is None:
            raise
        return _replay(uow, raced, fingerprint)
    staged = stage_payment(uow, payment, parts)
    # Read before the chains' locks: the receipt's number only comes after.
    allocations = allocation_lines(uow, staged.payment_id)
    establishment = uow.session.get_one(Establishment, family.establishment_id)
    issued = chain_payment(
        uow,
        staged,
        establishment,
        {
            "processor_transaction_id": checked.transaction_id,
            "paid_at": checked.paid_at.isoformat(),
        },
    )
    return _just_posted(uow, payment, allocations, issued.number)
