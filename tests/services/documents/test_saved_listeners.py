"""Every PDF saved in its folder is told to the listeners (the browser's download in
`registrar-tui serve-web`), once, after it is whole on disk; a refused save tells nobody."""

from __future__ import annotations

from pathlib import Path

import pytest

from registrar_tui.services.documents.build import GeneratedPdf
from registrar_tui.services.documents.output import (
    OutputSettings,
    SaveFailed,
    listen_for_saved_documents,
    save_pdf,
)


def test_a_saved_document_is_told_once_and_stopping_stops(tmp_path: Path) -> None:
    settings = OutputSettings(documents_dir=tmp_path, printer_command=None)
    heard: list[tuple[Path, bytes, bool]] = []
    stop = listen_for_saved_documents(lambda path, pdf: heard.append((path, pdf, path.exists())))
    try:
        first = save_pdf(settings, GeneratedPdf("statement", "F0000001.pdf", b"%PDF-1"))
    finally:
        stop()
    save_pdf(settings, GeneratedPdf("statement", "F0000002.pdf", b"%PDF-2"))
    assert heard == [(first, b"%PDF-1", True)]
    assert first == tmp_path / "statements" / "F0000001.pdf"


def test_a_refused_save_tells_nobody(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    settings = OutputSettings(documents_dir=blocked, printer_command=None)
    heard: list[Path] = []
    stop = listen_for_saved_documents(lambda path, pdf: heard.append(path))
    try:
        with pytest.raises(SaveFailed):
            save_pdf(settings, GeneratedPdf("invoice", "FAC1.pdf", b"%PDF"))
    finally:
        stop()
    assert heard == []
