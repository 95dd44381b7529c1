"""The clock of the school: instants in aware UTC, days and years in the school's time zone.

Datetime columns hold UTC. SQLite hands them back naive, PostgreSQL aware: `as_utc`
makes either one aware UTC, so that instants compare and subtract the same way on both.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from registrar_tui.db import UnitOfWork

LOCAL_TIMEZONE = ZoneInfo("America/Toronto")
"""The school's time zone (Quebec): what "today" and "this year" mean at the counter."""


def as_utc(instant: datetime | str) -> datetime:
    """The instant as an aware UTC datetime; a naive one is taken to be UTC already.

    A string is an ISO instant as SQLite hands back a UNION's rows (the column type's
    conversion is skipped there).
    """
    if isinstance(instant, str):
        instant = datetime.fromisoformat(instant)
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def utc_now(uow: UnitOfWork) -> datetime:
    """The unit of work's instant as an aware UTC datetime (what datetime columns store)."""
    return as_utc(uow.now())


def local_date(instant: datetime) -> date:
    """The calendar day at the school for an instant (naive means UTC)."""
    return as_utc(instant).astimezone(LOCAL_TIMEZONE).date()


def local_year(instant: datetime) -> int:
    """The calendar year at the school for an instant (naive means UTC)."""
    return local_date(instant).year
