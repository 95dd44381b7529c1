"""Sending the overdue reminders: per family a letter (PDF in its language), an e-mail
with it in the outbox, one reminder row per invoice and an audit event; then the letters
saved as files. Which family gets which level is `services/ledger/reminders.py`.

It lives in the outbox room because it uses the ledger, the documents and the outbox
(like the receipts' handover).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlmodel import col, select

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.i18n import N_, translations_for
from registrar_tui.models import Guardian
from registrar_tui.models.base import Language
from registrar_tui.models.reminders import Reminder, ReminderLetter
from registrar_tui.services.audit.record import lock_sequence_row, record_event
from registrar_tui.services.core.access import SUPERVISORS, active_staff
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.core.money import ZERO
from registrar_tui.services.ledger.reminders import (
    SEND_ACTION,
    reminder_settings,
    select_due_reminders,
)

REMINDER_EMAIL_KIND = "reminder"
CHUNK_FAMILIES = 50
"""Families per transaction when sending: short enough that a SQLite counter waits a
second at most, long enough that commits do not dominate."""
_IN_CHUNK = 500

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


def send_family_reminders(
    uow: UnitOfWork,
    *,
    actor_id: int,
    family_ids: Sequence[int],
    as_of: date | None = None,
    level: int | None = None,
) -> tuple[SentLetter, ...]:
    """Send the reminders due on `as_of` to these families, in the caller's transaction:
    per family one letter (PDF in its language, kept on the letter row), one e-mail in the
    outbox with the PDF attached (when the payer has an address), one reminder row per
    invoice and one audit event. The selection is made again here, so a family already
    reminded meanwhile gets nothing twice.

    Refuses, writing nothing: PermissionDenied (not a registrar or admin), UnknownLevel.
    """
    from registrar_tui.reports.reminder_letter import (
        ReminderLetterDocument,
        ReminderLetterRow,
        render_reminder_letter,
    )
    from registrar_tui.services.documents.build import issuer_for
    from registrar_tui.services.ledger.receipts import establishment_view
    from registrar_tui.services.outbox.queue import queue_message
    from registrar_tui.services.staff.settings import institution_name

    active_staff(uow, actor_id, SUPERVISORS)
    # One sender at a time (PostgreSQL; SQLite serialises writers already).
    lock_sequence_row(uow, "reminders")
    day = as_of or local_date(uow.now())
    preview = select_due_reminders(uow, day, level=level, family_ids=list(family_ids))
    if not preview.families:
        return ()
    settings = reminder_settings(uow)
    now = uow.now()
    payers = _payers(uow, [f.family_id for f in preview.families])
    issuers: dict[int, Any] = {}
    institution = institution_name(uow)
    sent: list[SentLetter] = []
    for family in preview.families:
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
            sent_at=now,
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
                )
                for r in family.invoices
            ),
            total_overdue=family.total_overdue,
            billing_name=billing_name,
            billing_address=address,
            language="en" if language is Language.ENGLISH else "fr_CA",
        )
        pdf = render_reminder_letter(document)
        filename = f"{family.family_number}-relance{family.level}-{day:%Y%m%d}.pdf"
        message_id = None
        emailed_to = None
        if payer is not None and payer.email:
            from babel.numbers import format_currency

            from registrar_tui.services.documents.build import GeneratedPdf

            gettext = translations_for(str(language)).gettext
            locale = "en_CA" if language is Language.ENGLISH else "fr_CA"
            message = queue_message(
                uow,
                kind=REMINDER_EMAIL_KIND,
                family_id=family.family_id,
                recipient=payer.email,
                subject=gettext(_SUBJECT).format(
                    level=family.level, family_number=family.family_number
                ),
                body=gettext(_BODY).format(
                    name=billing_name,
                    total=format_currency(family.total_overdue, "CAD", locale=locale),
                    institution=institution,
                ),
                language=language,
                attachment=GeneratedPdf(kind="reminder", filename=filename, pdf=pdf),
            )
            message_id = message.id
            emailed_to = payer.email
        letter = ReminderLetter(
            family_id=family.family_id,
            level=family.level,
            as_of=day,
            sent_at=now,
            sent_by_id=actor_id,
            language=language,
            total_overdue=family.total_overdue,
            filename=filename,
            pdf=pdf,
            outbox_message_id=message_id,
        )
        uow.session.add(letter)
        uow.session.flush()
        assert letter.id is not None
        uow.session.add_all(
            [
                Reminder(
                    family_id=family.family_id,
                    invoice_id=r.invoice_id,
                    level=r.level,
                    sent_at=now,
                    sent_by_id=actor_id,
                    amount_overdue=r.balance,
                    letter_id=letter.id,
                    outbox_message_id=message_id,
                )
                for r in family.invoices
            ]
        )
        record_event(
            uow,
            actor_id,
            SEND_ACTION,
            "family",
            family.family_id,
            {},
            {
                "letter_id": letter.id,
                "level": family.level,
                "as_of": day.isoformat(),
                "invoices": {r.invoice_number: r.level for r in family.invoices},
                "total_overdue": str(family.total_overdue),
                "emailed_to": emailed_to,
            },
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
                filename=filename,
            )
        )
    uow.session.flush()
    return tuple(sent)


def send_reminders(
    db: Database,
    *,
    actor_id: int,
    as_of: date | None = None,
    level: int | None = None,
    chunk: int = CHUNK_FAMILIES,
    documents_dir: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ReminderRun:
    """Send every reminder due on `as_of` (default today): the families of the preview,
    `chunk` families per transaction (`send_family_reminders`); after each commit the
    chunk's letters are saved as PDF files under `documents_dir/reminders/` when a folder
    is given (a file that cannot be saved is reported, the letter stays in the database
    and in its e-mail). `progress(done, total)` is called after each chunk.

    Refuses before writing anything: PermissionDenied, UnknownLevel.
    """
    with db.read() as uow:
        active_staff(uow, actor_id, SUPERVISORS)
        day = as_of or local_date(uow.now())
        preview = select_due_reminders(uow, day, level=level)
    family_ids = [f.family_id for f in preview.families]
    letters: list[SentLetter] = []
    saved: list[Path] = []
    errors: list[str] = []
    if progress is not None:
        progress(0, len(family_ids))
    for start in range(0, len(family_ids), chunk):
        with db.write() as uow:
            done = send_family_reminders(
                uow,
                actor_id=actor_id,
                family_ids=family_ids[start : start + chunk],
                as_of=day,
                level=level,
            )
        letters.extend(done)
        if documents_dir is not None and done:
            paths, failed = save_reminder_letters(db, [d.letter_id for d in done], documents_dir)
            saved.extend(paths)
            errors.extend(failed)
        if progress is not None:
            progress(min(start + chunk, len(family_ids)), len(family_ids))
    return ReminderRun(
        as_of=day, letters=tuple(letters), saved=tuple(saved), save_errors=tuple(errors)
    )


def save_reminder_letters(
    db: Database, letter_ids: Sequence[int], documents_dir: Path
) -> tuple[list[Path], list[str]]:
    """Write the letters' PDFs under `documents_dir/reminders/` (never over a file):
    the paths written, and one line per letter that could not be."""
    from registrar_tui.services.documents.build import GeneratedPdf
    from registrar_tui.services.documents.output import OutputSettings, SaveFailed, save_pdf

    settings = OutputSettings(documents_dir=documents_dir, printer_command=None)
    with db.read() as uow:
        rows = [
            (row.filename, row.pdf)
            for ids in _chunks(list(letter_ids))
            for row in uow.session.exec(
                select(ReminderLetter).where(col(ReminderLetter.id).in_(ids))
            ).all()
        ]
    paths: list[Path] = []
    failed: list[str] = []
    for filename, pdf in rows:
        try:
            paths.append(
                save_pdf(settings, GeneratedPdf(kind="reminder", filename=filename, pdf=pdf))
            )
        except SaveFailed as error:
            failed.append(f"{filename}: {error}")
    return paths, failed
