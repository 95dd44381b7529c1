"""What a receipt tells the family, built from the database (issue #13, point 13): the
students paid for, a transaction reference, the family's balance, where it was paid, and
every name whole (« Thị Ánh Nguyễn », « Đặng »), on the invoice and statement too."""

from __future__ import annotations

import dataclasses

from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import Guardian, Student
from registrar_tui.reports.documents import CopyKind
from registrar_tui.services.documents.build import invoice_pdf, receipt_pdf, statement_pdf
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.statement import statement
from tests.reports.pdftext import text_of
from tests.services.ledger_data import add_family, add_invoice, build_school, cash

PAYER_FIRST, FAMILY_NAME = "Thị Ánh", "Nguyễn"
STUDENT_FIRST, STUDENT_LAST = "Minh", "Đặng"


def _words(pdf: bytes) -> str:
    return " ".join(text_of(pdf).split())


def test_a_receipt_paid_at_another_site_names_everyone_whole(database: Database) -> None:
    school = build_school(database)
    family_id = add_family(database, school, name=FAMILY_NAME)
    with database.write() as uow:
        payer = uow.session.exec(select(Guardian).where(col(Guardian.family_id) == family_id)).one()
        payer.first_name = PAYER_FIRST
        student = uow.session.exec(select(Student).where(col(Student.family_id) == family_id)).one()
        student.first_name, student.last_name = STUDENT_FIRST, STUDENT_LAST
        student_number = student.student_number
    paid = add_invoice(database, school, family_id)  # 275,00 $ (25,00 $ voluntary)
    owing = add_invoice(database, school, family_id, (("100.00", ""),))
    # A Montréal family pays at the Québec counter: the receipt is in Québec's series.
    request = dataclasses.replace(
        cash(school, family_id, "275.00", "275.00", tendered="280.00", invoices=(paid,)),
        establishment_id=school.quebec_id,
    )
    with database.write() as uow:
        posted = post_payment(uow, request)

    with database.read() as uow:
        receipt = receipt_pdf(uow, posted.payment_id, copy=CopyKind.ORIGINAL)
        invoice = invoice_pdf(uow, owing)
        account = statement_pdf(uow, family_id)
        balance = statement(uow, family_id).net_balance
    text = _words(receipt.pdf)

    assert posted.receipt_number.startswith("QC-2026-")
    assert f"Payeur {PAYER_FIRST} {FAMILY_NAME}" in text
    assert f"Client Famille {FAMILY_NAME} N° de client" in text
    assert f"N° d'élève {student_number}" in text
    assert f"Réf. de transaction TX-P{posted.payment_id:08d}" in text
    assert posted.receipt_number in text and f"TX-P{posted.payment_id:08d}" != (
        posted.receipt_number
    )
    assert balance == 100
    assert "Votre solde au " in text and text.split("Votre solde au ", 1)[1].count("100,00 $")
    assert "Payé à Conservatoire de Québec" in text
    assert "ce reçu est de la série QC (Conservatoire de Québec)" in text
    assert "Tél. : 418 643-2190" in text  # the paying site's footer, whole
    for document in (invoice.pdf, account.pdf):
        words = _words(document)
        assert f"{PAYER_FIRST} {FAMILY_NAME}" in words
        assert f"{STUDENT_FIRST} {STUDENT_LAST}" in words, words
