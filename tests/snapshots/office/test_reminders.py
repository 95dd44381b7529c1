"""SVG snapshots of the reminders screen: families at levels 1 and 2, the totals per level
and who is left out, before the key that sends."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from textual.pilot import Pilot

from registrar_tui.db import Database
from registrar_tui.models import Reminder, ReminderLetter, StaffUser
from registrar_tui.models.base import Language
from registrar_tui.screens.office.reminders import RemindersScreen
from tests import builders
from tests.screens.fixtures import REGISTRAR_PASSWORD, REGISTRAR_USERNAME, seed
from tests.screens.helpers import settle, sign_in
from tests.snapshots.support import AppFactory, SnapCompare

D = Decimal


def seed_reminders(db: Database) -> None:
    """The counter world (Tremblay: level 1), three more late families, one of them
    reminded at level 1 on 1 October (level 2 now), one under the minimum balance."""
    seed(db)
    with db.write() as uow:
        site = builders.establishment(uow, code="QC", name="Conservatoire de Québec")
        registrar = uow.session.exec(
            __import__("sqlmodel").select(StaffUser).where(StaffUser.username == "registrar")
        ).one()
        late = (
            ("F0000201", "Côté-Bérubé", "600.00", date(2026, 8, 31)),
            ("F0000202", "Nguyễn", "125.50", date(2026, 10, 1)),
            ("F0000203", "Petit", "4.00", date(2026, 9, 15)),
        )
        ids = {}
        for number, name, amount, due in late:
            family = builders.family(uow, site, number=number, name=name, payer="Ana")
            invoice = builders.invoice(
                uow,
                family,
                site,
                number=f"FAC0000{number[-3:]}",
                description="Session AUT-2026",
                lines=[builders.piano(D(amount))],
                issued_on=date(2026, 8, 1),
                due_on=due,
            )
            ids[number] = (family, invoice)
        family, invoice = ids["F0000201"]
        sent = datetime(2026, 10, 1, 15, 0, tzinfo=UTC)
        letter = ReminderLetter(
            family_id=family,
            level=1,
            as_of=date(2026, 10, 1),
            sent_at=sent,
            sent_by_id=registrar.id,
            language=Language.FRENCH,
            total_overdue=D("600.00"),
            filename="F0000201-relance1-20261001.pdf",
            pdf=b"%PDF-1.4",
        )
        uow.session.add(letter)
        uow.session.flush()
        uow.session.add(
            Reminder(
                family_id=family,
                invoice_id=invoice,
                level=1,
                sent_at=sent,
                sent_by_id=registrar.id,
                amount_overdue=D("600.00"),
                letter_id=letter.id,
            )
        )


async def _open(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await sign_in(pilot, REGISTRAR_PASSWORD, REGISTRAR_USERNAME)
    await pilot.app.push_screen(RemindersScreen())
    await settle(pilot)


def test_the_reminders_preview(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    snapshot_db: Database,
    size: tuple[int, int],
) -> None:
    seed_reminders(snapshot_db)
    assert snap_compare(snapshot_app(snapshot_db), terminal_size=size, run_before=_open)


async def _open_settings(pilot: Pilot[Any]) -> None:
    from tests.screens.fixtures import ADMIN_PASSWORD, ADMIN_USERNAME

    await settle(pilot)
    await sign_in(pilot, ADMIN_PASSWORD, ADMIN_USERNAME)
    await pilot.app.push_screen(RemindersScreen())
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    await pilot.press("f5")  # level 2
    await settle(pilot)


def test_the_reminder_settings(
    snap_compare: SnapCompare,
    snapshot_app: AppFactory,
    snapshot_db: Database,
    size: tuple[int, int],
) -> None:
    """The admin's settings: level 2's days, its French and English texts, the minimum."""
    seed_reminders(snapshot_db)
    assert snap_compare(snapshot_app(snapshot_db), terminal_size=size, run_before=_open_settings)
