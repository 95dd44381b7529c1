"""The portal reports online payments: posted once per transaction id, refusals by field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlmodel import func, select

from registrar_tui.db import Database
from registrar_tui.models import OutboxMessage, Payment
from registrar_tui.models.base import PaymentMethod
from tests.api.conftest import NOW, SigningClient, World

PAYMENTS = "/v1/online-payments"


def _report(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "family_portal_id": "P-TREM",
        "processor_transaction_id": "ch_3PqR5tUv",
        "authorization_number": "A1B2C3",
        "card_brand": "Visa",
        "card_last4": "4242",
        "amount": "170.00",
        "paid_at": "2026-11-23T09:25:00-05:00",
    }
    body.update(overrides)
    return body


def _online_payments(database: Database) -> list[tuple[str | None, str]]:
    with database.read() as uow:
        rows = uow.session.exec(
            select(Payment.processor_transaction_id, Payment.amount).where(
                Payment.method == PaymentMethod.ONLINE
            )
        ).all()
    return [(tx, str(amount)) for tx, amount in rows]


def test_a_payment_is_posted_once_and_its_replay_answers_the_same(
    api: SigningClient, database: Database, world: World, tmp_path: Path
) -> None:
    first = api.post(PAYMENTS, _report())
    again = api.post(PAYMENTS, _report(), timestamp=NOW + 1)

    assert first.status_code == 201, first.text
    body = first.json()
    assert body["allocations"] == [
        {"invoice_number": "FAC00000001", "amount": "150.00", "balance_after": "0.00"}
    ]
    assert body["credit_left"] == "20.00" and body["replayed"] is False
    assert body["establishment_code"] == "MTL"
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == {**body, "replayed": True}
    assert _online_payments(database) == [("ch_3PqR5tUv", "170.00")]
    # The receipt handed over after the answer: saved, and e-mailed to the payer.
    assert (tmp_path / "documents" / "receipts" / f"{body['receipt_number']}.pdf").exists()
    with database.read() as uow:
        mails = uow.session.exec(select(func.count()).select_from(OutboxMessage)).one()
    assert mails == 1
    receipt = api.get(body["receipt_pdf"])
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")


def test_the_same_transaction_with_another_amount_is_a_conflict(
    api: SigningClient, database: Database
) -> None:
    api.post(PAYMENTS, _report())
    answer = api.post(PAYMENTS, _report(amount="10.00"), timestamp=NOW + 1)
    assert answer.status_code == 409
    assert [(e["field"], e["code"]) for e in answer.json()["errors"]] == [
        ("processor_transaction_id", "online_transaction_conflict")
    ]
    assert _online_payments(database) == [("ch_3PqR5tUv", "170.00")]


def test_chosen_invoices_are_paid_in_that_order(api: SigningClient, database: Database) -> None:
    answer = api.post(PAYMENTS, _report(amount="40.00", invoices=[{"number": "FAC00000001"}]))
    assert answer.status_code == 201, answer.text
    assert answer.json()["allocations"][0]["amount"] == "40.00"
    assert answer.json()["credit_left"] == "0.00"


REFUSALS: list[tuple[dict[str, Any], int, list[tuple[str, str]]]] = [
    ({"amount": "0"}, 422, [("amount", "invalid_amount")]),
    ({"amount": "-5"}, 422, [("amount", "invalid_amount")]),
    ({"amount": "1.234"}, 422, [("amount", "decimal_max_places")]),
    ({"amount": "beaucoup"}, 422, [("amount", "decimal_parsing")]),
    ({"amount": None}, 422, [("amount", "decimal_type")]),
    ({"card_last4": "42"}, 422, [("card_last4", "string_too_short")]),
    ({"card_last4": "42a2"}, 422, [("card_last4", "invalid_input")]),
    ({"card_brand": ""}, 422, [("card_brand", "string_too_short")]),
    ({"authorization_number": "A1-B2"}, 422, [("authorization_number", "invalid_input")]),
    ({"processor_transaction_id": "ch 3"}, 422, [("processor_transaction_id", "invalid_input")]),
    ({"paid_at": "2026-11-23T14:25:00"}, 422, [("paid_at", "timezone_aware")]),
    ({"paid_at": "2026-11-24T14:25:00Z"}, 422, [("paid_at", "invalid_input")]),
    ({"paid_at": "hier"}, 422, [("paid_at", "datetime_from_date_parsing")]),
    ({"family_portal_id": "P-NOBODY"}, 404, [("family_portal_id", "not_found")]),
    ({"invoices": [{"number": "FAC00000010"}]}, 404, [("invoices.0.number", "not_found")]),
    ({"invoices": [{"number": "FAC00000001", "amount": "500.00"}]}, 422,
         [("invoices", "amount_exceeds_balance")]),
    ({"card_brand": "Visa 4111111111111111"}, 422, [("card_brand", "card_number_refused")]),
    ({"cvc": "123"}, 422, [("cvc", "extra_forbidden")]),
]  # fmt: skip
"""Each refusal: what the body changes, the status, each (field, code) answered."""


def test_a_refused_report_names_its_field_and_posts_nothing(
    api: SigningClient, database: Database
) -> None:
    # One world for every case: a refusal writes nothing, so the next case sees the same.
    for tick, (overrides, status, errors) in enumerate(REFUSALS):
        answer = api.post(PAYMENTS, _report(**overrides), timestamp=NOW - tick)
        found = [(e["field"], e["code"]) for e in answer.json()["errors"]]
        assert (answer.status_code, found) == (status, errors), (overrides, answer.text)
    assert _online_payments(database) == []


def test_a_missing_field_is_named(api: SigningClient) -> None:
    body = _report()
    del body["card_last4"]
    answer = api.post(PAYMENTS, body, headers={"Accept-Language": "en"})
    assert answer.json()["errors"] == [
        {"field": "card_last4", "code": "missing", "message": "Required field."}
    ]


def test_stopping_the_server_finishes_the_audit_and_the_receipt_first(
    database: Database, world: World
) -> None:
    """The answer does not wait for the call's audit nor the receipt's PDF (api/after.py);
    the server does, before it stops: both are there once it has."""
    from fastapi.testclient import TestClient
    from sqlmodel import col

    from registrar_tui.api.app import create_api
    from registrar_tui.api.settings import ApiSettings
    from registrar_tui.api.signing import signed_headers
    from registrar_tui.models import AuditEvent, ReceiptHandover

    body = json.dumps(_report(processor_transaction_id="txn-stop")).encode()
    headers = signed_headers(world.key, "POST", "/v1/online-payments", body, timestamp=NOW)
    headers["Content-Type"] = "application/json"
    with TestClient(create_api(settings=ApiSettings(database=database))) as client:
        answer = client.post("/v1/online-payments", content=body, headers=headers)
    assert answer.status_code == 201
    with database.read() as uow:
        calls = uow.session.exec(
            select(func.count()).where(col(AuditEvent.action) == "api.call")
        ).one()
        handed = uow.session.exec(
            select(ReceiptHandover.saved_at).where(col(ReceiptHandover.saved_at).is_not(None))
        ).all()
    assert calls == 1
    assert handed
