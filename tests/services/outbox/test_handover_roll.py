"""A counter with a receipt printer: REGISTRAR_RECEIPT_FORMAT=roll saves and prints the
receipt on an 80 mm roll; the e-mailed copy stays Letter."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from registrar_tui.db import Database
from registrar_tui.reports.documents import CopyKind
from registrar_tui.services.documents.build import receipt_pdf
from registrar_tui.services.documents.output import (
    ENV_RECEIPT_FORMAT,
    OutputSettings,
    ReceiptFormat,
    UnknownReceiptFormat,
    output_settings,
)
from registrar_tui.services.outbox.handover import hand_over_receipt
from tests.services.outbox.test_handover import EMAIL, _posted, _printer, _queued

ROLL_WIDTH = 226.77  # 80 mm in points
LETTER_WIDTH = 612.0


def _width_and_pages(pdf: bytes) -> tuple[float, int]:
    reader = PdfReader(io.BytesIO(pdf))
    return float(reader.pages[0].mediabox.width), len(reader.pages)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(text.replace("\u00a0", " ").split())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ReceiptFormat.LETTER),
        ("", ReceiptFormat.LETTER),
        ("letter", ReceiptFormat.LETTER),
        ("roll", ReceiptFormat.ROLL),
        (" ROLL ", ReceiptFormat.ROLL),
    ],
)
def test_the_setting_chooses_the_page(
    value: str | None, expected: ReceiptFormat, monkeypatch: pytest.MonkeyPatch
) -> None:
    if value is None:
        monkeypatch.delenv(ENV_RECEIPT_FORMAT, raising=False)
    else:
        monkeypatch.setenv(ENV_RECEIPT_FORMAT, value)
    assert output_settings().receipt_format is expected


def test_an_unknown_value_is_refused_with_what_to_write(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_RECEIPT_FORMAT, "thermal")
    with pytest.raises(UnknownReceiptFormat) as refused:
        output_settings()
    message = refused.value.translated()
    assert "REGISTRAR_RECEIPT_FORMAT" in message
    assert "« thermal »" in message and "roll" in message and "letter" in message


def test_a_roll_terminal_saves_and_prints_a_roll_and_emails_a_letter(
    database: Database, tmp_path: Path
) -> None:
    payment_id = _posted(database)
    command, printed = _printer(tmp_path)
    settings = OutputSettings(tmp_path / "documents", command, ReceiptFormat.ROLL)

    handed = hand_over_receipt(database, payment_id, settings, print_now=True)

    assert handed.path is not None and handed.printed and handed.problems == ()
    saved = handed.path.read_bytes()
    assert _width_and_pages(saved) == (pytest.approx(ROLL_WIDTH, abs=0.01), 1)
    assert printed.read_bytes() == saved  # the printer got the roll
    assert "MTL-2026-000001" in _text(saved) and "275,00 $" in _text(saved)
    [message] = _queued(database)
    assert message.recipient == EMAIL and message.attachment is not None
    assert message.attachment_name == "MTL-2026-000001.pdf"
    assert _width_and_pages(message.attachment)[0] == pytest.approx(LETTER_WIDTH)
    assert "MTL-2026-000001" in _text(message.attachment)

    # Done once: asked again, nothing is queued a second time.
    again = hand_over_receipt(database, payment_id, settings, print_now=False)
    assert again.path == handed.path and len(_queued(database)) == 1


def test_a_letter_terminal_saves_and_emails_the_same_letter(
    database: Database, tmp_path: Path
) -> None:
    payment_id = _posted(database)
    handed = hand_over_receipt(
        database, payment_id, OutputSettings(tmp_path, None), print_now=False
    )
    assert handed.path is not None
    saved = handed.path.read_bytes()
    assert _width_and_pages(saved)[0] == pytest.approx(LETTER_WIDTH)
    [message] = _queued(database)
    assert message.attachment == saved


def test_a_reprint_on_a_roll(database: Database) -> None:
    payment_id = _posted(database)
    with database.read() as uow:
        reprint = receipt_pdf(uow, payment_id, copy=None, receipt_format=ReceiptFormat.ROLL)
        letter = receipt_pdf(uow, payment_id, copy=None)
    assert reprint.copy is CopyKind.DUPLICATE
    assert _width_and_pages(reprint.pdf) == (pytest.approx(ROLL_WIDTH, abs=0.01), 1)
    assert "DUPLICATA" in _text(reprint.pdf)
    assert _width_and_pages(letter.pdf)[0] == pytest.approx(LETTER_WIDTH)
