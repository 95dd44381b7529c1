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
is refused whichever worker gets it. Each accepted call is also counted in its minute
(`api_call_count`): this minute's count and the previous one's make the client's rate
(`RateUse`).
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from fractions import Fraction
from typing import Any

from sqlalchemy import delete, text, tuple_
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, func, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import ApiCallCount, ApiClient, ApiRequestSeen, StaffUser
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
) -> tuple[ApiCaller, RateUse | None]:
    """The client holding `key` (refusals as `authenticate_api_key`) and, with a
    `rate_per_minute`, its calls counted this minute and the last one (`RateUse`), in one
    statement: what every call of the API pays before its route runs."""
    prefix = _key_prefix(key)
    client = ApiClient.__table__.c  # type: ignore[attr-defined]
    columns: list[Any] = [client.id, client.name, client.key_hash, client.revoked_at,
                          client.staff_user_id]  # fmt: skip
    use = RateUse.at(uow.now())
    if rate_per_minute is not None:
        columns += [_calls_in(client.id, use.minute), _calls_in(client.id, use.previous)]
    found: Any = uow.session.execute(sa_select(*columns).where(client.key_prefix == prefix)).first()
    caller = _key_holder(found, key_digest(key))
    if rate_per_minute is None:
        return caller, None
    return caller, use.counted(int(found[5]), int(found[6]))


@dataclass(frozen=True)
class RateUse:
    """A client's use of its rate at an instant: its calls accepted this minute (UTC, a
    whole minute) and in the previous one. Its calls of the last 60 seconds are taken as
    this minute's plus the previous minute's share still inside them (a sliding window:
    at 20 s into a minute, two thirds of the previous minute's calls). Whole numbers
    only: milliseconds, calls × 60,000 against the rate × 60,000."""

    minute: datetime
    previous: datetime
    elapsed_ms: int
    """Milliseconds into this minute (0 to 59,999)."""
    current_calls: int = 0
    previous_calls: int = 0

    @classmethod
    def at(cls, now: datetime) -> RateUse:
        minute = now.replace(second=0, microsecond=0)
        elapsed = now.second * 1000 + now.microsecond // 1000
        return cls(minute=minute, previous=minute - RATE_WINDOW, elapsed_ms=elapsed)

    def counted(self, current_calls: int, previous_calls: int) -> RateUse:
        return replace(self, current_calls=current_calls, previous_calls=previous_calls)

    @property
    def remaining_ms(self) -> int:
        """Milliseconds of the previous minute still inside the last 60 s (1 to 60,000)."""
        return MINUTE_MS - self.elapsed_ms

    def over(self, rate_per_minute: int) -> bool:
        """At or over `rate_per_minute`."""
        used = self.current_calls * MINUTE_MS + self.previous_calls * self.remaining_ms
        return used >= rate_per_minute * MINUTE_MS

    def retry_after(self, rate_per_minute: int) -> int:
        """Whole seconds until one more call is under `rate_per_minute` (at least 1)."""
        if self.current_calls < rate_per_minute and self.previous_calls:
            # Later this minute, once the previous minute's share has shrunk enough.
            free = Fraction(MINUTE_MS * (rate_per_minute - self.current_calls), self.previous_calls)
            wait_ms = MINUTE_MS - free - self.elapsed_ms
        else:
            # Into the next minute, once this minute's share has shrunk enough.
            into_next = Fraction(
                MINUTE_MS * (self.current_calls - rate_per_minute), self.current_calls
            )
            wait_ms = MINUTE_MS - self.elapsed_ms + into_next
        return max(1, math.ceil(wait_ms / 1000))


MINUTE_MS = 60_000


def _calls_in(client_id: Any, minute: datetime) -> Any:
    """SQL: the client's calls counted in `minute` (0 when none)."""
    count = ApiCallCount.__table__.c  # type: ignore[attr-defined]
    calls = sa_select(count.calls).where(count.client_id == client_id, count.minute == minute)
    return func.coalesce(calls.scalar_subquery(), 0)


_ACCEPT_ON_POSTGRESQL = text(
    """
    WITH caller AS (
        SELECT id, name, key_hash, revoked_at, staff_user_id,
               coalesce((SELECT calls FROM api_call_count AS count
                         WHERE count.client_id = api_client.id
                           AND count.minute = :minute), 0) AS current_calls,
               coalesce((SELECT calls FROM api_call_count AS count
                         WHERE count.client_id = api_client.id
                           AND count.minute = :previous), 0) AS previous_calls
        FROM api_client WHERE key_prefix = :prefix
    ), accepted AS (
        INSERT INTO api_request_seen (signature, client_id, seen_at)
        SELECT :signature, id, :now FROM caller
        WHERE :signed AND key_hash = :key_hash AND revoked_at IS NULL
          AND current_calls::bigint * 60000 + previous_calls::bigint * :remaining_ms
              < CAST(:rate AS bigint) * 60000
        ON CONFLICT (signature) DO NOTHING
        RETURNING client_id
    ), counted AS (
        INSERT INTO api_call_count (client_id, minute, calls)
        SELECT client_id, :minute, 1 FROM accepted
        ON CONFLICT (client_id, minute) DO UPDATE SET calls = api_call_count.calls + 1
    )
    SELECT caller.id, caller.name, caller.key_hash, caller.revoked_at, caller.staff_user_id,
           caller.current_calls, caller.previous_calls,
           (SELECT count(*) FROM accepted) AS accepted,
           set_config('synchronous_commit', 'off', true) AS without_disk_wait
    FROM caller
    """
)
"""`identify_and_accept` on PostgreSQL: the client, its rate's use, the signature's record
and the call counted, in one statement (run in autocommit: one round trip per call). The
record is written and the call counted only for the right key of a client not revoked,
under its rate, when the request's own checks passed; it commits without waiting for
the disk (see `UnitOfWork.commit_without_disk_wait`: this is bookkeeping)."""


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
    RequestReplayed); the signature recorded and the call counted when all passed.
    `identified` is told the client as soon as it is known, so that a later refusal is
    audited with its name.

    `uow`: from `Database.standalone()`, alone for this call (a refusal on SQLite rolls
    it back; on PostgreSQL the statement wrote only for an accepted call)."""
    if uow.session.get_bind().dialect.name != "postgresql":
        caller, use = identify_api_caller(uow, key, rate_per_minute=rate_per_minute)
        if identified is not None:
            identified(caller)
        if refused is not None:
            raise refused
        accept_signed_request(uow, caller, signature, rate_per_minute=rate_per_minute, use=use)
        return caller
    prefix = _key_prefix(key)
    digest = key_digest(key)
    now = uow.now()
    use = RateUse.at(now)
    found: Any = uow.session.execute(
        _ACCEPT_ON_POSTGRESQL,
        {
            "prefix": prefix,
            "minute": use.minute,
            "previous": use.previous,
            "remaining_ms": use.remaining_ms,
            "rate": rate_per_minute,
            "signed": refused is None,
            "key_hash": digest,
            "signature": signature,
            "now": now,
        },
    ).first()
    caller = _key_holder(found, digest)
    if identified is not None:
        identified(caller)
    if refused is not None:
        raise refused
    use = use.counted(int(found.current_calls), int(found.previous_calls))
    if use.over(rate_per_minute):
        raise RateLimited(use.retry_after(rate_per_minute))
    if not found.accepted:
        raise RequestReplayed(field=SIGNATURE)  # accepted before, or by another worker
    return caller


def _key_holder(found: Any, digest: str) -> ApiCaller:
    """The client of the row found by the key's prefix, once the whole key's digest
    matches (in constant time). Refuses KeyUnknown, KeyRevoked."""
    if found is None or not hmac.compare_digest(found.key_hash, digest):
        raise KeyUnknown(field=AUTHORIZATION)
    if found.revoked_at is not None:
        raise KeyRevoked(field=AUTHORIZATION)
    return ApiCaller(client_id=found.id, name=found.name, staff_user_id=found.staff_user_id)


def _key_prefix(key: str) -> str:
    """The public part of `rtk_<prefix>_<secret>`. Refuses KeyMissing, KeyUnknown."""
    if not key:
        raise KeyMissing(field=AUTHORIZATION)
    parts = key.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise KeyUnknown(field=AUTHORIZATION)
    return parts[1]


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
    refused by its timestamp anyway; and the calls counted before the last two minutes.
    The API does it once per batch of audited calls (api/after.py), not on each call's
    path.

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
        counts = ApiCallCount.__table__.c  # type: ignore[attr-defined]
        stale = (
            sa_select(counts.client_id, counts.minute)
            .where(counts.minute < uow.now() - 2 * RATE_WINDOW)
            .with_for_update(skip_locked=True)
        )
        uow.session.execute(
            delete(ApiCallCount).where(
                tuple_(counts.client_id, counts.minute).in_(stale.scalar_subquery())
            )
        )
    else:
        uow.session.execute(delete(ApiRequestSeen).where(old))
        uow.session.execute(
            delete(ApiCallCount).where(col(ApiCallCount.minute) < uow.now() - 2 * RATE_WINDOW)
        )


def accept_signed_request(
    uow: UnitOfWork,
    caller: ApiCaller,
    signature: str,
    *,
    rate_per_minute: int,
    use: RateUse | None = None,
) -> None:
    """Accept a verified signature once: refuse the client's call over its rate
    (RateLimited, with the seconds to wait) or a signature already accepted
    (RequestReplayed, from the signature's primary key); remember it and count the call.
    `use`: the client's use of its rate when already read (`identify_api_caller`).

    Needs a write unit of work of its own: a refusal rolls it back.
    """
    now = uow.now()
    if use is None:
        use = RateUse.at(now)
        client = caller.client_id
        counted = uow.session.execute(
            sa_select(_calls_in(client, use.minute), _calls_in(client, use.previous))
        ).one()
        use = use.counted(int(counted[0]), int(counted[1]))
    if use.over(rate_per_minute):
        raise RateLimited(use.retry_after(rate_per_minute))
    postgresql = uow.session.get_bind().dialect.name == "postgresql"
    insert = pg_insert if postgresql else sqlite_insert
    accepted = uow.session.execute(
        insert(ApiRequestSeen)
        .values(signature=signature, client_id=caller.client_id, seen_at=now)
        .on_conflict_do_nothing(index_elements=["signature"])
        .returning(col(ApiRequestSeen.signature))
    ).first()
    if accepted is None:
        # Accepted before (or by another worker in the meantime).
        raise RequestReplayed(field=SIGNATURE)
    count = insert(ApiCallCount).values(client_id=caller.client_id, minute=use.minute, calls=1)
    uow.session.execute(
        count.on_conflict_do_update(
            index_elements=["client_id", "minute"],
            set_={"calls": col(ApiCallCount.calls) + 1},
        )
    )


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
