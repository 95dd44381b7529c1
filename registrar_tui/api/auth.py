"""The dependency every route but the health check has: who is calling, proven.

In order, each refusal a 401 with its code (services/staff/api_clients.py): the key
(`Authorization: Bearer …`) missing, unknown or revoked; the timestamp missing, more than
5 minutes old or ahead; the signature not the request's (method, path and query,
timestamp, body: api/signing.py); then 422 for a card number anywhere in the body
(nothing is read further); 429 over the client's rate; 401 a signature already accepted
(a replay). Only then does the route run. The client is known from the key on: its
refusals are audited with its name too (api/door.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from registrar_tui.api.settings import ApiSettings
from registrar_tui.api.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_matches
from registrar_tui.db import Database
from registrar_tui.services.core.errors import CardNumberRefused, DomainError
from registrar_tui.services.staff.api_clients import (
    ApiCaller,
    SignatureInvalid,
    SignatureMissing,
    check_timestamp,
    identify_and_accept,
)
from registrar_tui.text import contains_card_number


def settings_of(request: Request) -> ApiSettings:
    settings = request.app.state.settings
    assert isinstance(settings, ApiSettings)
    return settings


async def database_of(request: Request) -> Database:
    """The database, opened by `signed_caller` (every route's first dependency): async, so
    FastAPI runs it on the loop instead of sending it to a thread."""
    settings = settings_of(request)
    if settings.database is not None:
        return settings.database
    return await run_in_threadpool(settings.open_database)


def _leaves(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], str]]:
    """Every key and scalar of a JSON document, as text, with where it is."""
    if isinstance(value, dict):
        for key, item in value.items():
            # A key is named by where it is, never by itself (it may be the card number).
            yield path, str(key)
            yield from _leaves(item, (*path, str(key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, str(index)))
    elif value is not None and not isinstance(value, bool):
        yield path, str(value)


LOOKED_UP = {("family_portal_id",)}
"""Our own identifiers, only looked up, never stored (with an invoice's `number`): a
portal id such as `P0000002-60515823` may hold a Luhn-valid run of digits by chance, and
refusing it would stop that family from paying. Everything else is scanned."""


def refuse_card_numbers(body: bytes) -> None:
    """CardNumberRefused (field: where) for a card number in any key or value of the JSON
    body (but the identifiers in LOOKED_UP), or anywhere in a body that is not JSON."""
    if not body:
        return
    try:
        document = json.loads(body)
    except ValueError:
        if contains_card_number(body.decode("utf-8", errors="replace")):
            raise CardNumberRefused(field=None) from None
        return
    for path, text in _leaves(document):
        if path in LOOKED_UP or (len(path) == 3 and path[0] == "invoices" and path[2] == "number"):
            continue
        if contains_card_number(text):
            raise CardNumberRefused(field=".".join(path) or None)


def _identify_and_accept(
    settings: ApiSettings,
    key: str,
    check: Callable[[Database], str],
    found: list[ApiCaller],
) -> ApiCaller:
    """`check` (the timestamp, the signature and the body: no database; returns the
    signature), then in one statement on PostgreSQL (`identify_and_accept`): the client
    holding `key` (appended to `found` as soon as it is known, so that a later refusal is
    audited with its name), `check`'s refusal if any, then the signature accepted once
    within the client's rate."""
    database = settings.open_database()
    signature = ""
    refused: DomainError | None = None
    try:
        signature = check(database).strip().lower()
    except DomainError as error:
        refused = error
    with database.standalone() as uow:
        return identify_and_accept(
            uow,
            key,
            signature,
            rate_per_minute=settings.rate_per_minute,
            refused=refused,
            identified=found.append,
        )


def signed_path(request: Request) -> str:
    """The path and query as the client sent them (undecoded), as the signature covers."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes) and raw else request.url.path
    query = request.scope.get("query_string", b"").decode("latin-1")
    return f"{path}?{query}" if query else path


async def signed_caller(request: Request) -> ApiCaller:
    """The calling client, once its key, timestamp and signature are checked."""
    settings = settings_of(request)
    authorization = request.headers.get("authorization", "")
    scheme, _sep, key = authorization.strip().partition(" ")
    key = key.strip() if scheme.lower() == "bearer" else ""
    timestamp = request.headers.get(TIMESTAMP_HEADER, "").strip()
    signature = request.headers.get(SIGNATURE_HEADER, "").strip()
    body = await request.body()
    method = request.method
    path = signed_path(request)

    def check(database: Database) -> str:
        if not timestamp.isdigit() or len(timestamp) > 12 or not signature:
            raise SignatureMissing(field="x-registrar-signature")
        check_timestamp(database.clock(), int(timestamp))
        if not signature_matches(key, method, path, timestamp, body, signature):
            raise SignatureInvalid(field="x-registrar-signature")
        refuse_card_numbers(body)
        return signature

    found: list[ApiCaller] = []
    try:
        return await run_in_threadpool(_identify_and_accept, settings, key, check, found)
    finally:
        if found:
            request.state.caller = found[0]
