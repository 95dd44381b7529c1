"""Who a family's guardians are: add one, make another the payer, remove one (history kept).

A family has one payer and at most `MAX_GUARDIANS` active guardians (the portal, the
receipts and the family screen know a payer and a second guardian, DESIGN.md). Removing a
guardian keeps the row (`removed_at`, `removed_by_id`): the audit trail and past portal
requests still name that person, but the family screen, the search, the portal's change
requests and the documents no longer see them. The payer is never removed: another
guardian is made payer first.

Who may: a clerk, a registrar or an admin (`CONTACT_EDITORS`), the same rule as for
correcting a guardian's details (services/records/contacts.py) and for admitting a family
(services/records/admission.py). Each action is one transaction with one audit event and
the family's search entries refreshed; the family's row is locked first, so two
terminals changing the same family's guardians queue (PostgreSQL; SQLite serialises writers).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import col, func, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Guardian
from registrar_tui.models.base import require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.errors import DomainError, NotFound
from registrar_tui.services.ledger.locks import lock_family
from registrar_tui.services.records.contacts import (
    CONTACT_EDITORS,
    MSG_GUARDIAN_NOT_FOUND,
    GuardianContact,
    GuardianRemoved,
    NewGuardian,
    guardian_contact,
    validate_contact,
)
from registrar_tui.services.search.index import reindex_family

MAX_GUARDIANS = 2
"""Active guardians a family may have: the payer and a second guardian."""

ADD_ACTION = "guardian.add"
PAYER_ACTION = "guardian.make_payer"
REMOVE_ACTION = "guardian.remove"

AUDITED_FIELDS = (
    "first_name",
    "last_name",
    "relationship_label",
    "phone",
    "phone_alt",
    "email",
    "address_line",
    "city",
    "province",
    "postal_code",
    "language",
    "is_payer",
)
"""What the trail keeps of a guardian added or removed (never the insurance number)."""


class TooManyGuardians(DomainError):
    message = N_("Cette famille a déjà deux responsables : retirez-en un d'abord.")


class PayerNotRemoved(DomainError):
    message = N_(
        "Le payeur ne peut pas être retiré : désignez d'abord un autre responsable comme payeur."
    )


class AlreadyPayer(DomainError):
    message = N_("Ce responsable est déjà le payeur.")


@dataclass(frozen=True)
class PayerChange:
    """The family's payer before and after."""

    family_id: int
    previous_payer_id: int | None
    payer: GuardianContact


def guardian_snapshot(guardian: Guardian) -> dict[str, Any]:
    """The guardian as the audit trail keeps it (no insurance number)."""
    return {name: getattr(guardian, name) for name in AUDITED_FIELDS}


def new_guardian_row(family_id: int, values: dict[str, Any], *, is_payer: bool) -> Guardian:
    """A guardian row from validated values (`validate_contact` of a `NewGuardian`)."""
    return Guardian(
        family_id=family_id,
        is_payer=is_payer,
        **{name: value for name, value in values.items() if name in AUDITED_FIELDS},
    )


def _locked_guardian(uow: UnitOfWork, guardian_id: int) -> Guardian:
    """The guardian, its family locked first (always family, then guardians), still active."""
    family_id = uow.session.exec(
        select(Guardian.family_id).where(col(Guardian.id) == guardian_id)
    ).first()
    if family_id is None:
        raise NotFound(MSG_GUARDIAN_NOT_FOUND, field="guardian")
    lock_family(uow, family_id)
    guardian = uow.session.exec(
        select(Guardian).where(col(Guardian.id) == guardian_id).with_for_update()
    ).one()
    if guardian.removed_at is not None:
        raise GuardianRemoved(field="guardian")
    return guardian


def _active_count(uow: UnitOfWork, family_id: int) -> int:
    return uow.session.exec(
        select(func.count())
        .select_from(Guardian)
        .where(col(Guardian.family_id) == family_id, col(Guardian.removed_at).is_(None))
    ).one()


def add_guardian(
    uow: UnitOfWork, actor_id: int, family_id: int, new: NewGuardian
) -> GuardianContact:
    """Add a (non-paying) guardian to a family.

    Refuses: an inactive user or one who is not clerk, registrar or admin
    (`PermissionDenied`); an unknown family (`NotFound`); a family that already has two
    active guardians (`TooManyGuardians`, field "guardian"); a card number in any field
    (`CardNumberRefused`); a blank name or malformed phone, e-mail, postal code, province
    or language (`InvalidContact`, one error per field). Writes the guardian, one audit
    event `guardian.add` (its fields in "after") and the family's search entries.
    """
    active_staff(uow, actor_id, roles=CONTACT_EDITORS)
    lock_family(uow, family_id)
    values = validate_contact(new.as_change())
    if _active_count(uow, family_id) >= MAX_GUARDIANS:
        raise TooManyGuardians(field="guardian")
    guardian = new_guardian_row(family_id, values, is_payer=False)
    uow.session.add(guardian)
    uow.session.flush()
    record_event(
        uow, actor_id, ADD_ACTION, "guardian", guardian.id, {}, guardian_snapshot(guardian)
    )
    reindex_family(uow, family_id)
    return guardian_contact(uow, require_id(guardian))


def make_payer(uow: UnitOfWork, actor_id: int, guardian_id: int) -> PayerChange:
    """Make this guardian the family's payer (the previous payer stays, as a guardian).

    Refuses: an inactive user or one who is not clerk, registrar or admin
    (`PermissionDenied`); an unknown guardian (`NotFound`) or a removed one
    (`GuardianRemoved`); the payer itself (`AlreadyPayer`). Writes both guardians (one
    payer per family: `uq_guardian_one_payer_per_family`) and one audit event
    `guardian.make_payer` on the family, naming the payer before and after.
    """
    active_staff(uow, actor_id, roles=CONTACT_EDITORS)
    guardian = _locked_guardian(uow, guardian_id)
    family_id = guardian.family_id
    if guardian.is_payer:
        raise AlreadyPayer(field="guardian")
    previous = uow.session.exec(
        select(Guardian).where(col(Guardian.family_id) == family_id, col(Guardian.is_payer))
    ).first()
    if previous is not None:
        previous.is_payer = False
        uow.session.add(previous)
        uow.session.flush()  # the old payer first: the unique index allows one payer
    guardian.is_payer = True
    uow.session.add(guardian)
    uow.session.flush()

    def named(row: Guardian | None) -> dict[str, Any]:
        if row is None:
            return {"payer_id": None}
        return {"payer_id": row.id, "payer": f"{row.first_name} {row.last_name}".strip()}

    record_event(uow, actor_id, PAYER_ACTION, "family", family_id, named(previous), named(guardian))
    return PayerChange(
        family_id=family_id,
        previous_payer_id=previous.id if previous is not None else None,
        payer=guardian_contact(uow, guardian_id),
    )


def remove_guardian(uow: UnitOfWork, actor_id: int, guardian_id: int) -> GuardianContact:
    """Take a guardian who is not the payer off the family; the row stays for the history.

    Refuses: an inactive user or one who is not clerk, registrar or admin
    (`PermissionDenied`); an unknown guardian (`NotFound`) or one already removed
    (`GuardianRemoved`); the payer (`PayerNotRemoved`, field "guardian"). Writes
    `removed_at` and `removed_by_id`, one audit event `guardian.remove` (the guardian's
    fields in "before") and the family's search entries (the name, phones and e-mail no
    longer find the family).
    """
    active_staff(uow, actor_id, roles=CONTACT_EDITORS)
    guardian = _locked_guardian(uow, guardian_id)
    family_id = guardian.family_id
    if guardian.is_payer:
        raise PayerNotRemoved(field="guardian")
    before = guardian_snapshot(guardian)
    guardian.removed_at = uow.now()
    guardian.removed_by_id = actor_id
    uow.session.add(guardian)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        REMOVE_ACTION,
        "guardian",
        guardian_id,
        before,
        {"removed_at": guardian.removed_at.isoformat()},
    )
    reindex_family(uow, family_id)
    return guardian_contact(uow, guardian_id)
