"""`POST /v1/online-payments`: the portal reports a card payment its processor accepted.

Posted by `services.ledger.online.post_online_payment` (method « en ligne », the client's
portal account as the clerk, a receipt from the family's establishment). Idempotent by
`processor_transaction_id`: the first report answers 201, the same report again 200 with
the same body, `replayed: true` and the header `Idempotent-Replayed: true`; the same id
with other content is 409. The receipt's handover (PDF, e-mail to the payer) runs after
the answer; what it leaves undone, `registrar-tui receipts resume` completes.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from registrar_tui.api.auth import database_of, signed_caller
from registrar_tui.api.errors import ErrorBody
from registrar_tui.db import Database
from registrar_tui.services.interchange.portal_documents import (
    portal_family_id,
    portal_invoice_id,
)
from registrar_tui.services.ledger.online import OnlinePaymentReport, post_online_payment
from registrar_tui.services.ledger.payments import InvoiceChoice
from registrar_tui.services.staff.api_clients import ApiCaller

router = APIRouter(
    tags=["payments"],
    responses={status: {"model": ErrorBody} for status in (401, 404, 409, 413, 422, 429)},
)

Money = Annotated[Decimal, Field(max_digits=10, decimal_places=2, examples=["275.00"])]
REPLAYED_HEADER = "Idempotent-Replayed"


class InvoicePart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=1, max_length=32, examples=["FAC00000001"])
    amount: Money | None = None
    """None: as much as the invoice still owes, within the payment."""


class OnlinePaymentIn(BaseModel):
    """What the portal's processor reported. Never the card number: brand and last 4."""

    model_config = ConfigDict(extra="forbid")

    family_portal_id: str = Field(min_length=1, max_length=64)
    processor_transaction_id: str = Field(min_length=1, max_length=64)
    authorization_number: str = Field(min_length=1, max_length=20)
    card_brand: str = Field(min_length=1, max_length=20, examples=["Visa"])
    card_last4: str = Field(min_length=4, max_length=4, examples=["4242"])
    amount: Money
    paid_at: AwareDatetime
    invoices: list[InvoicePart] = Field(default_factory=list, max_length=50)
    """The invoices paid, in order (and how much of each); empty: oldest due first."""


class AllocationOut(BaseModel):
    invoice_number: str
    amount: Decimal
    balance_after: Decimal


class OnlinePaymentOut(BaseModel):
    receipt_number: str
    establishment_code: str
    processor_transaction_id: str
    amount: Decimal
    allocations: list[AllocationOut]
    credit_left: Decimal
    """The part of the payment kept as family credit."""
    paid_at: datetime
    received_at: datetime
    replayed: bool
    receipt_pdf: str


def _field_path(field: str | None) -> str | None:
    """The body's name of a field the services name otherwise (the family by its id)."""
    return "family_portal_id" if field in {"family_id", "portal_id"} else field


@router.post(
    "/v1/online-payments",
    response_model=OnlinePaymentOut,
    status_code=201,
    summary="Report an online payment",
    responses={200: {"model": OnlinePaymentOut, "description": "A replay: posted before."}},
)
def report_online_payment(
    body: OnlinePaymentIn,
    request: Request,
    response: Response,
    caller: Annotated[ApiCaller, Depends(signed_caller)],
    database: Annotated[Database, Depends(database_of)],
) -> OnlinePaymentOut:
    """Post the payment (or answer the first result again for a transaction already
    reported). Refusals name the body's field; nothing is written then."""
    request.state.field_path = _field_path
    with database.write() as uow:
        family_id = portal_family_id(uow, body.family_portal_id)
        choices = tuple(
            InvoiceChoice(
                invoice_id=portal_invoice_id(
                    uow, family_id, part.number, field=f"invoices.{index}.number"
                ),
                amount=part.amount,
            )
            for index, part in enumerate(body.invoices)
        )
        posted = post_online_payment(
            uow,
            OnlinePaymentReport(
                portal_user_id=caller.staff_user_id,
                family_id=family_id,
                processor_transaction_id=body.processor_transaction_id,
                authorization_number=body.authorization_number,
                card_brand=body.card_brand,
                card_last4=body.card_last4,
                amount=body.amount,
                paid_at=body.paid_at,
                invoices=choices,
            ),
        )
    if posted.replayed:
        response.status_code = 200
        response.headers[REPLAYED_HEADER] = "true"
    else:
        request.app.state.after.receipt_posted(posted.payment_id)
    return OnlinePaymentOut(
        receipt_number=posted.receipt_number,
        establishment_code=posted.establishment_code,
        processor_transaction_id=posted.processor_transaction_id,
        amount=posted.amount,
        allocations=[
            AllocationOut(
                invoice_number=line.invoice_number,
                amount=line.amount,
                balance_after=line.balance_after,
            )
            for line in posted.allocations
        ],
        credit_left=posted.credit_left,
        paid_at=posted.paid_at,
        received_at=posted.received_at,
        replayed=posted.replayed,
        receipt_pdf=f"/v1/families/{body.family_portal_id}/documents/receipts/"
        f"{posted.receipt_number}.pdf",
    )
