"""Text extraction for the report tests (pypdf), normalised for simple `in` checks."""

from __future__ import annotations

import io

from pypdf import PdfReader


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page; no-break spaces become plain spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return [
        (page.extract_text() or "").replace("\u00a0", " ").replace("\u202f", " ")
        for page in reader.pages
    ]


def text_of(pdf: bytes) -> str:
    """The whole document's text, lines joined with newlines."""
    return "\n".join(page_texts(pdf))


def metadata(pdf: bytes) -> dict[str, str]:
    reader = PdfReader(io.BytesIO(pdf))
    info = reader.metadata or {}
    return {str(key): str(value) for key, value in info.items()}
