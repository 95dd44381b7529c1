"""For the idle lock and the social insurance number screens: a clock the test moves, and
the shared world with a number stored for the Tremblay family's payer."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import Guardian
from tests.conftest import fixed_clock
from tests.screens.fixtures import Seeded, seed

SIN = "130692544"
SIN_GROUPED = "130 692 544"
SIN_MASKED = "*** *** 544"


class FakeClock:
    """The app's clock, moved by the test instead of waiting."""

    def __init__(self) -> None:
        self.now = fixed_clock()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)


def seed_with_sin(db: Database) -> tuple[Seeded, int]:
    """The shared seed; Hélène Tremblay (payer, returned second) has the number `SIN`."""
    seeded = seed(db)
    with db.write() as uow:
        payer = uow.session.exec(
            select(Guardian).where(
                col(Guardian.family_id) == seeded.tremblay_id, col(Guardian.is_payer)
            )
        ).one()
        payer.social_insurance_number = SIN
        uow.session.add(payer)
        uow.session.flush()
        assert payer.id is not None
        return seeded, payer.id
