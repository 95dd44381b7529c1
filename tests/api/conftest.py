"""The API on a test database: a little world (a family known to the portal, an invoice,
a payment), an API client with its key, and a signing TestClient."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from registrar_tui.api.app import create_api
from registrar_tui.api.settings import ApiSettings
from registrar_tui.api.signing import signed_headers
from registrar_tui.db import Database
from registrar_tui.models.base import PaymentMethod, Role
from registrar_tui.services.ledger.payments import PaymentRequest, post_payment
from registrar_tui.services.staff.api_clients import add_api_client
from tests import builders as b
from tests.conftest import FIXED_NOW

NOW = int(FIXED_NOW.timestamp())


@dataclass(frozen=True)
class World:
    admin_id: int
    clerk_id: int
    establishment_id: int
    family_id: int
    other_family_id: int
    invoice_number: str
    other_invoice_number: str
    receipt_number: str
    other_receipt_number: str
    key: str
    client_name: str
    portal_user_id: int


def _cash(world_ids: dict[str, int], family_id: int, amount: str, seen: str) -> PaymentRequest:
    return PaymentRequest(
        idempotency_key=f"seed-{family_id}-{amount}",
        family_id=family_id,
        establishment_id=world_ids["school"],
        clerk_id=world_ids["clerk"],
        amount=Decimal(amount),
        method=PaymentMethod.CASH,
        seen_balance=Decimal(seen),
        amount_tendered=Decimal(amount),
    )


@pytest.fixture
def world(database: Database) -> World:
    with database.write() as uow:
        school = b.establishment(uow)
        admin = b.staff(uow, None, username="admin", full_name="Ada Admin", role=Role.ADMIN)
        clerk = b.staff(uow, school, username="clerk", full_name="Chloé Commis", role=Role.CLERK)
        term = b.term(uow)
        tremblay = b.family(
            uow,
            school,
            number="F0000001",
            name="Tremblay",
            payer="Hélène",
            payer_email="helene@example.org",
            portal_id="P-TREM",
        )
        cote = b.family(
            uow, school, number="F0000003", name="Côté", payer="Stéphane", portal_id="P-COTE"
        )
        b.invoice(
            uow,
            tremblay,
            school,
            number="FAC00000001",
            description="Automne 2026",
            lines=[b.piano(Decimal("200.00"))],
            term_id=term,
        )
        b.invoice(
            uow,
            cote,
            school,
            number="FAC00000010",
            description="Automne 2026",
            lines=[b.piano(Decimal("111.00"))],
            term_id=term,
        )
        ids = {"school": school, "clerk": clerk}
        mine = post_payment(uow, _cash(ids, tremblay, "50.00", "200.00"))
        theirs = post_payment(uow, _cash(ids, cote, "11.00", "111.00"))
        b.receipts_handed_over(uow)
        created = add_api_client(uow, admin, "portail-familles")
    return World(
        admin_id=admin,
        clerk_id=clerk,
        establishment_id=school,
        family_id=tremblay,
        other_family_id=cote,
        invoice_number="FAC00000001",
        other_invoice_number="FAC00000010",
        receipt_number=mine.receipt_number,
        other_receipt_number=theirs.receipt_number,
        key=created.key,
        client_name=created.client.name,
        portal_user_id=_portal_user(database, created.client.username),
    )


def _portal_user(database: Database, username: str) -> int:
    from sqlmodel import select

    from registrar_tui.models import StaffUser

    with database.read() as uow:
        user_id = uow.session.exec(select(StaffUser.id).where(StaffUser.username == username)).one()
    assert user_id is not None
    return user_id


class SigningClient:
    """A TestClient that signs each request with the world's key at the fixed clock, and
    returns once what follows the answer (the call's audit, a receipt's PDF) is done, as a
    portal would see it a moment later."""

    def __init__(self, client: TestClient, key: str) -> None:
        self.client = client
        self.key = key

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        key: str | None = None,
        timestamp: int = NOW,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        body = (
            content
            if content is not None
            else b""
            if json_body is None
            else json.dumps(json_body).encode()
        )
        signed = signed_headers(key or self.key, method, path, body, timestamp=timestamp)
        if body:
            signed["Content-Type"] = "application/json"
        signed.update(headers or {})
        answer = self.client.request(method, path, content=body, headers=signed)
        self.client.app.state.after.drain()  # type: ignore[attr-defined]
        return answer

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, json_body=body, **kwargs)


def make_client(database: Database, world: World, **settings: Any) -> Iterator[SigningClient]:
    app = create_api(settings=ApiSettings(database=database, **settings))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield SigningClient(client, world.key)


@pytest.fixture
def api(database: Database, world: World) -> Iterator[SigningClient]:
    yield from make_client(database, world)


@pytest.fixture(autouse=True)
def _documents_in_tmp(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Receipts handed over after an online payment are saved under the test's folder."""
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(tmp_path / "documents"))
