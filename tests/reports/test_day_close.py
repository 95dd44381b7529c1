"""The day-close report: expected totals by method, counted cash, discrepancy."""

from __future__ import annotations

from decimal import Decimal

from registrar_tui.reports.day_close import render_day_close
from tests.reports.pdftext import text_of
from tests.reports.samples import day_close


def _pairs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


def test_day_close_lists_totals_by_method_counted_and_discrepancy() -> None:
    lines = _pairs(text_of(render_day_close(day_close())))
    for method, count, amount in (
        ("Comptant", "3", "575,00 $"),
        ("Carte de débit", "2", "450,00 $"),
        ("Carte de crédit", "1", "400,00 $"),
        ("Chèque certifié", "1", "1 200,00 $"),
    ):
        index = lines.index(method)
        assert lines[index + 1 : index + 3] == [count, amount], method
    index = lines.index("Total attendu")
    assert lines[index + 1] == "2 625,00 $"
    for label, amount in (
        ("Comptant attendu", "575,00 $"),
        ("Comptant compté", "570,00 $"),
        ("Écart (manque)", "-5,00 $"),
    ):
        assert lines[lines.index(label) + 1] == amount
    text = "\n".join(lines)
    assert "Françoise Côté" in text
    assert "FC-000042" in text
    assert "Un billet de 5 $ manquant" in text
    assert "Comptant — annulation" in text  # a void in the detail, negative
    assert "-100,00 $" in text
    assert "Signature du commis" in text


def test_surplus_and_exact_count_are_labelled() -> None:
    surplus = text_of(
        render_day_close(day_close(counted_cash=Decimal("580.00"), discrepancy=Decimal("5.00")))
    )
    assert "Écart (surplus)" in surplus
    exact = text_of(
        render_day_close(day_close(counted_cash=Decimal("575.00"), discrepancy=Decimal("0.00")))
    )
    assert "Écart (manque)" not in exact and "Écart (surplus)" not in exact
    assert "Écart" in exact


def test_first_close_and_english() -> None:
    text = text_of(render_day_close(day_close(period_start=None, language="en")))
    for expected in (
        "DAY CLOSE",
        "first close",
        "Expected totals by payment method",
        "Debit card",
        "$1,200.00",
        "Counted cash",
        "Discrepancy (short)",
        "-$5.00",
        "Clerk’s signature",
    ):
        assert expected in text, expected
