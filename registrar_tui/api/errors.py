"""Every refusal the API sends, in one shape, in the client's language:

    {"errors": [{"field": "amount", "code": "invalid_amount", "message": "…"}]}

`field` names the body's field (dotted path, list positions as numbers: `invoices.0.number`),
a header (`authorization`) or a path parameter (`portal_id`), or is null; `code` is stable
and machine-readable; `message` is translated (Accept-Language: fr-CA or en).

Status of a DomainError: 401 the API's own refusals of a caller (ApiRefused; 429 for the
rate), 404 NotFound, 403 PermissionDenied, 409 a conflict with what was already recorded
(an error class named …Conflict, …AlreadyPending or …Reused), 422 any other refusal of the input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from registrar_tui.i18n import N_, _
from registrar_tui.services.core.errors import DomainError, NotFound, PermissionDenied
from registrar_tui.services.staff.api_clients import ApiRefused, RateLimited


class ErrorItem(BaseModel):
    field: str | None
    code: str
    message: str


class ErrorBody(BaseModel):
    """What every 4xx (and a 500) carries."""

    errors: list[ErrorItem]


MSG_MISSING = N_("Champ obligatoire.")
MSG_TOO_LONG = N_("Trop long ({max_length} au plus).")
MSG_TOO_SHORT = N_("Trop court ({min_length} au moins).")
MSG_FORMAT = N_("Format invalide.")
MSG_INTEGER = N_("Nombre entier attendu.")
MSG_NUMBER = N_("Nombre attendu (par exemple 275.00).")
MSG_DECIMALS = N_("Au plus {decimal_places} décimales.")
MSG_TOO_LARGE = N_("Valeur trop grande.")
MSG_POSITIVE = N_("La valeur doit être supérieure à zéro.")
MSG_DATETIME = N_("Date et heure ISO 8601 attendues, avec le fuseau (2026-12-04T15:00:00Z).")
MSG_TIMEZONE = N_("Indiquez le fuseau horaire (Z ou ±hh:mm).")
MSG_TEXT = N_("Texte attendu.")
MSG_LIST = N_("Liste attendue.")
MSG_OBJECT = N_("Objet JSON attendu.")
MSG_BOOLEAN = N_("true ou false attendu.")
MSG_CHOICE = N_("Valeur non prévue (choix : {expected}).")
MSG_EXTRA = N_("Champ inconnu.")
MSG_JSON = N_("Corps JSON illisible.")
MSG_INVALID = N_("Valeur invalide.")
MSG_ROUTE = N_("Adresse inconnue.")
MSG_METHOD = N_("Méthode non permise à cette adresse.")
MSG_BODY_TOO_LARGE = N_("Corps de requête trop grand ({limit} octets au plus).")
MSG_INTERNAL = N_("Erreur interne : la requête n'a pas été traitée. Réessayez plus tard.")

_PYDANTIC_MESSAGES: dict[str, str] = {
    "missing": MSG_MISSING,
    "string_too_long": MSG_TOO_LONG,
    "too_long": MSG_TOO_LONG,
    "string_too_short": MSG_TOO_SHORT,
    "too_short": MSG_TOO_SHORT,
    "string_pattern_mismatch": MSG_FORMAT,
    "int_type": MSG_INTEGER,
    "int_parsing": MSG_INTEGER,
    "int_from_float": MSG_INTEGER,
    "decimal_type": MSG_NUMBER,
    "decimal_parsing": MSG_NUMBER,
    "decimal_max_places": MSG_DECIMALS,
    "decimal_max_digits": MSG_TOO_LARGE,
    "decimal_whole_digits": MSG_TOO_LARGE,
    "decimal_finite_number": MSG_NUMBER,
    "finite_number": MSG_NUMBER,
    "greater_than": MSG_POSITIVE,
    "less_than_equal": MSG_TOO_LARGE,
    "datetime_type": MSG_DATETIME,
    "datetime_parsing": MSG_DATETIME,
    "datetime_from_date_parsing": MSG_DATETIME,
    "timezone_aware": MSG_TIMEZONE,
    "string_type": MSG_TEXT,
    "list_type": MSG_LIST,
    "tuple_type": MSG_LIST,
    "model_type": MSG_OBJECT,
    "dict_type": MSG_OBJECT,
    "model_attributes_type": MSG_OBJECT,
    "bool_type": MSG_BOOLEAN,
    "bool_parsing": MSG_BOOLEAN,
    "enum": MSG_CHOICE,
    "literal_error": MSG_CHOICE,
    "extra_forbidden": MSG_EXTRA,
    "json_invalid": MSG_JSON,
    "json_type": MSG_JSON,
}


CONFLICTS = ("Conflict", "AlreadyPending", "Reused")
"""Refusals named so conflict with what is already recorded (409): the same transaction id
or client reference sent before with other content, a request already pending."""


def error_code(error: DomainError) -> str:
    """The machine-readable code: an ApiRefused's own, else the class name in snake case
    (`InvalidAmount` → `invalid_amount`)."""
    if isinstance(error, ApiRefused):
        return error.code
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(error).__name__).lower()


def error_status(error: DomainError) -> int:
    """The HTTP status of a refusal (see the module's docstring)."""
    if isinstance(error, RateLimited):
        return 429
    if isinstance(error, ApiRefused):
        return 401
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, PermissionDenied):
        return 403
    if type(error).__name__.endswith(CONFLICTS):
        return 409
    return 422


def refused_fields(error: DomainError) -> list[DomainError]:
    """The refusals an error holds: itself, or each of the errors it carries (FieldErrors:
    a submission checked whole, every field's mistake at once)."""
    listed = getattr(error, "errors", None)
    if isinstance(listed, tuple | list) and listed:
        return [item for item in listed if isinstance(item, DomainError)] or [error]
    return [error]


def domain_error_body(
    error: DomainError, field_path: Callable[[str | None], str | None] | None = None
) -> ErrorBody:
    """The refusal's items; `field_path` turns a service's field name into the body's
    path (a route that knows its body's shape)."""
    items = []
    for item in refused_fields(error):
        field = item.field if field_path is None else field_path(item.field)
        items.append(ErrorItem(field=field, code=error_code(item), message=item.translated()))
    return ErrorBody(errors=items)


def error_response(
    status: int, items: list[ErrorItem], headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(
        ErrorBody(errors=items).model_dump(mode="json"), status_code=status, headers=headers
    )


def _location(loc: Sequence[Any]) -> str | None:
    parts = [str(part) for part in loc]
    if parts and parts[0] in {"body", "path", "query", "header"}:
        parts = parts[1:]
    return ".".join(parts) or None


def _message(item: dict[str, Any]) -> str:
    source = _PYDANTIC_MESSAGES.get(str(item.get("type")), MSG_INVALID)
    context = {str(key): str(value) for key, value in (item.get("ctx") or {}).items()}
    try:
        return _(source).format(**context)
    except (KeyError, IndexError, ValueError):
        return _(MSG_INVALID)


def validation_items(errors: Sequence[Any]) -> list[ErrorItem]:
    """Pydantic's errors as ours: field, pydantic's type as the code, our message."""
    return [
        ErrorItem(
            field=_location(item.get("loc", ())), code=str(item["type"]), message=_message(item)
        )
        for item in errors
    ]


async def domain_error_handler(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, DomainError)
    headers = None
    if isinstance(error, RateLimited):
        headers = {"Retry-After": str(error.retry_after)}
    field_path = getattr(request.state, "field_path", None)
    body = domain_error_body(error, field_path)
    return JSONResponse(
        body.model_dump(mode="json"), status_code=error_status(error), headers=headers
    )


async def validation_error_handler(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return error_response(422, validation_items(error.errors()))


async def http_error_handler(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 404:
        item = ErrorItem(field=None, code="not_found", message=_(MSG_ROUTE))
    elif error.status_code == 405:
        item = ErrorItem(field=None, code="method_not_allowed", message=_(MSG_METHOD))
    else:
        item = ErrorItem(field=None, code=f"http_{error.status_code}", message=str(error.detail))
    return error_response(error.status_code, [item], headers=getattr(error, "headers", None))


async def internal_error_handler(request: Request, error: Exception) -> JSONResponse:
    import logging

    logging.getLogger("registrar_tui.api").exception("unexpected error", exc_info=error)
    return error_response(
        500, [ErrorItem(field=None, code="internal_error", message=_(MSG_INTERNAL))]
    )
