"""The portal's HTTP door: `create_api(url)` builds the FastAPI application.

Routes call services in a unit of work (sync `def` routes: FastAPI runs them in its
thread pool), never SQL; every route but `/v1/health` needs a signed request
(api/auth.py); every refusal has one JSON shape (api/errors.py); the body's size, the
client's language and the audit of each call are the door's (api/door.py).
`registrar-tui serve-api` runs it under uvicorn; docs/api.md is the client's guide.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from registrar_tui import __version__
from registrar_tui.api.door import Door
from registrar_tui.api.errors import (
    domain_error_handler,
    http_error_handler,
    internal_error_handler,
    validation_error_handler,
)
from registrar_tui.api.routes import families, health, payments, requests
from registrar_tui.api.settings import ApiSettings
from registrar_tui.db import Database
from registrar_tui.services.core.errors import DomainError
from registrar_tui.services.staff.api_clients import ApiCaller, record_api_call

TITLE = "registrar-tui portal API"
DESCRIPTION = (
    "The family portal's door into the school's registrar: online payments, change and "
    "re-enrolment requests, statements and documents. Every request but /v1/health is "
    "signed (docs/api.md)."
)


def _auditor(settings: ApiSettings) -> Any:
    def audit(caller: ApiCaller, method: str, path: str, status: int) -> None:
        database = settings.open_database()
        with database.write() as uow:
            record_api_call(uow, caller, method, path, status)

    return audit


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
    app = FastAPI(title=TITLE, description=DESCRIPTION, version=__version__)
    app.state.settings = settings
    app.include_router(health.router)
    app.include_router(families.router)
    app.include_router(payments.router)
    app.include_router(requests.router)
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(Exception, internal_error_handler)
    app.add_middleware(Door, max_body_bytes=settings.max_body_bytes, audit=_auditor(settings))
    return app
