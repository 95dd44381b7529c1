"""User text prints literally, output is reproducible, and reportlab loads only when used."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from registrar_tui.reports.day_close import render_day_close
from registrar_tui.reports.documents import CopyKind, DayCloseTransaction, PaymentMethod
from registrar_tui.reports.invoice import render_invoice
from registrar_tui.reports.receipt import render_receipt
from registrar_tui.reports.statement import render_statement
from tests.reports.pdftext import text_of
from tests.reports.samples import (
    ISSUED_AT,
    ISSUER,
    card_receipt,
    cash_receipt,
    day_close,
    invoice,
    statement,
)

REPO = Path(__file__).resolve().parents[2]
NASTY = "<b>Roy</b> & [b]Fils[/b] \x1b[31mrouge\x07"
PRINTED = "<b>Roy</b> & [b]Fils[/b] [31mrouge"  # escape and bell bytes removed


def _nasty_documents() -> dict[str, bytes]:
    receipt = card_receipt(
        family_name=NASTY,
        payer_name=NASTY,
        copy_kind=CopyKind.VOIDED,
        void_reason=NASTY,
        allocations=tuple(replace(a, description=NASTY) for a in card_receipt().allocations),
    )
    inv = invoice(
        family_name=NASTY,
        billing_name=NASTY,
        description=NASTY,
        lines=tuple(replace(line, description=NASTY) for line in invoice().lines),
    )
    stmt = statement(family_name=NASTY, billing_address=(NASTY,))
    close = day_close(
        clerk_name=NASTY,
        note=NASTY,
        transactions=(
            DayCloseTransaction(ISSUED_AT, "MTL-1", NASTY, "F1", PaymentMethod.CASH, Decimal("1")),
        ),
    )
    return {
        "receipt": render_receipt(receipt),
        "invoice": render_invoice(inv),
        "statement": render_statement(stmt),
        "day_close": render_day_close(close),
    }


@pytest.mark.parametrize("kind", ["receipt", "invoice", "statement", "day_close"])
def test_markup_and_control_characters_print_literally(kind: str) -> None:
    text = text_of(_nasty_documents()[kind])
    assert PRINTED in text
    assert "\x1b" not in text and "\x07" not in text


def test_the_issuer_is_escaped_too() -> None:
    issuer = replace(ISSUER, establishment_name="Pavillon <Nord> & Cie", address_line="1 rue <A>")
    text = text_of(render_receipt(card_receipt(issuer=issuer)))
    assert "Pavillon <Nord> & Cie" in text
    assert "1 rue <A>" in text


def test_characters_outside_the_font_do_not_crash() -> None:
    name = "Nguyễn Thị Minh Khai 李小龍 🎻"
    pdf = render_receipt(cash_receipt(family_name=name, payer_name=name))
    assert "F0012345" in text_of(pdf)


RENDERERS: dict[str, Callable[[], bytes]] = {
    "receipt": lambda: render_receipt(card_receipt()),
    "receipt_en_cash": lambda: render_receipt(cash_receipt(language="en")),
    "invoice": lambda: render_invoice(invoice()),
    "statement": lambda: render_statement(statement(rows=30)),
    "day_close": lambda: render_day_close(day_close()),
}


@pytest.mark.parametrize("name", sorted(RENDERERS))
def test_identical_input_gives_identical_bytes(name: str) -> None:
    first = RENDERERS[name]()
    for other in RENDERERS.values():  # other documents in between change nothing
        other()
    assert RENDERERS[name]() == first


def test_identical_bytes_across_processes() -> None:
    script = (
        "import hashlib\n"
        "from registrar_tui.reports.receipt import render_receipt\n"
        "from tests.reports.samples import card_receipt\n"
        "print(hashlib.sha256(render_receipt(card_receipt())).hexdigest())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=REPO,
    )
    assert result.stdout.strip() == hashlib.sha256(render_receipt(card_receipt())).hexdigest()


def test_different_input_gives_different_bytes() -> None:
    assert render_receipt(card_receipt()) != render_receipt(card_receipt(amount=Decimal("401")))


@pytest.mark.parametrize(
    "module",
    ["registrar_tui", "registrar_tui.reports", "registrar_tui.reports.documents"],
)
def test_reportlab_is_not_imported_until_a_document_is_rendered(module: str) -> None:
    script = f"import sys, {module}; print('reportlab' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        cwd=REPO,
    )
    assert result.stdout.strip() == "False"


def test_every_document_string_has_an_english_translation() -> None:
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    import registrar_tui

    package = Path(registrar_tui.__file__).parent
    with (package / "i18n/en/LC_MESSAGES/registrar_tui.po").open("rb") as handle:
        catalog = read_po(handle)
    messages = [
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(package / "reports"), keywords={"_": None, "N_": None}
        )
    ]
    assert len(messages) > 100
    missing = [m for m in messages if not (catalog.get(m) and catalog[m].string)]
    assert missing == []
