"""The database's units of work: what a read keeps (nothing) and what it lets the server keep.

A read ends with COMMIT when it wrote nothing, so that PostgreSQL keeps the statements
psycopg prepared on the connection (a ROLLBACK throws them away, and every search was
planned again); a read that flushed a change is rolled back, never kept. A write that is
refused is rolled back too, and the connection keeps its prepared statements all the same
(psycopg's own rollback deallocates them all).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy import insert as sa_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import Establishment


def _site(code: str, name: str) -> Establishment:
    return Establishment(
        code=code,
        name=name,
        address_line="1 rue Principale",
        city="Montréal",
        postal_code="H2X 1Y4",
        phone="514-555-0100",
    )


def test_a_read_that_changed_a_row_keeps_nothing(database: Database) -> None:
    with database.write() as uow:
        uow.session.add(_site("MTL", "Conservatoire de Montréal"))
    with database.read() as uow:
        found = uow.session.exec(select(Establishment)).one()
        found.name = "Changé par une lecture"
        uow.session.flush()
    with database.read() as uow:
        names = uow.session.exec(select(Establishment.name)).all()
    assert names == ["Conservatoire de Montréal"]


def test_a_read_left_dirty_keeps_nothing(database: Database) -> None:
    with database.write() as uow:
        uow.session.add(_site("MTL", "Conservatoire de Montréal"))
    with database.read() as uow:
        uow.session.exec(select(Establishment)).one().name = "Changé sans flush"
    with database.read() as uow:
        assert uow.session.exec(select(Establishment.name)).one() == "Conservatoire de Montréal"


def test_a_failing_read_is_rolled_back(database: Database) -> None:
    with pytest.raises(ZeroDivisionError), database.read() as uow:
        uow.session.add(_site("QC", "Québec"))
        uow.session.flush()
        raise ZeroDivisionError
    with database.read() as uow:
        assert uow.session.exec(select(Establishment)).all() == []


def test_reads_on_postgresql_keep_their_prepared_statements(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("psycopg prepares statements on PostgreSQL only")
    database.engine.dispose()
    for _ in range(8):  # psycopg prepares a statement after 5 executions
        with database.read() as uow:
            uow.session.exec(select(Establishment).where(Establishment.code == "MTL")).all()
    with database.read() as uow:
        prepared = uow.session.execute(text("SELECT count(*) FROM pg_prepared_statements"))
        assert prepared.scalar_one() >= 1


def test_a_commit_without_disk_wait_is_that_transaction_s_alone(database: Database) -> None:
    """The API's bookkeeping commits without waiting for the disk; the next transaction on
    the same pooled connection (a payment) waits again, and what was written is kept."""
    if database.backend != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    with database.write() as uow:
        uow.commit_without_disk_wait()
        assert uow.session.execute(text("SHOW synchronous_commit")).scalar_one() == "off"
        uow.session.add(_site("MTL", "Conservatoire de Montréal"))
    for _ in range(3):  # whichever pooled connection comes next
        with database.write() as uow:
            assert uow.session.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
    with database.read() as uow:
        assert uow.session.exec(select(Establishment.name)).all() == ["Conservatoire de Montréal"]


def _backend_pid(database: Database) -> int:
    with database.read() as uow:
        return int(uow.session.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_lost_while_idle_is_replaced_before_use(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server dropped the pool's connection while nobody used it (a restart, a broken
    link): the next unit of work does not fail, it gets a new connection."""
    if database.backend != "postgresql":
        pytest.skip("SQLite has no server connection to lose")
    import registrar_tui.db as db_module

    first = _backend_pid(database)
    killer = create_engine(database.engine.url, isolation_level="AUTOCOMMIT")
    with killer.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    killer.dispose()
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_S", 0.0)  # it has been idle long enough
    second = _backend_pid(database)
    assert second != first


def test_a_connection_given_back_a_moment_ago_is_not_pinged(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each unit of work on a warm connection costs its statements, not one more round
    trip to ask the server whether it is there; an idle one is asked."""
    if database.backend != "postgresql":
        pytest.skip("SQLite has no server connection to ping")
    import registrar_tui.db as db_module

    pings: list[object] = []
    ping = database.engine.dialect.do_ping
    monkeypatch.setattr(
        database.engine.dialect,
        "do_ping",
        lambda connection: pings.append(connection) or ping(connection),
    )
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_S", 3600.0)
    pids = {_backend_pid(database) for _ in range(5)}
    assert len(pids) == 1 and pings == []
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_S", 0.0)
    _backend_pid(database)
    assert len(pings) == 1


def test_a_refused_write_is_undone_and_keeps_the_prepared_statements(database: Database) -> None:
    if database.engine.dialect.name != "postgresql":
        pytest.skip("psycopg prepares statements on PostgreSQL only")
    database.engine.dispose()
    for _ in range(8):  # psycopg prepares a statement after 5 executions
        with database.read() as uow:
            uow.session.exec(select(Establishment).where(Establishment.code == "MTL")).all()
    with pytest.raises(ZeroDivisionError), database.write() as uow:
        uow.session.add(_site("QC", "Québec"))
        uow.session.flush()
        raise ZeroDivisionError  # a refusal after a write: everything undone
    with database.read() as uow:
        assert uow.session.exec(select(Establishment)).all() == []
        prepared = uow.session.execute(
            text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%code = $1%'")
        )
        assert prepared.scalar_one() == 1


def test_a_core_statement_sees_what_the_session_holds_unwritten(database: Database) -> None:
    """`UnitOfWork.execute` runs past the ORM's layer, and still after what the unit of
    work added: a count made right after an addition includes it."""
    from sqlalchemy import func
    from sqlalchemy import select as sa_select

    with database.write() as uow:
        uow.session.add(_site("MTL", "Conservatoire de Montréal"))
        counted = uow.execute(sa_select(func.count()).select_from(Establishment)).scalar_one()
    assert counted == 1


def _sites(database: Database) -> list[str]:
    with database.read() as uow:
        return sorted(uow.session.exec(select(Establishment.code)).all())


def _insert_site(code: str) -> Any:
    values = _site(code, f"Conservatoire {code}").model_dump(exclude={"id"})
    return sa_insert(Establishment).values(values).returning(col(Establishment.code))


def test_a_one_call_unit_of_work_commits_with_its_last_statement(database: Database) -> None:
    """A payment posted at the screen: the transaction is committed by the posting's last
    statement (on PostgreSQL with its COMMIT, in one round trip), what came before with it;
    another counter sees the payment the moment the statement has answered."""
    with database.write(one_call=True) as uow:
        uow.session.add(_site("MTL", "Conservatoire de Montréal"))
        rows = uow.execute_last(_insert_site("QC"))
        assert [row[0] for row in rows] == ["QC"]
        assert _sites(database) == ["MTL", "QC"]  # committed already, before the block ends
    assert _sites(database) == ["MTL", "QC"]


def test_a_last_statement_that_fails_commits_nothing(database: Database) -> None:
    with pytest.raises(IntegrityError), database.write(one_call=True) as uow:
        uow.session.add(_site("MTL", "Conservatoire de Montréal"))
        uow.execute_last(_insert_site("MTL"))  # the code is taken: refused by the server
    assert _sites(database) == []
    with database.write(one_call=True) as uow:  # the connection is as good as ever
        uow.execute_last(_insert_site("QC"))
    assert _sites(database) == ["QC"]


def test_nothing_may_follow_the_last_statement_of_a_one_call_unit_of_work(
    database: Database,
) -> None:
    """A statement after the commit would be a transaction of its own: refused and undone
    (the first one, committed, stays whole)."""
    refused = pytest.raises(AssertionError, match="nothing may follow")
    with refused, database.write(one_call=True) as uow:
        uow.execute_last(_insert_site("MTL"))
        uow.execute(_insert_site("QC"))
    assert _sites(database) == ["MTL"]


def test_elsewhere_the_last_statement_of_a_service_commits_nothing(database: Database) -> None:
    """In a unit of work that calls several services (or a test posting a day of
    payments), a service's last statement is one like any other: a later refusal still
    undoes it."""
    with pytest.raises(ZeroDivisionError), database.write() as uow:
        uow.execute_last(_insert_site("MTL"))
        uow.execute(_insert_site("QC"))
        raise ZeroDivisionError
    assert _sites(database) == []


def test_a_loose_read_sees_each_change_committed_before_its_statement(
    database: Database,
) -> None:
    """The payment preview, read at every keystroke: on PostgreSQL its statements run each
    on their own (no BEGIN, no COMMIT: the server holds no transaction open after one), so
    a statement sees what another counter committed after the previous one. On SQLite a
    read like any other: one snapshot."""
    with database.write() as uow:
        uow.session.add(_site("MTL", "Conservatoire de Montréal"))
    with database.loose_read() as uow:
        first = uow.execute(select(col(Establishment.code))).all()
        if database.backend == "postgresql":
            from psycopg.pq import TransactionStatus

            link = uow.session.connection().connection.driver_connection
            assert link is not None and link.info.transaction_status is TransactionStatus.IDLE
        with database.write() as other:  # another counter, between the two statements
            other.session.add(_site("QC", "Conservatoire de Québec"))
        second = uow.execute(select(col(Establishment.code))).all()
    assert [row[0] for row in first] == ["MTL"]
    expected = ["MTL", "QC"] if database.backend == "postgresql" else ["MTL"]
    assert sorted(row[0] for row in second) == expected


def test_a_loose_read_never_writes(database: Database) -> None:
    """In autocommit a flushed change would be kept at once: a loose read refuses to flush."""
    with database.write() as uow:
        uow.session.add(_site("MTL", "Conservatoire de Montréal"))
    with pytest.raises(AssertionError, match="writes nothing"), database.loose_read() as uow:
        uow.session.exec(select(Establishment)).one().name = "Changé par une lecture"
        uow.session.flush()
    assert _sites(database) == ["MTL"]
    with database.read() as uow:
        assert uow.session.exec(select(Establishment.name)).one() == "Conservatoire de Montréal"
