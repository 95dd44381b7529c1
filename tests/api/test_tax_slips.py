"""The portal and the tax slips: the slips as documents, the student's SIN sent in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO

from pypdf import PdfReader
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, SlipKind, SlipStatus, Student, TaxSlip
from tests import builders as b
from tests.api.conftest import SigningClient, World


def _student_with_slips(database: Database, world: World) -> None:
    with database.write() as uow:
        student_id = b.student(
            uow,
            world.family_id,
            world.establishment_id,
            number="200690001",
            first_name="Élodie",
            last_name="Tremblay",
            birth_date=date(2006, 5, 2),
        )
        for kind in (SlipKind.RL8, SlipKind.T2202):
            uow.session.add(
                TaxSlip(
                    year=2025,
                    kind=kind,
                    number=1,
                    status=SlipStatus.ORIGINAL,
                    student_id=student_id,
                    family_id=world.family_id,
                    eligible_tuition=Decimal("425.00"),
                    full_time_sessions=1,
                    months_full_time=4,
                    periods="AUT-2025 2025-09 2025-12 0 4 425.00",
                    program_name="Piano (collégial)",
                    has_sin=False,
                    built_at=datetime(2026, 2, 10, 15, tzinfo=UTC),
                    built_by_id=world.admin_id,
                )
            )


def test_slips_are_documents_of_the_family_only(
    api: SigningClient, world: World, database: Database
) -> None:
    _student_with_slips(database, world)
    body = api.get("/v1/families/P-TREM/documents").json()
    slips = [d for d in body["documents"] if d["kind"] == "tax_slips"]
    assert [(d["number"], d["amount"], d["issued_on"]) for d in slips] == [
        ("2025-200690001", "425.00", "2026-02-10")
    ]
    pdf = api.get(slips[0]["pdf"])
    assert pdf.status_code == 200
    text = " ".join(PdfReader(BytesIO(pdf.content)).pages[0].extract_text().split())
    assert "Relevé 8" in text and "425,00 $" in text
    for path in (
        "/v1/families/P-COTE/documents/tax-slips/2025-200690001.pdf",
        "/v1/families/P-TREM/documents/tax-slips/2024-200690001.pdf",
    ):
        assert api.get(path).status_code == 404, path


def test_the_portal_sends_a_students_sin(
    api: SigningClient, world: World, database: Database
) -> None:
    _student_with_slips(database, world)
    path = "/v1/families/P-TREM/students/200690001/social-insurance-number"
    bad = api.request("PUT", path, json_body={"social_insurance_number": "130 692 545"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "social_insurance_number"
    assert "130" not in bad.text
    good = api.request("PUT", path, json_body={"social_insurance_number": "130 692 544"})
    assert good.status_code == 200, good.text
    assert good.json() == {"student_number": "200690001", "social_insurance_number": "*** *** 544"}
    other = api.request(
        "PUT",
        "/v1/families/P-COTE/students/200690001/social-insurance-number",
        json_body={"social_insurance_number": "130 692 544"},
    )
    assert other.status_code == 404
    with database.read() as uow:
        student = uow.session.exec(
            select(Student).where(col(Student.student_number) == "200690001")
        ).one()
        assert student.social_insurance_number == "130692544"
        event = uow.session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == "student.sin_set")
        ).one()
        assert event.actor_id == world.portal_user_id
        assert "130692544" not in event.after_json
