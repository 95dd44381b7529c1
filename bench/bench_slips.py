"""Tax slips: the year's RL-8 and T2202 for 20,000 students, and their PDFs.

A base of its own (the slips need eligible fee codes, post-secondary programmes and a
year of payments that the demo base does not have), built in a temporary SQLite file by
bulk inserts: 20,000 families with one student each, enrolled in a full-time
post-secondary discipline in two terms of 2026, two invoices each (tuition, registration,
a voluntary contribution), paid in 2026 (every 10th payment in two parts, one of them
voided). Then, timed:

- `build_slips(2026, dry_run=False)`: the amounts of every student (allocations by
  payment date, voids left out), the originals of both kinds with their numbers, one
  write unit of work (target issue #16: ≤ 60 s on 2 cores);
- the students' PDFs (both slips) as `slips build` writes them: read in one pass
  (`year_slip_documents`), rendered by one worker process per core and written to a
  temporary folder (`write_slip_pdfs`); then the whole year, build and PDFs.

    .venv/bin/python -m bench.bench_slips          # alone, prints the figures
    .venv/bin/python -m bench --only slips         # with the other benches
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

STUDENTS = 20_000
TARGET_S = 60.0
YEAR = 2026


def _seed(url: str, students: int) -> int:
    """Fill the base; returns the admin's id."""
    from sqlalchemy import insert

    from registrar_tui.db import Database
    from registrar_tui.models import (
        Allocation,
        Course,
        Discipline,
        DisciplineKind,
        Enrolment,
        EnrolmentStatus,
        Establishment,
        Family,
        Invoice,
        InvoiceLine,
        Payment,
        PaymentMethod,
        PaymentVoid,
        Role,
        Season,
        StaffUser,
        Student,
        TaxFeeCode,
        Term,
    )

    db = Database.open(url)
    created = datetime(2025, 12, 1, 12, tzinfo=UTC)
    try:
        with db.write() as uow:
            session = uow.session
            site = Establishment(
                code="MTL", name="Conservatoire de Montréal",
                address_line="4750, avenue Henri-Julien", city="Montréal",
                postal_code="H2T 2C8", phone="514 873-4031",
            )  # fmt: skip
            session.add(site)
            session.flush()
            assert site.id is not None
            admin = StaffUser(
                username="admin", full_name="Admin", role=Role.ADMIN, password_hash="x",
                establishment_id=site.id, created_at=created,
            )  # fmt: skip
            clerk = StaffUser(
                username="clerk", full_name="Clerk", role=Role.CLERK, password_hash="x",
                establishment_id=site.id, created_at=created,
            )  # fmt: skip
            piano = Discipline(
                code="PIANOC", name_fr="Piano (collégial)", name_en="Piano (college)",
                kind=DisciplineKind.INSTRUMENT, is_post_secondary=True, is_full_time=True,
            )  # fmt: skip
            hiv = Term(
                code="HIV-2026", season=Season.WINTER, year=2026, starts_on=date(2026, 1, 12),
                ends_on=date(2026, 5, 8), payment_due_on=date(2026, 1, 31),
            )  # fmt: skip
            aut = Term(
                code="AUT-2026", season=Season.AUTUMN, year=2026, starts_on=date(2026, 9, 1),
                ends_on=date(2026, 12, 18), payment_due_on=date(2026, 9, 30),
            )  # fmt: skip
            session.add_all([admin, clerk, piano, hiv, aut])
            session.flush()
            assert admin.id and clerk.id and piano.id and hiv.id and aut.id
            terms = (hiv.id, aut.id)
            courses = [
                Course(term_id=term_id, establishment_id=site.id, discipline_id=piano.id)
                for term_id in terms
            ]
            session.add_all(courses)
            session.add(TaxFeeCode(code="SCOL", marked_at=created, marked_by_id=admin.id))
            session.flush()
            course_ids = [course.id for course in courses]
            session.execute(
                insert(Family),
                [
                    {"family_number": f"F{n:07d}", "name": f"Famille {n}",
                     "establishment_id": site.id, "created_at": created}
                    for n in range(students)
                ],
            )  # fmt: skip
            session.execute(
                insert(Student),
                [
                    {"family_id": n + 1, "establishment_id": site.id,
                     "student_number": f"2026{n:05d}", "first_name": "Élève",
                     "last_name": f"Numéro {n}", "birth_date": date(2006, 1, 1),
                     "created_at": created,
                     "social_insurance_number": None if n % 50 == 0 else "130692544"}
                    for n in range(students)
                ],
            )  # fmt: skip
            session.execute(
                insert(Enrolment),
                [
                    {"student_id": n + 1, "course_id": course_id,
                     "status": EnrolmentStatus.ACTIVE, "enrolled_at": created}
                    for n in range(students)
                    for course_id in course_ids
                ],
            )  # fmt: skip
            invoices, lines, payments, allocations, voids = [], [], [], [], []
            invoice_id = payment_id = 0
            for n in range(students):
                for index, term_id in enumerate(terms):
                    invoice_id += 1
                    issued = date(2026, 1, 5) if index == 0 else date(2026, 8, 20)
                    invoices.append(
                        {"number": f"FAC{invoice_id:08d}", "family_id": n + 1,
                         "student_id": n + 1, "term_id": term_id, "establishment_id": site.id,
                         "description": "Scolarité", "issued_on": issued,
                         "due_on": issued + timedelta(days=30), "created_at": created}
                    )  # fmt: skip
                    for position, (code, amount, voluntary) in enumerate(
                        (("SCOL", "600.00", False), ("INSC", "50.00", False),
                         ("FOND", "25.00", True)), start=1,
                    ):  # fmt: skip
                        lines.append(
                            {"invoice_id": invoice_id, "position": position, "fee_code": code,
                             "description": code, "amount": Decimal(amount),
                             "is_voluntary": voluntary}
                        )  # fmt: skip
                    paid_at = datetime.combine(issued, datetime.min.time(), UTC) + timedelta(
                        days=3, hours=15
                    )
                    parts = ["675.00"] if n % 10 else ["300.00", "675.00"]
                    for part_index, amount in enumerate(parts):
                        payment_id += 1
                        payments.append(
                            {"establishment_id": site.id, "family_id": n + 1,
                             "clerk_id": clerk.id,
                             "received_at": paid_at + timedelta(minutes=part_index),
                             "amount": Decimal(amount), "method": PaymentMethod.CASH,
                             "tendered": Decimal(amount), "change": Decimal("0.00"),
                             "idempotency_key": f"bench-{payment_id}",
                             "request_fingerprint": "bench"}
                        )  # fmt: skip
                        allocations.append(
                            {"payment_id": payment_id, "invoice_id": invoice_id,
                             "amount": Decimal(amount), "created_at": paid_at}
                        )  # fmt: skip
                        if len(parts) == 2 and part_index == 0:
                            voids.append(
                                {"payment_id": payment_id, "voided_at": paid_at,
                                 "voided_by_id": admin.id, "reason": "Erreur"}
                            )  # fmt: skip
            for table, rows in (
                (Invoice, invoices),
                (InvoiceLine, lines),
                (Payment, payments),
                (Allocation, allocations),
                (PaymentVoid, voids),
            ):
                for start in range(0, len(rows), 5_000):
                    session.execute(insert(table), rows[start : start + 5_000])
            return admin.id
    finally:
        db.dispose()


def _measure(url: str, students: int) -> list[tuple[str, str]]:
    from sqlmodel import select

    from registrar_tui.db import Database
    from registrar_tui.models import Student
    from registrar_tui.services.tax_slips.build import build_slips
    from registrar_tui.services.tax_slips.bulk import default_workers, write_slip_pdfs
    from registrar_tui.services.tax_slips.documents import year_slip_documents

    started = time.perf_counter()
    admin_id = _seed(url, students)
    seeded = time.perf_counter() - started
    db = Database.open(url, clock=lambda: datetime(2027, 2, 15, 14, tzinfo=UTC))
    try:
        started = time.perf_counter()
        with db.write() as uow:
            run = build_slips(uow, admin_id, YEAR, dry_run=False)
        built = time.perf_counter() - started
        assert len(run.actions) == 2 * students, len(run.actions)
        assert all(a.eligible_tuition == Decimal("1200.00") for a in run.actions)
        started = time.perf_counter()
        with db.read() as uow:
            ids = [sid for sid in uow.session.exec(select(Student.id)).all() if sid is not None]
            documents = year_slip_documents(uow, YEAR, ids)
        read = time.perf_counter() - started
        workers = default_workers()
        with tempfile.TemporaryDirectory(prefix="bench-slips-pdf-") as folder:
            started = time.perf_counter()
            written = write_slip_pdfs(documents, Path(folder), workers=workers)
            rendered = time.perf_counter() - started
        assert written == students, written
    finally:
        db.dispose()
    verdict = "ok" if built <= TARGET_S else f"TOO SLOW, target ≤ {TARGET_S:.0f} s"
    whole = built + read + rendered
    total_verdict = "ok" if whole <= TARGET_S else f"TOO SLOW, target ≤ {TARGET_S:.0f} s"
    return [
        ("slips: base seeded", f"{students} students, {seeded:.1f} s"),
        (
            f"slips: build_slips {YEAR} ({2 * students} slips, {len(run.missing_sin)} without SIN)",
            f"{built:.1f} s ({verdict})",
        ),
        (
            f"slips: students' PDFs read ({students}, one pass)",
            f"{read:.1f} s",
        ),
        (
            f"slips: students' PDFs rendered and written ({workers} worker processes)",
            f"{rendered:.1f} s, {rendered / students * 1000:.1f} ms each",
        ),
        (
            "slips: the whole year (build + PDFs)",
            f"{built + read + rendered:.1f} s ({total_verdict})",
        ),
    ]


def run(db_url: str, students: int = STUDENTS) -> list[tuple[str, str]]:
    """The figures above, on a base of its own (`db_url`, the demo base, is not used)."""
    del db_url
    from registrar_tui.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="bench-slips-") as folder:
        url = f"sqlite:///{Path(folder) / 'slips.sqlite'}"
        upgrade(url)
        return _measure(url, students)


if __name__ == "__main__":
    import sys

    count = int(sys.argv[1]) if len(sys.argv) > 1 else STUDENTS
    for label, figure in run("", count):
        print(f"{label:<70} {figure}")
