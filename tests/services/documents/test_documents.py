"""PDF documents built from the database, saved, printed and e-mailed (outbox)."""

from __future__ import annotations

import stat
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import AppSetting, Family, Guardian, OutboxMessage
from registrar_tui.models.base import Language, OutboxStatus
from registrar_tui.reports.documents import CopyKind
from registrar_tui.reports.receipt import render_receipt
from registrar_tui.services.core.errors import NotFound, PermissionDenied
from registrar_tui.services.documents.build import (
    GeneratedPdf,
    invoice_pdf,
    receipt_document,
    receipt_pdf,
    statement_pdf,
)
from registrar_tui.services.documents.day_close import day_close_pdf
from registrar_tui.services.documents.output import (
    OutputSettings,
    PrinterNotConfigured,
    PrintFailed,
    output_settings,
    print_pdf,
    save_pdf,
)
from registrar_tui.services.ledger.day_close.close import close_day
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.posted_receipts import payment_receipt
from registrar_tui.services.ledger.voids import void_payment
from registrar_tui.services.outbox.queue import queue_receipt_email
from registrar_tui.services.staff.settings import INSTITUTION_NAME, institution_name, set_setting
from tests.reports.pdftext import text_of
from tests.services.ledger_data import School, add_family, add_invoice, build_school, cash

INSTITUTION = "Conservatoire Laurentien de musique"


def _paid(database: Database) -> tuple[School, int, int, int]:
    """Tremblay family owing 275,00 $, paid 300,00 $ cash; the institution named."""
    school = build_school(database)
    family_id = add_family(database, school)
    invoice_id = add_invoice(database, school, family_id)
    with database.write() as uow:
        set_setting(uow, INSTITUTION_NAME, INSTITUTION, school.admin_id)
        payer = uow.session.exec(select(Guardian).where(col(Guardian.family_id) == family_id)).one()
        payer.email = "helene@example.ca"
        uow.session.add(payer)
        posted = post_payment(uow, cash(school, family_id, "300.00", "275.00", tendered="300.00"))
    return school, family_id, invoice_id, posted.payment_id


def test_original_receipt_carries_the_counter_facts(database: Database) -> None:
    _, _, _, payment_id = _paid(database)
    with database.read() as uow:
        document = receipt_pdf(uow, payment_id, copy=CopyKind.ORIGINAL)
    text = text_of(document.pdf)
    assert document.filename.startswith("MTL-2026-") and document.kind == "receipt"
    assert document.filename.removesuffix(".pdf") in text
    for expected in (INSTITUTION, "Famille Tremblay", "300,00 $", "275,00 $", "25,00 $"):
        assert expected in text
    assert "DUPLICATA" not in text


def test_reprint_is_a_duplicate_and_a_voided_payment_prints_annule(database: Database) -> None:
    school, _, _, payment_id = _paid(database)
    with database.read() as uow:
        assert "DUPLICATA" in text_of(receipt_pdf(uow, payment_id).pdf)
    with database.write() as uow:
        void_payment(uow, payment_id, "Montant erroné", school.registrar_id)
    with database.read() as uow:
        # Even asked for as a plain copy, a voided payment prints ANNULÉ with its reason.
        voided = receipt_pdf(uow, payment_id, copy=CopyKind.DUPLICATE)
    text = text_of(voided.pdf)
    assert voided.copy is CopyKind.VOIDED
    assert "ANNULÉ" in text and "Montant erroné" in text


def test_a_receipt_is_read_in_five_statements_and_shows_what_the_payment_holds(
    database: Database,
) -> None:
    """The receipt's own read (one row for the payment and its people, then the invoices,
    the students, the balance) prints what `payment_receipt` says, voided copy included."""
    school, _, _, payment_id = _paid(database)
    selects: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            selects.append(statement)

    for voided in (False, True):
        if voided:
            with database.write() as uow:
                void_payment(uow, payment_id, "Montant erroné", school.registrar_id)
        for copy in (CopyKind.ORIGINAL, None):
            with database.read() as uow:
                # A voided payment always prints ANNULÉ.
                printed = CopyKind.VOIDED if voided else copy
                long_way = render_receipt(
                    receipt_document(uow, payment_receipt(uow, payment_id), copy=printed)
                )
                selects.clear()
                event.listen(database.engine, "before_cursor_execute", seen)
                try:
                    fast = receipt_pdf(uow, payment_id, copy=copy)
                finally:
                    event.remove(database.engine, "before_cursor_execute", seen)
            assert len(selects) <= 5, selects
            assert fast.pdf == long_way
    assert "Montant erroné" in text_of(fast.pdf)


def test_receipt_is_in_the_family_language_unless_asked(database: Database) -> None:
    _, family_id, _, payment_id = _paid(database)
    with database.write() as uow:
        family = uow.session.get(Family, family_id)
        assert family is not None
        family.language = Language.ENGLISH
        uow.session.add(family)
    with database.read() as uow:
        english = text_of(receipt_pdf(uow, payment_id).pdf)
        french = text_of(receipt_pdf(uow, payment_id, language="fr_CA").pdf)
    assert "$300.00" in english and "DUPLICATE" in english
    assert "300,00 $" in french


def test_invoice_statement_and_day_close_pdfs(database: Database) -> None:
    school, family_id, invoice_id, _ = _paid(database)
    with database.write() as uow:
        summary = close_day(uow, school.clerk_id, school.montreal_id, Decimal("290.00"))
    assert summary.day_close_id is not None
    with database.read() as uow:
        invoice = invoice_pdf(uow, invoice_id)
        statement = statement_pdf(uow, family_id)
        closed = day_close_pdf(uow, summary.day_close_id)
    invoice_text = text_of(invoice.pdf)
    assert invoice.filename.removesuffix(".pdf") in invoice_text
    assert "Fondation du Conservatoire" in invoice_text and "Hélène Tremblay" in invoice_text
    statement_text = text_of(statement.pdf)
    assert "Famille Tremblay" in statement_text and "25,00 $" in statement_text  # the credit
    closed_text = text_of(closed.pdf)
    assert "300,00 $" in closed_text and "290,00 $" in closed_text
    assert "-10,00 $" in closed_text or "−10,00 $" in closed_text
    with database.read() as uow, pytest.raises(NotFound):
        invoice_pdf(uow, 999_999)


def test_institution_name_is_an_admin_setting(database: Database) -> None:
    school = build_school(database)
    with database.write() as uow, pytest.raises(PermissionDenied):
        set_setting(uow, INSTITUTION_NAME, "X", school.clerk_id)
    with database.write() as uow:
        set_setting(uow, INSTITUTION_NAME, "École <b>&", school.admin_id)
    with database.read() as uow:
        assert institution_name(uow) == "École <b>&"
        assert uow.session.get(AppSetting, INSTITUTION_NAME) is not None


def test_receipt_email_is_queued_with_the_pdf(database: Database) -> None:
    _, family_id, _, payment_id = _paid(database)
    with database.read() as uow:
        document = receipt_pdf(uow, payment_id, copy=CopyKind.ORIGINAL)
    with database.write() as uow:
        assert queue_receipt_email(uow, payment_id, document) == "helene@example.ca"
    with database.read() as uow:
        message = uow.session.exec(select(OutboxMessage)).one()
        uow.session.expunge(message)
    assert message.family_id == family_id and message.status is OutboxStatus.PENDING
    assert message.attachment == document.pdf and message.attachment_name == document.filename
    assert document.filename.removesuffix(".pdf") in message.subject
    assert "Hélène Tremblay" in message.body and INSTITUTION in message.body


def test_no_email_queued_when_the_payer_has_none(database: Database) -> None:
    school = build_school(database)
    family_id = add_family(database, school)
    add_invoice(database, school, family_id)
    with database.write() as uow:
        posted = post_payment(uow, cash(school, family_id, "275.00", "275.00"))
    with database.read() as uow:
        document = receipt_pdf(uow, posted.payment_id)
    with database.write() as uow:
        assert queue_receipt_email(uow, posted.payment_id, document) is None
    with database.read() as uow:
        assert uow.session.exec(select(OutboxMessage)).first() is None


def _pdf(name: str = "MTL-2026-000001.pdf", copy: CopyKind | None = None) -> GeneratedPdf:
    return GeneratedPdf(kind="receipt", filename=name, pdf=b"%PDF-1.4 test", copy=copy)


def test_saved_documents_are_never_overwritten(tmp_path: Path) -> None:
    settings = OutputSettings(documents_dir=tmp_path, printer_command=None)
    original = save_pdf(settings, _pdf(copy=CopyKind.ORIGINAL))
    duplicate = save_pdf(settings, _pdf(copy=CopyKind.DUPLICATE))
    again = save_pdf(settings, _pdf(copy=CopyKind.DUPLICATE))
    voided = save_pdf(settings, _pdf(copy=CopyKind.VOIDED))
    assert original == tmp_path / "receipts" / "MTL-2026-000001.pdf"
    assert duplicate.name == "MTL-2026-000001-duplicata.pdf"
    assert again.name == "MTL-2026-000001-duplicata-2.pdf"
    assert voided.name == "MTL-2026-000001-annule.pdf"
    assert original.read_bytes() == b"%PDF-1.4 test"
    assert sorted(p.name for p in (tmp_path / "receipts").iterdir()) == sorted(
        p.name for p in (original, duplicate, again, voided)
    )  # no temporary file left behind


def test_settings_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REGISTRAR_DOCUMENTS_DIR", str(tmp_path))
    monkeypatch.setenv("REGISTRAR_PRINTER_COMMAND", "lp -d comptoir")
    assert output_settings() == OutputSettings(tmp_path, "lp -d comptoir")
    monkeypatch.delenv("REGISTRAR_PRINTER_COMMAND")
    assert output_settings().printer_command is None


def test_printing_runs_the_command_and_reports_failures(tmp_path: Path) -> None:
    script = tmp_path / "fake-lp"
    script.write_text('#!/bin/sh\ncp "$2" "$1"\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    copied = tmp_path / "printed.pdf"
    path = save_pdf(OutputSettings(tmp_path, None), _pdf())
    print_pdf(OutputSettings(tmp_path, f"{script} {copied}"), path)
    assert copied.read_bytes() == path.read_bytes()
    with pytest.raises(PrinterNotConfigured):
        print_pdf(OutputSettings(tmp_path, None), path)
    with pytest.raises(PrintFailed) as failed:
        print_pdf(OutputSettings(tmp_path, "false"), path)
    assert "exit 1" in failed.value.translated()
    with pytest.raises(PrintFailed):
        print_pdf(OutputSettings(tmp_path, str(tmp_path / "no-such-printer")), path)
