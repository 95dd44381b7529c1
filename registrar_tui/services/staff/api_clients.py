"""The portal's API clients: created and revoked by an admin, recognised by their key.

An API client is a program (the family portal) that calls the HTTP API. Each has a name,
a key shown once at creation (`add_api_client`) of which only the SHA-256 is kept, and a
staff account of role portal created with it: the payments and requests it sends, and
every call it makes (`record_api_call`), name that account in the audit trail. The
account's password is unusable and `services.staff.auth.authenticate` refuses the portal
role, so it never signs in to the terminal. Revoking a client disables its account too.

The key is `rtk_<prefix>_<secret>`: the prefix (public, shown in listings) finds the
client, the secret (32 random bytes) makes it unguessable; a plain SHA-256 is enough for
a secret of that entropy (a password hash is for low-entropy secrets) and keeps each
request's check cheap.

Each signed request is accepted once (`accept_signed_request`): its signature is kept
for the timestamp window in `api_request_seen`, which every API worker reads, so a replay
is refused whichever worker gets it; the client's rows of the last minute are its rate.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, func, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import ApiClient, ApiRequestSeen, StaffUser
from registrar_tui.models.base import Language, Role
from registrar_tui.services.audit.record import record_event, record_events
from registrar_tui.services.core.access import active_staff
from registrar_tui.services.core.clock import as_utc
from registrar_tui.services.core.errors import DomainError, InvalidInput, NotFound
from registrar_tui.text import contains_card_number

KEY_PREFIX = "rtk"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
USERNAME_PREFIX = "api-"
UNUSABLE_PASSWORD = "!api-client: never signs in"
"""Not an argon2 hash: `verify_password` never accepts any password against it."""
SIGNATURE_WINDOW = timedelta(minutes=5)
"""A request's timestamp may be this far from the server's clock, either way; its
signature is remembered this long."""
RATE_WINDOW = timedelta(minutes=1)
PRUNE_BATCH = 500
"""At most this many old signatures deleted by one call (PostgreSQL; see _forget_old_signatures)."""
AUTHORIZATION = "authorization"
TIMESTAMP = "x-registrar-timestamp"
SIGNATURE = "x-registrar-signature"
"""The headers a refusal names as its field."""

MSG_NAME = N_(
    "Nom du client : 2 à 40 caractères parmi a-z, 0-9, point, tiret et soulignement, "
    "commençant par une lettre ou un chiffre."
)
MSG_NAME_TAKEN = N_("Un client d'API nommé « {name} » existe déjà.")
MSG_USERNAME_TAKEN = N_("Le compte « {username} » existe déjà : choisissez un autre nom.")
MSG_CLIENT_NOT_FOUND = N_("Client d'API « {name} » introuvable.")
MSG_ALREADY_REVOKED = N_("La clé du client « {name} » est déjà révoquée.")


class ApiRefused(DomainError):
    """A call the API refuses before it reaches a service; `code` is the machine-readable
    reason sent to the client (HTTP 401 unless said otherwise)."""

    code = "unauthorized"
    message = N_("Requête non authentifiée.")


class KeyMissing(ApiRefused):
    code = "missing_key"
    message = N_("Clé d'API absente : en-tête « Authorization: Bearer <clé> » attendu.")


class KeyUnknown(ApiRefused):
    code = "unknown_key"
    message = N_("Clé d'API inconnue.")


class KeyRevoked(ApiRefused):
    code = "revoked_key"
    message = N_("Cette clé d'API a été révoquée.")


class SignatureMissing(ApiRefused):
    code = "missing_signature"
    message = N_(
        "En-têtes X-Registrar-Timestamp et X-Registrar-Signature attendus (requête signée)."
    )


class SignatureInvalid(ApiRefused):
    code = "bad_signature"
    message = N_("Signature invalide : la requête a été modifiée ou mal signée.")


class TimestampExpired(ApiRefused):
    code = "expired_timestamp"
    message = N_("Requête trop ancienne : son horodatage a plus de 5 minutes.")


class TimestampInFuture(ApiRefused):
    code = "future_timestamp"
    message = N_("Horodatage dans le futur de plus de 5 minutes : vérifiez l'horloge du client.")


class RequestReplayed(ApiRefused):
    code = "replayed_request"
    message = N_("Cette requête signée a déjà été reçue : signez-en une nouvelle.")


class RateLimited(ApiRefused):
    """Too many calls in the last minute; `retry_after` seconds until one more is allowed."""

    code = "rate_limited"
    message = N_("Trop de requêtes : réessayez dans {seconds} s.")

    def __init__(self, retry_after: int) -> None:
        super().__init__(field=AUTHORIZATION, seconds=retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class ApiClientRow:
    """One API client as the list shows it (never the key nor its hash)."""

    id: int
    name: str
    key_prefix: str
    username: str
    created_at: datetime
    created_by: str
    revoked_at: datetime | None
    revoked_by: str | None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class NewApiKey:
    """A client just created, and its key: shown this once, never stored."""

    client: ApiClientRow
    key: str


@dataclass(frozen=True)
class ApiCaller:
    """Who is calling: the client and the staff account the services see as the actor."""

    client_id: int
    name: str
    staff_user_id: int


def key_digest(key: str) -> str:
    """The SHA-256 (hex) of a key, as stored."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _username(uow: UnitOfWork, user_id: int | None) -> str | None:
    if user_id is None:
        return None
    user = uow.session.get(StaffUser, user_id)
    return None if user is None else user.username


def _row(uow: UnitOfWork, client: ApiClient) -> ApiClientRow:
    assert client.id is not None
    return ApiClientRow(
        id=client.id,
        name=client.name,
        key_prefix=client.key_prefix,
        username=_username(uow, client.staff_user_id) or "",
        created_at=as_utc(client.created_at),
        created_by=_username(uow, client.created_by_id) or "",
        revoked_at=None if client.revoked_at is None else as_utc(client.revoked_at),
        revoked_by=_username(uow, client.revoked_by_id),
    )


def _client_named(uow: UnitOfWork, name: str) -> ApiClient | None:
    return uow.session.exec(select(ApiClient).where(col(ApiClient.name) == name.strip())).first()


def add_api_client(uow: UnitOfWork, actor_id: int, name: str) -> NewApiKey:
    """Create an API client, its portal staff account and its key (returned once).

    Refuses: PermissionDenied (the actor is not an active admin); InvalidInput, field
    "name" (a name outside NAME_PATTERN, one already taken, or whose account name
    `api-<name>` is).
    """
    active_staff(uow, actor_id, roles=[Role.ADMIN])
    name = name.strip()
    if not NAME_PATTERN.match(name):
        raise InvalidInput(MSG_NAME, field="name")
    if _client_named(uow, name) is not None:
        raise InvalidInput(MSG_NAME_TAKEN, field="name", name=name)
    username = f"{USERNAME_PREFIX}{name}"
    taken = uow.session.exec(select(StaffUser).where(col(StaffUser.username) == username))
    if taken.first() is not None:
        raise InvalidInput(MSG_USERNAME_TAKEN, field="name", username=username)
    now = uow.now()
    account = StaffUser(
        username=username,
        full_name=f"API {name}",
        role=Role.PORTAL,
        password_hash=UNUSABLE_PASSWORD,
        language=Language.FRENCH,
        created_at=now,
    )
    uow.session.add(account)
    uow.session.flush()
    assert account.id is not None
    prefix = secrets.token_hex(4)
    while uow.session.exec(select(ApiClient).where(col(ApiClient.key_prefix) == prefix)).first():
        prefix = secrets.token_hex(4)
    key = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    client = ApiClient(
        name=name,
        key_prefix=prefix,
        key_hash=key_digest(key),
        staff_user_id=account.id,
        created_at=now,
        created_by_id=actor_id,
    )
    uow.session.add(client)
    uow.session.flush()
    assert client.id is not None
    after = {"name": name, "key_prefix": prefix, "username": username}
    record_event(uow, actor_id, "api_client.add", "api_client", client.id, {}, after)
    return NewApiKey(client=_row(uow, client), key=key)


def list_api_clients(uow: UnitOfWork) -> list[ApiClientRow]:
    """Every API client, by name: prefix, account, who created and revoked it, when."""
    clients = uow.session.exec(select(ApiClient).order_by(col(ApiClient.name))).all()
    return [_row(uow, client) for client in clients]


def revoke_api_client(uow: UnitOfWork, actor_id: int, name: str) -> ApiClientRow:
    """Revoke a client's key for good and disable its portal account.

    Refuses: PermissionDenied (not an active admin); NotFound, field "name"; InvalidInput,
    field "name" (already revoked).
    """
    active_staff(uow, actor_id, roles=[Role.ADMIN])
    client = _client_named(uow, name)
    if client is None or client.id is None:
        raise NotFound(MSG_CLIENT_NOT_FOUND, field="name", name=name.strip())
    if client.revoked_at is not None:
        raise InvalidInput(MSG_ALREADY_REVOKED, field="name", name=client.name)
    client.revoked_at = uow.now()
    client.revoked_by_id = actor_id
    uow.session.add(client)
    account = uow.session.get_one(StaffUser, client.staff_user_id)
    account.is_active = False
    uow.session.add(account)
    uow.session.flush()
    record_event(
        uow,
        actor_id,
        "api_client.revoke",
        "api_client",
        client.id,
        {"revoked_at": None},
        {"revoked_at": as_utc(client.revoked_at)},
    )
    return _row(uow, client)


def authenticate_api_key(uow: UnitOfWork, key: str) -> ApiCaller:
    """The client holding `key`. Refuses: KeyMissing (empty), KeyUnknown (no client with
    that prefix, or a different key: compared in constant time), KeyRevoked."""
    return identify_api_caller(uow, key, rate_per_minute=None)[0]


def identify_api_caller(
    uow: UnitOfWork, key: str, *, rate_per_minute: int | None
) -> tuple[ApiCaller, int | None]:
    """The client holding `key` (refusals as `authenticate_api_key`) and, with a
    `rate_per_minute`, how many of its requests were accepted in the last minute (counted
    up to that rate: past it the answer is the same), in one statement: what every call
    of the API pays before its route runs."""
    prefix = _key_prefix(key)
    client = ApiClient.__table__.c  # type: ignore[attr-defined]
    columns: list[Any] = [client.id, client.name, client.key_hash, client.revoked_at,
                          client.staff_user_id]  # fmt: skip
    if rate_per_minute is not None:
        columns.append(_recent_count(uow, client.id, rate_per_minute).scalar_subquery())
    found = uow.session.execute(sa_select(*columns).where(client.key_prefix == prefix)).first()
    if found is None or not hmac.compare_digest(found.key_hash, key_digest(key)):
        raise KeyUnknown(field=AUTHORIZATION)
    if found.revoked_at is not None:
        raise KeyRevoked(field=AUTHORIZATION)
    caller = ApiCaller(client_id=found.id, name=found.name, staff_user_id=found.staff_user_id)
    return caller, None if rate_per_minute is None else int(found[5])


_ACCEPT_ON_POSTGRESQL = text(
    """
    WITH caller AS (
        SELECT id, name, key_hash, revoked_at, staff_user_id,
               (SELECT count(*) FROM (SELECT 1 FROM api_request_seen AS seen
                                      WHERE seen.client_id = api_client.id
                                        AND seen.seen_at > :since
                                      LIMIT :rate) AS last_minute) AS recent
        FROM api_client WHERE key_prefix = :prefix
    ), accepted AS (
        INSERT INTO api_request_seen (signature, client_id, seen_at)
        SELECT :signature, id, :now FROM caller
        WHERE :signed AND key_hash = :key_hash AND revoked_at IS NULL AND recent < :rate
        ON CONFLICT (signature) DO NOTHING
        RETURNING 1
    )
    SELECT caller.id, caller.name, caller.key_hash, caller.revoked_at, caller.staff_user_id,
           caller.recent, (SELECT count(*) FROM accepted) AS accepted,
           set_config('synchronous_commit', 'off', true) AS without_disk_wait
    FROM caller
    """
)
"""`identify_and_accept` on PostgreSQL: the client, its count of the last minute and the
signature's record in one statement (run in autocommit: one round trip per call). The
record is written only for the right key of a client not revoked, under its rate, and
when the request's own checks passed; it commits without waiting for the disk (see
`UnitOfWork.commit_without_disk_wait`: a signature's record is bookkeeping)."""


def identify_and_accept(
    uow: UnitOfWork,
    key: str,
    signature: str,
    *,
    rate_per_minute: int,
    refused: DomainError | None = None,
    identified: Callable[[ApiCaller], None] | None = None,
) -> ApiCaller:
    """Every API call's check: the client holding `key` (refusals as
    `authenticate_api_key`), then `refused` if the request's own checks (timestamp,
    signature, body) found a fault, then `accept_signed_request`'s (RateLimited,
    RequestReplayed); the signature recorded when all passed. `identified` is told the
    client as soon as it is known, so that a later refusal is audited with its name.

    `uow`: from `Database.standalone()`, alone for this call (a refusal on SQLite rolls
    it back; on PostgreSQL the statement wrote only an accepted signature)."""
    if uow.session.get_bind().dialect.name != "postgresql":
        caller, recent = identify_api_caller(uow, key, rate_per_minute=rate_per_minute)
        if identified is not None:
            identified(caller)
        if refused is not None:
            raise refused
        accept_signed_request(
            uow, caller, signature, rate_per_minute=rate_per_minute, recent=recent
        )
        return caller
    prefix = _key_prefix(key)
    digest = key_digest(key)
    now = uow.now()
    found = uow.session.execute(
        _ACCEPT_ON_POSTGRESQL,
        {
            "prefix": prefix,
            "since": now - RATE_WINDOW,
            "rate": rate_per_minute,
            "signed": refused is None,
            "key_hash": digest,
            "signature": signature,
            "now": now,
        },
    ).first()
    if found is None or not hmac.compare_digest(found.key_hash, digest):
        raise KeyUnknown(field=AUTHORIZATION)
    if found.revoked_at is not None:
        raise KeyRevoked(field=AUTHORIZATION)
    caller = ApiCaller(client_id=found.id, name=found.name, staff_user_id=found.staff_user_id)
    if identified is not None:
        identified(caller)
    if refused is not None:
        raise refused
    if int(found.recent) >= rate_per_minute:
        _refuse_over_rate(uow, caller)
    if not found.accepted:
        raise RequestReplayed(field=SIGNATURE)  # accepted before, or by another worker
    return caller


def _key_prefix(key: str) -> str:
    """The public part of `rtk_<prefix>_<secret>`. Refuses KeyMissing, KeyUnknown."""
    if not key:
        raise KeyMissing(field=AUTHORIZATION)
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise KeyUnknown(field=AUTHORIZATION)
    return parts[1]


def _recent_count(uow: UnitOfWork, client_id: Any, rate_per_minute: int) -> Any:
    """SELECT the number of the client's requests accepted in the last minute, counted up
    to `rate_per_minute` (an index range of at most that many entries, however busy)."""
    seen = ApiRequestSeen.__table__.c  # type: ignore[attr-defined]
    recent = (
        sa_select(seen.seen_at)
        .where(seen.client_id == client_id, seen.seen_at > uow.now() - RATE_WINDOW)
        .limit(rate_per_minute)
        .subquery()
    )
    return sa_select(func.count()).select_from(recent)


def check_timestamp(now: datetime, timestamp: int) -> None:
    """Refuse a request signed more than SIGNATURE_WINDOW ago (TimestampExpired) or ahead
    (TimestampInFuture)."""
    drift = timestamp - now.timestamp()
    window = SIGNATURE_WINDOW.total_seconds()
    if drift < -window:
        raise TimestampExpired(field=TIMESTAMP)
    if drift > window:
        raise TimestampInFuture(field=TIMESTAMP)


def forget_old_signatures(uow: UnitOfWork) -> None:
    """Delete the signatures accepted before the replay window: a request that old is
    refused by its timestamp anyway. The API does it once per batch of audited calls
    (api/after.py), not on each call's path.

    On PostgreSQL concurrent calls would queue on each other's row locks to delete the
    same old rows: each takes at most a batch of those no other call holds (SKIP LOCKED),
    so pruning never makes one call wait for another. SQLite has one writer anyway.
    """
    old = col(ApiRequestSeen.seen_at) < uow.now() - SIGNATURE_WINDOW
    if uow.session.get_bind().dialect.name == "postgresql":
        batch = (
            select(ApiRequestSeen.signature)
            .where(old)
            .limit(PRUNE_BATCH)
            .with_for_update(skip_locked=True)
        )
        uow.session.execute(
            delete(ApiRequestSeen).where(col(ApiRequestSeen.signature).in_(batch.scalar_subquery()))
        )
    else:
        uow.session.execute(delete(ApiRequestSeen).where(old))


def accept_signed_request(
    uow: UnitOfWork,
    caller: ApiCaller,
    signature: str,
    *,
    rate_per_minute: int,
    recent: int | None = None,
) -> None:
    """Accept a verified signature once: refuse the client's call over its rate
    (RateLimited, with the seconds to wait) or a signature already accepted
    (RequestReplayed, from the signature's primary key); remember it. `recent`: the
    client's count of the last minute when already read (`identify_api_caller`).

    Needs a write unit of work of its own: a refusal rolls it back.
    """
    now = uow.now()
    if recent is None:
        recent = int(
            uow.session.execute(_recent_count(uow, caller.client_id, rate_per_minute)).scalar_one()
        )
    if recent >= rate_per_minute:
        _refuse_over_rate(uow, caller)
    insert = pg_insert if uow.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    accepted = uow.session.execute(
        insert(ApiRequestSeen)
        .values(signature=signature, client_id=caller.client_id, seen_at=now)
        .on_conflict_do_nothing(index_elements=["signature"])
        .returning(col(ApiRequestSeen.signature))
    ).first()
    if accepted is None:
        # Accepted before (or by another worker in the meantime).
        raise RequestReplayed(field=SIGNATURE)


def _refuse_over_rate(uow: UnitOfWork, caller: ApiCaller) -> None:
    """RateLimited, with the seconds until the oldest call of the last minute leaves it."""
    now = uow.now()
    oldest = uow.session.execute(
        sa_select(func.min(ApiRequestSeen.seen_at)).where(
            col(ApiRequestSeen.client_id) == caller.client_id,
            col(ApiRequestSeen.seen_at) > now - RATE_WINDOW,
        )
    ).scalar_one()
    if oldest is not None:
        wait = (as_utc(oldest) + RATE_WINDOW - now).total_seconds()
        raise RateLimited(max(1, math.ceil(wait)))


def record_api_call(
    uow: UnitOfWork, caller: ApiCaller, method: str, path: str, status: int
) -> None:
    """Audit one call of the API (action "api.call"): the client's account as the actor,
    the method, the path and the answer's status; never the body nor the key."""
    record_api_calls(uow, [(caller, method, path, status)])


def record_api_calls(uow: UnitOfWork, calls: list[tuple[ApiCaller, str, str, int]]) -> None:
    """Audit several calls of the API at once (see `record_api_call`), in their order."""
    events: list[tuple[int | None, str, str, int | None, dict[str, Any], dict[str, Any]]] = []
    for caller, method, path, status in calls:
        shown = "[…]" if contains_card_number(path) else path[:200]  # never a card number
        after = {"client": caller.name, "method": method, "path": shown, "status": status}
        events.append((caller.staff_user_id, "api.call", "api_client", caller.client_id, {}, after))
    record_events(uow, events)
