"""Need-to-know on the audit trail: health values only for the `medical_roles`.

The trail keeps every write's before and after in full (append-only, hash-chained), so a
student's allergies and medical notes are on it as typed. A reader of the trail whose role
is not one of the `medical_roles` setting sees that those fields were recorded, never their
values: the viewer shows them masked, on the list and in the event's detail.

The rule is the records room's (`services/records/need_to_know.py`, which this room may not
import: it sits above): the setting, read here from `app_setting` directly, or the clerk,
the registrar and the admin when it was never set; a stored value naming no known role
shows the notes to nobody. A test checks both rooms agree.
"""

from __future__ import annotations

from registrar_tui.db import UnitOfWork
from registrar_tui.models import AppSetting, Role, StaffUser

HEALTH_FIELDS = frozenset({"allergies", "medical_conditions"})
"""Fields of the trail whose values only the `medical_roles` read (whatever the record)."""
MEDICAL_ROLES_SETTING = "medical_roles"
"""The shared setting's key (services/staff/settings.py's MEDICAL_ROLES)."""
DEFAULT_MEDICAL_ROLES = frozenset({Role.CLERK, Role.REGISTRAR, Role.ADMIN})


def reader_sees_health(uow: UnitOfWork, reader: StaffUser) -> bool:
    """Whether this (active, already checked) reader's role is one of the `medical_roles`."""
    found = uow.session.get(AppSetting, MEDICAL_ROLES_SETTING)
    stored = found.value if found is not None else ""
    if not stored.strip():
        return reader.role in DEFAULT_MEDICAL_ROLES
    known = {role.value: role for role in Role}
    roles = {known[n] for part in stored.split(",") if (n := part.strip().lower()) in known}
    return reader.role in roles
