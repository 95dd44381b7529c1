"""Handing a receipt over once its payment is posted: saved, printed if asked, e-mailed.

`post_payment` writes the handover as pending work (`ReceiptHandover`) in the payment's own
transaction; this module completes it, exactly once, whoever gets there first: the payment
screen right after posting, the app at its next start, or `registrar-tui receipts resume`.
A process killed at any instant leaves either nothing done or a state the next attempt
finishes without a second original PDF nor a second e-mail:

1. the PDF's path is claimed (committed) before the file is written, so a crash between the
   file and its mark finds that very file again (`write_pdf_at` never overwrites); it is
   claimed in the transaction that reads the handover and the receipt (the path depends on
   the receipt's number, not on its PDF), and the PDF is rendered after that commit;
2. the file is rendered and written whole or not at all, with no transaction open (a
   SQLite writer never blocks the other counters while reportlab, a disk or a printer
   answers);
3. one short write marks the PDF saved, queues the e-mail and records the audit event,
   under the row's lock, re-checking what another process may have done meanwhile;
4. a print is sent at most once, after that commit (a crash then loses a print, which the
   clerk sees and redoes with F7, never doubles a paper original).

On PostgreSQL, the payment screen's handover (the payment just posted, `posted`) does 1 and
3 in one statement each, committed on its own (`_claim_posted`, `_mark_posted`): two round
trips where transactions take nine, and the audit chain's lock, which every audited write
waits for, held while the server runs the statement rather than until this process, one
of many on a busy server, is scheduled again to commit. The mark writes nothing unless the
row is as the claim left it; then the general way (`_mark`) sees what another process did.

It lives in the outbox room because it uses both documents and the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import and_, bindparam, exists, func, insert, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import col, select

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import (
    AppSetting,
    Family,
    Guardian,
    NumberSequence,
    OutboxMessage,
    Payment,
    PaymentMethod,
    Receipt,
    ReceiptHandover,
)
from registrar_tui.models.base import Language
from registrar_tui.reports.documents import CopyKind
from registrar_tui.services.audit.record import (
    AUDIT_LOCK_KEY,
    append_event_statement,
    event_content,
    event_params,
    record_event,
)
from registrar_tui.services.core.errors import DomainError, NotFound
from registrar_tui.services.documents.build import (
    RECEIPT_EXTRAS,
    GeneratedPdf,
    ReceiptToRender,
    posted_receipt_pdf,
    read_receipt_pdf,
)
from registrar_tui.services.documents.output import (
    OutputSettings,
    ReceiptFormat,
    document_path,
    print_pdf,
    write_pdf_at,
)
from registrar_tui.services.ledger.posted_receipts import PostedPayment
from registrar_tui.services.outbox.queue import ReceiptRecipient, append_message, receipt_email
from registrar_tui.services.staff.settings import INSTITUTION_NAME

HANDOVER_ACTION = "receipt.handover"


@dataclass(frozen=True)
class HandedOverReceipt:
    """What became of a posted payment's receipt. The payment stays posted whatever failed:
    what is not done stays pending (resumed at the next start, or by `receipts resume`)."""

    path: Path | None
    """Where the original receipt PDF was saved; None when it could not be built or saved."""
    printed: bool
    print_error: DomainError | None
    """Why it was not printed although printing was asked for (None: printed, or not asked,
    or no printer at this terminal)."""
    emailed_to: str | None
    """The payer's address the receipt was queued to; None: no e-mail on file, or refused."""
    save_error: DomainError | None = None
    """Why the PDF was not built or saved (nothing then printed nor e-mailed when the
    PDF could not be built)."""
    email_error: DomainError | None = None
    completed: bool = False
    """True when nothing of the handover is left pending (original saved, e-mail done)."""
    done_now: bool = False
    """True when this call did part of the work (False: everything was already done)."""

    @property
    def problems(self) -> tuple[DomainError, ...]:
        """What went wrong, in the order it happened (saving, printing, e-mailing)."""
        found = (self.save_error, self.print_error, self.email_error)
        return tuple(error for error in found if error is not None)


@dataclass(frozen=True)
class _State:
    """A handover as one read found it (no row: a payment posted before handovers)."""

    path: Path | None
    saved: bool
    email_done: bool
    emailed_to: str | None


_STATE = (
    sa_select(
        col(Payment.id),
        col(ReceiptHandover.id),
        col(ReceiptHandover.pdf_path),
        col(ReceiptHandover.saved_at),
        col(ReceiptHandover.email_done_at),
        col(ReceiptHandover.emailed_to),
    )
    .outerjoin(ReceiptHandover, col(ReceiptHandover.payment_id) == col(Payment.id))
    .where(col(Payment.id) == bindparam("payment_id"))
)


def _state(uow: UnitOfWork, payment_id: int) -> _State:
    found = uow.execute(_STATE, {"payment_id": payment_id}).first()
    if found is None:
        raise NotFound(N_("Paiement introuvable."))
    _payment, row_id, pdf_path, saved_at, email_done_at, emailed_to = found
    if row_id is None:
        return _State(path=None, saved=False, email_done=False, emailed_to=None)
    return _State(
        path=Path(pdf_path) if pdf_path else None,
        saved=saved_at is not None,
        email_done=email_done_at is not None,
        emailed_to=emailed_to,
    )


def _create_row(uow: UnitOfWork, payment_id: int) -> None:
    """The handover row of a payment posted before handovers existed (unless there)."""
    dialect = uow.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    uow.execute(
        insert(ReceiptHandover)
        .values(
            payment_id=payment_id,
            requested_at=uow.now(),
            print_requested=False,
            attempts=0,
            last_error="",
        )
        .on_conflict_do_nothing(index_elements=["payment_id"])
    )


_CLAIM = (
    update(ReceiptHandover)
    .where(
        col(ReceiptHandover.payment_id) == bindparam("handover_of"),
        col(ReceiptHandover.saved_at).is_(None),
    )
    .values(pdf_path=func.coalesce(col(ReceiptHandover.pdf_path), bindparam("claimed_path")))
    .returning(
        col(ReceiptHandover.pdf_path),
        col(ReceiptHandover.email_done_at),
        col(ReceiptHandover.emailed_to),
    )
    .execution_options(synchronize_session=False)
)
"""The path of an unsaved original claimed, unless one was already (the update locks the
row until commit), with the rest of the handover's state."""


def _payer(column: Any) -> Any:
    """A column of the family's payer (one at most), the family given as `receipt_family`."""
    family = col(Guardian.family_id) == bindparam("receipt_family")
    return sa_select(column).where(family, col(Guardian.is_payer)).scalar_subquery()


_CLAIM_POSTED = _CLAIM.returning(
    _payer(col(Guardian.first_name)),
    _payer(col(Guardian.last_name)),
    _payer(col(Guardian.email)),
    *RECEIPT_EXTRAS,
)
"""The same, with the family's payer (first and last name, e-mail) and what the receipt
shows besides its payment (`posted_receipt_pdf`): the handover of a payment just posted
claims and reads in one round trip."""


@dataclass(frozen=True)
class _OriginalName:
    """How a payment's original receipt is named (`document_path`), before it is built."""

    filename: str
    copy: CopyKind
    kind: str = "receipt"


@dataclass(frozen=True)
class _Begun:
    """What a handover's first transaction read, and the path it claimed."""

    state: _State
    receipt: ReceiptToRender | None
    """The original receipt to render; None: nothing left to build (saved and e-mailed)."""
    claimed: Path | None
    """Where the original is (or will be) written; None: it was saved before."""
    posted: _Posted | None = None
    """A payment just posted, claimed in one statement: what marking it in one needs."""


@dataclass(frozen=True)
class _Posted:
    """What the handover of a payment just posted read with its claim (`_claim_posted`)."""

    payment: PostedPayment
    payer: tuple[str | None, str | None, str | None]
    """The family's payer: first and last name, e-mail (None: no payer)."""
    language: str
    institution: str


def _begin(
    uow: UnitOfWork, payment_id: int, settings: OutputSettings, posted: PostedPayment | None
) -> _Begun:
    """The handover's original receipt read (rendered after the commit: a write
    transaction never waits for reportlab) and, unless it is saved, its path claimed
    before the file exists, in the statement that reads the handover's state. Refuses an
    unknown payment with NotFound."""
    if posted is not None:
        receipt = posted_receipt_pdf(uow, posted)
    else:
        receipt = read_receipt_pdf(uow, payment_id, copy=CopyKind.ORIGINAL, language=None)
    # The path depends on the receipt's number and copy only, not on its PDF.
    params = {"handover_of": payment_id, "claimed_path": str(document_path(settings, receipt))}
    found = uow.execute(_CLAIM, params).first()
    if found is None:  # saved already, or a payment posted before handovers: no row
        state = _state(uow, payment_id)
        if state.saved:
            done = state.email_done
            return _Begun(state, receipt=None if done else receipt, claimed=None)
        _create_row(uow, payment_id)
        found = uow.execute(_CLAIM, params).one()
    claimed, email_done_at, emailed_to = found
    state = _State(
        path=Path(claimed), saved=False, email_done=email_done_at is not None,
        emailed_to=emailed_to,
    )  # fmt: skip
    return _Begun(state, receipt, Path(claimed))


def _claim_posted(
    database: Database, payment_id: int, settings: OutputSettings, posted: PostedPayment
) -> _Begun | None:
    """PostgreSQL, a payment just posted: its original's path claimed and what its receipt
    shows read in one statement, committed on its own (autocommit: one round trip, where a
    transaction takes three). None when it claimed nothing (saved already): `_begin` then."""
    copy = CopyKind.VOIDED if posted.is_voided else CopyKind.ORIGINAL
    name = _OriginalName(f"{posted.receipt_number}.pdf", copy)
    params = {
        "handover_of": payment_id,
        "claimed_path": str(document_path(settings, name)),
        "receipt_family": posted.family_id,
        "receipt_payment": payment_id,
    }
    with database.standalone() as uow:
        found = uow.execute(_CLAIM_POSTED, params).first()
        if found is None:
            return None
        claimed, email_done_at, emailed_to, first, last, email, *extras = found
        receipt = posted_receipt_pdf(uow, posted, extras)
    state = _State(
        path=Path(claimed), saved=False, email_done=email_done_at is not None,
        emailed_to=emailed_to,
    )  # fmt: skip
    fresh = None
    if email_done_at is None:
        fresh = _Posted(posted, (first, last, email), str(extras[0]), extras[1] or "")
    return _Begun(state, receipt, Path(claimed), fresh)


_HANDOVERS: Any = ReceiptHandover.__table__  # type: ignore[attr-defined]
_OUTBOX: Any = OutboxMessage.__table__  # type: ignore[attr-defined]
_OUTBOX_COLUMNS = tuple(column.name for column in _OUTBOX.c if column.name != "id")


def _marking_posted(*, email: bool) -> Any:
    """PostgreSQL: a just-claimed handover marked done (saved, e-mailed, completed) with, in
    the same statement, its e-mail queued (`email`) and its audit event appended after
    them: what `_mark` writes in four statements and a transaction. It marks nothing unless
    the row is as its claim left it (no other process did anything since) and the audit
    chain's lock row exists (so that the event is appended whenever the row is marked).
    Returns the event's id (no row: nothing written)."""
    handover = _HANDOVERS.c
    now = bindparam("now", type_=handover.saved_at.type)
    marked: Any = (
        update(_HANDOVERS)
        .where(
            handover.payment_id == bindparam("handover_of"),
            handover.pdf_path == bindparam("claimed_path"),
            handover.saved_at.is_(None),
            handover.email_done_at.is_(None),
            handover.print_attempted_at.is_(None),
            handover.completed_at.is_(None),
            exists().where(col(NumberSequence.key) == AUDIT_LOCK_KEY),
        )
        .values(
            saved_at=now,
            email_done_at=now,
            emailed_to=bindparam("new_emailed_to", type_=handover.emailed_to.type),
            print_requested=or_(handover.print_requested, bindparam("print_now")),
            print_attempted_at=bindparam("printed_at", type_=handover.print_attempted_at.type),
            completed_at=now,
            attempts=handover.attempts + 1,
            last_error="",
        )
        .returning(handover.id)
        .cte("marked")
    )
    if email:
        message = sa_select(
            *(bindparam(f"o_{name}", type_=_OUTBOX.c[name].type) for name in _OUTBOX_COLUMNS)
        )
        marked = (
            insert(_OUTBOX)
            .from_select(_OUTBOX_COLUMNS, message.select_from(marked))
            .returning(_OUTBOX.c.id)
            .cte("queued")
        )
    audited = append_event_statement(marked).cte("audited")
    return sa_select(audited.c.id)


_MARK_POSTED = _marking_posted(email=False)
_MARK_POSTED_AND_QUEUE = _marking_posted(email=True)


def _mark_posted(
    database: Database,
    payment_id: int,
    fresh: _Posted,
    *,
    saved_path: Path,
    emailed: GeneratedPdf,
    print_now: bool,
    printer: bool,
    resumed: bool,
) -> _Marked | None:
    """`_mark` of a payment just posted whose original was saved now, in one statement
    committed on its own (`_marking_posted`): the audit chain's lock, which every audited
    write waits for, is held while the server runs it, not over a round trip to this
    process. None when it wrote nothing (another process touched the row): `_mark` then."""
    posted = fresh.payment
    with database.standalone() as uow:
        now = uow.now()
        try:
            message = _receipt_message(
                uow, posted.family_id, fresh.language, fresh.payer, posted.receipt_number,
                fresh.institution, emailed,
            )  # fmt: skip
        except DomainError:
            return None  # refused: `_mark` says why
        emailed_to = message.recipient if message is not None else None
        to_print = print_now and printer
        after = {
            "receipt_number": posted.receipt_number,
            "original_saved": str(saved_path),
            "emailed_to": emailed_to,
            "resumed": resumed,
        }
        event = event_content(
            now, posted.clerk_id, HANDOVER_ACTION, "payment", payment_id, {}, after
        )
        params = event_params(event)
        params.update(
            key=AUDIT_LOCK_KEY,
            handover_of=payment_id,
            claimed_path=str(saved_path),
            now=now,
            new_emailed_to=emailed_to,
            print_now=print_now,
            printed_at=now if to_print else None,
        )
        statement = _MARK_POSTED
        if message is not None:
            statement = _MARK_POSTED_AND_QUEUE
            row = message.model_dump(exclude={"id"})
            params.update({f"o_{name}": row[name] for name in _OUTBOX_COLUMNS})
        if uow.execute(statement, params).first() is None:
            return None
    return _Marked(emailed_to, None, completed=True, done_now=True, to_print=to_print)


_LOCKED_ROW = (
    sa_select(
        col(ReceiptHandover.id),
        col(ReceiptHandover.pdf_path),
        col(ReceiptHandover.saved_at),
        col(ReceiptHandover.email_done_at),
        col(ReceiptHandover.emailed_to),
        col(ReceiptHandover.print_requested),
        col(ReceiptHandover.print_attempted_at),
        col(ReceiptHandover.completed_at),
        col(ReceiptHandover.attempts),
        col(Payment.clerk_id),
        col(Payment.family_id),
        col(Family.language),
        col(Guardian.first_name),
        col(Guardian.last_name),
        col(Guardian.email),
        col(Receipt.number),
        sa_select(col(AppSetting.value))
        .where(col(AppSetting.key) == INSTITUTION_NAME)
        .scalar_subquery(),
    )
    .join(Payment, col(Payment.id) == col(ReceiptHandover.payment_id))
    .join(Family, col(Family.id) == col(Payment.family_id))
    .outerjoin(Guardian, and_(col(Guardian.family_id) == col(Family.id), col(Guardian.is_payer)))
    .outerjoin(Receipt, col(Receipt.payment_id) == col(Payment.id))
    .where(col(ReceiptHandover.payment_id) == bindparam("payment_id"))
    .with_for_update(of=ReceiptHandover)
)
"""The handover row, locked until commit, with what its audit event and its e-mail need:
the clerk, the family's language, its payer, the receipt's number, the institution."""


@dataclass(frozen=True)
class _Marked:
    emailed_to: str | None
    email_error: DomainError | None
    completed: bool
    done_now: bool
    to_print: bool


def _mark(
    uow: UnitOfWork,
    payment_id: int,
    *,
    saved_path: Path | None,
    emailed: GeneratedPdf | None,
    print_now: bool,
    printer: bool,
    resumed: bool,
    error: str,
) -> _Marked:
    """Mark the PDF saved and queue the e-mail, unless another process already did."""
    found = uow.execute(_LOCKED_ROW, {"payment_id": payment_id}).first()
    if found is None:
        _create_row(uow, payment_id)
        found = uow.execute(_LOCKED_ROW, {"payment_id": payment_id}).one()
    (row_id, pdf_path, saved_at, email_done_at, emailed_to, print_requested,
     print_attempted_at, completed_at, attempts, clerk_id, family_id, language,
     payer_first, payer_last, payer_email, number, institution) = found  # fmt: skip
    now = uow.now()
    saved_now = saved_at is None and saved_path is not None
    unsaved = saved_at is None and saved_path is None
    if unsaved and pdf_path is not None and not Path(pdf_path).exists():
        # The write failed and left nothing (folder not writable here): the next attempt
        # claims a path in its own terminal's folder.
        pdf_path = None
    if saved_now:
        saved_at = now
        pdf_path = str(saved_path)
    email_error: DomainError | None = None
    emailed_now = False
    if email_done_at is None and emailed is not None:
        try:
            message = _receipt_message(
                uow, family_id, language, (payer_first, payer_last, payer_email), number,
                institution or "", emailed,
            )  # fmt: skip
            emailed_to = None
            if message is not None:
                append_message(uow, message)
                emailed_to = message.recipient
        except DomainError as refused:
            email_error = refused
        else:
            email_done_at = now
            emailed_now = True
    to_print = False
    if print_now:
        print_requested = True
        if printer and saved_at is not None and print_attempted_at is None:
            print_attempted_at = now
            to_print = True
    completed = saved_at is not None and email_done_at is not None
    if completed and completed_at is None:
        completed_at = now
    uow.execute(
        _UPDATE_ROW,
        {
            "row_id": row_id,
            "new_pdf_path": pdf_path,
            "new_saved_at": saved_at,
            "new_email_done_at": email_done_at,
            "new_emailed_to": emailed_to,
            "new_print_requested": print_requested,
            "new_print_attempted_at": print_attempted_at,
            "new_completed_at": completed_at,
            "new_attempts": attempts + 1,
            "new_last_error": error[:500],
        },
    )
    if saved_now or emailed_now:
        assert number is not None, "a posted payment has its receipt"
        # Handing over completes the clerk's posting: the event is the clerk's, whoever
        # (the screen, or a resume after a crash) did the work.
        record_event(
            uow,
            clerk_id,
            HANDOVER_ACTION,
            "payment",
            payment_id,
            {},
            {
                "receipt_number": number,
                "original_saved": pdf_path if saved_now else None,
                "emailed_to": emailed_to if emailed_now else None,
                "resumed": resumed,
            },
        )
    return _Marked(emailed_to, email_error, completed, saved_now or emailed_now, to_print)


_ROW_FIELDS = (
    "pdf_path",
    "saved_at",
    "email_done_at",
    "emailed_to",
    "print_requested",
    "print_attempted_at",
    "completed_at",
    "attempts",
    "last_error",
)
_UPDATE_ROW = (
    update(ReceiptHandover)
    .where(col(ReceiptHandover.id) == bindparam("row_id"))
    .values(
        {
            name: bindparam(f"new_{name}", type_=ReceiptHandover.__table__.c[name].type)  # type: ignore[attr-defined]
            for name in _ROW_FIELDS
        }
    )
    .execution_options(synchronize_session=False)
)


def _recipient(
    family_id: int,
    language: str,
    payer: tuple[str | None, str | None, str | None],
    number: str | None,
    institution: str,
) -> ReceiptRecipient | None:
    """Who the receipt is e-mailed to, from the payer read; None: no payer, or no e-mail."""
    first, last, email = payer
    if first is None or not email:
        return None
    assert number is not None, "a posted payment has its receipt"
    return ReceiptRecipient(
        family_id=family_id,
        language=Language(language),
        payer_name=f"{first} {last}",
        email=email,
        receipt_number=number,
        institution=institution,
    )


def _receipt_message(
    uow: UnitOfWork,
    family_id: int,
    language: str,
    payer: tuple[str | None, str | None, str | None],
    number: str | None,
    institution: str,
    document: GeneratedPdf,
) -> OutboxMessage | None:
    """The receipt's e-mail to the payer (`receipt_email`, from the payer read); None: no
    payer, or no e-mail."""
    recipient = _recipient(family_id, language, payer, number, institution)
    return None if recipient is None else receipt_email(uow, recipient, document)


def hand_over_receipt(
    database: Database,
    payment_id: int,
    settings: OutputSettings,
    *,
    print_now: bool,
    resumed: bool = False,
    posted: PostedPayment | None = None,
) -> HandedOverReceipt:
    """Complete the pending handover of a posted payment's original receipt, exactly once:
    build it (in the family's language), save it in this terminal's documents folder,
    queue it by e-mail to the family's payer, and print it when `print_now` and the
    terminal has a printer command (at most once). The saved and printed copy is on the
    terminal's receipt page (`settings.receipt_format`: Letter or an 80 mm roll); the
    e-mailed one is always Letter (a roll is no page to print at home). What is already
    done is not redone: calling it again returns the same path and queues no second e-mail.
    `posted`: the payment as `post_payment` answered, by the caller that just posted it
    (the payment screen): the receipt is built from it, not read back.

    Never raises a `DomainError`: a refusal (unknown payment: NotFound; folder not writable:
    SaveFailed; printer: PrintFailed) is returned in the result, and what failed stays
    pending; nothing is saved, printed or e-mailed without a built PDF.
    """
    assert posted is None or posted.payment_id == payment_id, "the payment just posted"
    try:
        begun = None
        if posted is not None and database.backend == "postgresql":
            begun = _claim_posted(database, payment_id, settings, posted)
        if begun is None:
            # One write: the state read, the receipt read, its original's path claimed.
            with database.write() as uow:
                begun = _begin(uow, payment_id, settings, posted)
        state = begun.state
        document = emailed = None
        if begun.receipt is not None:
            document = begun.receipt.render(settings.receipt_format)
            emailed = document
            if settings.receipt_format is not ReceiptFormat.LETTER and not state.email_done:
                emailed = begun.receipt.render(ReceiptFormat.LETTER)
    except DomainError as error:
        return HandedOverReceipt(
            path=None, printed=False, print_error=None, emailed_to=None, save_error=error
        )
    path = state.path if state.saved else None
    if document is None and not print_now:
        return HandedOverReceipt(  # everything was done already: nothing to write
            path=path, printed=False, print_error=None, emailed_to=state.emailed_to,
            completed=True,
        )  # fmt: skip
    save_error: DomainError | None = None
    if document is not None and begun.claimed is not None:
        try:
            # False: the file is there already, written by an attempt that died before
            # marking it; it is this handover's original, kept as it is.
            write_pdf_at(begun.claimed, document)
            path = begun.claimed
        except DomainError as error:
            save_error = error
    marked = None
    fresh = begun.posted
    if fresh is not None and path is not None and path == begun.claimed and emailed is not None:
        # Saved now at the path claimed with the state read: all of it in one statement.
        marked = _mark_posted(
            database,
            payment_id,
            fresh,
            saved_path=path,
            emailed=emailed,
            print_now=print_now,
            printer=bool(settings.printer_command),
            resumed=resumed,
        )
    if marked is None:
        with database.write() as uow:
            marked = _mark(
                uow,
                payment_id,
                saved_path=path,
                emailed=emailed,
                print_now=print_now,
                printer=bool(settings.printer_command),
                resumed=resumed,
                error=str(save_error) if save_error is not None else "",
            )
    printed = False
    print_error: DomainError | None = None
    if marked.to_print and path is not None:
        try:
            print_pdf(settings, path)
            printed = True
        except DomainError as error:
            print_error = error
    return HandedOverReceipt(
        path=path,
        printed=printed,
        print_error=print_error,
        emailed_to=marked.emailed_to,
        save_error=save_error,
        email_error=marked.email_error,
        completed=marked.completed,
        done_now=marked.done_now,
    )


@dataclass(frozen=True)
class PendingHandover:
    """A posted payment whose receipt is not yet wholly handed over."""

    payment_id: int
    receipt_number: str
    requested_at: datetime


def pending_handovers(
    uow: UnitOfWork, *, online_only: bool = False, limit: int | None = None
) -> tuple[PendingHandover, ...]:
    """Every handover not yet completed (of the portal's online payments only, with
    `online_only`), oldest first, at most `limit`. Refuses nothing."""
    query = (
        select(ReceiptHandover.payment_id, Receipt.number, ReceiptHandover.requested_at)
        .join(Receipt, col(Receipt.payment_id) == col(ReceiptHandover.payment_id))
        .where(col(ReceiptHandover.completed_at).is_(None))
        .order_by(col(ReceiptHandover.id))
        .limit(limit)
    )
    if online_only:
        query = query.join(Payment, col(Payment.id) == col(ReceiptHandover.payment_id)).where(
            col(Payment.method) == PaymentMethod.ONLINE
        )
    rows = uow.session.exec(query).all()
    return tuple(PendingHandover(row[0], row[1], row[2]) for row in rows)


@dataclass(frozen=True)
class ResumedHandover:
    receipt_number: str
    handed: HandedOverReceipt


@dataclass(frozen=True)
class ResumeReport:
    """What `resume_handovers` did: the receipts it completed, and those still pending."""

    completed: tuple[ResumedHandover, ...]
    unfinished: tuple[ResumedHandover, ...]


def resume_handovers(database: Database, settings: OutputSettings) -> ResumeReport:
    """Complete every pending handover (a process that died between a payment's commit and
    its receipt's PDF or e-mail), exactly once each; prints nothing (the payer has left).

    Never raises a `DomainError`: a handover that fails again (folder not writable…) is
    listed in `unfinished` with its problems and stays pending.
    """
    with database.read() as uow:
        pending = pending_handovers(uow)
    completed: list[ResumedHandover] = []
    unfinished: list[ResumedHandover] = []
    for item in pending:
        handed = hand_over_receipt(
            database, item.payment_id, settings, print_now=False, resumed=True
        )
        done = ResumedHandover(item.receipt_number, handed)
        if handed.completed and handed.done_now:
            completed.append(done)
        elif not handed.completed:
            unfinished.append(done)
    return ResumeReport(tuple(completed), tuple(unfinished))
