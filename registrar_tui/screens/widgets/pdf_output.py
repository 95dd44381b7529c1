"""Save (and print) a PDF built by a documents service, from a screen's thread worker; in a
browser, every document saved also reaches the person as a download."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

    from registrar_tui.screens.widgets.backend import Backend
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.documents.build import GeneratedPdf


@dataclass(frozen=True)
class SavedPdf:
    path: Path
    printed: bool
    print_error: DomainError | None
    """The PDF is saved even when printing failed: this says why it was not printed."""


def save_and_print(
    backend: Backend, build: Callable[..., GeneratedPdf], *args: Any, **kwargs: Any
) -> SavedPdf:
    """Build the document in a read unit of work, save it in this terminal's documents
    folder, and print it when the terminal has a printer command.

    Blocks: call it from a thread worker. Raises the DomainError of the build or the save
    (nothing saved); a printing failure is returned, not raised.
    """
    from registrar_tui.services.core.errors import DomainError
    from registrar_tui.services.documents.output import output_settings, print_pdf, save_pdf

    document = backend.read(build, *args, **kwargs)
    settings = output_settings()
    path = save_pdf(settings, document)
    if not settings.printer_command:
        return SavedPdf(path, printed=False, print_error=None)
    try:
        print_pdf(settings, path)
    except DomainError as error:
        return SavedPdf(path, printed=False, print_error=error)
    return SavedPdf(path, printed=True, print_error=None)


def send_saved_documents_to_browser(
    app: App[Any], signed_in: Callable[[], bool]
) -> Callable[[], None]:
    """Deliver each PDF this process saves from now on (receipt, invoice, statement, day
    close report…: every save goes through `services.documents.output`) to the browser
    of a `registrar-tui serve-web` session, as a download (`App.deliver_binary`); the copy
    in the documents folder stays, as at a terminal. Returns the function that stops it.

    Only while someone is signed in: a receipt a crash left half handed over, completed as
    the app starts (screens/session/pending_receipts.py), is not for whoever opened the page.
    """
    import io

    from registrar_tui.services.documents.output import listen_for_saved_documents

    def deliver(name: str, pdf: bytes) -> None:
        app.deliver_binary(io.BytesIO(pdf), save_filename=name, mime_type="application/pdf")

    def saved(path: Path, pdf: bytes) -> None:
        if signed_in():
            # Saved in a thread worker (or on the UI thread): delivered on the UI thread,
            # without making the worker wait for it.
            app.call_later(deliver, path.name, pdf)

    return listen_for_saved_documents(saved)
