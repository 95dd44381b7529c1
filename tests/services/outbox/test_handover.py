"""A posted payment's receipt handed over: saved, printed when asked, queued by e-mail."""

from __future__ import annotations

import json
import stat
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, event
from sqlmodel import col, select

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.models import (
    AuditEvent,
    Guardian,
    NumberSequence,
    OutboxMessage,
    Payment,
    ReceiptHandover,
)
from registrar_tui.reports.documents import CopyKind
from registrar_tui.services.audit.record import AUDIT_LOCK_KEY
from registrar_tui.services.audit.verify import verify_chains
from registrar_tui.services.core.clock import as_utc
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.documents import build
from registrar_tui.services.documents.output import OutputSettings, PrintFailed, SaveFailed
from registrar_tui.services.ledger.payments import post_payment
from registrar_tui.services.ledger.posted_receipts import PostedPayment
from registrar_tui.services.outbox.handover import (
    HANDOVER_ACTION,
    HandedOverReceipt,
    hand_over_receipt,
    pending_handovers,
    resume_handovers,
)
from tests.conftest import FIXED_NOW
from tests.services.ledger_data import add_family, add_invoice, build_school, cash

EMAIL = "helene@example.ca"


def _posting(database: Database, *, email: str | None = EMAIL) -> PostedPayment:
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
        return post_payment(uow, cash(school, family_id, "275.00", "275.00"))


def _posted(database: Database, *, email: str | None = EMAIL) -> int:
    return _posting(database, email=email).payment_id


HANDED_BY = pytest.mark.parametrize(
    "right_after_posting",
    [False, True],
    ids=["resumed-or-reprinted", "right-after-posting"],
)
"""Who hands the receipt over: the payment screen right after posting (with the payment
`post_payment` answered: on PostgreSQL, in one statement each way), or anyone else."""


def _hand_over(
    database: Database,
    right_after_posting: bool,
    settings: OutputSettings,
    *,
    email: str | None = EMAIL,
    print_now: bool = False,
) -> tuple[int, HandedOverReceipt]:
    """A payment posted, then its receipt handed over (by the screen that posted it, or not)."""
    posted = _posting(database, email=email)
    handed = hand_over_receipt(
        database,
        posted.payment_id,
        settings,
        print_now=print_now,
        posted=posted if right_after_posting else None,
    )
    return posted.payment_id, handed


def _queued(database: Database) -> list[OutboxMessage]:
    with database.read() as uow:
        messages = list(uow.session.exec(select(OutboxMessage)).all())
        uow.session.expunge_all()
    return messages


def audit_actions(uow: UnitOfWork, action: str) -> list[dict[str, Any]]:
    """The `after` of every audit event of `action`, oldest first."""
    rows = uow.session.exec(
        select(AuditEvent.after_json).where(col(AuditEvent.action) == action)
    ).all()
    return [json.loads(row) for row in rows]


def _printer(tmp_path: Path) -> tuple[str, Path]:
    """A printer command that copies the PDF it is given, and where the copy lands."""
    printed = tmp_path / "printed.pdf"
    script = tmp_path / "fake-lp"
    script.write_text(f'#!/bin/sh\ncp "$1" "{printed}"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return str(script), printed


@HANDED_BY
def test_the_receipt_is_saved_and_emailed_and_printed_only_when_asked(
    database: Database, tmp_path: Path, right_after_posting: bool
) -> None:
    command, printed = _printer(tmp_path)
    settings = OutputSettings(tmp_path / "documents", command)

    payment_id, handed = _hand_over(database, right_after_posting, settings)

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


@HANDED_BY
def test_a_failing_printer_is_reported_and_the_rest_is_done(
    database: Database, tmp_path: Path, right_after_posting: bool
) -> None:
    settings = OutputSettings(tmp_path, "false")
    _payment_id, handed = _hand_over(database, right_after_posting, settings, print_now=True)
    assert handed.path is not None and handed.path.exists()
    assert not handed.printed and isinstance(handed.print_error, PrintFailed)
    assert handed.emailed_to == EMAIL and handed.problems == (handed.print_error,)
    assert len(_queued(database)) == 1


@HANDED_BY
def test_no_printer_at_this_terminal_is_no_problem(
    database: Database, tmp_path: Path, right_after_posting: bool
) -> None:
    settings = OutputSettings(tmp_path, None)
    _payment_id, handed = _hand_over(
        database, right_after_posting, settings, email=None, print_now=True
    )
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


# -- pending work and crashes ---------------------------------------------------------------


class _Killed(BaseException):
    """Stands for kill -9: nothing after it runs, no handler catches it."""


def _handover(database: Database, payment_id: int) -> ReceiptHandover | None:
    with database.read() as uow:
        row = uow.session.exec(
            select(ReceiptHandover).where(col(ReceiptHandover.payment_id) == payment_id)
        ).first()
        if row is not None:
            uow.session.expunge(row)
        return row


def _originals(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.rglob("*.pdf"))


def test_posting_writes_the_handover_as_pending_work_in_its_transaction(
    database: Database,
) -> None:
    payment_id = _posted(database)

    pending = _handover(database, payment_id)
    with database.read() as uow:
        listed = pending_handovers(uow)

    assert pending is not None and pending.completed_at is None and pending.pdf_path is None
    assert [(item.payment_id, item.receipt_number) for item in listed] == [
        (payment_id, "MTL-2026-000001")
    ]
    assert _queued(database) == []  # nothing handed over yet: the process may die now


def test_a_crash_right_after_the_commit_is_completed_by_resume_exactly_once(
    database: Database, tmp_path: Path
) -> None:
    payment_id = _posted(database)  # ...and the process dies before handing it over
    settings = OutputSettings(tmp_path / "documents", None)

    report = resume_handovers(database, settings)
    again = resume_handovers(database, settings)

    [done] = report.completed
    assert done.receipt_number == "MTL-2026-000001" and done.handed.emailed_to == EMAIL
    assert report.unfinished == () and again.completed == again.unfinished == ()
    assert _originals(tmp_path / "documents") == ["MTL-2026-000001.pdf"]
    [message] = _queued(database)
    assert message.attachment_name == "MTL-2026-000001.pdf"
    row = _handover(database, payment_id)
    assert row is not None and row.completed_at is not None and row.emailed_to == EMAIL
    with database.read() as uow:
        [event] = audit_actions(uow, HANDOVER_ACTION)
    assert event["receipt_number"] == "MTL-2026-000001" and event["resumed"] is True


@HANDED_BY
@pytest.mark.parametrize("dies_in", ["write_pdf_at", "the mark"])
def test_a_crash_between_the_pdf_and_its_mark_makes_no_second_original_nor_email(
    database: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dies_in: str,
    right_after_posting: bool,
) -> None:
    """Killed after the path is claimed (before or after the file), before the mark."""
    import registrar_tui.services.outbox.handover as handover

    settings = OutputSettings(tmp_path / "documents", None)
    real = handover.write_pdf_at

    def dies(*args: Any, **kwargs: Any) -> object:
        if dies_in == "write_pdf_at":
            real(*args, **kwargs)  # the file is written whole... then the process dies
        raise _Killed

    for name in ["write_pdf_at"] if dies_in == "write_pdf_at" else ["_mark", "_mark_posted"]:
        monkeypatch.setattr(handover, name, dies)
    with pytest.raises(_Killed):
        _hand_over(database, right_after_posting, settings)
    monkeypatch.undo()
    with database.read() as uow:
        [pending] = pending_handovers(uow)
    payment_id = pending.payment_id
    claimed = _handover(database, payment_id)
    assert claimed is not None and claimed.pdf_path is not None and claimed.saved_at is None
    assert _originals(tmp_path / "documents") == ["MTL-2026-000001.pdf"]

    report = resume_handovers(database, settings)

    assert [done.receipt_number for done in report.completed] == ["MTL-2026-000001"]
    assert report.completed[0].handed.path == Path(claimed.pdf_path)
    assert _originals(tmp_path / "documents") == ["MTL-2026-000001.pdf"]  # not a -2 copy
    assert len(_queued(database)) == 1


def test_a_crash_after_the_claim_before_the_file_writes_it_at_the_claimed_path(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import registrar_tui.services.outbox.handover as handover

    payment_id = _posted(database)
    settings = OutputSettings(tmp_path / "documents", None)
    # A file of another origin already holds the plain name: the original goes beside it.
    (tmp_path / "documents" / "receipts").mkdir(parents=True)
    (tmp_path / "documents" / "receipts" / "MTL-2026-000001.pdf").write_bytes(b"old")

    def dies(*args: object, **kwargs: object) -> object:
        raise _Killed

    monkeypatch.setattr(handover, "write_pdf_at", dies)
    with pytest.raises(_Killed):
        hand_over_receipt(database, payment_id, settings, print_now=False)
    monkeypatch.undo()
    report = resume_handovers(database, settings)

    [done] = report.completed
    assert done.handed.path is not None and done.handed.path.name == "MTL-2026-000001-2.pdf"
    assert done.handed.path.read_bytes().startswith(b"%PDF")
    assert _originals(tmp_path / "documents") == ["MTL-2026-000001-2.pdf", "MTL-2026-000001.pdf"]
    assert len(_queued(database)) == 1


def test_a_handover_that_fails_again_stays_pending_and_says_why(
    database: Database, tmp_path: Path
) -> None:
    payment_id = _posted(database)
    not_a_folder = tmp_path / "documents"
    not_a_folder.write_text("a file where the folder should be", encoding="utf-8")

    report = resume_handovers(database, OutputSettings(not_a_folder, None))
    row = _handover(database, payment_id)
    later = resume_handovers(database, OutputSettings(tmp_path / "fixed", None))

    [left] = report.unfinished
    assert report.completed == () and isinstance(left.handed.save_error, SaveFailed)
    assert row is not None and row.completed_at is None and row.attempts == 1
    assert row.pdf_path is None and row.email_done_at is not None  # the e-mail went
    assert [done.receipt_number for done in later.completed] == ["MTL-2026-000001"]
    assert _originals(tmp_path / "fixed") == ["MTL-2026-000001.pdf"]
    assert len(_queued(database)) == 1


# -- transactions ---------------------------------------------------------------------------


def _transactions(database: Database) -> dict[str, int]:
    """Counts of the engine's transactions begun, committed and rolled back, from now on."""
    counts = {"begin": 0, "commit": 0, "rollback": 0}

    def counter(name: str) -> Any:
        def count(*_args: object) -> None:
            counts[name] += 1

        return count

    for name in counts:
        event.listen(database.engine, name, counter(name))
    return counts


def test_a_handover_commits_twice_and_renders_its_pdf_once_the_path_is_claimed(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One write claims the path (with the state and the receipt read), the PDF is rendered
    with no transaction open (a SQLite writer would hold every counter's write lock
    meanwhile), one write marks it saved and queues the e-mail."""
    payment_id = _posted(database)
    settings = OutputSettings(tmp_path / "documents", None)
    counts = _transactions(database)
    seen_at_render: list[tuple[int, str | None]] = []
    spying = {"commit": 0}
    real_render = build.render_receipt_as

    def render(*args: Any, **kwargs: Any) -> bytes:
        open_now = counts["begin"] - counts["commit"] - counts["rollback"]
        before = counts["commit"]
        row = _handover(database, payment_id)  # as another terminal sees it now
        spying["commit"] += counts["commit"] - before
        seen_at_render.append((open_now, row.pdf_path if row is not None else None))
        return real_render(*args, **kwargs)

    monkeypatch.setattr(build, "render_receipt_as", render)
    handed = hand_over_receipt(database, payment_id, settings, print_now=False)
    monkeypatch.undo()

    assert handed.completed and handed.path is not None and handed.problems == ()
    assert seen_at_render == [(0, str(handed.path))]  # rendered once, the path claimed
    assert counts["commit"] - spying["commit"] == 2 and counts["rollback"] == 0


def test_a_kill_between_the_claim_and_the_file_is_resumed_at_the_claimed_path(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import registrar_tui.services.outbox.handover as handover

    payment_id = _posted(database)
    settings = OutputSettings(tmp_path / "documents", None)

    def dies(*args: object, **kwargs: object) -> object:
        raise _Killed  # before a byte of the file is written

    monkeypatch.setattr(handover, "write_pdf_at", dies)
    with pytest.raises(_Killed):
        hand_over_receipt(database, payment_id, settings, print_now=False)
    monkeypatch.undo()
    claimed = _handover(database, payment_id)
    assert claimed is not None and claimed.pdf_path is not None and claimed.saved_at is None
    assert _originals(tmp_path / "documents") == [] and _queued(database) == []

    report = resume_handovers(database, settings)

    [done] = report.completed
    assert done.handed.path == Path(claimed.pdf_path) and done.handed.problems == ()
    assert done.handed.path.read_bytes().startswith(b"%PDF")
    assert _originals(tmp_path / "documents") == ["MTL-2026-000001.pdf"]
    [message] = _queued(database)
    assert message.attachment == done.handed.path.read_bytes()
    with database.read() as uow:
        [audit] = audit_actions(uow, HANDOVER_ACTION)
    assert audit["original_saved"] == claimed.pdf_path and audit["resumed"] is True


@pytest.mark.parametrize(
    ("amount", "seen"),
    [
        ("275.00", "550.00"),  # the oldest invoice paid, the other left owing
        ("400.00", "550.00"),  # both in part, oldest due first
        ("600.00", "550.00"),  # both paid, 50,00 $ left as family credit
    ],
)
def test_the_receipt_handed_over_right_after_posting_is_the_one_read_back(
    database: Database, tmp_path: Path, amount: str, seen: str
) -> None:
    """The payment screen hands over the payment `post_payment` answered with: the receipt
    is built from it, not read back, and is the very receipt a resumed handover reads."""
    school = build_school(database)
    family_id = add_family(database, school)
    add_invoice(database, school, family_id)
    add_invoice(database, school, family_id, due_on=date(2027, 1, 15), description="Hiver")
    with database.write() as uow:
        posted = post_payment(
            uow,
            replace(cash(school, family_id, amount, seen), credit_accepted=None),
        )
    with database.read() as uow:
        from_posting = build.posted_receipt_pdf(uow, posted)
        read_back = build.read_receipt_pdf(uow, posted.payment_id, copy=CopyKind.ORIGINAL)
    assert len(from_posting.document.allocations) == (1 if amount == "275.00" else 2)
    assert from_posting == read_back
    assert from_posting.render().pdf == read_back.render().pdf

    settings = OutputSettings(tmp_path / "documents", None)
    handed = hand_over_receipt(
        database, posted.payment_id, settings, print_now=False, posted=posted
    )
    assert handed.path is not None
    assert handed.path.read_bytes() == read_back.render().pdf


# -- right after posting -------------------------------------------------------------------


@HANDED_BY
def test_a_handover_writes_the_same_rows_whoever_does_it(
    database: Database, tmp_path: Path, right_after_posting: bool
) -> None:
    """The payment screen's handover (on PostgreSQL, one statement that marks the row,
    queues the e-mail and appends the audit event) writes what any other handover writes."""
    settings = OutputSettings(tmp_path / "documents", None)

    payment_id, handed = _hand_over(database, right_after_posting, settings)

    assert handed.completed and handed.done_now and handed.problems == ()
    row = _handover(database, payment_id)
    assert row is not None and row.pdf_path == str(handed.path)
    done_at = (row.saved_at, row.email_done_at, row.completed_at)
    assert [as_utc(moment) for moment in done_at if moment is not None] == [FIXED_NOW] * 3
    assert (row.emailed_to, row.attempts, row.last_error) == (EMAIL, 1, "")
    assert not row.print_requested and row.print_attempted_at is None
    [message] = _queued(database)
    assert (message.recipient, message.subject, message.language) == (
        EMAIL,
        "Votre reçu MTL-2026-000001",
        "fr_CA",
    )
    assert message.body.startswith("Bonjour Hélène Tremblay,")
    assert message.attachment == handed.path.read_bytes()  # type: ignore[union-attr]
    with database.read() as uow:
        clerk_id = uow.session.get_one(Payment, payment_id).clerk_id
        [event] = uow.session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == HANDOVER_ACTION)
        ).all()
        report = verify_chains(uow)
    assert (event.actor_id, event.entity_type, event.entity_id) == (
        clerk_id,
        "payment",
        payment_id,
    )
    assert json.loads(event.after_json) == {
        "receipt_number": "MTL-2026-000001",
        "original_saved": str(handed.path),
        "emailed_to": EMAIL,
        "resumed": False,
    }
    assert report.ok  # the event is chained after the payment's own


def test_a_handover_completed_by_another_process_meanwhile_is_not_done_twice(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's start-up resume completes the screen's handover between its claim and its
    mark: one original, one e-mail, one audit event, and the screen shows them."""
    import registrar_tui.services.outbox.handover as handover

    settings = OutputSettings(tmp_path / "documents", None)
    real = handover.write_pdf_at

    def resumed_first(*args: Any, **kwargs: Any) -> bool:
        monkeypatch.setattr(handover, "write_pdf_at", real)  # the other process's own
        assert [done.receipt_number for done in resume_handovers(database, settings).completed] == [
            "MTL-2026-000001"
        ]
        return real(*args, **kwargs)  # False: the file is there already

    monkeypatch.setattr(handover, "write_pdf_at", resumed_first)
    payment_id, handed = _hand_over(database, True, settings)

    assert handed.path is not None and handed.emailed_to == EMAIL and handed.completed
    assert _originals(tmp_path / "documents") == ["MTL-2026-000001.pdf"]
    assert len(_queued(database)) == 1
    with database.read() as uow:
        events = audit_actions(uow, HANDOVER_ACTION)
        assert verify_chains(uow).ok
    assert [event["resumed"] for event in events] == [True]
    row = _handover(database, payment_id)
    assert row is not None and row.attempts == 2  # the screen's attempt found it done


def test_a_handover_is_never_marked_without_its_audit_event(
    database: Database, tmp_path: Path
) -> None:
    """The audit chain's lock row missing (its first writer): the one-statement mark of the
    screen's handover would append no event, so it marks nothing and the handover is
    done the ordinary way, which creates the row."""
    posted = _posting(database)
    with database.write() as uow:
        uow.execute(delete(NumberSequence).where(col(NumberSequence.key) == AUDIT_LOCK_KEY))

    handed = hand_over_receipt(
        database, posted.payment_id, OutputSettings(tmp_path, None), print_now=False,
        posted=posted,
    )  # fmt: skip

    assert handed.completed and handed.path is not None
    with database.read() as uow:
        [event] = audit_actions(uow, HANDOVER_ACTION)
        assert verify_chains(uow).ok
    assert event["original_saved"] == str(handed.path)
