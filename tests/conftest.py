"""Shared fixtures: a fresh database per test on each configured backend, a fixed clock.

`database` runs on SQLite always and also on PostgreSQL when REGISTRAR_TEST_PG_URL is
set (tests using it are then collected twice, the PostgreSQL copy marked `postgres`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import SQLModel

import registrar_tui.models  # noqa: F401  (registers every table)
from registrar_tui.db import Database
from registrar_tui.i18n import set_language

FIXED_NOW = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
PG_URL = os.environ.get("REGISTRAR_TEST_PG_URL")


def fixed_clock() -> datetime:
    return FIXED_NOW


def _backends() -> list[object]:
    params: list[object] = ["sqlite"]
    params.append(
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(
                    not PG_URL and os.environ.get("CI") != "true",
                    reason="REGISTRAR_TEST_PG_URL not set",
                ),
            ],
        )
    )
    return params


@pytest.fixture(autouse=True)
def _french_by_default() -> Iterator[None]:
    set_language("fr_CA")
    yield
    set_language("fr_CA")


@pytest.fixture(params=_backends())
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh, empty database with the full schema, on SQLite or PostgreSQL."""
    if request.param == "sqlite":
        db = Database.open(str(tmp_path / "registrar.db"), clock=fixed_clock)
        SQLModel.metadata.create_all(db.engine)
        yield db
        db.dispose()
        return
    if not PG_URL:
        pytest.fail("CI=true but REGISTRAR_TEST_PG_URL is not set: PostgreSQL tests must run")
    from tests.pg import temporary_pg_database

    with temporary_pg_database(PG_URL) as url:
        db = Database.open(url, clock=fixed_clock)
        SQLModel.metadata.create_all(db.engine)
        yield db
        db.dispose()
