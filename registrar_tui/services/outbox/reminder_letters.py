"""Sending the overdue reminders: per family a letter (PDF in its language), an e-mail
with it in the outbox, one reminder row per invoice and an audit event; then the letters
saved as files. Which family gets which level is `services/ledger/reminders.py`.

It lives in the outbox room because it uses the ledger, the documents and the outbox
(like the receipts' handover).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from sqlmodel import col, select

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.i18n import N_, translations_for
from registrar_tui.models import Guardian
from registrar_tui.models.base import Language
from registrar_tui.models.reminders import Reminder, ReminderLetter
from registrar_tui.services.audit.record import lock_sequence_row, record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.core.money import ZERO
from registrar_tui.services.ledger.reminders import (
    SEND_ACTION,
    FamilyReminders,
    reminder_settings,
    select_due_reminders,
)

if TYPE_CHECKING:
    from registrar_tui.reports.documents import Issuer
    from registrar_tui.reports.reminder_letter import ReminderLetterDocument
    from registrar_tui.services.documents.build import GeneratedPdf

REMINDER_EMAIL_KIND = "reminder"
CHUNK_FAMILIES = 50
"""Families per transaction when sending: short enough that a SQLite counter waits a
second at most, long enough that commits do not dominate."""
_IN_CHUNK = 500
PARALLEL_FROM = 100
"""From this many families on, the letters are rendered by processes beside the writer."""
MAX_WORKERS = 4
AHEAD = 2
"""Chunks rendered ahead of the one being written."""

_SUBJECT = N_("Avis de retard de paiement — relance {level} — {family_number}")
_BODY = N_(
    "Bonjour {name},\n\n"
    "Sauf erreur de notre part, votre compte présente un montant en retard de {total}. "
    "Vous trouverez ci-joint la lettre de relance avec le détail des factures.\n\n"
    "{institution}"
)


def _chunks(values: Sequence[int], size: int = _IN_CHUNK) -> Iterable[list[int]]:
    for start in range(0, len(values), size):
        yield list(values[start : start + size])


@dataclass(frozen=True)
class SentLetter:
    letter_id: int
    family_id: int
    family_number: str
    level: int
    reminders: int
    total_overdue: Decimal
    emailed_to: str | None
    filename: str
    pdf: bytes = field(default=b"", repr=False)


@dataclass(frozen=True)
class ReminderRun:
    as_of: date
    letters: tuple[SentLetter, ...]
    saved: tuple[Path, ...] = field(default=())
    save_errors: tuple[str, ...] = field(default=())

    @property
    def reminders(self) -> int:
        return sum(letter.reminders for letter in self.letters)

    @property
    def emails(self) -> int:
        return sum(1 for letter in self.letters if letter.emailed_to)

    @property
    def total_overdue(self) -> Decimal:
        return sum((letter.total_overdue for letter in self.letters), ZERO)


def _payers(uow: UnitOfWork, family_ids: list[int]) -> dict[int, Guardian]:
    payers: dict[int, Guardian] = {}
    for ids in _chunks(family_ids):
        for guardian in uow.session.exec(
            select(Guardian).where(col(Guardian.family_id).in_(ids), col(Guardian.is_payer))
        ).all():
            payers.setdefault(guardian.family_id, guardian)
    return payers


@dataclass(frozen=True)
class _Letter:
    """A family's letter as it would be sent now: what it was built from, its document
    and who receives it."""

    family: FamilyReminders
    document: ReminderLetterDocument
    payer_name: str | None
    payer_email: str | None


@dataclass(frozen=True)
class PrerenderedLetter:
    """A letter's PDF rendered outside the transaction that sends it, with what it was
    rendered from: used only if the selection inside the transaction is the same."""

    family: FamilyReminders
    day: date
    pdf: bytes


def _letters(
    uow: UnitOfWork, families: Sequence[FamilyReminders], sent_at: datetime
) -> list[_Letter]:
    """The letters of these families (their payer's name and address, the establishment's
    header, the level's text in the family's language)."""
    from registrar_tui.reports.reminder_letter import ReminderLetterDocument, ReminderLetterRow
    from registrar_tui.services.documents.build import issuer_for
    from registrar_tui.services.ledger.posted_receipts import establishment_view

    settings = reminder_settings(uow)
    payers = _payers(uow, [f.family_id for f in families])
    issuers: dict[int, Issuer] = {}
    letters = []
    for family in families:
        language = Language(family.language)
        if family.establishment_id not in issuers:
            issuers[family.establishment_id] = issuer_for(
                uow, establishment_view(uow, family.establishment_id)
            )
        payer = payers.get(family.family_id)
        billing_name = f"{payer.first_name} {payer.last_name}".strip() if payer else None
        address: tuple[str, ...] = ()
        if payer is not None:
            city = " ".join(x for x in (payer.city, payer.province, payer.postal_code) if x)
            address = tuple(x for x in (payer.address_line, city) if x)
        document = ReminderLetterDocument(
            issuer=issuers[family.establishment_id],
            sent_at=sent_at,
            family_name=family.family_name,
            family_number=family.family_number,
            level=family.level,
            text=settings.of(family.level).text(language),
            rows=tuple(
                ReminderLetterRow(
                    invoice_number=r.invoice_number,
                    description=r.description,
                    due_on=r.due_on,
                    days_overdue=r.days_overdue,
                    level=r.level,
                    balance=r.balance,
                    student_name=r.student_name,
                    term_code=r.term_code,
                    instalment_sequence=r.instalment_sequence,
                )
                for r in family.invoices
            ),
            total_overdue=family.total_overdue,
            billing_name=billing_name,
            billing_address=address,
            language="en" if language is Language.ENGLISH else "fr_CA",
        )
        letters.append(
            _Letter(
                family=family,
                document=document,
                payer_name=billing_name,
                payer_email=payer.email if payer is not None and payer.email else None,
            )
        )
    return letters


def send_family_reminders(
    uow: UnitOfWork,
    *,
    actor_id: int,
    family_ids: Sequence[int],
    as_of: date | None = None,
    level: int | None = None,
    prerendered: Mapping[int, PrerenderedLetter] | None = None,
) -> tuple[SentLetter, ...]:
    """Send the reminders due on `as_of` to these families, in the caller's transaction:
    per family one letter (PDF in its language, kept on the letter row), one e-mail in the
    outbox with the PDF attached (when the payer has an address), one reminder row per
    invoice, and one audit event for them all. The selection is made again here, so a family already
    reminded meanwhile gets nothing twice; a `prerendered` PDF is used only when the
    family's reminders are exactly those it was rendered from (else it is rendered again).

    Refuses, writing nothing: PermissionDenied (not a registrar or admin), UnknownLevel.
    """
    from babel.numbers import format_currency

    from registrar_tui.reports.reminder_letter import render_reminder_letter
    from registrar_tui.services.documents.build import GeneratedPdf
    from registrar_tui.services.outbox.queue import queue_message
    from registrar_tui.services.staff.settings import institution_name

    active_staff(uow, actor_id, SUPERVISORS)
    # One sender at a time (PostgreSQL; SQLite serialises writers already).
    lock_sequence_row(uow, "reminders")
    day = as_of or local_date(uow.now())
    preview = select_due_reminders(uow, day, level=level, family_ids=list(family_ids))
    if not preview.families:
        return ()
    now = uow.now()
    institution = institution_name(uow)
    gettexts: dict[Language, Callable[[str], str]] = {}
    written: list[tuple[FamilyReminders, ReminderLetter, bytes, str | None]] = []
    for built in _letters(uow, preview.families, now):
        family, document = built.family, built.document
        language = Language(family.language)
        ready = (prerendered or {}).get(family.family_id)
        if ready is not None and ready.family == family and ready.day == local_date(now):
            pdf = ready.pdf
        else:
            pdf = render_reminder_letter(document)
        filename = f"{family.family_number}-relance{family.level}-{day:%Y%m%d}.pdf"
        message_id = None
        if built.payer_email is not None:
            if language not in gettexts:
                gettexts[language] = translations_for(str(language)).gettext
            gettext = gettexts[language]
            locale = "en_CA" if language is Language.ENGLISH else "fr_CA"
            message = queue_message(
                uow,
                kind=REMINDER_EMAIL_KIND,
                family_id=family.family_id,
                recipient=built.payer_email,
                subject=gettext(_SUBJECT).format(
                    level=family.level, family_number=family.family_number
                ),
                body=gettext(_BODY).format(
                    name=built.payer_name,
                    total=format_currency(family.total_overdue, "CAD", locale=locale),
                    institution=institution,
                ),
                language=language,
                attachment=GeneratedPdf(kind="reminder", filename=filename, pdf=pdf),
            )
            message_id = message.id
        letter = ReminderLetter(
            family_id=family.family_id,
            level=family.level,
            as_of=day,
            sent_at=now,
            sent_by_id=actor_id,
            language=language,
            total_overdue=family.total_overdue,
            filename=filename,
            # Kept once: in the e-mail's attachment when there is one, else here.
            pdf=None if message_id is not None else pdf,
            outbox_message_id=message_id,
        )
        uow.session.add(letter)
        written.append((family, letter, pdf, built.payer_email))
    uow.session.flush()  # the letters' ids, in one go
    sent: list[SentLetter] = []
    for family, letter, pdf, emailed_to in written:
        assert letter.id is not None
        uow.session.add_all(
            [
                Reminder(
                    family_id=family.family_id,
                    invoice_id=r.invoice_id,
                    instalment_id=r.instalment_id,
                    level=r.level,
                    sent_at=now,
                    sent_by_id=actor_id,
                    amount_overdue=r.balance,
                    letter_id=letter.id,
                    outbox_message_id=letter.outbox_message_id,
                )
                for r in family.invoices
            ]
        )
        sent.append(
            SentLetter(
                letter_id=letter.id,
                family_id=family.family_id,
                family_number=family.family_number,
                level=family.level,
                reminders=len(family.invoices),
                total_overdue=family.total_overdue,
                emailed_to=emailed_to,
                filename=letter.filename,
                pdf=pdf,
            )
        )
    # One event for the chunk (one transaction): each family's letter, level, invoices.
    record_event(
        uow,
        actor_id,
        SEND_ACTION,
        "reminder_letter",
        sent[0].letter_id,
        {},
        {
            "as_of": day.isoformat(),
            "letters": {
                family.family_number: {
                    "letter_id": letter.id,
                    "level": family.level,
                    "invoices": {
                        r.invoice_number: r.level for r in family.invoices if r.invoice_id
                    },
                    "instalments": {
                        str(r.instalment_sequence): r.level
                        for r in family.invoices
                        if r.instalment_id
                    },
                    "total_overdue": str(family.total_overdue),
                    "emailed_to": emailed_to,
                }
                for family, letter, _pdf, emailed_to in written
            },
        },
    )
    uow.session.flush()
    return tuple(sent)


def _pool(workers: int | None, families: int) -> ProcessPoolExecutor | None:
    """Processes rendering the letters beside the one writing them (None: render inline).

    Spawned, not forked: the app calls this from a worker thread of a Textual program,
    and a forked copy of a threaded process may hang on a lock held by another thread.
    """
    if workers is None:
        workers = min(os.cpu_count() or 1, MAX_WORKERS) if families >= PARALLEL_FROM else 0
    if workers <= 0:
        return None
    return ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))


def send_reminders(
    db: Database,
    *,
    actor_id: int,
    as_of: date | None = None,
    level: int | None = None,
    chunk: int = CHUNK_FAMILIES,
    documents_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> ReminderRun:
    """Send every reminder due on `as_of` (default today): the families of the preview,
    `chunk` families per transaction (`send_family_reminders`); after each commit the
    chunk's letters are saved as PDF files under `documents_dir/reminders/` when a folder
    is given (a file that cannot be saved is reported, the letter stays in the database
    and in its e-mail). `progress(done, total)` is called after each chunk.

    The PDFs are rendered ahead, outside the transactions, by `workers` processes (default:
    one per core, up to 4, from 100 families on; 0: none), so a transaction only writes;
    a letter whose reminders changed meanwhile is rendered again inside it.

    Refuses before writing anything: PermissionDenied, UnknownLevel.
    """
    from registrar_tui.reports.reminder_letter import render_reminder_letter

    with db.read() as uow:
        active_staff(uow, actor_id, SUPERVISORS)
        day = as_of or local_date(uow.now())
        preview = select_due_reminders(uow, day, level=level)
    family_ids = [f.family_id for f in preview.families]
    chunks = [family_ids[start : start + chunk] for start in range(0, len(family_ids), chunk)]
    # What the preview found for each chunk, rendered ahead from it (not selected again):
    # the transaction selects again anyway and renders anew a family whose reminders
    # changed meanwhile, so a family reminded since gets nothing twice.
    selected = [
        preview.families[start : start + chunk] for start in range(0, len(family_ids), chunk)
    ]
    letters: list[SentLetter] = []
    saved: list[Path] = []
    errors: list[str] = []
    if progress is not None:
        progress(0, len(family_ids))
    pool = _pool(workers, len(family_ids))
    rendering: dict[int, list[tuple[FamilyReminders, date, Future[bytes]]]] = {}

    def render_ahead(index: int) -> None:
        if pool is None or index >= len(chunks):
            return
        with db.read() as uow:
            now = uow.now()
            built = _letters(uow, selected[index], now)
        rendering[index] = [
            (b.family, local_date(now), pool.submit(render_reminder_letter, b.document))
            for b in built
        ]

    try:
        for index in range(AHEAD):
            render_ahead(index)
        for index, ids in enumerate(chunks):
            render_ahead(index + AHEAD)
            ready = {
                family.family_id: PrerenderedLetter(family, rendered_on, future.result())
                for family, rendered_on, future in rendering.pop(index, [])
            }
            with db.write() as uow:
                done = send_family_reminders(
                    uow,
                    actor_id=actor_id,
                    family_ids=ids,
                    as_of=day,
                    level=level,
                    prerendered=ready,
                )
            letters.extend(done)
            if documents_dir is not None and done:
                paths, failed = save_letter_files(documents_dir, done)
                saved.extend(paths)
                errors.extend(failed)
            if progress is not None:
                progress(min((index + 1) * chunk, len(family_ids)), len(family_ids))
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    return ReminderRun(
        as_of=day, letters=tuple(letters), saved=tuple(saved), save_errors=tuple(errors)
    )


def save_letter_files(
    documents_dir: Path, letters: Sequence[SentLetter]
) -> tuple[list[Path], list[str]]:
    """Write the letters' PDFs under `documents_dir/reminders/`, never over a file (a name
    taken gets `-2`, `-3`…): the paths written, and one line per letter that could not be.

    The files are copies: the letter itself is the database's (its row, and its e-mail's
    attachment). So they are not synced one by one, only the folder once at the end.
    """
    folder = documents_dir / "reminders"
    paths: list[Path] = []
    failed: list[str] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return [], [f"{folder}: {error.strerror or error}"]
    for letter in letters:
        stem, number = letter.filename.removesuffix(".pdf"), 1
        while True:
            path = folder / (f"{stem}.pdf" if number == 1 else f"{stem}-{number}.pdf")
            try:
                with path.open("xb") as handle:
                    handle.write(letter.pdf)
            except FileExistsError:
                number += 1
                continue
            except OSError as error:
                failed.append(f"{letter.filename}: {error.strerror or error}")
            else:
                paths.append(path)
            break
    try:
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
    except OSError as error:
        failed.append(f"{folder}: {error.strerror or error}")
    return paths, failed


def letter_pdf(uow: UnitOfWork, letter_id: int) -> GeneratedPdf:
    """A sent letter's PDF, from its row or from the e-mail that carried it (NotFound)."""
    from registrar_tui.models import OutboxMessage
    from registrar_tui.services.documents.build import GeneratedPdf

    letter = uow.session.get(ReminderLetter, letter_id)
    if letter is None:
        raise NotFound(N_("Lettre de relance introuvable."))
    pdf = letter.pdf
    if pdf is None and letter.outbox_message_id is not None:
        message = uow.session.get_one(OutboxMessage, letter.outbox_message_id)
        pdf = message.attachment
    assert pdf is not None  # the check constraint keeps one of the two
    return GeneratedPdf(kind="reminder", filename=letter.filename, pdf=pdf)
