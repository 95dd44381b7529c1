"""Which voluntary lines the payer declines now: the latest `ContributionChoice` of a line.

Declining and restoring are rows (services/ledger/contributions.py), never an update of
the line, so the invoice line stays as it was issued and the ledger chain covers both.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, exists
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.models import ContributionChoice, InvoiceLine


def _line_is_declined() -> Any:
    later = aliased(ContributionChoice)
    latest_declines = exists().where(
        col(ContributionChoice.invoice_line_id) == col(InvoiceLine.id),
        col(ContributionChoice.declined),
        ~exists().where(
            col(later.invoice_line_id) == col(ContributionChoice.invoice_line_id),
            col(later.id) > col(ContributionChoice.id),
        ),
    )
    # Only voluntary lines can be declined: the others skip the lookup.
    return and_(col(InvoiceLine.is_voluntary), latest_declines)


LINE_IS_DECLINED: Any = _line_is_declined()
"""SQL condition on `invoice_line`: the line is declined now (built once)."""


def declined_lines(uow: UnitOfWork, invoice_ids: Iterable[int]) -> set[int]:
    """The ids of the lines of these invoices that the payer declines now."""
    wanted = list(invoice_ids)
    if not wanted:
        return set()
    found = uow.session.exec(
        select(InvoiceLine.id).where(col(InvoiceLine.invoice_id).in_(wanted), LINE_IS_DECLINED)
    ).all()
    return {line_id for line_id in found if line_id is not None}
