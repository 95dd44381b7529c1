"""Need-to-know: which staff roles see students' allergies and medical notes.

The shared setting `medical_roles` lists them (comma-separated role names). Without it,
every role sees them: the clerk at the counter registers children for lunches and
outings and is the first adult called when a child is unwell in the building, so a
school that never configured this must not hide an allergy from them. A school that
wants the notes kept to the office sets it, e.g. to "registrar,admin" (`set_medical_roles`).
"""

from __future__ import annotations

from collections.abc import Iterable

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models.base import Role
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.services.staff.settings import MEDICAL_ROLES, get_setting, set_setting

DEFAULT_MEDICAL_ROLES = frozenset({Role.CLERK, Role.REGISTRAR, Role.ADMIN})


def parse_roles(text: str) -> frozenset[Role]:
    """The roles named in a setting's value ("registrar, admin"); unknown names ignored."""
    known = {role.value: role for role in Role}
    return frozenset(
        known[name] for part in text.split(",") if (name := part.strip().lower()) in known
    )


def medical_roles(uow: UnitOfWork) -> frozenset[Role]:
    """The roles that see medical fields: the setting, or every role when it is not set.

    A stored value naming no known role (set by hand, mistyped) shows the notes to
    nobody rather than to everybody.
    """
    stored = get_setting(uow, MEDICAL_ROLES, default="")
    return parse_roles(stored) if stored.strip() else DEFAULT_MEDICAL_ROLES


def may_see_medical(uow: UnitOfWork, actor_id: int) -> bool:
    """Whether this staff user's role is one of `medical_roles`.

    Refuses with `PermissionDenied` when the user is unknown or inactive.
    """
    return active_staff(uow, actor_id).role in medical_roles(uow)


def set_medical_roles(uow: UnitOfWork, roles: Iterable[Role], actor_id: int) -> frozenset[Role]:
    """Choose the roles that see medical fields (admin only, audited by `set_setting`).

    Refuses: `PermissionDenied` (not an active admin), `InvalidInput` (no role given:
    the notes must stay readable by someone).
    """
    active_staff(uow, actor_id, roles=[Role.ADMIN])
    chosen = frozenset(roles)
    if not chosen:
        raise InvalidInput(N_("Choisissez au moins un rôle."), field="roles")
    # Stored in the enum's order, so the same choice is always the same text.
    set_setting(uow, MEDICAL_ROLES, ",".join(r.value for r in Role if r in chosen), actor_id)
    return chosen
