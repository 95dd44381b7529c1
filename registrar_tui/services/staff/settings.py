"""Settings every terminal shares, kept in the database (`app_setting`).

A terminal's own choices (where PDFs are saved, which printer) are in its environment
instead: see `services/documents/output.py`.
"""

from __future__ import annotations

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import AppSetting, Role
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.text import safe_text

INSTITUTION_NAME = "institution_name"
MEDICAL_ROLES = "medical_roles"
"""Roles that see students' allergies and medical notes (services/records/need_to_know.py)."""
IDLE_MINUTES = "idle_minutes"
"""Minutes without a key before a terminal locks (services/staff/screen_lock.py)."""
DEPOSIT_ACCOUNT = "deposit_account"
"""The bank account printed on deposit slips (services/ledger/deposits.py)."""
KNOWN_SETTINGS = (INSTITUTION_NAME, MEDICAL_ROLES, IDLE_MINUTES, DEPOSIT_ACCOUNT)


def get_setting(uow: UnitOfWork, key: str, default: str = "") -> str:
    """The value of a shared setting, or `default` when it was never set."""
    found = uow.session.get(AppSetting, key)
    return found.value if found is not None else default


def institution_name(uow: UnitOfWork) -> str:
    """The institution's name printed at the top of every document ("" when not set)."""
    return get_setting(uow, INSTITUTION_NAME)


def set_setting(uow: UnitOfWork, key: str, value: str, actor_id: int) -> str:
    """Change a shared setting (admin only), audited with its previous value.

    Refuses: PermissionDenied (not an active admin), InvalidInput (unknown key, text with
    a card number or longer than 500 characters).
    """
    from registrar_tui.services.core.errors import InvalidInput

    active_staff(uow, actor_id, roles=[Role.ADMIN])
    if key not in KNOWN_SETTINGS:
        raise InvalidInput(N_("Paramètre inconnu."), field="key")
    cleaned = safe_text(value, field="value", max_length=500)
    found = uow.session.get(AppSetting, key)
    before = {"value": found.value} if found is not None else {}
    if found is None:
        found = AppSetting(key=key, value=cleaned)
    else:
        found.value = cleaned
    uow.session.add(found)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "setting.change",
        "app_setting",
        None,
        before,
        {"key": key, "value": cleaned},
    )
    return cleaned
