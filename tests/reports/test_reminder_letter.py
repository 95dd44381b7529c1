"""A reminder letter (lettre de relance), drawn on the canvas.

Read back with pypdf: the level's text, the payer and the overdue rows, in French and in
English; user text printed literally; a long text or a long list continuing on the next
pages under the running header with the table's header repeated; page x of y; every font
embedded; the same bytes for the same letter.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from registrar_tui.reports.reminder_letter import (
    ReminderLetterDocument,
    ReminderLetterRow,
    render_reminder_letter,
)
from tests.reports.pdftext import page_texts, text_of
from tests.reports.samples import ISSUER
from tests.reports.test_names import _fonts

NASTY = "<b>Roy</b> & [b]Fils[/b] \x1b[31mÉloïse\x07"
PRINTED = "<b>Roy</b> & [b]Fils[/b] [31mÉloïse"


def _row(index: int, *, instalment: bool = False) -> ReminderLetterRow:
    return ReminderLetterRow(
        invoice_number=f"FAC{397 + index:08d}",
        description="Droits de scolarité — Piano",
        due_on=date(2026, 9, 1) + timedelta(days=index),
        days_overdue=83 - index,
        level=1,
        balance=Decimal("275.00"),
        student_name="Hélène Côté",
        term_code="AUT-2026",
        instalment_sequence=index + 1 if instalment else None,
    )


def _letter(count: int = 1, **changes: object) -> ReminderLetterDocument:
    lines = tuple(_row(index) for index in range(count))
    document = ReminderLetterDocument(
        issuer=ISSUER,
        sent_at=datetime(2026, 11, 23, 15, 0, tzinfo=UTC),
        family_name="Famille Côté",
        family_number="F0000777",
        level=2,
        text="Sauf erreur de notre part, la facture ci-dessous demeure impayée.",
        rows=lines,
        total_overdue=sum((row.balance for row in lines), Decimal("0")),
        billing_name="Hélène Côté",
        billing_address=("1234, rue Saint-Denis", "Montréal (QC)  H2X 3K2"),
    )
    return replace(document, **changes)  # type: ignore[arg-type]


def test_a_french_letter_says_who_owes_what() -> None:
    pdf = render_reminder_letter(_letter())
    text = text_of(pdf)
    for expected in (
        "AVIS DE RETARD DE",  # the title, on two lines
        "23 novembre 2026",
        "Relance 2 de 3",
        "Hélène Côté",
        "1234, rue Saint-Denis",
        "Famille Côté · F0000777",
        "la facture ci-dessous demeure impayée",
        "Factures en retard",
        "FAC00000397",
        "AUT-2026 · Hélène Côté",
        "2026-09-01",
        "275,00 $",
        "communiquez avec le secrétariat",
        "Page 1 de 1",
    ):
        assert expected in text, expected
    assert all(_fonts(pdf).values())
    assert render_reminder_letter(_letter()) == pdf  # same letter, same bytes


def test_an_english_instalment_letter() -> None:
    rows = (_row(0, instalment=True), _row(1, instalment=True))
    pdf = render_reminder_letter(_letter(language="en", rows=rows, total_overdue=Decimal("550")))
    text = text_of(pdf)
    assert "OVERDUE PAYMENT NOTICE" in text and "Reminder 2 of 3" in text
    assert "Overdue instalments" in text and "Instalment 2" in text and "Payment plan" in text
    assert "$550.00" in text and "FAC" not in text and "Page 1 of 1" in text


def test_user_text_prints_literally() -> None:
    pdf = render_reminder_letter(_letter(family_name=NASTY, billing_name=NASTY, text=NASTY))
    text = text_of(pdf)
    assert text.count(PRINTED) >= 2 and "\x1b" not in text and "\x07" not in text


def test_forty_invoices_go_on_with_the_header_repeated() -> None:
    pdf = render_reminder_letter(_letter(count=40))
    pages = page_texts(pdf)
    assert len(pages) >= 2
    assert all(f"FAC{397 + index:08d}" in text_of(pdf) for index in range(40))
    for number, page in enumerate(pages[1:], start=2):
        assert "Avis de retard de paiement — Famille Côté (F0000777)" in page
        assert f"Page {number} de {len(pages)}" in page
    assert "Facture" in pages[1] and "Solde" in pages[1]  # the table's header again
    assert "11 000,00 $" in pages[-1]


def test_a_long_level_text_goes_on_to_the_next_page() -> None:
    paragraph = "Nous vous prions de régulariser la situation dans les meilleurs délais."
    pdf = render_reminder_letter(_letter(text="\n".join(f"{n}. {paragraph}" for n in range(90))))
    pages = page_texts(pdf)
    assert len(pages) >= 2 and "89. Nous vous prions" in pages[1]
    assert "FAC00000397" in pages[-1]
