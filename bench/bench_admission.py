"""Admission: the duplicate check and creating a family, on the 50,000-family base.

On a copy of the base: `find_duplicate_families` for 200 typed payers, half of them
guardians already on file (same names, phone written another way: a match), half new
(no match), each in its own read unit of work; again for the 100 on file with their
families' balances (what the duplicates dialog shows; no target); then `admit_family`
for 100 new families with a payer and a second guardian (validation, duplicate check,
next family number under its lock, guardians, audit event, search entries: one write
unit of work each), and with each family its first student (`admit_student`: its
duplicate check, its number under the establishment's counter lock, audit, search
entries: the second form, a second write), timed alone and together with the family.

Targets (issue #14): duplicate check p95 ≤ 5 ms; creating a family with its student
p95 ≤ 30 ms.

    .venv/bin/python -m bench --only admission [--pg URL]
"""

from __future__ import annotations

import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

CHECKS = 200
ADMISSIONS = 100
WARM_UP = 5
CHECK_TARGET_MS = 5.0
ADMIT_TARGET_MS = 30.0


def _percentiles(times_ms: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles(times_ms, n=100, method="inclusive")
    return statistics.median(times_ms), cuts[94]


def _verdict(p95: float, target: float) -> str:
    return "ok" if p95 <= target else f"TOO SLOW, target ≤ {target:.0f}"


def _typed_payers(db: object, count: int) -> list[object]:
    """Half existing guardians (phone typed as `(514) 555 0134`), half new people."""
    from sqlalchemy import select

    from registrar_tui.db import Database
    from registrar_tui.models import Guardian
    from registrar_tui.services.records.contacts import NewGuardian

    assert isinstance(db, Database)
    with db.read() as uow:
        on_file = uow.session.execute(
            select(Guardian.first_name, Guardian.last_name, Guardian.phone)
            .where(Guardian.phone.is_not(None))  # type: ignore[union-attr]
            .order_by(Guardian.id)
            .limit(5_000)
        ).all()
    rng = random.Random(2026)
    picked = rng.sample(on_file, count // 2)
    typed: list[object] = []
    for first, last, phone in picked:
        digits = "".join(char for char in phone if char.isdigit())[:10]
        written = f"({digits[:3]}) {digits[3:6]} {digits[6:]}"
        typed.append(NewGuardian(first_name=first.upper(), last_name=last, phone=written))
    for index in range(count - len(typed)):
        typed.append(
            NewGuardian(
                first_name="Nouvelle",
                last_name=f"Personne{index}",
                phone=f"873-555-{index % 10_000:04d}",
                email=f"nouvelle{index}@example.org",
            )
        )
    return typed


def _time_checks(
    db: object, typed: list[object], *, with_balances: bool = False
) -> tuple[list[float], int]:
    from registrar_tui.db import Database
    from registrar_tui.services.records.admission import NewFamily, find_duplicate_families
    from registrar_tui.services.records.contacts import NewGuardian

    assert isinstance(db, Database)
    times: list[float] = []
    found = 0
    for index, payer in enumerate([*typed[:WARM_UP], *typed]):
        assert isinstance(payer, NewGuardian)
        started = time.perf_counter()
        with db.read() as uow:
            matches = find_duplicate_families(
                uow, NewFamily(payer=payer), with_balances=with_balances
            )
        if index >= WARM_UP:
            times.append((time.perf_counter() - started) * 1000)
            found += bool(matches)
    return times, found


def _time_admissions(db: object) -> tuple[list[float], list[float], list[str]]:
    from sqlalchemy import select

    from registrar_tui.db import Database
    from registrar_tui.models import StaffUser
    from registrar_tui.models.base import Role
    from registrar_tui.services.records.admission import NewFamily, admit_family
    from registrar_tui.services.records.contacts import NewGuardian
    from registrar_tui.services.records.students import (
        StudentHealthChange,
        StudentIdentityChange,
        admit_student,
    )

    assert isinstance(db, Database)
    with db.read() as uow:
        clerk_id = uow.session.execute(
            select(StaffUser.id).where(
                StaffUser.role == Role.CLERK,
                StaffUser.is_active,  # type: ignore[arg-type]
                StaffUser.establishment_id.is_not(None),  # type: ignore[union-attr]
            )
        ).scalar()
    assert clerk_id is not None
    times: list[float] = []
    with_student: list[float] = []
    numbers: list[str] = []
    stamp = time.time_ns() % 10**6
    for index in range(ADMISSIONS + WARM_UP):
        new = NewFamily(
            payer=NewGuardian(
                first_name="Banc",
                last_name=f"Admission{stamp}x{index}",
                relationship_label="mère",
                phone=f"819-555-{index:04d}",
                email=f"banc{stamp}.{index}@example.org",
                address_line="12, rue du Banc",
                city="Gatineau",
                postal_code="J8X 1A1",
            ),
            second=NewGuardian(
                first_name="Second",
                last_name=f"Admission{stamp}x{index}",
                phone=f"819-556-{index:04d}",
            ),
        )
        started = time.perf_counter()
        with db.write() as uow:
            admitted = admit_family(uow, clerk_id, new)
        family_done = time.perf_counter()
        with db.write() as uow:
            admit_student(
                uow,
                admitted.family_id,
                clerk_id,
                StudentIdentityChange(
                    first_name="Élève",
                    last_name=f"Admission{stamp}x{index}",
                    sex="M",
                    birth_date=f"2015-{index % 12 + 1:02d}-{index % 28 + 1:02d}",
                    code_permanent="",
                ),
                StudentHealthChange(emergency_contact_name="", emergency_contact_phone=""),
            )
        if index >= WARM_UP:
            times.append((family_done - started) * 1000)
            with_student.append((time.perf_counter() - started) * 1000)
        numbers.append(admitted.family_number)
    return times, with_student, numbers


def _measure(db_url: str) -> list[tuple[str, str]]:
    from registrar_tui.db import Database

    db = Database.open(db_url)
    try:
        typed = _typed_payers(db, CHECKS)
        check_times, found = _time_checks(db, typed)
        p50, p95 = _percentiles(check_times)
        rows = [
            (
                f"admission: duplicate check ({found} of {CHECKS} typed payers on file)",
                f"p50 {p50:.2f} ms · p95 {p95:.2f} ms ({_verdict(p95, CHECK_TARGET_MS)})",
            )
        ]
        # What the dialog shows when a payer is on file: the matches with their balances.
        balance_times, _found = _time_checks(db, typed[: CHECKS // 2], with_balances=True)
        p50, p95 = _percentiles(balance_times)
        rows.append(
            (
                "admission: duplicate check with balances (payers on file, the dialog)",
                f"p50 {p50:.2f} ms · p95 {p95:.2f} ms",
            )
        )
        admit_times, student_times, numbers = _time_admissions(db)
        p50, p95 = _percentiles(admit_times)
        rows.append(
            (
                f"admission: create a family, payer + 2nd guardian ({numbers[0]}…{numbers[-1]})",
                f"p50 {p50:.1f} ms · p95 {p95:.1f} ms",
            )
        )
        p50, p95 = _percentiles(student_times)
        rows.append(
            (
                "admission: create a family with its first student (two writes)",
                f"p50 {p50:.1f} ms · p95 {p95:.1f} ms ({_verdict(p95, ADMIT_TARGET_MS)})",
            )
        )
        return rows
    finally:
        db.dispose()


def run(db_url: str) -> list[tuple[str, str]]:
    if not db_url.startswith("sqlite:///"):
        return _measure(db_url)
    source = Path(db_url.removeprefix("sqlite:///"))
    with tempfile.TemporaryDirectory(prefix="bench-admission-") as folder:
        copy = Path(folder) / source.name
        shutil.copyfile(source, copy)
        return _measure(f"sqlite:///{copy}")
