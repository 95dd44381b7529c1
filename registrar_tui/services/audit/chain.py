"""Hash chains for tamper evidence (receipts per establishment, the audit trail).

Each link is SHA-256 over the previous link's hash and a canonical JSON rendering of
the record's content, so editing or removing a row behind the application's back
breaks every later link.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

GENESIS_HASH = "0" * 64


def _default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not chainable: {type(value).__name__}")


def canonical_json(payload: dict[str, Any]) -> str:
    """Stable JSON: sorted keys, no spaces, dates in ISO format, Decimals as strings."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), default=_default)


def chain_hash(previous_hash: str, payload: dict[str, Any]) -> str:
    """The hash of a link: SHA-256 of the previous hash and the canonical payload."""
    digest = hashlib.sha256()
    digest.update(previous_hash.encode("ascii"))
    digest.update(canonical_json(payload).encode("utf-8"))
    return digest.hexdigest()
