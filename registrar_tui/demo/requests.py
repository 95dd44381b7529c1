"""What families submitted through the portal: identity changes and re-enrolments.

Written as rows, like the rest of the demo (the services would stamp them with today's
date and refuse a re-enrolment outside today's window; the demo's dates are fixed), but
as the portal sends them: each names the portal's account (`portail`, role portal) as
its submitter, so the queue says they came from the portal.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from registrar_tui.demo.context import CURRENT_TERM, NEXT_TERM, DemoContext, ascii_fold
from registrar_tui.demo.people import (
    FamilyProfile,
    GuardianSpec,
    StudentProfile,
    email,
    phone,
    postal_code,
)
from registrar_tui.demo.pools import CITIES, REENROLMENT_NOTES, STREETS
from registrar_tui.models import ChangeTarget, ReenrolmentKind, RequestStatus, Role

Field = tuple[str, str, str]  # (field name, value at submission, requested value)
_WINDOW = (date(2026, 10, 1), date(2026, 11, 22))
_REJECTION = "Pièce justificative manquante; veuillez nous transmettre une preuve."
PORTAL_USERNAME = "portail"
PORTAL_NAME = "Portail des familles"
NO_PASSWORD = "!"
"""Not a password hash: the portal's account never signs in to the terminal."""


def portal_account(ctx: DemoContext) -> int:
    """The family portal's staff account (`portail`, role portal), created on first use:
    a get-or-create, since another part of the demo may have made it already."""
    existing = ctx.ref.staff.get(PORTAL_USERNAME)
    if existing is not None:
        return existing
    created = datetime(2024, 8, 1, 13, 0, tzinfo=UTC)
    staff_id = ctx.new_id("staff_user")
    ctx.add(
        "staff_user",
        {
            "id": staff_id,
            "username": PORTAL_USERNAME,
            "full_name": PORTAL_NAME,
            "role": Role.PORTAL,
            "password_hash": NO_PASSWORD,
            "establishment_id": None,
            "language": "fr_CA",
            "is_active": True,
            "failed_attempts": 0,
            "locked_until": None,
            "created_at": created,
            "password_changed_at": created,
        },
    )
    ctx.ref.staff[PORTAL_USERNAME] = staff_id
    return staff_id


def change_request(
    ctx: DemoContext,
    family: FamilyProfile,
    target: ChangeTarget,
    target_id: int,
    fields: list[Field],
    submitted_at: datetime,
    *,
    status: RequestStatus = RequestStatus.PENDING,
    reason: str = "",
) -> int:
    request_id = ctx.new_id("change_request")
    decided = status is not RequestStatus.PENDING
    ctx.add(
        "change_request",
        {
            "id": request_id,
            "family_id": family.id,
            "target_kind": target,
            "target_id": target_id,
            "status": status,
            "submitted_at": submitted_at,
            "decided_at": submitted_at + timedelta(days=2, hours=1) if decided else None,
            "decided_by_id": ctx.ref.staff["registrar"] if decided else None,
            "decision_reason": reason,
            "submitted_by_id": portal_account(ctx),
        },
    )
    for name, before, after in fields:
        ctx.add(
            "change_request_field",
            {
                "id": ctx.new_id("change_request_field"),
                "request_id": request_id,
                "field_name": name,
                "value_at_submission": before,
                "requested_value": after,
                "applied": None if not decided else status is RequestStatus.APPROVED,
            },
        )
    return request_id


def reenrolment_request(
    ctx: DemoContext,
    family: FamilyProfile,
    student: StudentProfile,
    discipline_codes: tuple[str, ...],
    note: str,
    submitted_at: datetime,
) -> int:
    """A pending request for the next term (HIV-2027); no disciplines = administrative."""
    request_id = ctx.new_id("reenrolment_request")
    ctx.add(
        "reenrolment_request",
        {
            "id": request_id,
            "family_id": family.id,
            "student_id": student.id,
            "term_id": ctx.ref.terms[NEXT_TERM].id,
            "kind": ReenrolmentKind.DISCIPLINES
            if discipline_codes
            else ReenrolmentKind.ADMINISTRATIVE,
            "note": note,
            "status": RequestStatus.PENDING,
            "submitted_at": submitted_at,
            "decided_at": None,
            "decided_by_id": None,
            "decision_reason": "",
            "submitted_by_id": portal_account(ctx),
        },
    )
    for code in discipline_codes:
        ctx.add(
            "reenrolment_request_discipline",
            {"request_id": request_id, "discipline_id": ctx.ref.discipline(code).id},
        )
    # What next term's groups must hold (an administrative request: this term's disciplines).
    wanted = [ctx.ref.discipline(code) for code in discipline_codes] or list(student.disciplines)
    for discipline in wanted:
        key = (student.est, discipline.index)
        ctx.reenrolment_demand[key] = ctx.reenrolment_demand.get(key, 0) + 1
    ctx.requesting.add(student.id)
    return request_id


def guardian_fields(ctx: DemoContext, family: FamilyProfile, g: GuardianSpec) -> list[Field]:
    """A plausible change of a guardian's address, phone or e-mail (from current values)."""
    rng = ctx.rng
    code = ctx.ref.establishments[family.est].code
    roll = rng.random()
    if roll < 0.45:
        city, prefixes, _areas = rng.choice(CITIES[code])
        street = f"{rng.randint(10, 9999)}, {rng.choice(STREETS[code])}"
        return [
            ("address_line", g.address_line, street),
            ("city", g.city, city),
            ("postal_code", g.postal_code, postal_code(ctx, rng.choice(prefixes))),
        ]
    if roll < 0.75:
        return [("phone", g.phone, phone(ctx, g.phone[:3]))]
    return [("email", g.email, email(ctx, g.first_name, g.last_name))]


def student_fields(ctx: DemoContext, s: StudentProfile) -> list[Field]:
    """A correction of a student's birth date or first name."""
    if ctx.rng.random() < 0.6:
        shift = ctx.rng.choice((-31, -2, -1, 1, 2, 30, 365))
        return [
            ("birth_date", s.birth_date.isoformat(), (s.birth_date + timedelta(shift)).isoformat())
        ]
    folded = ascii_fold(s.first_name)
    wanted = (
        folded
        if folded != s.first_name
        else f"{s.first_name}-{ctx.rng.choice(('Rose', 'Marie', 'Olivier', 'Jean'))}"
    )
    return [("first_name", s.first_name, wanted)]


def random_requests(ctx: DemoContext, family: FamilyProfile) -> None:
    rng = ctx.rng
    roll = rng.random()
    if roll < 0.05:
        g = rng.choice(family.guardians)
        fields = guardian_fields(ctx, family, g)
        if rng.random() < 0.15:  # the record changed after the family submitted: a conflict
            name, current, wanted = fields[0]
            fields[0] = (name, _stale(ctx, family, g, name, current), wanted)
        change_request(ctx, family, ChangeTarget.GUARDIAN, g.id, fields, _submitted(ctx))
    elif roll < 0.065 and family.students:
        s = rng.choice(family.students)
        change_request(ctx, family, ChangeTarget.STUDENT, s.id, student_fields(ctx, s),
                       _submitted(ctx))  # fmt: skip
    elif roll < 0.08:
        g = family.guardians[0]
        if rng.random() < 0.5:  # approved long ago: the record holds the requested value
            fields = [("phone", phone(ctx, g.phone[:3]), g.phone)]
            change_request(ctx, family, ChangeTarget.GUARDIAN, g.id, fields,
                           _submitted(ctx), status=RequestStatus.APPROVED)  # fmt: skip
        else:
            change_request(ctx, family, ChangeTarget.GUARDIAN, g.id,
                           guardian_fields(ctx, family, g), _submitted(ctx),
                           status=RequestStatus.REJECTED, reason=_REJECTION)  # fmt: skip
    for s in family.students:
        if CURRENT_TERM not in s.terms or rng.random() >= 0.12:
            continue
        codes: tuple[str, ...] = ()
        if rng.random() < 0.7:
            codes = tuple(d.code for d in s.disciplines)
            if "SOL" not in codes and codes[0] != "ADR" and rng.random() < 0.3:
                codes += ("SOL",)
        submitted = ctx.office_time(ctx.day_between(date(2026, 11, 1), _WINDOW[1]))
        reenrolment_request(ctx, family, s, codes, rng.choice(REENROLMENT_NOTES), submitted)


def _stale(
    ctx: DemoContext, family: FamilyProfile, g: GuardianSpec, name: str, current: str
) -> str:
    """A value the field held when the family submitted, different from today's."""
    code = ctx.ref.establishments[family.est].code
    while True:
        if name == "phone":
            value = phone(ctx, current[:3])
        elif name == "email":
            value = email(ctx, g.first_name, g.last_name)
        else:
            value = f"{ctx.rng.randint(10, 9999)}, {ctx.rng.choice(STREETS[code])}"
        if value != current:
            return value


def _submitted(ctx: DemoContext) -> datetime:
    return ctx.office_time(ctx.day_between(*_WINDOW))
