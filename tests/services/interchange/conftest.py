"""The demo database for the journal and ageing tests: generated once per worker and
backend (the tests only read it), with a chart of accounts taking every demo fee code."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from registrar_tui.db import Database
from registrar_tui.models import AppSetting
from tests.conftest import PG_URL, _backends, fixed_clock

DEMO_FAMILIES = 30
DEMO_ACCOUNTS = {
    "account.fee.SCO-*": "4100",
    "account.fee.INS": "4150",
    "account.fee.ACT-*": "4500",
    "account.fee.FONDATION": "4900",
    "account.fee.*": "4800",
}


def _demo_into(db: Database) -> None:
    from registrar_tui.demo import generate_demo

    generate_demo(db, families=DEMO_FAMILIES, seed=7)
    with db.write() as uow:
        for key, value in DEMO_ACCOUNTS.items():
            uow.session.add(AppSetting(key=key, value=value))


@pytest.fixture(scope="session", params=_backends())
def demo_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """The demo (30 families, seed 7) with accounts; READ ONLY: shared by the tests."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path_factory.mktemp("demo") / "demo.db"
        shutil.copyfile(template, path)
        db = Database.open(str(path), clock=fixed_clock)
        _demo_into(db)
        yield db
        db.dispose()
        return
    from tests.pg import create_database, drop_database, unique_name

    assert PG_URL is not None
    template_name: str = request.getfixturevalue("pg_template")
    name = unique_name(f"registrar_demo_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}")
    db = Database.open(create_database(PG_URL, name, template=template_name), clock=fixed_clock)
    try:
        _demo_into(db)
        yield db
    finally:
        db.dispose()
        drop_database(PG_URL, name)
