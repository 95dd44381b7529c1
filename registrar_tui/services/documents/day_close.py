"""The day-close report PDF of a recorded close, from the database (see `build.py`)."""

from __future__ import annotations

from registrar_tui.db import UnitOfWork
from registrar_tui.models.base import Language
from registrar_tui.reports.documents import (
    DayCloseDocument,
    DayCloseMethodTotal,
    DayCloseTransaction,
)
from registrar_tui.reports.documents import PaymentMethod as DocumentMethod
from registrar_tui.services.documents.build import ZERO, GeneratedPdf, issuer_for
from registrar_tui.services.ledger.day_close.close import DayCloseSummary, day_close_summary


def day_close_document(
    uow: UnitOfWork, summary: DayCloseSummary, *, language: str | None = None
) -> DayCloseDocument:
    """The day-close report of a recorded close (counted cash known)."""
    return DayCloseDocument(
        issuer=issuer_for(uow, summary.establishment),
        clerk_name=summary.clerk_name,
        closed_at=summary.closed_at,
        period_start=summary.period_start,
        totals=tuple(
            DayCloseMethodTotal(
                method=DocumentMethod(total.method),
                payment_count=total.payment_count,
                expected=total.expected,
            )
            for total in summary.totals
        ),
        expected_total=summary.expected_total,
        expected_cash=summary.expected_cash,
        counted_cash=summary.counted_cash if summary.counted_cash is not None else ZERO,
        discrepancy=summary.discrepancy if summary.discrepancy is not None else ZERO,
        cash_refunds=summary.cash_refunds,
        note=summary.note,
        reference=f"FC-{summary.day_close_id:06d}" if summary.day_close_id else None,
        transactions=tuple(
            DayCloseTransaction(
                occurred_at=entry.occurred_at,
                receipt_number=entry.receipt_number,
                family_name=entry.family_name,
                family_number=entry.family_number,
                method=DocumentMethod(entry.method),
                amount=entry.amount,
                is_void=entry.kind == "void",
            )
            for entry in summary.entries
        ),
        language="en" if language == Language.ENGLISH else "fr_CA",
        online=summary.is_online,
        closed_by=summary.closed_by_name,
    )


def day_close_pdf(
    uow: UnitOfWork, day_close_id: int, *, language: str | None = None
) -> GeneratedPdf:
    """The PDF report of a recorded day close (in the clerk's language when given).

    Refuses an unknown day close with NotFound.
    """
    from registrar_tui.reports.day_close import render_day_close

    summary = day_close_summary(uow, day_close_id)
    document = day_close_document(uow, summary, language=language)
    return GeneratedPdf(
        kind="day-close",
        filename=f"{summary.establishment.code}-FC-{day_close_id:06d}.pdf",
        pdf=render_day_close(document),
    )
