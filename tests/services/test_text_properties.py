"""One sanitising path for the screen, one for PDFs (issue #6 § 5), as properties.

Screen: `screens/widgets/base.user_text` / `user_content` / `user_cell` all show exactly
`services.text.clean_text(value)`, literally (no markup parsed). PDF: `reports/common.esc`
is `clean_text` then XML-escaped, so reportlab's Paragraph parser never fails and prints
the cleaned value; the receipt, statement and invoice of a family with a hostile name
render and their text holds the cleaned name.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph
from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import Family, Guardian
from registrar_tui.reports.common import REPLACEMENT, esc, plain
from registrar_tui.screens.widgets.base import user_cell, user_content, user_text
from registrar_tui.services.documents.build import invoice_pdf, receipt_pdf, statement_pdf
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.text import FORBIDDEN_CODE_POINTS, clean_text
from tests.reports.pdftext import text_of
from tests.services.ledger_data import add_family, add_invoice, build_school, cash

FORBIDDEN = [chr(cp) for cp in sorted(FORBIDDEN_CODE_POINTS)]
KNOWN_BAD = (
    "[",
    "[/",
    "[@click=app.quit]",
    "\x1b]52;c;SGVsbG8=\x07",
    "\x9b31m",
    "\u202eevil",
    "<b>&amp;</b> <",
    "A" * 10_000,
)
any_text = st.text(
    st.one_of(st.characters(codec="utf-8", exclude_categories=("Cs",)), st.sampled_from(FORBIDDEN)),
    max_size=60,
)
PDF_EXAMPLES = 20
SCREEN_EXAMPLES = 300
"""Counts for the closing note: the screen/PDF properties run this many examples."""


def _known_bad(test):  # type: ignore[no-untyped-def]
    for value in KNOWN_BAD:
        test = example(value)(test)
    return test


@settings(max_examples=SCREEN_EXAMPLES, deadline=None, derandomize=True)
@given(any_text)
@_known_bad
def test_every_screen_helper_shows_exactly_clean_text(value: str) -> None:
    cleaned = clean_text(value)
    assert user_text(value) == cleaned
    content = user_content(value, "bold")
    assert content.plain == cleaned
    assert user_content(value).plain == cleaned and not user_content(value).spans
    cell = user_cell(value)
    assert cell.plain == cleaned and not cell.spans


@settings(max_examples=SCREEN_EXAMPLES, deadline=None, derandomize=True)
@given(any_text)
def test_clean_text_removes_only_the_forbidden_characters(value: str) -> None:
    kept = "".join(char for char in value if ord(char) not in FORBIDDEN_CODE_POINTS)
    assert clean_text(value) == unicodedata.normalize("NFC", kept)


def test_clean_text_keeps_emoji_sequences_and_removes_every_bidi_control() -> None:
    family = "👩\u200d👩\u200d👧 🇨🇦 👍🏽"  # ZWJ, flags and skin tones are not controls
    assert clean_text(family) == family
    bidi = "".join(chr(cp) for cp in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
    assert clean_text(f"a{bidi}b\x80\x9f\x7f\x00\x1f") == "ab"
    assert clean_text("ligne\n\tsuite") == "ligne\n\tsuite"


@settings(max_examples=SCREEN_EXAMPLES, deadline=None, derandomize=True)
@given(any_text)
@_known_bad
def test_the_pdf_path_prints_the_cleaned_value_literally(value: str) -> None:
    """Every character prints as itself, or as « � » where the fonts have no glyph:
    never dropped, never moved (a name is never printed shorter)."""
    paragraph = Paragraph(esc(value), getSampleStyleSheet()["Normal"])
    printed = "".join(fragment.text for fragment in paragraph.frags)
    cleaned, shown = clean_text(value), plain(value)
    assert len(shown) == len(cleaned)
    assert all(kept in (char, REPLACEMENT) for char, kept in zip(cleaned, shown, strict=True))
    assert " ".join(printed.split()) == " ".join(shown.split())


# Names the PDF fonts can draw (Latin-1 at least), with markup and forbidden characters.
pdf_names = st.text(
    st.one_of(
        st.characters(min_codepoint=0x21, max_codepoint=0xFF, exclude_categories=("Cc", "Zs")),
        st.sampled_from("[]/@=<>&;"),
        st.sampled_from(FORBIDDEN),
    ),
    min_size=1,
    max_size=18,
).map(lambda name: name.replace("\x00", ""))  # PostgreSQL text cannot hold NUL at all
pdf_names = pdf_names.filter(lambda name: clean_text(name).strip() != "")


def test_receipt_statement_and_invoice_pdfs_print_hostile_names(database: Database) -> None:
    school = build_school(database)
    family_id = add_family(database, school, "Roy")
    invoice_id = add_invoice(database, school, family_id)
    with database.write() as uow:
        payment_id = post_payment(uow, cash(school, family_id, "100.00", "275.00")).payment_id
    rendered = {"receipt": 0, "statement": 0, "invoice": 0}

    @settings(
        max_examples=PDF_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(pdf_names)
    @example("[@click=app.quit]<b>&amp;")
    @example("Roy\x1b]52;c;SGVsbG8=\x07\x9b\u202eA")
    def names_print(name: str) -> None:
        with database.write() as uow:
            uow.session.get_one(Family, family_id).name = name
            payer = uow.session.exec(
                select(Guardian).where(col(Guardian.family_id) == family_id)
            ).one()
            payer.last_name = name
        # Narrow columns wrap anywhere (reportlab breaks at "<" or "&"): compare without
        # whitespace.
        wanted = "".join(clean_text(name).split())
        with database.read() as uow:
            documents = {
                "receipt": receipt_pdf(uow, payment_id).pdf,
                "statement": statement_pdf(uow, family_id).pdf,
                "invoice": invoice_pdf(uow, invoice_id).pdf,
            }
        for kind, pdf in documents.items():
            text = text_of(pdf)
            assert wanted in "".join(text.split()), f"{kind}: {wanted!r} not in the PDF"
            assert not any(char in text for char in FORBIDDEN), kind
            rendered[kind] += 1

    names_print()
    print(f"\nhostile PDF names: {rendered} documents rendered")
    assert min(rendered.values()) >= PDF_EXAMPLES
