"""Shared fixtures: a fresh database per test on each configured backend, a fixed clock.

`database` runs on SQLite always and also on PostgreSQL when REGISTRAR_TEST_PG_URL is
set (tests using it are then collected twice, the PostgreSQL copy marked `postgres`).
Under CI=true the PostgreSQL copy always runs: a missing URL or an unreachable server
fails the run, it never skips.

The schema comes from the Alembic migrations (as in production), not `create_all`.
To stay fast, each pytest worker migrates once into a template — a SQLite file, or a
PostgreSQL database — and every test gets a copy of it (a file copy, or
`CREATE DATABASE … TEMPLATE …`, dropped afterwards).
"""

from __future__ import annotations

import gc
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import registrar_tui.models  # noqa: F401  (registers every table on SQLModel.metadata)
from registrar_tui.db import Database
from registrar_tui.i18n import set_language

if TYPE_CHECKING:
    from tests.pg import BackgroundDropper

FIXED_NOW = datetime(2026, 11, 23, 14, 30, tzinfo=UTC)
PG_URL = os.environ.get("REGISTRAR_TEST_PG_URL")
IN_CI = os.environ.get("CI") == "true"


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
                    not PG_URL and not IN_CI,
                    reason="REGISTRAR_TEST_PG_URL not set",
                ),
            ],
        )
    )
    return params


def _require_pg_url() -> str:
    if not PG_URL:
        pytest.fail("CI=true but REGISTRAR_TEST_PG_URL is not set: PostgreSQL tests must run")
    return PG_URL


@pytest.fixture(autouse=True)
def _french_by_default() -> Iterator[None]:
    set_language("fr_CA")
    yield
    set_language("fr_CA")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This worker's migrated SQLite file (never opened by tests: they get copies)."""
    from registrar_tui.migrate import upgrade

    path = tmp_path_factory.mktemp("template") / "registrar.db"
    upgrade(str(path))
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """The name of this worker's migrated PostgreSQL template database."""
    from sqlalchemy.exc import OperationalError

    from registrar_tui.migrate import upgrade
    from tests.pg import create_database, drop_database, unique_name

    server = _require_pg_url()
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = unique_name(f"registrar_tpl_{worker}")
    try:
        url = create_database(server, name)
    except OperationalError as error:
        pytest.fail(f"PostgreSQL unreachable at {server}: {error}")
    try:
        upgrade(url)
        yield name
    finally:
        drop_database(server, name)


@pytest.fixture(scope="session")
def pg_dropper() -> Iterator[BackgroundDropper]:
    from tests.pg import BackgroundDropper

    dropper = BackgroundDropper(_require_pg_url())
    yield dropper
    dropper.close()


@pytest.fixture(params=_backends())
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh, empty database with the full schema, on SQLite or PostgreSQL."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "registrar.db"
        shutil.copyfile(template, path)
        db = Database.open(str(path), clock=fixed_clock)
        yield db
        db.dispose()
        return
    server = _require_pg_url()
    from tests.pg import create_database, unique_name

    template: str = request.getfixturevalue("pg_template")
    dropper: BackgroundDropper = request.getfixturevalue("pg_dropper")
    name = unique_name("registrar_test")
    try:
        db = Database.open(create_database(server, name, template=template), clock=fixed_clock)
        yield db
        db.dispose()
    finally:
        dropper.drop(name)


@pytest.fixture(params=_backends())
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database without any table (not migrated), on SQLite or PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    from tests.pg import create_database, unique_name

    dropper: BackgroundDropper = request.getfixturevalue("pg_dropper")
    name = unique_name("registrar_test")
    try:
        yield create_database(_require_pg_url(), name)
    finally:
        dropper.drop(name)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Collect once, then freeze what is left, before pytest's own clean-up collections.

    At the end of a session pytest collects garbage five times over (to report exceptions
    raised in finalizers). A worker of `make test` then holds 550,000–780,000 objects and
    each full collection took 1.1–1.3 s: over five seconds in all, and pytest-xdist
    interrupts a worker still busy five seconds after it is told to stop (a
    KeyboardInterrupt warning at the end of some runs, measured with a plugin timing
    sessionfinish and unconfigure). The one collection here still reports any such
    exception; the objects that survive it are not garbage and need no further walk.
    """
    gc.collect()
    gc.freeze()
