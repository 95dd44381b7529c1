"""Who is acting: the signed-in staff member, active, in a role allowed to do this.

Every writing service checks the acting user here, inside its own transaction, so that
an account disabled after sign-in, or a role changed meanwhile, is refused at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from registrar_tui.db import UnitOfWork
from registrar_tui.models import StaffUser
from registrar_tui.models.base import Role
from registrar_tui.services.core.errors import PermissionDenied

SUPERVISORS = frozenset({Role.REGISTRAR, Role.ADMIN})
"""The roles that decide requests, void payments and read the audit trail."""


def active_staff(uow: UnitOfWork, actor_id: int, roles: Iterable[Role] | None = None) -> StaffUser:
    """The acting user, active and (when `roles` is given) in one of them (PermissionDenied)."""
    user = uow.session.get(StaffUser, actor_id)
    if user is None or not user.is_active:
        raise PermissionDenied()
    if roles is not None and user.role not in set(roles):
        raise PermissionDenied()
    return user
