"""The statement of account: every invoice, totals, credit; long ones run over pages."""

from __future__ import annotations

import re

from registrar_tui.reports.statement import render_statement
from tests.reports.pdftext import page_texts, text_of
from tests.reports.samples import statement


def test_statement_shows_invoices_totals_and_credit() -> None:
    doc = statement()
    text = text_of(render_statement(doc))
    for row in doc.rows:
        assert row.invoice_number in text
    for expected in (
        "ÉTAT DE COMPTE",
        "23 novembre 2026 à 14 h 30",
        "Famille Tremblay-Bélanger",
        "F0012345",
        "Payée",
        "Partielle",
        "En retard",
        "À payer",
        "2025-09-30",  # due dates
        "Total facturé : 1 306,00 $",
        "Total payé : 375,00 $",
        "Crédit au dossier",
        "40,00 $",
        "Solde des factures",
        "931,00 $",
        "Montant dû",
        "891,00 $",
        "Montant en retard : 327,00 $",
    ):
        assert expected in text, expected


def test_english_statement() -> None:
    text = text_of(render_statement(statement(language="en")))
    for expected in ("STATEMENT OF ACCOUNT", "Account credit", "$40.00", "Amount due", "$891.00"):
        assert expected in text, expected
    assert "Overdue" in text


def test_200_invoices_span_several_pages_with_repeated_headers() -> None:
    doc = statement(rows=200)
    pages = page_texts(render_statement(doc))
    assert len(pages) >= 5
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} de {len(pages)}" in page
        if number > 1:
            # the running header names the family, and the column header repeats
            assert "État de compte — Famille Tremblay-Bélanger (F0012345)" in page
        if number < len(pages):
            assert "Échéance" in page and "Solde" in page and "Statut" in page
    found = re.findall(r"FAC\d{8}", "\n".join(pages))
    assert sorted(found) == sorted(row.invoice_number for row in doc.rows)  # each exactly once
    assert "Montant dû" in pages[-1]


def test_a_statement_with_a_payment_plan_lists_its_instalments() -> None:
    from datetime import date
    from decimal import Decimal as D

    from registrar_tui.reports.documents import StatementInstalmentRow

    instalments = (
        StatementInstalmentRow(1, date(2026, 10, 15), D("300.00"), D("300.00"), D("0.00")),
        StatementInstalmentRow(2, date(2026, 11, 15), D("300.00"), D("50.00"), D("250.00"), True),
        StatementInstalmentRow(3, date(2026, 12, 15), D("300.00"), D("0.00"), D("300.00")),
    )
    text = text_of(
        render_statement(statement(instalments=instalments, plan_made_on=date(2026, 9, 20)))
    )
    for expected in (
        "Échéancier convenu le 20 septembre 2026",
        "Versement",
        "2026-11-15",
        "250,00 $",
        "En retard",
        "À venir",
    ):
        assert expected in text, expected
    english = text_of(render_statement(statement(instalments=instalments, language="en")))
    assert "Payment plan" in english
    assert "Échéancier" not in text_of(render_statement(statement()))
