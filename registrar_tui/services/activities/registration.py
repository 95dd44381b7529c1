"""Registering a student to an activity: the invoice, the confirmation, the audit event.

Quantities per item become the lines of the family's invoice, issued through
`services.invoicing.issue_invoice` (the one invoice path); the confirmation e-mail to
the payer (invoice attached) and the audit event are written in the same transaction.
After the registration deadline only a registrar or an admin may still register, and
only with a reason (kept on the registration). An activity closed or cancelled
(`setup.py`) takes no registration at all; one open to some schools or levels only
takes their students; an item's maximum per registration is enforced here.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    Activity,
    ActivityItem,
    ActivityLevel,
    ActivityRegistration,
    ActivityRegistrationItem,
    ActivitySchool,
    Student,
)
from registrar_tui.models.base import Role, require_id
from registrar_tui.services.activities.mail import DateParam, queue_confirmation
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import DomainError, InvalidInput, NotFound
from registrar_tui.services.core.text import safe_text
from registrar_tui.services.ledger.invoicing import ISSUERS, NewLine, issue_invoice
from registrar_tui.services.ledger.locks import lock_family
from registrar_tui.services.ledger.statement import invoice_figures
from registrar_tui.services.search.index import normalise

MAX_QUANTITY = 99
AUDIT_ACTION = "activity.register"


class AlreadyRegistered(DomainError):
    message = N_("L'inscription de {student} à cette activité est déjà faite (facture {invoice}).")


class RegistrationClosed(DomainError):
    """The deadline passed and the user may not (or did not say why to) register late."""

    message = N_(
        "La date limite d'inscription ({deadline}) est passée : seul un registraire "
        "peut encore inscrire, en indiquant la raison."
    )


class StudentNotEligible(DomainError):
    message = N_("{student} ne fréquente pas l'établissement de cette activité.")


MSG_NOT_FOR_SCHOOL = N_("{student} ne fréquente pas une école visée par cette activité.")
MSG_NOT_FOR_LEVEL = N_("{student} n'est pas d'un niveau visé par cette activité.")


class ActivityNotOpen(DomainError):
    message = N_("Cette activité est fermée : elle ne prend plus d'inscription.")


MSG_CANCELLED = N_("Cette activité est annulée : elle ne prend plus d'inscription.")


class ActivityState(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    """Closed to new registrations by a registrar (those made stay)."""
    CANCELLED = "cancelled"
    """Cancelled: its invoices were credited."""


def activity_state(activity: Activity) -> ActivityState:
    if activity.cancelled_at is not None:
        return ActivityState.CANCELLED
    if activity.closed_at is not None:
        return ActivityState.CLOSED
    return ActivityState.OPEN


def activity_schools(uow: UnitOfWork, activity_id: int) -> tuple[str, ...]:
    """The schools the activity is open to, by name (empty: every school)."""
    return tuple(
        uow.session.exec(
            select(ActivitySchool.school_name)
            .where(col(ActivitySchool.activity_id) == activity_id)
            .order_by(col(ActivitySchool.school_name))
        ).all()
    )


def activity_levels(uow: UnitOfWork, activity_id: int) -> tuple[str, ...]:
    """The levels the activity is open to, by name (empty: every level)."""
    return tuple(
        uow.session.exec(
            select(ActivityLevel.level)
            .where(col(ActivityLevel.activity_id) == activity_id)
            .order_by(col(ActivityLevel.level))
        ).all()
    )


def school_matches(schools: tuple[str, ...], school: str) -> bool:
    """The student's school is one of `schools` (accent- and case-insensitive), or
    `schools` is empty."""
    return not schools or normalise(school) in {normalise(name) for name in schools}


def level_matches(levels: tuple[str, ...], level: str) -> bool:
    """The student's level is one of `levels` or within one (`Primaire` takes
    `Primaire 5`), or `levels` is empty."""
    if not levels:
        return True
    folded = normalise(level)
    return bool(folded) and any(
        folded == normalise(name) or folded.startswith(normalise(name) + " ") for name in levels
    )


MSG_REASON_NEEDED = N_(
    "La date limite d'inscription ({deadline}) est passée : indiquez la raison "
    "de l'inscription en retard."
)


@dataclass(frozen=True)
class Registered:
    registration_id: int
    invoice_id: int
    invoice_number: str
    total: Decimal
    family_id: int
    student_name: str
    emailed_to: str | None
    """The payer's address the confirmation was queued to (None: no e-mail on file)."""
    late: bool
    """Registered after the deadline, with a reason."""


def activity_or_not_found(uow: UnitOfWork, activity_id: int) -> Activity:
    activity = uow.session.get(Activity, activity_id)
    if activity is None:
        raise NotFound(N_("Activité introuvable."))
    return activity


def locked_activity(uow: UnitOfWork, activity_id: int, *, shared: bool = False) -> Activity:
    """The activity, its row locked for the rest of the transaction (NotFound): shared by
    registrations (they may run side by side), exclusive for closing or cancelling it, so
    that no registration slips in while its invoices are credited. Taken before any
    family's lock (services/ledger/locks.py). On SQLite the write transaction already
    serialises writers; the lock matters on PostgreSQL."""
    activity = uow.session.exec(
        select(Activity)
        .where(col(Activity.id) == activity_id)
        .with_for_update(read=shared)
        .execution_options(populate_existing=True)
    ).first()
    if activity is None:
        raise NotFound(N_("Activité introuvable."))
    return activity


def activity_items(uow: UnitOfWork, activity_id: int) -> list[ActivityItem]:
    return list(
        uow.session.exec(
            select(ActivityItem)
            .where(col(ActivityItem.activity_id) == activity_id)
            .order_by(col(ActivityItem.held_on), col(ActivityItem.code), col(ActivityItem.id))
        )
    )


def _quantities(
    items: list[ActivityItem], quantities: Mapping[int, int]
) -> list[tuple[ActivityItem, int]]:
    by_id = {item.id: item for item in items}
    if any(item_id not in by_id for item_id in quantities):
        raise InvalidInput(N_("Cet article n'appartient pas à l'activité."), field="quantities")
    chosen = []
    for item in items:
        quantity = quantities.get(require_id(item), 0)
        if not isinstance(quantity, int) or not 0 <= quantity <= MAX_QUANTITY:
            raise InvalidInput(
                N_("Une quantité est un nombre entier de 0 à {limit}."),
                field="quantities",
                limit=MAX_QUANTITY,
            )
        if item.max_quantity is not None and quantity > item.max_quantity:
            raise InvalidInput(
                N_("{item} : au plus {limit} par inscription."),
                field="quantities",
                item=f"{item.code} - {item.label}",
                limit=item.max_quantity,
            )
        if quantity:
            chosen.append((item, quantity))
    if not chosen:
        raise InvalidInput(N_("Indiquez au moins une quantité."), field="quantities")
    return chosen


def register_student(
    uow: UnitOfWork,
    activity_id: int,
    student_id: int,
    quantities: Mapping[int, int],
    actor_id: int,
    override_reason: str = "",
) -> Registered:
    """Register a student with quantities per item: the invoice, the confirmation to the
    payer and the audit event, all in this transaction.

    Refuses: PermissionDenied (inactive user), NotFound (activity, student),
    ActivityNotOpen (closed or cancelled), StudentNotEligible (a student of another
    establishment than the activity's, of a school or a level it is not open to),
    AlreadyRegistered, InvalidInput (no quantity, a quantity not 0–99, a foreign item),
    RegistrationClosed (after the deadline: a clerk; a registrar without a reason, with
    field `override_reason`), CardNumberRefused (a card number in the reason),
    InvalidInput on `quantities` (more than an item's maximum per registration).
    """
    user = active_staff(uow, actor_id, ISSUERS)
    activity = locked_activity(uow, activity_id, shared=True)
    student = uow.session.get(Student, student_id)
    if student is None:
        raise NotFound(N_("Élève introuvable."))
    name = f"{student.first_name} {student.last_name}".strip()
    state = activity_state(activity)
    if state is not ActivityState.OPEN:
        raise ActivityNotOpen(MSG_CANCELLED if state is ActivityState.CANCELLED else None)
    if activity.establishment_id not in (None, student.establishment_id):
        raise StudentNotEligible(field="student", student=name)
    if not school_matches(activity_schools(uow, activity_id), student.school_name):
        raise StudentNotEligible(MSG_NOT_FOR_SCHOOL, field="student", student=name)
    if not level_matches(activity_levels(uow, activity_id), student.school_level):
        raise StudentNotEligible(MSG_NOT_FOR_LEVEL, field="student", student=name)
    lock_family(uow, student.family_id)
    existing = uow.session.exec(
        select(ActivityRegistration).where(
            col(ActivityRegistration.activity_id) == activity_id,
            col(ActivityRegistration.student_id) == student_id,
        )
    ).first()
    if existing is not None:
        figures = invoice_figures(uow, invoice_ids=(existing.invoice_id or 0,))
        raise AlreadyRegistered(
            field="student", student=name, invoice=figures[0].number if figures else "—"
        )
    chosen = _quantities(activity_items(uow, activity_id), quantities)
    today = local_date(uow.now())
    reason = ""
    if today > activity.registration_deadline:
        deadline = DateParam(activity.registration_deadline)
        if Role(user.role) not in SUPERVISORS:
            raise RegistrationClosed(field="override_reason", deadline=deadline)
        reason = safe_text(override_reason, field="override_reason", max_length=500)
        if not reason:
            raise RegistrationClosed(MSG_REASON_NEEDED, field="override_reason", deadline=deadline)
    lines = [
        NewLine(
            fee_code=f"ACT-{activity_id}"[:16],
            description=f"{item.label} × {quantity} ({student.first_name})",
            amount=item.unit_price * quantity,
        )
        for item, quantity in chosen
    ]
    invoice = issue_invoice(
        uow,
        actor_id=actor_id,
        family_id=student.family_id,
        description=activity.title,
        lines=lines,
        due_on=min(activity.held_on, date.fromordinal(today.toordinal() + 14)),
        student_id=student_id,
        establishment_id=activity.establishment_id,
        audit_context={"activity_id": activity_id},
    )
    registration = ActivityRegistration(
        activity_id=activity_id,
        student_id=student_id,
        family_id=student.family_id,
        registered_at=uow.now(),
        registered_by_id=actor_id,
        invoice_id=invoice.invoice_id,
        override_reason=reason,
    )
    uow.session.add(registration)
    uow.session.flush()
    assert registration.id is not None
    for item, quantity in chosen:
        uow.session.add(
            ActivityRegistrationItem(
                registration_id=registration.id, item_id=require_id(item), quantity=quantity
            )
        )
    emailed_to = queue_confirmation(
        uow, activity, student, invoice, [(item.label, quantity) for item, quantity in chosen]
    )
    record_event(
        uow,
        actor_id,
        AUDIT_ACTION,
        "activity_registration",
        registration.id,
        {},
        {
            "activity_id": activity_id,
            "student_id": student_id,
            "invoice_number": invoice.number,
            "quantities": {str(item.id): quantity for item, quantity in chosen},
            "override_reason": reason,
        },
    )
    return Registered(
        registration_id=registration.id,
        invoice_id=invoice.invoice_id,
        invoice_number=invoice.number,
        total=invoice.total,
        family_id=student.family_id,
        student_name=name,
        emailed_to=emailed_to,
        late=bool(reason),
    )
