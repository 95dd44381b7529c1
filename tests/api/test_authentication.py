"""Every request is signed: the key, the timestamp, the signature, once only, at a rate."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from registrar_tui.api.signing import sign
from registrar_tui.db import Database
from registrar_tui.services.staff.api_clients import revoke_api_client
from tests.api.conftest import NOW, SigningClient, World, make_client

STATEMENT = "/v1/families/P-TREM/statement"


def _refusal(answer: object) -> tuple[int, str | None, str]:
    status = answer.status_code  # type: ignore[attr-defined]
    error = answer.json()["errors"][0]  # type: ignore[attr-defined]
    return status, error["field"], error["code"]


def test_a_signed_request_is_answered(api: SigningClient) -> None:
    assert api.get(STATEMENT).status_code == 200


def test_a_missing_or_unknown_key_is_refused(api: SigningClient, world: World) -> None:
    bare = api.client.get(STATEMENT)
    assert _refusal(bare) == (401, "authorization", "missing_key")
    forged = world.key[:-4] + "AAAA"
    assert _refusal(api.get(STATEMENT, key=forged)) == (401, "authorization", "unknown_key")
    assert _refusal(api.get(STATEMENT, key="not-a-key")) == (401, "authorization", "unknown_key")


def test_a_revoked_key_is_refused(api: SigningClient, world: World, database: Database) -> None:
    with database.write() as uow:
        revoke_api_client(uow, world.admin_id, world.client_name)
    assert _refusal(api.get(STATEMENT)) == (401, "authorization", "revoked_key")


def test_a_wrong_signature_is_refused(api: SigningClient, world: World) -> None:
    headers = {"X-Registrar-Signature": sign(world.key, "GET", "/v1/other", NOW, b"")}
    answer = api.get(STATEMENT, headers=headers)
    assert _refusal(answer) == (401, "x-registrar-signature", "bad_signature")
    missing = api.get(STATEMENT, headers={"X-Registrar-Timestamp": ""})
    assert _refusal(missing) == (401, "x-registrar-signature", "missing_signature")


def test_an_altered_body_is_refused(api: SigningClient, world: World) -> None:
    from registrar_tui.api.signing import signed_headers

    signed = signed_headers(world.key, "GET", STATEMENT, b'{"a": 1}', timestamp=NOW)
    answer = api.client.request("GET", STATEMENT, content=b'{"a": 2}', headers=signed)
    assert _refusal(answer) == (401, "x-registrar-signature", "bad_signature")


@pytest.mark.parametrize(
    ("offset", "code"),
    [(-301, "expired_timestamp"), (301, "future_timestamp")],
)
def test_a_timestamp_outside_five_minutes_is_refused(
    api: SigningClient, offset: int, code: str
) -> None:
    answer = api.get(STATEMENT, timestamp=NOW + offset)
    assert _refusal(answer) == (401, "x-registrar-timestamp", code)
    assert api.get(STATEMENT, timestamp=NOW - 299).status_code == 200


def test_the_same_signed_request_twice_is_refused(api: SigningClient) -> None:
    assert api.get(STATEMENT).status_code == 200
    assert _refusal(api.get(STATEMENT)) == (401, "x-registrar-signature", "replayed_request")
    # Signed again (another second): a new request.
    assert api.get(STATEMENT, timestamp=NOW + 1).status_code == 200


@pytest.fixture
def slow_api(database: Database, world: World) -> Iterator[SigningClient]:
    yield from make_client(database, world, rate_per_minute=3)


def test_a_client_over_its_rate_waits(slow_api: SigningClient) -> None:
    for second in range(3):
        assert slow_api.get(STATEMENT, timestamp=NOW + second).status_code == 200
    answer = slow_api.get(STATEMENT, timestamp=NOW + 3)
    assert _refusal(answer) == (429, "authorization", "rate_limited")
    assert answer.headers["Retry-After"] == "60"


def test_a_body_over_64_kib_is_refused_before_anything(api: SigningClient) -> None:
    body = b'{"note": "' + b"x" * 70_000 + b'"}'
    answer = api.request("POST", "/v1/online-payments", content=body)
    assert answer.status_code == 413
    assert answer.json()["errors"][0]["code"] == "body_too_large"


def test_a_card_number_anywhere_in_the_body_is_refused(api: SigningClient) -> None:
    # Before any route reads it: whatever the route (POST routes: tests/api/test_requests.py).
    body = {"fields": [{"requested_value": "ma carte 4111 1111 1111 1111"}]}
    answer = api.request("GET", STATEMENT, json_body=body)
    assert _refusal(answer) == (422, "fields.0.requested_value", "card_number_refused")
    keyed = api.request("GET", STATEMENT, json_body={"4111-1111-1111-1111": 1}, timestamp=NOW + 1)
    assert _refusal(keyed) == (422, None, "card_number_refused")
    assert "4111" not in keyed.text


def test_an_identifier_is_looked_up_never_taken_for_a_card(
    api: SigningClient, database: Database
) -> None:
    # 4111 1111 1111 1111 passes Luhn: as a portal id it is only looked up (404), and the
    # audit of the call never writes it down.
    body = {"family_portal_id": "4111111111111111", "invoices": [{"number": "4111111111111111"}]}
    answer = api.post("/v1/online-payments", body)
    assert answer.status_code == 422  # the schema's refusals, not card_number_refused
    assert "card_number_refused" not in answer.text
    card_path = "/v1/families/4111111111111111/statement"
    assert api.get(card_path, timestamp=NOW + 1).status_code == 404
    with database.read() as uow:
        from sqlmodel import col, select

        from registrar_tui.models import AuditEvent

        written = uow.session.exec(
            select(AuditEvent.after_json).where(col(AuditEvent.action) == "api.call")
        ).all()
    assert written and not any("4111" in text for text in written)
