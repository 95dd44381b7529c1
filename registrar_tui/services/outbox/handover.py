"""Handing a receipt over once its payment is posted: saved, printed if asked, e-mailed.

It runs over a `Database`, not one unit of work (as `outbox.send` does): the PDF is built
in a read, written to disk and maybe printed with no transaction open, then the e-mail is
queued in its own short write, so a SQLite writer never blocks the other counters while a
printer answers. It lives in the outbox room because it uses both documents and the outbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from registrar_tui.db import Database
from registrar_tui.reports.documents import CopyKind
from registrar_tui.services.core.errors import DomainError
from registrar_tui.services.documents.build import receipt_pdf
from registrar_tui.services.documents.output import OutputSettings, print_pdf, save_pdf
from registrar_tui.services.outbox.queue import queue_receipt_email


@dataclass(frozen=True)
class HandedOverReceipt:
    """What became of a posted payment's receipt. The payment stays posted whatever failed:
    the receipt can be reprinted from the family."""

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

    @property
    def problems(self) -> tuple[DomainError, ...]:
        """What went wrong, in the order it happened (saving, printing, e-mailing)."""
        found = (self.save_error, self.print_error, self.email_error)
        return tuple(error for error in found if error is not None)


def hand_over_receipt(
    database: Database, payment_id: int, settings: OutputSettings, *, print_now: bool
) -> HandedOverReceipt:
    """Build the original receipt of a posted payment (in the family's language), save it in
    this terminal's documents folder, print it when `print_now` and the terminal has a
    printer command, and queue it by e-mail to the family's payer.

    Never raises a `DomainError`: a refusal (unknown payment: NotFound; folder not writable:
    SaveFailed; printer: PrintFailed) is returned in the result, each step independent of
    the others except that nothing is saved, printed or e-mailed without a built PDF.
    """
    try:
        with database.read() as uow:
            document = receipt_pdf(uow, payment_id, copy=CopyKind.ORIGINAL, language=None)
    except DomainError as error:
        return HandedOverReceipt(
            path=None, printed=False, print_error=None, emailed_to=None, save_error=error
        )
    path: Path | None = None
    save_error: DomainError | None = None
    try:
        path = save_pdf(settings, document)
    except DomainError as error:
        save_error = error
    printed = False
    print_error: DomainError | None = None
    if print_now and path is not None and settings.printer_command:
        try:
            print_pdf(settings, path)
            printed = True
        except DomainError as error:
            print_error = error
    emailed_to: str | None = None
    email_error: DomainError | None = None
    try:
        with database.write() as uow:
            emailed_to = queue_receipt_email(uow, payment_id, document)
    except DomainError as error:
        email_error = error
    return HandedOverReceipt(
        path=path,
        printed=printed,
        print_error=print_error,
        emailed_to=emailed_to,
        save_error=save_error,
        email_error=email_error,
    )
