"""Signing a request to the registrar's API: the one algorithm, for the client and the server.

    signature = hex(HMAC-SHA256(key, METHOD + "\\n" + PATH_AND_QUERY + "\\n" + TIMESTAMP
                                     + "\\n" + hex(SHA-256(BODY))))

METHOD is upper case (`POST`), PATH_AND_QUERY the path as sent with its query string if
any (`/v1/families/P-1/statement`, `/v1/x?a=1`), TIMESTAMP the Unix time in seconds as
decimal digits, BODY the exact bytes sent (empty for a GET). The request carries three
headers (`signed_headers`): `Authorization: Bearer <key>`, `X-Registrar-Timestamp` and
`X-Registrar-Signature`. docs/api.md works an example through.

This module is standard library only: a portal written in Python may copy it whole.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "X-Registrar-Timestamp"
SIGNATURE_HEADER = "X-Registrar-Signature"


def string_to_sign(method: str, path: str, timestamp: int | str, body: bytes) -> str:
    """The text the signature covers (see the module's docstring)."""
    digest = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{path}\n{timestamp}\n{digest}"


def sign(key: str, method: str, path: str, timestamp: int | str, body: bytes) -> str:
    """The request's signature: hex HMAC-SHA256 under the API key."""
    message = string_to_sign(method, path, timestamp, body).encode("utf-8")
    return hmac.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signature_matches(
    key: str, method: str, path: str, timestamp: int | str, body: bytes, signature: str
) -> bool:
    """True when `signature` is the request's (compared in constant time)."""
    expected = sign(key, method, path, timestamp, body)
    return hmac.compare_digest(expected, signature.strip().lower())


def signed_headers(
    key: str, method: str, path: str, body: bytes = b"", *, timestamp: int | None = None
) -> dict[str, str]:
    """The headers a signed request carries; `timestamp` defaults to now."""
    when = int(time.time()) if timestamp is None else timestamp
    return {
        "Authorization": f"Bearer {key}",
        TIMESTAMP_HEADER: str(when),
        SIGNATURE_HEADER: sign(key, method, path, when, body),
    }
