"""The old system's ids of imported records (`import_link`), read and written in bulk."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Mapped, Session

from registrar_tui.db import UnitOfWork
from registrar_tui.models import ImportLink

LINKS: Table = ImportLink.metadata.tables["import_link"]
CHUNK = 500
"""Ids per IN (…) list: well under SQLite's and PostgreSQL's parameter limits."""


T = TypeVar("T")


def chunked(values: Sequence[T], size: int = CHUNK) -> Iterable[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def insert_numbered(
    session: Session,
    table: Table,
    values: list[dict[str, Any]],
    number: Mapped[str],
    record_id: Mapped[int | None],
    numbers: Sequence[str],
) -> list[int]:
    """Insert the rows (one executemany), then read their ids back by their unique
    numbers, in the order of `numbers`: SQLite answers an INSERT … RETURNING that must
    keep the rows' order one row per statement."""
    session.execute(insert(table), values)
    rows = session.execute(select(number, record_id).where(number.in_(numbers))).all()
    found: dict[str, int | None] = {row[0]: row[1] for row in rows}
    ids = [found[each] for each in numbers]
    assert all(each is not None for each in ids)  # primary keys, just inserted
    return [each for each in ids if each is not None]


def linked(uow: UnitOfWork, kind: str, old_ids: Iterable[str]) -> dict[str, int]:
    """The record id of each old id already imported as `kind`."""
    wanted = sorted(set(old_ids))
    found: dict[str, int] = {}
    for chunk in chunked(wanted):
        rows = uow.session.execute(
            select(LINKS.c.old_id, LINKS.c.record_id).where(
                LINKS.c.kind == kind, LINKS.c.old_id.in_(chunk)
            )
        )
        found.update({old_id: record_id for old_id, record_id in rows})
    return found


def write_links(
    uow: UnitOfWork, kind: str, pairs: Sequence[tuple[str, int]], batch_id: int
) -> None:
    """Remember each (old id, record id) of this batch (unique per kind and old id)."""
    values = [
        {"kind": kind, "old_id": old_id, "record_id": record_id, "batch_id": batch_id}
        for old_id, record_id in pairs
    ]
    for chunk in chunked(values, 5_000):
        uow.session.execute(insert(LINKS), list(chunk))
