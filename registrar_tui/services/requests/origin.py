"""Where a request came from: the family portal, or the counter (a clerk recorded it).

A request names its submitter (`submitted_by_id`): the portal's own account (role
portal) or the staff member at the counter. Requests recorded before that was kept name
nobody: their origin is unknown (None).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.models import StaffUser
from registrar_tui.models.base import Role


class RequestOrigin(enum.StrEnum):
    PORTAL = "portal"
    COUNTER = "counter"


@dataclass(frozen=True)
class Submitters:
    """The submitting accounts of a page of requests: origin and name by id."""

    by_id: dict[int, tuple[RequestOrigin, str]]

    def of(self, submitted_by_id: int | None) -> tuple[RequestOrigin | None, str]:
        """Where a request came from and who sent it (None, "": not recorded then)."""
        if submitted_by_id is None:
            return None, ""
        return self.by_id.get(submitted_by_id, (None, ""))


def submitters(uow: UnitOfWork, submitter_ids: Iterable[int | None]) -> Submitters:
    """Each submitter's origin and name, by id (one query for a page of requests)."""
    ids = {i for i in submitter_ids if i is not None}
    if not ids:
        return Submitters({})
    return Submitters(
        {
            user.id: (
                RequestOrigin.PORTAL if user.role == Role.PORTAL else RequestOrigin.COUNTER,
                user.full_name,
            )
            for user in uow.session.exec(select(StaffUser).where(col(StaffUser.id).in_(ids)))
            if user.id is not None
        }
    )
