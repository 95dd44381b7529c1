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
