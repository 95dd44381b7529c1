"""Post the collected payments in date order: allocations, gapless hash-chained receipts.

Receipt numbers are `MTL-2026-000123`: per establishment and calendar year, gapless.
Each establishment's receipts form one hash chain (previous = the establishment's last
receipt by id), with the payload defined in INTERFACES.md "hash chains".
"""

from __future__ import annotations

import hashlib

from registrar_tui.demo.context import DemoContext, PaymentSpec
from registrar_tui.demo.reference import staff_for
from registrar_tui.services.audit.chain import GENESIS_HASH, chain_hash
from registrar_tui.services.core.clock import local_year
from registrar_tui.services.core.money import from_cents
from registrar_tui.services.ledger.receipts import receipt_sequence_key

INVOICE_SEQUENCE = "invoice"


def post_payments(ctx: DemoContext) -> int:
    """Write every payment with its allocations and receipt; returns the number posted."""
    order = sorted(range(len(ctx.payments)), key=lambda i: (ctx.payments[i].received_at, i))
    previous: dict[int, str] = {}
    counters: dict[tuple[int, int], int] = {}
    for count, index in enumerate(order):
        _post(ctx, ctx.payments[index], previous, counters)
        if count % 4096 == 0:
            ctx.writer.maybe_flush()
    for (est_index, year), last in sorted(counters.items()):
        est_id = ctx.ref.establishments[est_index].id
        ctx.add("number_sequence", {"key": receipt_sequence_key(est_id, year), "last_value": last})
    ctx.add("number_sequence", {"key": INVOICE_SEQUENCE, "last_value": ctx.ids.last("invoice")})
    return len(order)


def _post(
    ctx: DemoContext,
    spec: PaymentSpec,
    previous: dict[int, str],
    counters: dict[tuple[int, int], int],
) -> None:
    est = ctx.ref.establishments[spec.establishment]
    payment_id = ctx.new_id("payment")
    allocated = sum(cents for _invoice, cents in spec.allocations)
    assert allocated <= spec.amount_cents, "a payment cannot allocate more than its amount"
    fingerprint = hashlib.sha256(
        f"{spec.family_id}|{spec.amount_cents}|{spec.method}|{spec.allocations}".encode()
    ).hexdigest()
    tendered = None if spec.tendered_cents is None else from_cents(spec.tendered_cents)
    ctx.add(
        "payment",
        {
            "id": payment_id,
            "establishment_id": est.id,
            "family_id": spec.family_id,
            "clerk_id": staff_for(ctx, spec.establishment),
            "received_at": spec.received_at,
            "amount_cents": from_cents(spec.amount_cents),
            "method": spec.method,
            "card_brand": spec.card_brand,
            "card_last4": spec.card_last4,
            "authorization_number": spec.authorization,
            "cheque_number": spec.cheque_number,
            "cheque_bank": spec.cheque_bank,
            "tendered_cents": tendered,
            "change_cents": None if tendered is None else tendered - from_cents(spec.amount_cents),
            "idempotency_key": f"demo-{payment_id:010d}",
            "request_fingerprint": fingerprint,
        },
    )
    for invoice_id, cents in spec.allocations:
        ctx.add(
            "allocation",
            {
                "id": ctx.new_id("allocation"),
                "payment_id": payment_id,
                "invoice_id": invoice_id,
                "amount_cents": from_cents(cents),
                "created_at": spec.received_at,
                "reverses_id": None,
            },
        )
    year = local_year(spec.received_at)
    sequence = counters.get((est.index, year), 0) + 1
    counters[(est.index, year)] = sequence
    number = f"{est.code}-{year}-{sequence:06d}"
    receipt_id = ctx.new_id("receipt")
    payload = {
        "establishment_id": est.id,
        "number": number,
        "payment_id": payment_id,
        "refund_id": None,
        "issued_at": spec.received_at,
        "amount_cents": spec.amount_cents,
    }
    before = previous.get(est.index, GENESIS_HASH)
    digest = chain_hash(before, payload)
    previous[est.index] = digest
    ctx.add(
        "receipt",
        {
            "id": receipt_id,
            "establishment_id": est.id,
            "number": number,
            "payment_id": payment_id,
            "refund_id": None,
            "issued_at": spec.received_at,
            "previous_hash": before,
            "hash": digest,
        },
    )
