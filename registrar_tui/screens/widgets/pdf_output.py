"""Save (and print) a PDF built by a documents service, from a screen's thread worker."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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
