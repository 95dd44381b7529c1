"""The deposit slip PDF of a deposit, from the database (see `build.py`)."""

from __future__ import annotations

from registrar_tui.db import UnitOfWork
from registrar_tui.models import DepositStatus
from registrar_tui.models.base import Language, PaymentMethod
from registrar_tui.reports.deposit_slip import (
    DepositSlipAdjustment,
    DepositSlipCash,
    DepositSlipCheque,
    DepositSlipDocument,
    DepositSlipOverShort,
)
from registrar_tui.reports.documents import PaymentMethod as DocumentMethod
from registrar_tui.services.core.money import ZERO
from registrar_tui.services.documents.build import GeneratedPdf, issuer_for
from registrar_tui.services.ledger.deposits import DepositView, deposit_detail
from registrar_tui.services.staff.settings import DEPOSIT_ACCOUNT, get_setting


def deposit_slip_document(
    uow: UnitOfWork, deposit: DepositView, *, language: str | None = None
) -> DepositSlipDocument:
    """The slip of a deposit: every total computed here, none by the renderer."""
    cash_adjustments = sum(
        (a.amount for a in deposit.adjustments if a.method is PaymentMethod.CASH), ZERO
    )
    cheque_adjustments = sum(
        (a.amount for a in deposit.adjustments if a.method is not PaymentMethod.CASH), ZERO
    )
    cheques_listed = sum((line.amount for line in deposit.cheques), ZERO)
    return DepositSlipDocument(
        issuer=issuer_for(uow, deposit.establishment),
        number=deposit.number,
        account=get_setting(uow, DEPOSIT_ACCOUNT),
        deposited_on=deposit.made_at or deposit.prepared_at,
        prepared_by=deposit.prepared_by_name,
        is_made=deposit.status is DepositStatus.MADE,
        cash=tuple(
            DepositSlipCash(line.denomination, line.quantity, line.amount)
            for line in deposit.cash_lines
        ),
        cash_total=deposit.cash_total,
        cheques=tuple(
            DepositSlipCheque(
                cheque_number=line.cheque_number or "",
                drawer=line.cheque_bank or "",
                receipt_number=line.receipt_number,
                amount=line.amount,
                certified=line.method is PaymentMethod.CERTIFIED_CHEQUE,
            )
            for line in deposit.cheques
        ),
        cheques_total=cheques_listed,
        adjustments=tuple(
            DepositSlipAdjustment(
                receipt_number=a.receipt_number,
                family_name=a.family_name,
                method=DocumentMethod(a.method),
                original_deposit_number=a.original_deposit_number,
                amount=a.amount,
                is_refund=a.is_refund,
            )
            for a in deposit.adjustments
        ),
        cash_adjustments_total=cash_adjustments,
        cheque_adjustments_total=cheque_adjustments,
        total=deposit.total,
        over_short=tuple(
            DepositSlipOverShort(
                closed_at=line.closed_at.replace(tzinfo=None),
                clerk_name=line.clerk_name,
                expected_cash=line.expected_cash,
                counted_cash=line.counted_cash,
                amount=line.amount,
            )
            for line in deposit.over_short
        ),
        over_short_total=sum((line.amount for line in deposit.over_short), ZERO),
        language="en" if language == Language.ENGLISH else "fr_CA",
    )


def deposit_slip_pdf(
    uow: UnitOfWork, actor_id: int, deposit_id: int, *, language: str | None = None
) -> GeneratedPdf:
    """The deposit slip of a deposit (prepared: marked as not deposited yet).

    Refuses PermissionDenied (not an active registrar or admin), NotFound.
    """
    from registrar_tui.reports.deposit_slip import render_deposit_slip

    deposit = deposit_detail(uow, actor_id, deposit_id)
    # The slip taken to the bank keeps the deposit's number as its name; the one printed
    # while it was only prepared never takes it.
    made = deposit.status is DepositStatus.MADE
    return GeneratedPdf(
        kind="deposit-slip",
        filename=f"{deposit.number}.pdf" if made else f"{deposit.number}-prepare.pdf",
        pdf=render_deposit_slip(deposit_slip_document(uow, deposit, language=language)),
    )
