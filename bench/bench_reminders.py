"""Overdue reminders: 5,000 letters with their PDFs and outbox e-mails.

On a FRESH SQLite database (a new file; with `--pg`, a new PostgreSQL database next to the
one given, dropped afterwards): 5,000 families, each with a payer who has an e-mail and one
or two invoices 40 to 70 days overdue. Times the preview (`reminder_preview`), then the
sending (`send_reminders`: chunks of 50 families per transaction; per family a PDF letter,
an outbox e-mail with it, the reminder rows and an audit event; the letters then saved as
files in a temporary folder), and checks that a second run sends nothing.

Target (issue #16): 5,000 letters with their PDFs and outbox rows in ≤ 60 s on 2 cores.

    .venv/bin/python -m bench --only reminders [--pg URL]
    REMINDER_BENCH_FAMILIES=500 .venv/bin/python -m bench --only reminders   (a quick look)
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

FAMILIES = int(os.environ.get("REMINDER_BENCH_FAMILIES", "5000"))
TARGET_S = 60.0
SEED = 2026
AS_OF = date(2026, 11, 23)
_NAMES = ("Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Lavoie", "Fortin", "Nguyễn")


def _world(url: str, families: int) -> int:
    """Schema, one establishment, a registrar, the families and their overdue invoices;
    the registrar's id."""
    from registrar_tui.db import Database
    from registrar_tui.migrate import upgrade
    from registrar_tui.models import (
        Establishment,
        Family,
        Guardian,
        Invoice,
        InvoiceLine,
        StaffUser,
    )
    from registrar_tui.models.base import Language, Role

    upgrade(url)
    rng = random.Random(SEED)
    created = datetime(2026, 8, 1, 12, tzinfo=UTC)
    db = Database.open(url)
    try:
        with db.write() as uow:
            site = Establishment(
                code="MTL", name="Conservatoire de Montréal",
                address_line="4750, avenue Henri-Julien", city="Montréal",
                postal_code="H2T 2C8", phone="514-873-4031",
            )  # fmt: skip
            uow.session.add(site)
            registrar = StaffUser(
                username="registrar", full_name="Registraire", role=Role.REGISTRAR,
                password_hash="x", created_at=created,
            )  # fmt: skip
            uow.session.add(registrar)
            uow.session.flush()
            assert site.id is not None and registrar.id is not None
            rows = [
                Family(
                    family_number=f"F{index:07d}",
                    name=f"{rng.choice(_NAMES)} {index}",
                    establishment_id=site.id,
                    language=Language.ENGLISH if index % 5 == 0 else Language.FRENCH,
                    created_at=created,
                )
                for index in range(1, families + 1)
            ]
            uow.session.add_all(rows)
            uow.session.flush()
            invoice_number = 0
            for family in rows:
                assert family.id is not None
                uow.session.add(
                    Guardian(
                        family_id=family.id, first_name="Hélène", last_name=family.name,
                        is_payer=True, email=f"{family.family_number.lower()}@example.org",
                        address_line="1234, rue Saint-Denis", city="Montréal",
                        postal_code="H2X 3K2",
                    )
                )  # fmt: skip
                for _ in range(rng.choice((1, 1, 2))):
                    invoice_number += 1
                    due = AS_OF - timedelta(days=rng.randint(40, 70))
                    invoice = Invoice(
                        number=f"FAC{invoice_number:08d}", family_id=family.id,
                        establishment_id=site.id, description="Session AUT-2026",
                        issued_on=due - timedelta(days=30), due_on=due, created_at=created,
                    )  # fmt: skip
                    uow.session.add(invoice)
                    uow.session.flush()
                    assert invoice.id is not None
                    uow.session.add(
                        InvoiceLine(
                            invoice_id=invoice.id, position=1, fee_code="PIANO",
                            description="Piano, 30 cours",
                            amount=Decimal(rng.randint(50, 900)) + Decimal("0.50"),
                        )
                    )  # fmt: skip
            return registrar.id
    finally:
        db.dispose()


def _cpu_seconds() -> float:
    """User + system time of this process and of its waited-for children (the renderers):
    what the sending costs whatever else the machine is doing."""
    import resource

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(url: str, registrar_id: int) -> list[tuple[str, str]]:
    from registrar_tui.db import Database
    from registrar_tui.services.ledger.reminders import reminder_preview
    from registrar_tui.services.outbox.reminder_letters import send_reminders

    rows: list[tuple[str, str]] = []
    db = Database.open(url)
    try:
        started = time.perf_counter()
        with db.read() as uow:
            preview = reminder_preview(uow, AS_OF)
        rows.append(
            (f"reminders: preview ({len(preview.families):,} families)",
             f"{time.perf_counter() - started:.1f} s")
        )  # fmt: skip
        with tempfile.TemporaryDirectory() as folder:
            cpu_before = _cpu_seconds()
            started = time.perf_counter()
            run = send_reminders(db, actor_id=registrar_id, as_of=AS_OF, documents_dir=Path(folder))
            took = time.perf_counter() - started
            cpu = _cpu_seconds() - cpu_before
            assert len(run.letters) == len(preview.families) == FAMILIES, len(run.letters)
            assert run.emails == FAMILIES and len(run.saved) == FAMILIES
        verdict = "ok" if took <= TARGET_S else f"TOO SLOW, target ≤ {TARGET_S:.0f} s"
        rows.append(
            (f"reminders: send {len(run.letters):,} letters (PDF, e-mail, saved)",
             f"{took:.1f} s ({len(run.letters) / took:,.0f} letters/s) {verdict}")
        )  # fmt: skip
        rows.append(
            ("reminders: send, CPU time (this process and its renderers)",
             f"{cpu:.1f} s (≈ {cpu / 2:.0f} s of wall time on 2 idle cores)")
        )  # fmt: skip
        started = time.perf_counter()
        again = send_reminders(db, actor_id=registrar_id, as_of=AS_OF)
        assert again.letters == ()
        rows.append(
            ("reminders: send again (nothing due)", f"{time.perf_counter() - started:.1f} s")
        )
    finally:
        db.dispose()
    return rows


def run(db_url: str) -> list[tuple[str, str]]:
    if db_url.startswith("postgresql"):
        from sqlalchemy.engine import make_url

        from tests.pg import create_database, drop_database

        base = make_url(db_url)
        server = base.set(database="postgres").render_as_string(hide_password=False)
        name = f"{base.database}_reminders"
        drop_database(server, name)
        url = create_database(server, name)
        try:
            return _timed(url, _world(url, FAMILIES))
        finally:
            drop_database(server, name)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'reminders.sqlite'}"
        return _timed(url, _world(url, FAMILIES))
