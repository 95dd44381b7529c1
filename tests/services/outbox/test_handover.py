"""A posted payment's receipt handed over: saved, printed when asked, queued by e-mail."""

from __future__ import annotations

import stat
from pathlib import Path

from sqlmodel import col, select

from registrar_tui.db import Database
from registrar_tui.models import Guardian, OutboxMessage
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.documents.output import OutputSettings, PrintFailed, SaveFailed
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.outbox.handover import hand_over_receipt
from tests.services.ledger_data import add_family, add_invoice, build_school, cash

EMAIL = "helene@example.ca"


def _posted(database: Database, *, email: str | None = EMAIL) -> int:
    """The Tremblay family's 275,00 $ paid in cash; the payer's e-mail on file (or none)."""
    school = build_school(database)
    family_id = add_family(database, school)
    add_invoice(database, school, family_id)
    with database.write() as uow:
        if email is not None:
            payer = uow.session.exec(
                select(Guardian).where(col(Guardian.family_id) == family_id)
            ).one()
            payer.email = email
            uow.session.add(payer)
        return post_payment(uow, cash(school, family_id, "275.00", "275.00")).payment_id


def _queued(database: Database) -> list[OutboxMessage]:
    with database.read() as uow:
        messages = list(uow.session.exec(select(OutboxMessage)).all())
        uow.session.expunge_all()
    return messages


def _printer(tmp_path: Path) -> tuple[str, Path]:
    """A printer command that copies the PDF it is given, and where the copy lands."""
    printed = tmp_path / "printed.pdf"
    script = tmp_path / "fake-lp"
    script.write_text(f'#!/bin/sh\ncp "$1" "{printed}"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script), printed


def test_the_receipt_is_saved_and_emailed_and_printed_only_when_asked(
    database: Database, tmp_path: Path
) -> None:
    payment_id = _posted(database)
    command, printed = _printer(tmp_path)
    settings = OutputSettings(tmp_path / "documents", command)

    handed = hand_over_receipt(database, payment_id, settings, print_now=False)

    assert handed.path is not None and handed.path.parent == tmp_path / "documents" / "receipts"
    assert handed.path.read_bytes().startswith(b"%PDF")
    assert not handed.printed and not printed.exists()  # the clerk prints with F7
    assert handed.emailed_to == EMAIL and handed.problems == ()
    [message] = _queued(database)
    assert message.recipient == EMAIL and message.attachment == handed.path.read_bytes()

    # Done exactly once: asked again, the same original is printed, nothing saved or
    # queued a second time.
    again = hand_over_receipt(database, payment_id, settings, print_now=True)
    assert again.printed and again.print_error is None
    assert again.path == handed.path and printed.read_bytes() == handed.path.read_bytes()
    assert [p.name for p in handed.path.parent.iterdir()] == ["MTL-2026-000001.pdf"]
    assert len(_queued(database)) == 1
    # ...and printed at most once: a third call prints nothing more.
    printed.unlink()
    third = hand_over_receipt(database, payment_id, settings, print_now=True)
    assert not third.printed and not printed.exists() and third.path == handed.path


def test_a_failing_printer_is_reported_and_the_rest_is_done(
    database: Database, tmp_path: Path
) -> None:
    payment_id = _posted(database)
    handed = hand_over_receipt(
        database, payment_id, OutputSettings(tmp_path, "false"), print_now=True
    )
    assert handed.path is not None and handed.path.exists()
    assert not handed.printed and isinstance(handed.print_error, PrintFailed)
    assert handed.emailed_to == EMAIL and handed.problems == (handed.print_error,)
    assert len(_queued(database)) == 1


def test_no_printer_at_this_terminal_is_no_problem(database: Database, tmp_path: Path) -> None:
    payment_id = _posted(database, email=None)
    handed = hand_over_receipt(database, payment_id, OutputSettings(tmp_path, None), print_now=True)
    assert handed.path is not None and not handed.printed and handed.print_error is None
    assert handed.emailed_to is None and handed.problems == ()
    assert _queued(database) == []  # no e-mail on file: nothing queued


def test_a_receipt_that_cannot_be_saved_is_still_emailed(
    database: Database, tmp_path: Path
) -> None:
    payment_id = _posted(database)
    not_a_folder = tmp_path / "documents"
    not_a_folder.write_text("a file where the folder should be", encoding="utf-8")
    command, printed = _printer(tmp_path)

    handed = hand_over_receipt(
        database, payment_id, OutputSettings(not_a_folder, command), print_now=True
    )

    assert handed.path is None and isinstance(handed.save_error, SaveFailed)
    assert not handed.printed and not printed.exists()  # nothing saved, nothing to print
    assert handed.emailed_to == EMAIL and handed.problems == (handed.save_error,)
    assert len(_queued(database)) == 1


def test_an_unknown_payment_hands_nothing_over(database: Database, tmp_path: Path) -> None:
    _posted(database)
    handed = hand_over_receipt(database, 999_999, OutputSettings(tmp_path, None), print_now=True)
    assert isinstance(handed.save_error, NotFound) and handed.problems == (handed.save_error,)
    assert handed.path is None and handed.emailed_to is None and not handed.printed
    assert _queued(database) == [] and not (tmp_path / "receipts").exists()
