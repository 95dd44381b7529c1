"""What approving a student's identity correction would make disagree: the code permanent.

The code permanent spells the last name's first letters, the first name's initial, the
birth date and the sex (services/core/identifiers.py). A corrected name or birth date that
the code no longer agrees with is not refused (the Ministry sometimes assigns other
letters), but the registrar is told before approving.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from registrar_tui.models import Student
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.services.core.identifiers import code_permanent_warnings
from registrar_tui.services.requests.changes.fields import Record

IDENTITY_FIELDS = frozenset(("first_name", "last_name", "birth_date", "code_permanent"))


def _warnings(code: str | None, first: str, last: str, birth: date | None, sex: Any) -> list[str]:
    if not code:
        return []
    try:
        return code_permanent_warnings(code, first, last, birth, sex)
    except InvalidInput:  # a code stored before the checks existed: nothing to compare
        return []


def identity_warnings(record: Record, writes: Mapping[str, Any]) -> tuple[str, ...]:
    """The translated disagreements between the code permanent and the name, birth date and
    sex that writing `writes` (field → stored value) would bring, and that the record does
    not have already. Empty for a guardian, or when nothing of the identity changes."""
    if not isinstance(record, Student) or not IDENTITY_FIELDS & set(writes):
        return ()
    before = _warnings(
        record.code_permanent, record.first_name, record.last_name, record.birth_date, record.sex
    )
    after = _warnings(
        writes.get("code_permanent", record.code_permanent),
        writes.get("first_name", record.first_name),
        writes.get("last_name", record.last_name),
        writes.get("birth_date", record.birth_date),
        record.sex,
    )
    return tuple(warning for warning in after if warning not in before)
