"""The screens' door to the services: one database, one unit of work per call.

Screens never open a session: a worker calls `backend.read(service, ...)` or
`backend.write(service, ...)` and gets the service's dataclasses back. Every method
blocks, so it is called from thread workers only. The database layer (SQLAlchemy,
SQLModel, the models) is imported on first use, off the UI thread, so the login screen
paints without waiting for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

if TYPE_CHECKING:
    from datetime import datetime

    from registrar_tui.db import Clock, Database, UnitOfWork
    from registrar_tui.services.staff.auth import StaffIdentity

P = ParamSpec("P")
T = TypeVar("T")


class Backend:
    """Opens the database once (lazily, thread-safe) and runs service calls in it."""

    def __init__(
        self,
        db_url: str | None = None,
        *,
        database: Database | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._db_url = db_url
        self._clock = clock
        # An injected database (tests, embedding) is trusted to have the current schema,
        # and stays open when the app closes: its owner disposes of it.
        self._database = database
        self._owns_database = database is None
        self._lock = threading.Lock()
        self.identity: StaffIdentity | None = None
        """The signed-in staff user, set by the login screen."""

    def database(self) -> Database:
        """The opened database; opens it and checks its schema on first call.

        Raises `SchemaOutOfDate` (its message names the command to run) when the
        database needs migrating; the next call tries again.
        """
        with self._lock:
            if self._database is None:
                from registrar_tui.db import Database
                from registrar_tui.migrate import check_schema

                database = Database.open(self._db_url, clock=self._clock)
                try:
                    check_schema(database)
                except BaseException:
                    database.dispose()
                    raise
                self._database = database
            return self._database

    def now(self) -> datetime:
        """The application clock's current instant (aware UTC): the clock given to the app
        (tests advance a fake one), else the injected database's, else the system's."""
        if self._clock is not None:
            return self._clock()
        if self._database is not None:
            return self._database.clock()
        from datetime import UTC, datetime

        return datetime.now(tz=UTC)

    def read(
        self,
        service: Callable[Concatenate[UnitOfWork, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run `service(uow, *args, **kwargs)` in a read-only unit of work."""
        with self.database().read() as uow:
            return service(uow, *args, **kwargs)

    def loose_read(
        self,
        service: Callable[Concatenate[UnitOfWork, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run `service(uow, *args, **kwargs)` in a loose read (`Database.loose_read`): each
        statement on its own, for a read asked for at every keystroke."""
        with self.database().loose_read() as uow:
            return service(uow, *args, **kwargs)

    def write(
        self,
        service: Callable[Concatenate[UnitOfWork, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run `service(uow, *args, **kwargs)` in a write unit of work (commits on success),
        which is that one call: the service may commit it with its last statement
        (`UnitOfWork.execute_last`)."""
        with self.database().write(one_call=True) as uow:
            return service(uow, *args, **kwargs)

    def close(self) -> None:
        with self._lock:
            if self._database is not None and self._owns_database:
                self._database.dispose()
                self._database = None
