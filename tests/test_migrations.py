"""The migrations build exactly the models' schema, on SQLite and PostgreSQL, both ways."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, pool, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel, select

import registrar_tui.models  # noqa: F401
from registrar_tui import migrate
from registrar_tui.db import Database
from registrar_tui.services.core.errors import SchemaOutOfDate


def _differences(url: str) -> list[Any]:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True}
            )
            return list(compare_metadata(context, SQLModel.metadata))
    finally:
        engine.dispose()


def _normalise_sql(sql: object) -> str:
    # Both sides come from the same server: only whitespace may differ.
    return " ".join(str(sql).split())


def _schema(url: str) -> dict[str, Any]:
    """Everything reflection sees, including what compare_metadata ignores (CHECKs)."""
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            schema: dict[str, Any] = {}
            for table in sorted(set(insp.get_table_names()) - {migrate.VERSION_TABLE}):
                schema[table] = {
                    "columns": [
                        (c["name"], str(c["type"]), c["nullable"], _normalise_sql(c["default"]))
                        for c in insp.get_columns(table)
                    ],
                    "pk": insp.get_pk_constraint(table),
                    "fks": sorted(
                        (fk["name"], tuple(fk["constrained_columns"]), fk["referred_table"])
                        for fk in insp.get_foreign_keys(table)
                    ),
                    "uniques": sorted(
                        (u["name"], tuple(u["column_names"]))
                        for u in insp.get_unique_constraints(table)
                    ),
                    "indexes": sorted(
                        (
                            i["name"],
                            tuple(str(c) for c in i["column_names"]),
                            i["unique"],
                            sorted(
                                (k, _normalise_sql(v))
                                for k, v in i.get("dialect_options", {}).items()
                            ),
                        )
                        for i in insp.get_indexes(table)
                    ),
                    "checks": sorted(
                        (c["name"], _normalise_sql(c["sqltext"]))
                        for c in insp.get_check_constraints(table)
                    ),
                }
            return schema
    finally:
        engine.dispose()


@contextmanager
def _reference_database(like_url: str, tmp_path: Path) -> Iterator[str]:
    """A database of the same backend built with `create_all` straight from the models."""
    if make_url(like_url).get_backend_name() == "sqlite":
        url = f"sqlite:///{tmp_path / 'reference.db'}"
        engine = create_engine(url, poolclass=pool.NullPool)
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        yield url
        return
    from tests.conftest import PG_URL
    from tests.pg import temporary_pg_database

    assert PG_URL
    with temporary_pg_database(PG_URL) as url:
        engine = create_engine(url, poolclass=pool.NullPool)
        SQLModel.metadata.create_all(engine)
        engine.dispose()
        yield url


def _tables(url: str) -> set[str]:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


@contextmanager
def _opened(url: str) -> Iterator[Database]:
    db = Database.open(url)
    try:
        yield db
    finally:
        db.dispose()


def test_upgrade_builds_exactly_the_models_schema(empty_database_url: str, tmp_path: Path) -> None:
    migrate.upgrade(empty_database_url)

    assert _differences(empty_database_url) == []
    migrated = _schema(empty_database_url)
    assert set(migrated) == set(SQLModel.metadata.tables)
    with _reference_database(empty_database_url, tmp_path) as reference:
        expected = _schema(reference)
    for table, parts in expected.items():
        assert migrated[table] == parts, table


def test_downgrade_to_base_then_upgrade_again(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    migrate.downgrade(empty_database_url, "base")

    assert _tables(empty_database_url) <= {migrate.VERSION_TABLE}
    with _opened(empty_database_url) as db:
        assert migrate.current_revision(db) is None

    migrate.upgrade(empty_database_url)
    assert _differences(empty_database_url) == []
    with _opened(empty_database_url) as db:
        assert migrate.current_revision(db) == migrate.head_revision()


def test_upgrade_twice_changes_nothing(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    before = _schema(empty_database_url)
    migrate.upgrade(empty_database_url)
    assert _schema(empty_database_url) == before


def test_check_schema_refuses_an_empty_or_old_database(empty_database_url: str) -> None:
    with _opened(empty_database_url) as db:
        with pytest.raises(SchemaOutOfDate) as raised:
            migrate.check_schema(db)
        assert "registrar-tui db upgrade" in raised.value.translated()

        migrate.upgrade(empty_database_url)
        migrate.check_schema(db)  # at head: no error

        migrate.downgrade(empty_database_url, "base")
        with pytest.raises(SchemaOutOfDate, match="registrar-tui db upgrade"):
            migrate.check_schema(db)


def test_check_schema_names_a_database_from_a_newer_version(database: Database) -> None:
    with database.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))

    with pytest.raises(migrate.SchemaTooNew) as raised:
        migrate.check_schema(database)
    assert "9999_future" in raised.value.translated()


def test_test_databases_are_at_head(database: Database) -> None:
    assert migrate.current_revision(database) == migrate.head_revision()
    migrate.check_schema(database)


def test_head_revision_matches_alembic() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    assert [migrate.head_revision()] == scripts.get_heads()


def test_sqlite_upgrade_creates_the_missing_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / "folder" / "registrar.db"

    migrate.upgrade(str(path))

    assert path.exists()
    with _opened(str(path)) as db:
        assert migrate.current_revision(db) == migrate.head_revision()


def test_ledger_0001_chains_the_records_of_an_existing_database(empty_database_url: str) -> None:
    """An existing ledger (here: written, then taken back to 0005 where `is_declined` is a
    flag and nothing is chained) migrates: its declines become choices signed by their
    audit event, every money record gets its link, and `verify` passes before and after
    new writes."""
    from registrar_tui.models import ContributionChoice, LedgerLink
    from registrar_tui.services.audit.verify import verify_chains
    from registrar_tui.services.ledger.contributions import decline_contribution
    from registrar_tui.services.ledger.payments import post_payment
    from tests.conftest import fixed_clock
    from tests.services.ledger_data import add_family, add_invoice, build_school, cash

    migrate.upgrade(empty_database_url)
    db = Database.open(empty_database_url, clock=fixed_clock)
    try:
        school = build_school(db)
        family = add_family(db, school)
        invoice = add_invoice(db, school, family)
        with db.write() as uow:
            post_payment(uow, cash(school, family, "100.00", "275.00"))
            line = uow.session.exec(
                text(f"SELECT id FROM invoice_line WHERE invoice_id = {invoice} AND position = 2")
            ).scalar_one()
            decline_contribution(uow, line, school.clerk_id)
    finally:
        db.dispose()
    migrate.downgrade(empty_database_url, "0005_guardian_sin")
    engine = create_engine(empty_database_url, poolclass=pool.NullPool)
    with engine.connect() as conn:
        flags = conn.execute(text("SELECT id, is_declined FROM invoice_line ORDER BY id")).all()
    engine.dispose()
    assert [(line_id, bool(flag)) for line_id, flag in flags] == [(line - 1, False), (line, True)]

    migrate.upgrade(empty_database_url)

    with _opened(empty_database_url) as migrated:
        with migrated.read() as uow:
            report = verify_chains(uow)
            choices = [
                (c.invoice_line_id, c.declined, c.chosen_by_id)
                for c in uow.session.exec(select(ContributionChoice)).all()
            ]
            kinds = uow.session.exec(select(LedgerLink.kind).order_by(LedgerLink.position)).all()
        assert report.ok, [b.describe() for b in report.breaks]
        assert report.ledger_records_checked == 6
        assert kinds == [
            "invoice", "invoice_line", "invoice_line", "contribution_choice", "payment",
            "allocation",
        ]  # fmt: skip
        assert choices == [
            (line, True, school.clerk_id)  # from its audit event
        ]
    db = Database.open(empty_database_url, clock=fixed_clock)
    try:
        with db.write() as uow:
            post_payment(uow, cash(school, family, "50.00", "150.00"))
        with db.read() as uow:
            after = verify_chains(uow)
    finally:
        db.dispose()
    assert after.ok and after.ledger_records_checked == 8


def test_searchpg_0001_marks_the_codes_of_an_existing_index(empty_database_url: str) -> None:
    """An index written before `is_code_permanent` existed (taken back to auditheads_0001)
    gets its code-shaped tokens marked, and is searched as before: a code typed finds its
    student, letters do not walk into the codes."""
    from registrar_tui.models import SearchEntry
    from registrar_tui.services.search.index import is_code_token
    from registrar_tui.services.search.query import HitKind, search
    from tests.services.search.search_data import build_families

    migrate.upgrade(empty_database_url)
    with _opened(empty_database_url) as db:
        ids = build_families(db)
    migrate.downgrade(empty_database_url, "auditheads_0001")
    migrate.upgrade(empty_database_url)

    with _opened(empty_database_url) as migrated, migrated.read() as uow:
        entries = uow.session.exec(select(SearchEntry.token, SearchEntry.is_code_permanent)).all()
        by_code = [(hit.kind, hit.ref_id) for hit in search(uow, "TREH 5355").rows]
        by_letters = [(hit.kind, hit.ref_id) for hit in search(uow, "treh").rows]
    assert {token for token, marked in entries if marked} == {"treh53551201", "trej12031001"}
    assert all(bool(marked) == is_code_token(token) for token, marked in entries)
    assert by_code == [(HitKind.STUDENT, ids.students["helene"])]
    assert by_letters == []


def test_pdf_bytes_are_stored_without_a_second_compression(empty_database_url: str) -> None:
    """PostgreSQL keeps the PDFs (receipts queued by e-mail, day closes, reminder letters)
    as they are: their streams are compressed already, a second attempt only cost CPU;
    taken back down, they are as before."""
    if not empty_database_url.startswith("postgresql"):
        pytest.skip("a storage setting of PostgreSQL's")
    query = text(
        "SELECT attrelid::regclass::text, attname, attstorage FROM pg_attribute "
        "WHERE (attrelid::regclass::text, attname) IN (('outbox_message', 'attachment'), "
        "('day_close', 'report_pdf'), ('reminder_letter', 'pdf')) ORDER BY 1"
    )
    migrate.upgrade(empty_database_url)
    with _opened(empty_database_url) as db, db.read() as uow:
        upgraded = uow.session.execute(query).all()
    migrate.downgrade(empty_database_url, "ratecount_0001")
    with _opened(empty_database_url) as db, db.read() as uow:
        downgraded = uow.session.execute(query).all()
    assert upgraded == [
        ("day_close", "report_pdf", "e"),
        ("outbox_message", "attachment", "e"),
        ("reminder_letter", "pdf", "e"),
    ]
    assert {storage for _table, _column, storage in downgraded} == {"x"}
