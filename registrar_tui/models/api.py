"""The portal's API clients and the signed requests they sent (replay protection)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class ApiClient(SQLModel, table=True):
    """A program allowed to call the HTTP API (the family portal), acting through its own
    staff account (role portal). The key itself is never stored: its public prefix (shown
    in listings, used to find the client) and the SHA-256 of the whole key."""

    __tablename__ = "api_client"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    key_prefix: str = Field(max_length=16, unique=True)
    key_hash: str = Field(max_length=64)
    staff_user_id: int = Field(foreign_key="staff_user.id", unique=True)
    created_at: datetime
    created_by_id: int = Field(foreign_key="staff_user.id")
    revoked_at: datetime | None = None
    revoked_by_id: int | None = Field(default=None, foreign_key="staff_user.id")


class ApiRequestSeen(SQLModel, table=True):
    """A signed request already accepted, kept while its timestamp is inside the window so
    the same signature is refused a second time (every worker reads the same table).
    Pruned after the window."""

    __tablename__ = "api_request_seen"
    __table_args__ = (Index("ix_api_request_seen_client_time", "client_id", "seen_at"),)

    signature: str = Field(primary_key=True, max_length=64)
    client_id: int = Field(foreign_key="api_client.id")
    seen_at: datetime = Field(index=True)


class ApiCallCount(SQLModel, table=True):
    """How many calls of a client were accepted in one minute (UTC, whole minutes): this
    minute's and the last one's make its rate (services/staff/api_clients.py). Counted
    here, not by counting its accepted signatures: at 100 calls a second that was 6,000
    rows to count at every call. Pruned after two minutes."""

    __tablename__ = "api_call_count"

    client_id: int = Field(foreign_key="api_client.id", primary_key=True)
    minute: datetime = Field(primary_key=True)
    calls: int
