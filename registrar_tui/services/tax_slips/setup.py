"""What the admin sets before the slips: eligible fee codes and the programme flags.

A fee code is eligible tuition when the admin marks it (`tax_fee_code`); voluntary lines
are never tuition, whatever their code. The programme flags live on the discipline: in a
conservatory the programme *is* what is taught (the collegial-level piano programme is
post-secondary and full time; children's lessons are neither), the same for every
student enrolled in it, and an enrolment only says who takes which group.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Discipline, Role, TaxFeeCode
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.clock import utc_now
from registrar_tui.services.core.errors import InvalidInput, NotFound

ADMIN = (Role.ADMIN,)


def eligible_fee_codes(uow: UnitOfWork) -> frozenset[str]:
    """The fee codes marked eligible tuition."""
    return frozenset(uow.session.exec(select(TaxFeeCode.code)).all())


def set_fee_codes_eligible(
    uow: UnitOfWork, actor_id: int, codes: Iterable[str], *, eligible: bool = True
) -> frozenset[str]:
    """Mark (or unmark) fee codes as eligible tuition (admin only, audited per code).

    Refuses: `PermissionDenied` (not an active admin), `InvalidInput` (a blank code or one
    longer than 16 characters). Returns the codes marked after the change.
    """
    active_staff(uow, actor_id, roles=ADMIN)
    wanted = {code.strip().upper() for code in codes}
    if not wanted or any(not code or len(code) > 16 for code in wanted):
        raise InvalidInput(N_("Code de frais invalide."), field="code")
    marked = eligible_fee_codes(uow)
    for code in sorted(wanted):
        if eligible and code not in marked:
            uow.session.add(TaxFeeCode(code=code, marked_at=utc_now(uow), marked_by_id=actor_id))
        elif not eligible and code in marked:
            row = uow.session.get_one(TaxFeeCode, code)
            uow.session.delete(row)
        else:
            continue
        uow.session.flush()
        record_event(
            uow,
            actor_id,
            "tax_slips.fee_code",
            "tax_fee_code",
            None,
            {"code": code, "eligible": not eligible},
            {"code": code, "eligible": eligible},
        )
    return eligible_fee_codes(uow)


@dataclass(frozen=True)
class ProgrammeFlags:
    discipline_id: int
    code: str
    is_post_secondary: bool
    is_full_time: bool


def set_programme_flags(
    uow: UnitOfWork, actor_id: int, discipline_code: str, *, post_secondary: bool, full_time: bool
) -> ProgrammeFlags:
    """Say whether a discipline is a post-secondary and a full-time programme (admin, audited).

    Refuses: `PermissionDenied` (not an active admin), `NotFound` (no such discipline).
    """
    active_staff(uow, actor_id, roles=ADMIN)
    code = discipline_code.strip().upper()
    discipline = uow.session.exec(select(Discipline).where(col(Discipline.code) == code)).first()
    if discipline is None or discipline.id is None:
        raise NotFound(N_("Discipline introuvable."), field="discipline")
    before = {"post_secondary": discipline.is_post_secondary, "full_time": discipline.is_full_time}
    discipline.is_post_secondary = post_secondary
    discipline.is_full_time = full_time
    uow.session.add(discipline)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "discipline.tax_flags",
        "discipline",
        discipline.id,
        before,
        {"post_secondary": post_secondary, "full_time": full_time},
    )
    return ProgrammeFlags(discipline.id, discipline.code, post_secondary, full_time)
