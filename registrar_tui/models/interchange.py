"""Imports from the school's previous software: each file applied, each old id's record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


class ImportBatch(SQLModel, table=True):
    """One file applied by `registrar-tui import KIND FILE --apply` (never a dry run)."""

    __tablename__ = "import_batch"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    """families, students, enrolments or balances."""
    file_name: str = Field(max_length=255)
    sha256: str = Field(max_length=64, index=True)
    rows: int
    created: int
    unchanged: int
    changed: int
    """Rows whose record differs from the file: reported, not updated (docs/import.md)."""
    imported_at: datetime
    imported_by_id: int = Field(foreign_key="staff_user.id")


class ImportLink(SQLModel, table=True):
    """The old system's id of an imported record: a second import of it creates nothing."""

    __tablename__ = "import_link"
    __table_args__ = (UniqueConstraint("kind", "old_id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=16)
    old_id: str = Field(max_length=64)
    record_id: int
    """family.id, student.id, enrolment.id or (balances) the invoice's id."""
    batch_id: int = Field(foreign_key="import_batch.id", index=True)
