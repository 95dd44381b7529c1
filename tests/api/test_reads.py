"""The portal reads a family: statement, invoice, documents, PDFs; never another family's."""

from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader

from registrar_tui.db import Database
from tests.api.conftest import SigningClient, World


def test_health_needs_no_key(api: SigningClient) -> None:
    answer = api.client.get("/v1/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok"}


def test_statement_lists_the_invoices_with_their_balances(api: SigningClient) -> None:
    answer = api.get("/v1/families/P-TREM/statement")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["family_number"] == "F0000001"
    assert [(i["number"], i["total"], i["paid"], i["balance"]) for i in body["invoices"]] == [
        ("FAC00000001", "200.00", "50.00", "150.00")
    ]
    assert body["total_due"] == "150.00"


def test_statement_shows_the_payment_plan_and_its_instalments(
    api: SigningClient, world: World, database: Database
) -> None:
    from datetime import date

    from registrar_tui.services.ledger.plans import EqualSplit, make_plan

    assert api.get("/v1/families/P-TREM/statement").json()["payment_plan"] is None
    with database.write() as uow:
        make_plan(uow, world.family_id, EqualSplit(2, date(2026, 12, 15)), world.admin_id)

    plan = api.get("/v1/families/P-TREM/statement?request=2").json()["payment_plan"]
    assert (plan["made_on"], plan["balance"], plan["outstanding"]) == (
        "2026-11-23",
        "150.00",
        "150.00",
    )
    assert [(i["sequence"], i["due_on"], i["amount"], i["paid"]) for i in plan["instalments"]] == [
        (1, "2026-12-15", "75.00", "0.00"),
        (2, "2027-01-15", "75.00", "0.00"),
    ]


def test_an_invoice_with_its_lines_and_payments(api: SigningClient, world: World) -> None:
    body = api.get(f"/v1/families/P-TREM/invoices/{world.invoice_number}").json()
    assert [line["description"] for line in body["lines"]] == ["Piano, 30 cours"]
    assert [(p["receipt_number"], p["amount"]) for p in body["payments"]] == [
        (world.receipt_number, "50.00")
    ]
    assert body["balance"] == "150.00"


def test_documents_list_receipts_and_invoices_with_their_pdf(
    api: SigningClient, world: World
) -> None:
    body = api.get("/v1/families/P-TREM/documents").json()
    kinds = [(d["kind"], d["number"]) for d in body["documents"]]
    assert kinds == [("receipt", world.receipt_number), ("invoice", world.invoice_number)]
    pdf = api.get(body["documents"][0]["pdf"])
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(BytesIO(pdf.content)).pages[0].extract_text()
    assert world.receipt_number in text and "50,00" in text


def test_another_familys_documents_are_not_found(api: SigningClient, world: World) -> None:
    for path in (
        f"/v1/families/P-TREM/documents/receipts/{world.other_receipt_number}.pdf",
        f"/v1/families/P-TREM/documents/invoices/{world.other_invoice_number}.pdf",
        f"/v1/families/P-TREM/invoices/{world.other_invoice_number}",
    ):
        answer = api.get(path)
        assert answer.status_code == 404, path
        assert answer.json()["errors"][0]["field"] == "number"
    unknown = api.get("/v1/families/P-NOBODY/statement")
    assert unknown.status_code == 404
    assert unknown.json()["errors"][0] == {
        "field": "portal_id",
        "code": "not_found",
        "message": "Aucune famille n'a l'identifiant de portail « P-NOBODY ».",
    }


def test_refusals_speak_the_clients_language(api: SigningClient) -> None:
    answer = api.get("/v1/families/P-NOBODY/statement", headers={"Accept-Language": "en-CA"})
    assert answer.json()["errors"][0]["message"].startswith("No family")


def test_every_call_is_audited_with_the_clients_name(
    api: SigningClient, world: World, database: Database
) -> None:
    api.get("/v1/families/P-TREM/statement")
    api.get("/v1/families/P-NOBODY/statement")
    rows = _api_calls(database)
    assert rows == [
        (world.portal_user_id, "GET", "/v1/families/P-TREM/statement", 200, "portail-familles"),
        (world.portal_user_id, "GET", "/v1/families/P-NOBODY/statement", 404, "portail-familles"),
    ]


def _api_calls(database: Database) -> list[tuple[object, ...]]:
    import json

    from sqlmodel import col, select

    from registrar_tui.models import AuditEvent

    with database.read() as uow:
        events = uow.session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action) == "api.call")
            .order_by(col(AuditEvent.id))
        ).all()
        calls = [(event.actor_id, json.loads(event.after_json)) for event in events]
    return [
        (actor, after["method"], after["path"], after["status"], after["client"])
        for actor, after in calls
    ]
