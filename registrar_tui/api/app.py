"""The portal's HTTP door: `create_api(url)` builds the FastAPI application.

Routes call services in a unit of work (sync `def` routes: FastAPI runs them in its
thread pool), never SQL; every route but `/v1/health` needs a signed request
(api/auth.py); every refusal has one JSON shape (api/errors.py); the body's size, the
client's language and the audit of each call are the door's (api/door.py).
`registrar-tui serve-api` runs it under uvicorn; docs/api.md is the client's guide.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from registrar_tui import __version__
from registrar_tui.api.after import Backlog
from registrar_tui.api.door import Door
from registrar_tui.api.errors import (
    domain_error_handler,
    http_error_handler,
    internal_error_handler,
    validation_error_handler,
)
from registrar_tui.api.receipts import ENV_FOLLOWER
from registrar_tui.api.routes import families, health, payments, requests
from registrar_tui.api.settings import ApiSettings
from registrar_tui.db import Database
from registrar_tui.services.core.errors import DomainError
from registrar_tui.services.staff.api_clients import (
    ApiCaller,
    forget_old_signatures,
    record_api_calls,
)

TITLE = "registrar-tui portal API"
DESCRIPTION = (
    "The family portal's door into the school's registrar: online payments, change and "
    "re-enrolment requests, statements and documents. Every request but /v1/health is "
    "signed (docs/api.md)."
)


log = logging.getLogger(__name__)

RECEIPTS_GRACE = 10.0
"""Seconds a stopping server gives the receipts still waiting (their handover is pending
in the database: nothing is lost past it)."""

AUDIT_LINGER = 0.25
"""Seconds the calls' audit gathers calls before writing them: one lock of the audit chain
(which every payment and request also takes) for each quarter second of calls, not for
each handful."""

ApiCall = tuple[ApiCaller, str, str, int]
"""Who called, the method, the path and the answer's status."""


class AfterAnswer:
    """The two backlogs of this process (api/after.py): the calls' audit, the receipts."""

    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        self.follower = os.environ.get(ENV_FOLLOWER) == "1"
        """A follower process hands the receipts over (api/receipts.py, under serve-api):
        this process leaves them pending for it."""
        self.calls: Backlog[ApiCall] = Backlog("api-audit", self._audit, linger=AUDIT_LINGER)
        self.receipts: Backlog[int] = Backlog("api-receipts", self._hand_over)

    def receipt_posted(self, payment_id: int) -> None:
        """A payment was posted: its receipt to hand over, here or by the follower."""
        if not self.follower:
            self.receipts.put(payment_id)

    def audit(self, caller: ApiCaller, method: str, path: str, status: int) -> None:
        self.calls.put((caller, method, path, status))

    def _audit(self, calls: list[ApiCall]) -> None:
        with self.settings.open_database().write() as uow:
            # The access log of calls already answered (each payment and request has its
            # own audit event, committed with it): its commit does not wait for the disk,
            # and the audit chain's lock is released that much sooner.
            uow.commit_without_disk_wait()
            # Pruned first: the audit chain's lock (taken by record_api_calls) is held to
            # the commit, and every payment and request of every worker waits for it.
            forget_old_signatures(uow)
            record_api_calls(uow, calls)

    def _hand_over(self, payment_ids: list[int]) -> None:
        from registrar_tui.services.documents.output import output_settings
        from registrar_tui.services.outbox.handover import hand_over_receipt

        database = self.settings.open_database()
        for payment_id in payment_ids:
            hand_over_receipt(database, payment_id, output_settings(), print_now=False)

    def drain(self) -> None:
        """Wait until every call is audited and every receipt handed over."""
        self.receipts.drain()
        self.calls.drain()

    def shutdown(self) -> None:
        """Before the process stops: the calls' audit written; the receipts given
        RECEIPTS_GRACE seconds, the rest left pending in the database (resumable)."""
        if not self.receipts.drain(RECEIPTS_GRACE):
            log.warning(
                "%d receipt(s) left pending: registrar-tui receipts resume completes them",
                self.receipts.waiting(),
            )
        self.calls.drain()


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # What the process loaded to start (modules, tables, schemas: most of its objects) is
    # set aside from the garbage collector's full passes, which stop every request of the
    # process while they walk the heap.
    gc.collect()
    gc.freeze()
    yield
    after = app.state.after
    assert isinstance(after, AfterAnswer)
    await run_in_threadpool(after.shutdown)


def create_api(
    url: str | None = None,
    *,
    database: Database | None = None,
    settings: ApiSettings | None = None,
) -> FastAPI:
    """The application over the database at `url` ($REGISTRAR_DB_URL or the default when
    None), or over an opened `database`; opened at the first request, so building the
    app (its OpenAPI schema) touches no database."""
    settings = settings or ApiSettings(url=url)
    if database is not None:
        settings.database = database
    app = FastAPI(title=TITLE, description=DESCRIPTION, version=__version__, lifespan=_lifespan)
    app.state.settings = settings
    after = AfterAnswer(settings)
    app.state.after = after
    app.include_router(health.router)
    app.include_router(families.router)
    app.include_router(payments.router)
    app.include_router(requests.router)
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(Exception, internal_error_handler)
    app.add_middleware(Door, max_body_bytes=settings.max_body_bytes, audit=after.audit)
    return app
