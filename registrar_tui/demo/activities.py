"""School outings, fundraising campaigns and events, with registrations and invoices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from registrar_tui.demo.billing import YESTERDAY, LineSpec, add_payment, create_invoice
from registrar_tui.demo.context import CURRENT_TERM, DEMO_TODAY, DemoContext
from registrar_tui.demo.people import FamilyProfile, StudentProfile
from registrar_tui.demo.reference import staff_for
from registrar_tui.models import ActivityKind
from registrar_tui.services.core.money import from_cents


@dataclass(frozen=True)
class ItemSpec:
    label: str
    unit_price_cents: int
    held_on: date | None = None


@dataclass
class ActivityInfo:
    id: int
    est: int | None
    title: str
    held_on: date
    deadline: date
    items: list[tuple[int, ItemSpec]]


def create_activity(
    ctx: DemoContext,
    *,
    kind: ActivityKind,
    title: str,
    description: str,
    held_on: date,
    deadline: date,
    items: list[ItemSpec],
    est: int | None,
    level_filter: str = "",
) -> ActivityInfo:
    activity_id = ctx.new_id("activity")
    ctx.add(
        "activity",
        {
            "id": activity_id,
            "establishment_id": ctx.ref.establishments[est].id if est is not None else None,
            "kind": kind,
            "title": title,
            "description": description,
            "held_on": held_on,
            "registration_deadline": deadline,
            "created_at": datetime(deadline.year, deadline.month, 1, 14, tzinfo=UTC)
            - timedelta(days=30),
        },
    )
    if level_filter:
        ctx.add("activity_level", {"activity_id": activity_id, "level": level_filter})
    info = ActivityInfo(activity_id, est, title, held_on, deadline, [])
    for number, item in enumerate(items, start=101):
        item_id = ctx.new_id("activity_item")
        ctx.add(
            "activity_item",
            {
                "id": item_id,
                "activity_id": activity_id,
                "code": str(number),
                "label": item.label,
                "held_on": item.held_on,
                "unit_price_cents": from_cents(item.unit_price_cents),
            },
        )
        info.items.append((item_id, item))
    return info


def register(
    ctx: DemoContext,
    activity: ActivityInfo,
    family: FamilyProfile,
    student: StudentProfile,
    quantities: list[int],
    registered_at: datetime,
) -> tuple[int, int]:
    """Register a student with quantities per item; returns (invoice id, total)."""
    clerk = staff_for(ctx, family.est)
    lines = [
        LineSpec(
            f"ACT-{activity.id}",
            f"{item.label} × {qty} ({student.first_name})",
            item.unit_price_cents * qty,
        )
        for (_item_id, item), qty in zip(activity.items, quantities, strict=True)
        if qty > 0
    ]
    issued = registered_at.date()
    invoice_id, total = create_invoice(
        ctx,
        family,
        description=activity.title,
        lines=lines,
        issued_on=issued,
        due_on=max(issued, min(activity.held_on, issued + timedelta(days=14))),
        student_id=student.id,
        created_at=registered_at,
        created_by=clerk,
    )
    registration_id = ctx.new_id("activity_registration")
    ctx.add(
        "activity_registration",
        {
            "id": registration_id,
            "activity_id": activity.id,
            "student_id": student.id,
            "family_id": family.id,
            "registered_at": registered_at,
            "registered_by_id": clerk,
            "invoice_id": invoice_id,
            "override_reason": "",
        },
    )
    for (item_id, _item), qty in zip(activity.items, quantities, strict=True):
        if qty > 0:
            ctx.add(
                "activity_registration_item",
                {"registration_id": registration_id, "item_id": item_id, "quantity": qty},
            )
    return invoice_id, total


def random_activities(ctx: DemoContext) -> list[ActivityInfo]:
    """Outings and campaigns of the 2025-26 and 2026-27 school years."""
    return [
        create_activity(
            ctx, kind=ActivityKind.OUTING, title="Sortie à l'orchestre — Casse-Noisette",
            description="Représentation en matinée; départ en autobus du Conservatoire à 12 h 30.",
            held_on=date(2026, 12, 5), deadline=date(2026, 11, 20), est=0,
            items=[ItemSpec("Billet étudiant", 1800), ItemSpec("Transport en autobus", 700)],
        ),
        create_activity(
            ctx, kind=ActivityKind.OUTING,
            title="Visite du Musée national des beaux-arts du Québec",
            description="Visite guidée « Musique et peinture ».",
            held_on=date(2026, 10, 24), deadline=date(2026, 10, 10), est=1,
            items=[ItemSpec("Entrée et visite guidée", 1200)],
        ),
        create_activity(
            ctx, kind=ActivityKind.FUNDRAISING, title="Vente de chocolats de Pâques",
            description="Au profit du voyage de l'orchestre des jeunes.",
            held_on=date(2026, 3, 28), deadline=date(2026, 3, 14), est=2,
            items=[ItemSpec("Boîte de chocolats", 1000)],
        ),
        create_activity(
            ctx, kind=ActivityKind.EVENT, title="Camp musical d'été 2026",
            description="Une semaine de musique d'ensemble, repas du midi inclus.",
            held_on=date(2026, 7, 6), deadline=date(2026, 6, 1), est=None,
            level_filter="Primaire",
            items=[ItemSpec("Semaine de camp", 27500), ItemSpec("Service de garde", 4500)],
        ),
    ]  # fmt: skip


def register_randomly(
    ctx: DemoContext, activities: list[ActivityInfo], families: list[FamilyProfile]
) -> int:
    """A few percent of active students register; most pay, upcoming ones not always."""
    rng = ctx.rng
    count = 0
    for activity in activities:
        last_day = min(activity.deadline, YESTERDAY)
        for family in families:
            if family.scripted or family.credit:
                continue
            if activity.est is not None and family.est != activity.est:
                continue
            for student in family.students:
                if CURRENT_TERM not in student.terms or rng.random() >= 0.05:
                    continue
                quantities = [
                    1 if i == 0 else int(rng.random() < 0.5) for i in range(len(activity.items))
                ]
                if activity.title.startswith("Vente"):
                    quantities = [rng.randint(1, 6)]
                day = ctx.day_between(last_day - timedelta(days=25), last_day)
                invoice_id, total = register(ctx, activity, family, student, quantities,
                                             ctx.office_time(day))  # fmt: skip
                count += 1
                paid = rng.random() < (0.95 if activity.held_on < DEMO_TODAY else 0.6)
                if paid:
                    when = ctx.office_time(ctx.day_between(day, min(day + timedelta(7), YESTERDAY)))
                    add_payment(ctx, family, when, total, [(invoice_id, total)])
                else:
                    family.open_balance = True
    return count
