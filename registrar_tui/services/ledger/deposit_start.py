"""The first day of an establishment's deposits (chosen once, before its first deposit).

What was received or refunded before it was banked before the program knew of deposits:
nothing before it is ever offered to a deposit, and until it is chosen nothing is
(services/ledger/deposits.py asks `start_instant`).
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import select as sa_select
from sqlmodel import col

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import Deposit, Establishment
from registrar_tui.services.audit.record import lock_sequence_row, record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import LOCAL_TIMEZONE, as_utc, local_date, utc_now
from registrar_tui.services.core.errors import DomainError
from registrar_tui.services.ledger.posted_receipts import establishment_view


def lock_deposits(uow: UnitOfWork, establishment_id: int) -> None:
    """One registrar at a time prepares a deposit or chooses the start day of an
    establishment (PostgreSQL; SQLite serialises writers anyway)."""
    lock_sequence_row(uow, f"deposit-prepare:{establishment_id}")


class DepositsNotStarted(DomainError):
    message = N_(
        "Les dépôts de cet établissement n'ont pas de date de début : fixez-la d'abord "
        "(registrar-tui deposits start)."
    )


class DepositsAlreadyStarted(DomainError):
    message = N_(
        "Les dépôts de cet établissement ont commencé le {start} : cette date ne change plus."
    )


def start_instant(uow: UnitOfWork, establishment_id: int) -> datetime | None:
    """The instant deposits start at the establishment (local midnight of its start day),
    None before a start day is chosen."""
    found = uow.session.get(Establishment, establishment_id)
    if found is None or found.deposits_start_on is None:
        return None
    return as_utc(datetime.combine(found.deposits_start_on, time(0, 0), tzinfo=LOCAL_TIMEZONE))


def start_deposits(uow: UnitOfWork, actor_id: int, establishment_id: int, start_on: date) -> date:
    """Choose the first day of the establishment's deposits: payments received and cash
    refunded before it are never offered (they were banked before). It may be chosen
    again until the establishment's first deposit is prepared, never after.

    Refuses, writing nothing: PermissionDenied (not an active registrar or admin),
    NotFound (establishment), DepositsAlreadyStarted (a deposit exists already).
    """
    active_staff(uow, actor_id, SUPERVISORS)
    establishment_view(uow, establishment_id)
    lock_deposits(uow, establishment_id)
    found = uow.session.get_one(Establishment, establishment_id)
    before = found.deposits_start_on
    any_deposit = uow.session.execute(
        sa_select(col(Deposit.id)).where(col(Deposit.establishment_id) == establishment_id).limit(1)
    ).first()
    if any_deposit is not None:
        raise DepositsAlreadyStarted(start=before or start_on)
    found.deposits_start_on = start_on
    uow.session.add(found)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "deposit.start",
        "establishment",
        establishment_id,
        {"deposits_start_on": None if before is None else before.isoformat()},
        {"deposits_start_on": start_on.isoformat()},
    )
    return start_on


def deposits_start_today(uow: UnitOfWork) -> date:
    """Today at the school (the default first day of deposits)."""
    return local_date(utc_now(uow))
