"""What the payment form shows before posting: the split of an amount over the chosen invoices.

The preview uses the very functions `post_payment` uses (`allocation_targets`,
`targets_balance`, `split_allocation`), so what the clerk sees is what gets posted,
and its `seen_balance` is exactly the figure `post_payment` compares to detect that the
invoices changed in the meantime (StaleBalance). It reads without locking and writes nothing.

`typed_payment_preview` reads what the form holds as typed: a field that cannot be read
blanks the figures that depend on it (None) and says why (`refusals`), so the form never
shows the split of an earlier value while a field is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import col

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Family
from registrar_tui.models.base import PaymentMethod
from registrar_tui.services.core.errors import DomainError, InvalidAmount, InvalidInput, NotFound
from registrar_tui.services.core.money import ZERO, parse_money, valid_amount
from registrar_tui.services.ledger.payments import (
    CARD_METHODS,
    CHEQUE_METHODS,
    InvoiceChoice,
    PaymentRequest,
    allocation_targets,
    split_allocation,
    targets_balance,
)


@dataclass(frozen=True)
class PreviewLine:
    """One chosen invoice: what it owes, what the payment would apply, what it would owe after."""

    invoice_id: int
    number: str
    description: str
    balance: Decimal
    applied: Decimal | None
    """None when the amount typed cannot be read (nothing to split)."""
    balance_after: Decimal | None
    is_payable: bool
    """False when the invoice owes nothing or is cancelled (posting would refuse it)."""


@dataclass(frozen=True)
class PaymentPreview:
    """The payment form's figures for one amount (and, for cash, one tendered amount)."""

    family_id: int
    family_name: str
    family_number: str
    establishment_id: int
    """The family's establishment (used when the signed-in user has none)."""
    invoice_ids: tuple[int, ...]
    seen_balance: Decimal
    """What `PaymentRequest.seen_balance` must say: the chosen invoices' balances."""
    default_amount: Decimal
    """What the form proposes: the whole seen balance."""
    amount: Decimal | None
    """The amount this split is for (the default when none was given; None: unreadable)."""
    lines: tuple[PreviewLine, ...]
    credit_created: Decimal | None
    """Part of the amount no chosen invoice takes: it becomes family credit (None: no
    amount to split)."""
    amount_tendered: Decimal | None
    change_due: Decimal | None
    """Cash handed back (None without a tendered amount, or when it is short)."""
    tendered_short_by: Decimal | None
    """How much the tendered cash is below the amount (None when it covers it)."""
    refusals: tuple[DomainError, ...] = ()
    """Why a typed field cannot be read (`typed_payment_preview`): its figures are None."""

    @property
    def leaves_credit(self) -> bool:
        """Posting this would put part of the amount on the family's credit."""
        return self.credit_created is not None and self.credit_created > 0


def change_due(amount: Decimal, tendered: Decimal | None) -> Decimal | None:
    """Cash to hand back: tendered − amount; None when nothing was tendered or it is short."""
    if tendered is None or tendered < amount:
        return None
    return tendered - amount  # both already to the cent (valid_amount)


_FAMILY_HEAD = sa_select(
    col(Family.name), col(Family.family_number), col(Family.establishment_id)
).where(col(Family.id) == bindparam("family_id"))
"""What the payment form shows of the family (columns: no Family object to build)."""


def payment_preview(
    uow: UnitOfWork,
    family_id: int,
    invoice_ids: tuple[int, ...],
    amount: Decimal | None = None,
    amount_tendered: Decimal | None = None,
) -> PaymentPreview:
    """How `amount` (default: the whole balance) would be split over the chosen invoices.

    `invoice_ids` empty means every open invoice of the family, oldest due first, as
    `post_payment` does. Refuses: NotFound (family, or an invoice not of this family),
    InvalidAmount (amount or tendered ≤ 0 or with sub-cents, field `amount` /
    `amount_tendered`; an invoice chosen twice, field `invoices`).
    """
    family = uow.execute(_FAMILY_HEAD, {"family_id": family_id}).first()
    if family is None:
        raise NotFound(N_("Famille introuvable."))
    family_name, family_number, establishment_id = family
    if len(set(invoice_ids)) != len(invoice_ids):
        raise InvalidAmount(N_("Une facture est choisie deux fois."), field="invoices")
    targets = allocation_targets(
        uow, family_id, tuple((invoice_id, None) for invoice_id in invoice_ids), lock=False
    )
    seen = targets_balance(targets)
    amount_shown = seen if amount is None else valid_amount(amount)
    tendered_shown = (
        None if amount_tendered is None else valid_amount(amount_tendered, field="amount_tendered")
    )
    # Only payable invoices get a share, as posting would refuse the others anyway.
    payable = [
        (figures, part)
        for figures, part in targets
        if not figures.is_cancelled and figures.balance > 0
    ]
    applied = {
        figures.invoice_id: share for figures, share in split_allocation(amount_shown, payable)
    }
    lines = tuple(
        PreviewLine(
            invoice_id=figures.invoice_id,
            number=figures.number,
            description=figures.description,
            balance=figures.balance,
            applied=applied.get(figures.invoice_id, ZERO),
            balance_after=figures.balance - applied.get(figures.invoice_id, ZERO),
            is_payable=not figures.is_cancelled and figures.balance > 0,
        )
        for figures, _ in targets
    )
    short = (
        amount_shown - tendered_shown
        if tendered_shown is not None and tendered_shown < amount_shown
        else None
    )
    return PaymentPreview(
        family_id=family_id,
        family_name=family_name,
        family_number=family_number,
        establishment_id=establishment_id,
        invoice_ids=tuple(invoice_ids),
        seen_balance=seen,
        default_amount=seen,
        amount=amount_shown,
        lines=lines,
        credit_created=amount_shown - sum(applied.values(), ZERO),
        amount_tendered=tendered_shown,
        change_due=change_due(amount_shown, tendered_shown),
        tendered_short_by=short,
    )


def typed_payment_preview(
    uow: UnitOfWork,
    family_id: int,
    invoice_ids: tuple[int, ...],
    amount_text: str,
    tendered_text: str | None,
    language: str,
) -> PaymentPreview:
    """The preview of the amounts as the clerk typed them (`tendered_text` None: not cash).

    An empty tendered amount means exactly the amount. A field that cannot be read, or
    that posting would refuse (empty, zero, sub-cent, too large), is not an error here: the
    figures that depend on it are None (the amount: the split, the credit and the change;
    the tendered cash: the change), never those of an earlier value, and its refusal is in
    `refusals` (field `amount` / `amount_tendered`). The invoices' balances are always
    there. Refuses as `payment_preview` does (NotFound; InvalidAmount, field `invoices`).
    """
    refusals: list[DomainError] = []

    def read(text: str, field: str) -> Decimal | None:
        try:
            return valid_amount(parse_money(text, language, field=field), field=field)
        except InvalidInput as error:  # InvalidAmount included
            refusals.append(error)
            return None

    amount = read(amount_text, "amount")
    tendered: Decimal | None = None
    if tendered_text is not None and tendered_text.strip():
        tendered = read(tendered_text, "amount_tendered")
    if amount is None:
        balances = payment_preview(uow, family_id, invoice_ids)
        return replace(
            balances,
            amount=None,
            lines=tuple(replace(line, applied=None, balance_after=None) for line in balances.lines),
            credit_created=None,
            amount_tendered=tendered,
            change_due=None,
            tendered_short_by=None,
            refusals=tuple(refusals),
        )
    if tendered_text is None:
        return payment_preview(uow, family_id, invoice_ids, amount, None)
    if refusals:  # the tendered cash only: the split stands, the change is unknown
        split = payment_preview(uow, family_id, invoice_ids, amount, None)
        return replace(split, refusals=tuple(refusals))
    return payment_preview(uow, family_id, invoice_ids, amount, tendered or amount)


def build_payment_request(
    *,
    idempotency_key: str,
    family_id: int,
    establishment_id: int,
    actor_id: int,
    method: str,
    seen_balance: Decimal,
    invoice_ids: tuple[int, ...],
    texts: Mapping[str, str],
    language: str,
    credit_accepted: Decimal | None = None,
) -> PaymentRequest:
    """The request for what the payment form holds: typed amounts read, the method's fields.

    `texts` maps field names (amount, amount_tendered, card_brand, card_last4,
    authorization_number, cheque_number, cheque_bank) to what was typed; only the chosen
    method's fields are sent. An empty tendered amount means exactly the amount.
    `credit_accepted`: the family credit the clerk agreed to (see `PaymentRequest`). Refuses an
    unreadable amount with InvalidInput (field `amount` / `amount_tendered`); everything
    else is checked by `post_payment`.
    """
    chosen = PaymentMethod(method)

    def text(field: str, methods: frozenset[PaymentMethod]) -> str | None:
        return (texts.get(field) or None) if chosen in methods else None

    amount = parse_money(texts.get("amount", ""), language)
    tendered_text = texts.get("amount_tendered", "") if chosen is PaymentMethod.CASH else ""
    tendered = (
        parse_money(tendered_text, language, field="amount_tendered")
        if tendered_text.strip()
        else None
    )
    credit_only = frozenset({PaymentMethod.CREDIT_CARD})
    return PaymentRequest(
        idempotency_key=idempotency_key,
        family_id=family_id,
        establishment_id=establishment_id,
        clerk_id=actor_id,
        amount=amount,
        method=chosen,
        seen_balance=seen_balance,
        invoices=tuple(InvoiceChoice(invoice_id) for invoice_id in invoice_ids),
        amount_tendered=tendered,
        card_brand=text("card_brand", credit_only),
        card_last4=text("card_last4", CARD_METHODS),
        authorization_number=text("authorization_number", CARD_METHODS),
        cheque_number=text("cheque_number", CHEQUE_METHODS),
        cheque_bank=text("cheque_bank", CHEQUE_METHODS),
        credit_accepted=credit_accepted,
    )
