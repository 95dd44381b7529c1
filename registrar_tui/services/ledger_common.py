"""Checks and locks shared by the ledger's writing services."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Family, Invoice, StaffUser
from registrar_tui.models.base import Role
from registrar_tui.services.billing_errors import (
    CardNumberRefused,
    InvalidAmount,
    NotFound,
    PermissionDenied,
    ReasonRequired,
)
from registrar_tui.services.errors import InvalidInput
from registrar_tui.services.money import to_cents
from registrar_tui.services.text import clean_text, contains_card_number

SUPERVISORS = frozenset({Role.REGISTRAR, Role.ADMIN})
LOCAL_TIMEZONE = ZoneInfo("America/Toronto")


def cents_of(amount: Decimal, *, field: str = "amount", allow_zero: bool = False) -> int:
    """An amount typed by a person, in cents; refuses ≤ 0 or sub-cent amounts (InvalidAmount)."""
    try:
        valid = (
            isinstance(amount, Decimal)
            and amount.is_finite()
            and amount == amount.quantize(Decimal("0.01"))
            and (amount >= 0 if allow_zero else amount > 0)
        )
    except InvalidOperation:
        valid = False
    if not valid:
        raise InvalidAmount(field=field)
    return to_cents(amount)


def safe_text(value: str | None, *, field: str, max_length: int | None = None) -> str:
    """Typed text cleaned of control characters; refuses a card number (CardNumberRefused).

    A full card number is never stored anywhere, not even in a reason or a note.
    """
    cleaned = clean_text(value or "").strip()
    if contains_card_number(cleaned):
        raise CardNumberRefused(field=field)
    if max_length is not None and len(cleaned) > max_length:
        raise InvalidInput(
            N_("Texte trop long ({limit} caractères au plus)."), field=field, limit=max_length
        )
    return cleaned


def required_reason(value: str | None, *, field: str = "reason") -> str:
    """A reason typed by a person: cleaned, card-free and not empty (ReasonRequired)."""
    reason = safe_text(value, field=field, max_length=500)
    if not reason:
        raise ReasonRequired(field=field)
    return reason


def active_staff(uow: UnitOfWork, user_id: int, roles: Iterable[Role] | None = None) -> StaffUser:
    """The acting user, active and (when `roles` is given) in one of them (PermissionDenied)."""
    user = uow.session.get(StaffUser, user_id)
    if user is None or not user.is_active:
        raise PermissionDenied()
    if roles is not None and user.role not in set(roles):
        raise PermissionDenied()
    return user


def lock_family(uow: UnitOfWork, family_id: int) -> Family:
    """The family, its row locked for the rest of the transaction (PostgreSQL).

    Every money write of a family takes this lock first, so two clerks working on the
    same family queue instead of both reading the same balance. On SQLite the write
    transaction (BEGIN IMMEDIATE) already serialises writers.
    """
    family = uow.session.exec(
        select(Family).where(col(Family.id) == family_id).with_for_update()
    ).first()
    if family is None:
        raise NotFound(N_("Famille introuvable."))
    return family


def lock_invoices(uow: UnitOfWork, invoice_ids: Iterable[int]) -> list[Invoice]:
    """The invoices, their rows locked in id order (PostgreSQL) before balances are read."""
    ids = sorted(set(invoice_ids))
    if not ids:
        return []
    return list(
        uow.session.exec(
            select(Invoice)
            .where(col(Invoice.id).in_(ids))
            .order_by(col(Invoice.id))
            .with_for_update()
        ).all()
    )


def utc_now(uow: UnitOfWork) -> datetime:
    """The unit of work's instant as an aware UTC datetime (what datetime columns store)."""
    return uow.now().replace(tzinfo=UTC)


def local_date(instant: datetime) -> date:
    """The calendar day at the school for an instant (naive means UTC)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(LOCAL_TIMEZONE).date()


def local_year(instant: datetime) -> int:
    """The calendar year at the school for an instant (naive means UTC)."""
    return local_date(instant).year
