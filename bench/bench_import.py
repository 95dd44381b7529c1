"""Moving in from the old system: 50,000 families and 80,000 students imported.

Generates (seeded) a families file (French Excel: `;`, Windows-1252, one or two
guardians each) and a students file, then on a FRESH database — a new SQLite file, and
with `--pg` a new PostgreSQL database next to the one given (dropped afterwards) — times
the dry run and `--apply` of each (`services/interchange/importing.py`, one transaction
per file), then the dry run of both again (everything unchanged).

Target (issue #15): families + students applied in ≤ 60 s on SQLite.

    .venv/bin/python -m bench --only import [--pg URL]
      (`python -m bench` prepares the other benches' 50,000-family base first when it is
      missing; this one only uses its own fresh databases)
    IMPORT_BENCH_FAMILIES=5000 .venv/bin/python -m bench --only import   (a quick look)
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from pathlib import Path

FAMILIES = int(os.environ.get("IMPORT_BENCH_FAMILIES", "50000"))
STUDENTS_PER_FAMILY = 1.6
TARGET_S = 60.0
SEED = 2026

_FIRST_NAMES = (
    "Élodie Noé Anaïs François Zoé Loïc Gaëlle Hélène Marc-André Chloé Léa Émile Jérôme "
    "Maëlle Raphaël Béatrice Olivier Inès"
)
_LAST_NAMES = (
    "Tremblay Gagnon Roy Côté Bouchard Gauthier Morin Lavoie Fortin Gagné Ouellet "
    "Pelletier Bélanger Lévesque Bergeron Leblanc Paquette Girard Simard Boucher Caron "
    "Beaulieu Cloutier Dubé"
)
FIRST = _FIRST_NAMES.split()
LAST = _LAST_NAMES.split()


def generate(families: int, seed: int = SEED) -> tuple[bytes, bytes, int]:
    """The families file (cp1252, `;`) and the students file (UTF-8, `,`), seeded."""
    rng = random.Random(seed)
    family_lines = [
        "ancien_id;etablissement;langue;payeur;resp1_prenom;resp1_nom;resp1_telephone;"
        "resp1_courriel;resp1_adresse;resp1_ville;resp1_code_postal;resp2_prenom;resp2_nom;"
        "resp2_telephone"
    ]
    student_lines = ["ancien_id,famille_ancien_id,prenom,nom,date_naissance,sexe"]
    students = 0
    for index in range(1, families + 1):
        last = rng.choice(LAST)
        site = rng.choice(("MTL", "MTL", "QC", "GAT"))
        number = f"{200 + index // 10000:03d}-{index % 10000:04d}"
        phone = f"514-{number}"
        second = (
            [rng.choice(FIRST), rng.choice(LAST), f"438-{number}"]
            if rng.random() < 0.6
            else ["", "", ""]
        )
        family_lines.append(
            ";".join(
                [f"OLD-{index}", site, "fr", "1", rng.choice(FIRST), last, phone,
                 f"famille{index}@example.com", f"{rng.randint(1, 9999)}, rue Principale",
                 "Montréal", "H2T 2C8", *second]
            )
        )  # fmt: skip
        for child in range(
            rng.choice((1, 1, 2, 2, 3)) if students < families * STUDENTS_PER_FAMILY else 0
        ):
            students += 1
            born = f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2005, 2019)}"
            student_lines.append(
                f"S-{index}-{child},OLD-{index},{rng.choice(FIRST)} {index},{last},{born},"
                f"{rng.choice('FM')}"
            )
    families_data = ("\r\n".join(family_lines) + "\r\n").encode("cp1252")
    students_data = ("\n".join(student_lines) + "\n").encode("utf-8")
    return families_data, students_data, students


def _school(url: str) -> int:
    """A fresh schema with the three demo establishments and an administrator."""
    from datetime import UTC, datetime

    from registrar_tui.db import Database
    from registrar_tui.migrate import upgrade
    from registrar_tui.models import Establishment, StaffUser
    from registrar_tui.models.base import Role

    upgrade(url)
    db = Database.open(url)
    try:
        with db.write() as uow:
            for code, digits, site in (("MTL", 9, "1"), ("QC", 9, "3"), ("GAT", 7, "")):
                uow.session.add(
                    Establishment(
                        code=code, name=code, address_line="1, rue", city="Montréal",
                        postal_code="H2T 2C8", phone="514-555-0000",
                        student_number_digits=digits, student_number_site_digit=site,
                    )
                )  # fmt: skip
            admin = StaffUser(
                username="admin", full_name="Admin", role=Role.ADMIN, password_hash="x",
                created_at=datetime.now(tz=UTC),
            )  # fmt: skip
            uow.session.add(admin)
            uow.session.flush()
            assert admin.id is not None
            return admin.id
    finally:
        db.dispose()


def _timed(url: str, admin_id: int, files: list[tuple[str, bytes]]) -> list[tuple[str, str]]:
    from registrar_tui.db import Database
    from registrar_tui.services.interchange.importing import apply_file, check_file

    rows: list[tuple[str, str]] = []
    db = Database.open(url)
    total_apply = 0.0
    try:
        for kind, data in files:
            started = time.perf_counter()
            with db.read() as uow:
                report = check_file(uow, kind, data, f"{kind}.csv")
            dry = time.perf_counter() - started
            assert not report.problems, report.problems[:5]
            started = time.perf_counter()
            with db.write() as uow:
                done = apply_file(uow, admin_id, kind, data, f"{kind}.csv")
            applied = time.perf_counter() - started
            total_apply += applied
            rows.append((f"import {kind}: dry run ({report.rows:,} rows)", f"{dry:.1f} s"))
            rows.append(
                (f"import {kind}: apply", f"{applied:.1f} s ({done.created / applied:,.0f} rows/s)")
            )
        verdict = "ok" if total_apply <= TARGET_S else f"TOO SLOW, target ≤ {TARGET_S:.0f} s"
        rows.append(("import families + students: apply", f"{total_apply:.1f} s {verdict}"))
        started = time.perf_counter()
        for kind, data in files:
            with db.read() as uow:
                report = check_file(uow, kind, data, f"{kind}.csv")
            assert report.created == 0 and not report.changed
        rows.append(
            ("import again: dry run, all unchanged", f"{time.perf_counter() - started:.1f} s")
        )
    finally:
        db.dispose()
    return rows


def run(db_url: str) -> list[tuple[str, str]]:
    families_data, students_data, _students = generate(FAMILIES)
    files = [("families", families_data), ("students", students_data)]
    if db_url.startswith("postgresql"):
        from sqlalchemy.engine import make_url

        from tests.pg import create_database, drop_database

        base = make_url(db_url)
        server = base.set(database="postgres").render_as_string(hide_password=False)
        name = f"{base.database}_import"
        drop_database(server, name)
        url = create_database(server, name)
        try:
            return _timed(url, _school(url), files)
        finally:
            drop_database(server, name)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'import.sqlite'}"
        return _timed(url, _school(url), files)
