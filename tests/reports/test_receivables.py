"""The receivables ageing PDF: headers, a family's row, totals, names printed literally."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from registrar_tui.reports.documents import ReceivablesDocument, ReceivablesRow
from registrar_tui.reports.receivables import render_receivables
from tests.reports.pdftext import page_texts, text_of
from tests.reports.samples import ISSUED_AT, ISSUER

D = Decimal


def _row(number: str, name: str, *amounts: str, credit: str = "0.00") -> ReceivablesRow:
    owed = [D(a) for a in amounts]
    total = sum(owed, D("0.00"))
    return ReceivablesRow(number, name, "MTL", *owed, total=total, credit=D(credit),
                          net=total - D(credit))  # fmt: skip


def _document(rows: int = 2, language: str = "fr_CA") -> ReceivablesDocument:
    families = [
        _row("F0000001", "Tremblay <b>gras</b> & Cie", "0.00", "0.00", "275.00", "0.00", "0.00"),
        _row("F0000003", "Côté", "0.00", "0.00", "575.00", "0.00", "111.00"),
    ]
    families += [
        _row(f"F{n:07d}", f"Famille {n}", "10.00", "0.00", "0.00", "0.00", "1234.50")
        for n in range(10, 10 + max(rows - 2, 0))
    ]
    families.append(_row("F0000004", "Tremblay", *["0.00"] * 5, credit="40.00"))
    totals = ReceivablesRow(
        "",
        "",
        "",
        sum((r.not_yet_due for r in families), D(0)),
        sum((r.days_0_30 for r in families), D(0)),
        sum((r.days_31_60 for r in families), D(0)),
        sum((r.days_61_90 for r in families), D(0)),
        sum((r.over_90 for r in families), D(0)),
        sum((r.total for r in families), D(0)),
        sum((r.credit for r in families), D(0)),
        sum((r.net for r in families), D(0)),
    )
    return ReceivablesDocument(
        issuer=ISSUER,
        at=date(2026, 11, 30),
        produced_at=ISSUED_AT,
        rows=tuple(families),
        totals=totals,
        language="en" if language == "en" else "fr_CA",
    )


def test_the_ageing_shows_its_buckets_a_family_and_the_totals() -> None:
    text = text_of(render_receivables(_document()))
    assert "ÂGE DES COMPTES CLIENTS" in text and "30 novembre 2026" in text
    assert "tous les établissements" in text
    for header in ("Famille", "Non échu", "0-30 j", "31-60 j", "61-90 j", "90+ j", "Total",
                   "Crédit", "Solde net"):  # fmt: skip
        assert header in text, header
    lines = [line.strip() for line in text.splitlines()]
    row = lines[lines.index("F0000003") : lines.index("F0000003") + 11]
    assert row[1:4] == ["Côté", "MTL", "0,00"] and row[6:11] == ["0,00", "111,00", "686,00",
                                                                 "0,00", "686,00"]  # fmt: skip
    total = lines[lines.index("Total", lines.index("F0000004")) :][:9]
    assert total == ["Total", "0,00", "0,00", "850,00", "0,00", "111,00", "961,00", "40,00",
                     "921,00"]  # fmt: skip
    assert "-40,00" in lines  # a family holding credit: negative net
    assert "Page 1 de 1" in text


def test_a_family_name_with_markup_prints_literally() -> None:
    text = text_of(render_receivables(_document()))
    assert "Tremblay <b>gras</b> & Cie" in text


def test_a_long_ageing_runs_over_pages_with_numbers_and_the_header_repeated() -> None:
    pages = page_texts(render_receivables(_document(rows=90, language="en")))
    assert len(pages) >= 3
    assert all("Not yet due" in page and "Net balance" in page for page in pages)
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert "1,234.50" in pages[0] and "Total" in pages[-1]
