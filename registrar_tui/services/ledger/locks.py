"""Row locks of the ledger's writes: a family, then its invoices, always in that order.

Every money write of a family takes the family's lock first, so two clerks working on
the same family queue instead of both reading the same balance. On SQLite the write
transaction (BEGIN IMMEDIATE) already serialises writers; these locks matter on PostgreSQL.

They are `FOR NO KEY UPDATE` locks: they queue every other money write of the family (each
takes the same lock) but not an insert that only names the family or the invoice (a change
request, an e-mail, an allocation's foreign key check takes `FOR KEY SHARE`), which
`FOR UPDATE` would keep waiting for the whole payment.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Family, Invoice
from registrar_tui.services.core.errors import NotFound


def lock_family(uow: UnitOfWork, family_id: int) -> Family:
    """The family, its row locked for the rest of the transaction (NotFound)."""
    family = uow.session.exec(
        select(Family).where(col(Family.id) == family_id).with_for_update(key_share=True)
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
            .with_for_update(key_share=True)
        ).all()
    )
