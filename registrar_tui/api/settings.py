"""The API's settings: where the database is, the body size and the rate limit."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field

from registrar_tui.db import Database

ENV_RATE = "REGISTRAR_API_RATE_PER_MINUTE"
DEFAULT_RATE_PER_MINUTE = 600
"""Generous: the portal's own traffic, not a person's (10 requests a second, sustained)."""
MAX_BODY_BYTES = 64 * 1024


def rate_from_environment() -> int:
    """$REGISTRAR_API_RATE_PER_MINUTE, or the default when unset or not a positive number."""
    value = os.environ.get(ENV_RATE, "").strip()
    return int(value) if value.isdigit() and int(value) > 0 else DEFAULT_RATE_PER_MINUTE


@dataclass
class ApiSettings:
    url: str | None = None
    """The database (None: $REGISTRAR_DB_URL or the default file)."""
    rate_per_minute: int = field(default_factory=rate_from_environment)
    max_body_bytes: int = MAX_BODY_BYTES
    database: Database | None = None
    """An already opened database (tests); else opened from `url` at the first request."""
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def open_database(self) -> Database:
        """The database, opened once (the schema checked then)."""
        with self._lock:
            if self.database is None:
                from registrar_tui.migrate import check_schema

                database = Database.open(self.url)
                check_schema(database)
                self.database = database
            return self.database
