"""Where this terminal puts documents: a folder for the PDFs, and an optional printer command.

These are a terminal's choices, read from its environment (the database holds what every
terminal shares):

- `REGISTRAR_DOCUMENTS_DIR`: the folder (default: `documents/` in the user data directory);
  receipts go to `receipts/`, invoices to `invoices/`, attendance certificates to
  `certificates/`, and so on under it, each named by its number.
- `REGISTRAR_PRINTER_COMMAND`: an `lp`-style command the PDF's path is appended to, e.g.
  `lp -d comptoir`; unset means no printer at this terminal.
- `REGISTRAR_RECEIPT_FORMAT`: `letter` (default) or `roll`, the page of the receipts this
  terminal saves and prints (`roll`: 80 mm wide, for a counter's receipt printer). Receipts
  sent by e-mail stay Letter whatever it says. Any other value is refused (at start-up,
  by `registrar-tui doctor`, and by `output_settings`) rather than silently ignored.

Whoever must also receive each document this process saves (the browser of a
`registrar-tui serve-web` session: screens/widgets/pdf_output.py) listens with
`listen_for_saved_documents`: every save goes through `write_pdf_at`, so no screen has to
remember it.

No database and no money here, so screens may call it directly.
"""

from __future__ import annotations

import enum
import errno
import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from registrar_tui.i18n import N_
from registrar_tui.services.core.errors import DomainError

if TYPE_CHECKING:
    from registrar_tui.reports.documents import CopyKind
    from registrar_tui.services.documents.build import GeneratedPdf

ENV_DOCUMENTS_DIR = "REGISTRAR_DOCUMENTS_DIR"
ENV_PRINTER_COMMAND = "REGISTRAR_PRINTER_COMMAND"
ENV_RECEIPT_FORMAT = "REGISTRAR_RECEIPT_FORMAT"
PRINT_TIMEOUT_SECONDS = 10

_FOLDERS = {
    "receipt": "receipts",
    "invoice": "invoices",
    "statement": "statements",
    "certificate": "certificates",
    "day-close": "day-closes",
    "deposit-slip": "deposits",
    "transcript": "transcripts",
    "absence-report": "absence-reports",
    "tax-slips": "tax-slips",
    "tax-slips-summary": "tax-slips",
    "reminder": "reminders",
}


class PrinterNotConfigured(DomainError):
    message = N_("Aucune imprimante n'est configurée pour ce poste (REGISTRAR_PRINTER_COMMAND).")


class PrintFailed(DomainError):
    message = N_("L'impression a échoué : {detail}")


class SaveFailed(DomainError):
    message = N_("Le document n'a pas pu être enregistré : {detail}")


class ReceiptFormat(enum.StrEnum):
    """The page a receipt is saved and printed on at a terminal: a Letter sheet, or an
    80 mm roll (a counter's receipt printer; 72 mm printable, as long as the receipt)."""

    LETTER = "letter"
    ROLL = "roll"


class UnknownReceiptFormat(DomainError):
    message = N_(
        "REGISTRAR_RECEIPT_FORMAT vaut « roll » (rouleau de 80 mm) ou « letter » (page "
        "Lettre), pas « {value} »."
    )


SavedListener = Callable[[Path, bytes], None]
"""Called with the path and the bytes of a PDF just saved, on the thread that saved it."""

_saved_listeners: list[SavedListener] = []


def listen_for_saved_documents(listener: SavedListener) -> Callable[[], None]:
    """Call `listener(path, pdf)` after each PDF this process saves from now on; returns
    the function that stops it. A listener must not raise: the file is saved already."""
    _saved_listeners.append(listener)

    def stop() -> None:
        if listener in _saved_listeners:
            _saved_listeners.remove(listener)

    return stop


def _announce_saved(path: Path, pdf: bytes) -> None:
    for listener in tuple(_saved_listeners):
        listener(path, pdf)


@dataclass(frozen=True)
class OutputSettings:
    documents_dir: Path
    printer_command: str | None
    receipt_format: ReceiptFormat = ReceiptFormat.LETTER
    """The page of the receipts this terminal saves and prints (e-mail is always Letter)."""


def documents_dir() -> Path:
    """This terminal's documents folder (`REGISTRAR_DOCUMENTS_DIR`, else the user's data
    directory)."""
    folder = os.environ.get(ENV_DOCUMENTS_DIR, "").strip()
    if folder:
        return Path(folder).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("registrar-tui", appauthor=False)) / "documents"


def printer_command() -> str | None:
    """This terminal's printer command; None when it has no printer."""
    return os.environ.get(ENV_PRINTER_COMMAND, "").strip() or None


def receipt_format() -> ReceiptFormat:
    """This terminal's receipt page, `REGISTRAR_RECEIPT_FORMAT` (unset or empty: Letter;
    case and spaces ignored). Refuses any other value with UnknownReceiptFormat."""
    value = os.environ.get(ENV_RECEIPT_FORMAT, "").strip()
    if not value:
        return ReceiptFormat.LETTER
    try:
        return ReceiptFormat(value.lower())
    except ValueError:
        raise UnknownReceiptFormat(value=value) from None


def output_settings() -> OutputSettings:
    """This terminal's documents folder, printer command and receipt page, from its
    environment. Refuses an unknown receipt page with UnknownReceiptFormat."""
    return OutputSettings(
        documents_dir=documents_dir(),
        printer_command=printer_command(),
        receipt_format=receipt_format(),
    )


def _free_path(folder: Path, filename: str) -> Path:
    """`filename`, or `stem-2.pdf`, `stem-3.pdf`…: a saved document is never overwritten."""
    path = folder / filename
    stem, suffix = path.stem, path.suffix
    number = 1
    while path.exists():
        number += 1
        path = folder / f"{stem}-{number}{suffix}"
    return path


class NamedDocument(Protocol):
    """What a document's path depends on: its kind (the folder), its name and its copy,
    never its PDF (a `GeneratedPdf`, or a receipt not yet rendered)."""

    @property
    def kind(self) -> str: ...

    @property
    def filename(self) -> str: ...

    @property
    def copy(self) -> CopyKind | None: ...


def document_path(settings: OutputSettings, document: NamedDocument) -> Path:
    """Where `save_pdf` would write `document` now: its folder, its name, not yet taken.

    The original receipt keeps the receipt number as its name; a reprint is named
    `MTL-2026-000123-duplicata.pdf` (`-annule` for a voided one), never over it.
    """
    from registrar_tui.reports.documents import CopyKind

    folder = settings.documents_dir / _FOLDERS.get(document.kind, "documents")
    filename = document.filename
    if document.copy is CopyKind.DUPLICATE:
        filename = filename.removesuffix(".pdf") + "-duplicata.pdf"
    elif document.copy is CopyKind.VOIDED:
        filename = filename.removesuffix(".pdf") + "-annule.pdf"
    return _free_path(folder, filename)


def write_pdf_at(path: Path, document: GeneratedPdf) -> bool:
    """Write the PDF at exactly `path`, whole or not at all; False (nothing written) when a
    file is already there: it is never overwritten. Raises SaveFailed (folder not
    writable, disk full)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".part", delete=False) as handle:
            handle.write(document.pdf)
            handle.flush()
            os.fsync(handle.fileno())
            temporary = Path(handle.name)
        try:
            # link() fails rather than replace a file another terminal just saved.
            os.link(temporary, path)
        except FileExistsError:
            return False
        finally:
            temporary.unlink()
        _sync_folder(path.parent)
    except OSError as error:
        raise SaveFailed(detail=error.strerror or str(error)) from error
    _announce_saved(path, document.pdf)
    return True


def _sync_folder(folder: Path) -> None:
    """Make the new name durable: a power cut must not lose a file the database says is
    written."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def replace_file(path: Path, data: bytes) -> None:
    """Write `data` at `path` whole or not at all, replacing what was there (an export the
    user names: a reader never sees half a file, a crash leaves the old one). Raises
    SaveFailed (folder missing or not writable, disk full)."""
    try:
        with tempfile.NamedTemporaryFile(
            dir=path.parent, prefix=f".{path.name}.", suffix=".part", delete=False
        ) as handle:
            temporary = Path(handle.name)
            try:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            except BaseException:
                handle.close()
                temporary.unlink(missing_ok=True)
                raise
        try:
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        _sync_folder(path.parent)
    except OSError as error:
        raise SaveFailed(detail=error.strerror or str(error)) from error


def save_pdf(settings: OutputSettings, document: GeneratedPdf) -> Path:
    """Write the PDF in its folder under a name not yet taken (`document_path`) and return
    its path; the file appears whole or not at all. Raises SaveFailed (folder not
    writable, disk full, the name taken meanwhile by another terminal).
    """
    path = document_path(settings, document)
    if not write_pdf_at(path, document):
        raise SaveFailed(detail=os.strerror(errno.EEXIST))
    return path


def print_pdf(settings: OutputSettings, path: Path) -> None:
    """Send a saved PDF to this terminal's printer command.

    Raises PrinterNotConfigured when there is none, PrintFailed when the command is missing,
    fails or takes more than 10 seconds.
    """
    if not settings.printer_command:
        raise PrinterNotConfigured()
    try:
        arguments = [*shlex.split(settings.printer_command), str(path)]
        completed = subprocess.run(
            arguments,
            capture_output=True,
            timeout=PRINT_TIMEOUT_SECONDS,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, ValueError) as error:
        raise PrintFailed(detail=str(error)) from error
    except subprocess.TimeoutExpired as error:
        raise PrintFailed(detail=f"> {PRINT_TIMEOUT_SECONDS} s") from error
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise PrintFailed(detail=detail[-1] if detail else f"exit {completed.returncode}")
