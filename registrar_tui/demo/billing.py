"""Invoices with their lines, and how (and whether) each family paid them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from registrar_tui.demo.context import (
    CURRENT_TERM,
    DEMO_TODAY,
    DemoContext,
    DisciplineInfo,
    PaymentSpec,
    TermInfo,
    at,
)
from registrar_tui.demo.people import FamilyProfile, StudentProfile
from registrar_tui.demo.pools import BANKS, CREDIT_BRANDS
from registrar_tui.services.core.money import from_cents

YESTERDAY = DEMO_TODAY - timedelta(days=1)


@dataclass(frozen=True)
class LineSpec:
    fee_code: str
    description: str
    amount_cents: int
    is_voluntary: bool = False
    is_declined: bool = False


def create_invoice(
    ctx: DemoContext,
    family: FamilyProfile,
    *,
    description: str,
    lines: list[LineSpec],
    issued_on: date,
    due_on: date,
    term: TermInfo | None = None,
    student_id: int | None = None,
    created_at: datetime | None = None,
    created_by: int | None = None,
) -> tuple[int, int]:
    """Write an invoice and its lines; returns (invoice id, total of the kept lines)."""
    invoice_id = ctx.new_id("invoice")
    ctx.add(
        "invoice",
        {
            "id": invoice_id,
            "number": f"FAC{invoice_id:08d}",
            "family_id": family.id,
            "student_id": student_id,
            "term_id": term.id if term else None,
            "establishment_id": ctx.ref.establishments[family.est].id,
            "description": description[:200],
            "issued_on": issued_on,
            "due_on": due_on,
            "created_at": created_at or at(issued_on, 7),
            "created_by_id": created_by,
        },
    )
    total = 0
    for position, line in enumerate(lines, start=1):
        line_id = ctx.new_id("invoice_line")
        ctx.add(
            "invoice_line",
            {
                "id": line_id,
                "invoice_id": invoice_id,
                "position": position,
                "fee_code": line.fee_code,
                "description": line.description[:200],
                "amount_cents": from_cents(line.amount_cents),
                "is_voluntary": line.is_voluntary,
            },
        )
        if line.is_declined:
            # Declined when the family answered the invoice: a choice row, as the app writes.
            ctx.add(
                "contribution_choice",
                {
                    "id": ctx.new_id("contribution_choice"),
                    "invoice_line_id": line_id,
                    "declined": True,
                    "chosen_at": created_at or at(issued_on, 7),
                    "chosen_by_id": None,
                },
            )
        else:
            total += line.amount_cents
    return invoice_id, total


def term_lines(
    ctx: DemoContext,
    term: TermInfo,
    billed: list[tuple[StudentProfile, tuple[DisciplineInfo, ...], bool]],
    *,
    voluntary: bool,
) -> list[LineSpec]:
    """Tuition per discipline, registration for new-in-year students, contributions."""
    rng = ctx.rng
    fees = ctx.ref.fees[term.index]
    several = len(billed) > 1
    lines: list[LineSpec] = []
    for student, disciplines, registration in billed:
        who = f" ({student.first_name})" if several else ""
        for disc in disciplines:
            fee = fees[f"SCO-{disc.code}"]
            lines.append(LineSpec(fee.code, fee.description + who, fee.amount_cents))
        if registration:
            fee = fees["INS"]
            lines.append(LineSpec(fee.code, fee.description + who, fee.amount_cents))
        roll = rng.random()
        if roll < 0.03:
            fee = fees["CONF-TARD"]
            lines.append(LineSpec(fee.code, fee.description + who, fee.amount_cents))
        elif roll < 0.06:
            fee = fees["CHG-HORAIRE"]
            lines.append(LineSpec(fee.code, fee.description + who, fee.amount_cents))
        elif roll < 0.075:
            fee = fees["ATTESTATION"]
            lines.append(LineSpec(fee.code, fee.description + who, fee.amount_cents))
    if voluntary:
        fee = fees["FONDATION"]
        lines.append(
            LineSpec(fee.code, fee.description, fee.amount_cents, True, rng.random() < 0.3)
        )
        if rng.random() < 0.7:
            fee = fees["ASSO-ETU"]
            declined = rng.random() < 0.4
            lines.append(LineSpec(fee.code, fee.description, fee.amount_cents, True, declined))
    return lines


def settle(
    ctx: DemoContext, family: FamilyProfile, invoice_id: int, total: int, term: TermInfo
) -> None:
    """Decide how the family paid this term's invoice: full, instalments, partial, none, more."""
    if total <= 0:
        return
    rng = ctx.rng
    roll = rng.random()
    issued, due = term.issued_on, term.due_on
    latest = min(due + timedelta(days=20), YESTERDAY)
    if term.index < CURRENT_TERM:
        plan = (
            "full"
            if roll < 0.68
            else "two"
            if roll < 0.95
            else "partial"
            if roll < 0.98
            else "none"
        )
    else:
        plan = (
            "full" if roll < 0.50 else "two" if roll < 0.62 else "partial" if roll < 0.75
            else "none" if roll < 0.93 else "credit"
        )  # fmt: skip
    if plan == "credit" and family.open_balance:
        plan = "full"
    if plan == "full":
        day = ctx.day_between(issued, latest)
        when = ctx.office_time(DEMO_TODAY if term.index == CURRENT_TERM and rng.random() < 0.03
                               else day)  # fmt: skip
        add_payment(ctx, family, when, total, [(invoice_id, total)])
    elif plan == "two":
        first = (total // 2) // 100 * 100 or total
        add_payment(ctx, family, ctx.office_time(ctx.day_between(issued, due - timedelta(days=20))),
                    first, [(invoice_id, first)])  # fmt: skip
        if total > first:
            second = ctx.office_time(ctx.day_between(due - timedelta(days=15), latest))
            add_payment(ctx, family, second, total - first, [(invoice_id, total - first)])
    elif plan == "partial":
        part = max(100, total * rng.randint(25, 70) // 100 // 100 * 100)
        part = min(part, total - 100) if total > 100 else total
        add_payment(ctx, family, ctx.office_time(ctx.day_between(issued, due)), part,
                    [(invoice_id, part)])  # fmt: skip
        family.open_balance = True
    elif plan == "none":
        family.open_balance = True
    else:
        extra = ctx.pick((1000, 2000, 2500, 4000, 5000))
        when = ctx.office_time(ctx.day_between(issued, latest))
        add_payment(ctx, family, when, total + extra, [(invoice_id, total)])
        family.credit = True


def add_payment(
    ctx: DemoContext,
    family: FamilyProfile,
    when: datetime,
    amount: int,
    allocations: list[tuple[int, int]],
    *,
    method: str | None = None,
) -> PaymentSpec:
    """Record a payment to post at the end (ids and receipts are assigned in date order)."""
    rng = ctx.rng
    if method is None:
        roll = rng.random()
        method = (
            "debit" if roll < 0.35 else "credit_card" if roll < 0.65 else "cash" if roll < 0.80
            else "cheque" if roll < 0.92 else "certified_cheque"
        )  # fmt: skip
    spec = PaymentSpec(when, family.id, family.est, amount, method, allocations)
    if method == "cash":
        bill = 2000 if rng.random() < 0.6 else 500
        spec.tendered_cents = -(-amount // bill) * bill
    elif method in ("debit", "credit_card"):
        spec.card_brand = "Interac" if method == "debit" else ctx.pick(CREDIT_BRANDS)
        spec.card_last4 = f"{int(rng.random() * 10000):04d}"
        spec.authorization = f"{rng.getrandbits(24):06X}"
    else:
        spec.cheque_number = str(ctx.randint(101, 2999))
        spec.cheque_bank = ctx.pick(BANKS)
    ctx.payments.append(spec)
    return spec
