"""Shared pieces of every document: fonts, styles, language, page template, header blocks.

Why these choices:
- **Font**: DejaVu Sans (regular and bold), shipped inside this package (`reports/fonts/`,
  with its licence) and embedded as a subset in every document; no other font is used, not
  even Helvetica for the canvas's initial state, so every font of every PDF is embedded.
  It covers Latin Extended (Vietnamese: « Thị Ánh Nguyễn », « Đặng »), Greek and Cyrillic,
  `•` and the no-break spaces. A character no shipped font has prints as « � »
  (`covered`): visibly replaced, never silently dropped (a name that lost letters would
  be a false name). No system font is needed.
- **Language**: a document is rendered in *its own* language (`doc.language`), whatever the
  UI language is, and possibly from a worker thread while the UI translates other strings.
  So renderers never switch the global language: `DocLanguage` loads the catalog of the
  document's language (the same `.po` as the UI: French source strings, English entries)
  and formats money and dates with Babel in that locale.
- **Reproducible bytes**: reportlab's invariant mode (fixed document id, no comments), and
  the PDF creation date taken from the document's own date, so identical input gives
  byte-identical output.
- **User text** goes into a Paragraph only through `esc()` (markup escaped, control and
  bidi characters removed); text drawn straight on the canvas goes through `plain()`.
"""

from __future__ import annotations

import gettext
import io
import re
import threading
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch, mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import (
    FF_NONSYMBOLIC,
    FF_SYMBOLIC,
    SUBSETN,
    TTFont,
    TTFontFace,
    makeToUnicodeCMap,
)
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph
from reportlab.platypus import Table as PlatypusTable

from registrar_tui.i18n import LOCAL_TIMEZONE, N_, translations_for
from registrar_tui.reports.documents import DocumentLanguage, InvoiceState, Issuer, PaymentMethod
from registrar_tui.text import clean_text, pdf_escape

FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"
FONT_FILES = {FONT: "DejaVuSans.ttf", FONT_BOLD: "DejaVuSans-Bold.ttf"}
FONT_FOLDER = Path(__file__).resolve().parent / "fonts"
REPLACEMENT = "\ufffd"
"""What a character no shipped font covers prints as (« � »)."""

INK = colors.HexColor("#1A1A1A")
MUTED = colors.HexColor("#5F6B7A")
ACCENT = colors.HexColor("#1F3A5F")
BAND = colors.HexColor("#E8EDF3")
RULE = colors.HexColor("#C5CDD8")
VOID_RED = colors.HexColor("#B3261E")

PAGE_WIDTH, PAGE_HEIGHT = LETTER
MARGIN_X = 0.7 * inch
MARGIN_TOP = 0.6 * inch
MARGIN_BOTTOM = 0.8 * inch
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
LANDSCAPE_CONTENT_WIDTH = PAGE_HEIGHT - 2 * MARGIN_X
"""The content width of a landscape Letter page (`build_pdf(..., landscape=True)`)."""

_BABEL_LOCALES: dict[str, str] = {"fr_CA": "fr_CA", "en": "en_CA"}
_fonts_lock = threading.Lock()
_fonts_ready = False

METHOD_LABELS: dict[PaymentMethod, str] = {
    PaymentMethod.CASH: N_("Comptant"),
    PaymentMethod.DEBIT: N_("Carte de débit"),
    PaymentMethod.CREDIT_CARD: N_("Carte de crédit"),
    PaymentMethod.CERTIFIED_CHEQUE: N_("Chèque certifié"),
    PaymentMethod.CHEQUE: N_("Chèque"),
    PaymentMethod.ONLINE: N_("En ligne"),
}

STATE_LABELS: dict[InvoiceState, str] = {
    InvoiceState.OPEN: N_("À payer"),
    InvoiceState.PARTIAL: N_("Partielle"),
    InvoiceState.PAID: N_("Payée"),
    InvoiceState.OVERDUE: N_("En retard"),
    InvoiceState.CANCELLED: N_("Annulée"),
}


_covered: frozenset[str] = frozenset()
"""The characters every shipped font has a glyph for."""

_SUBSET_CACHE_SIZE = 256
"""Font subsets kept per process (a few hundred kB): the bulk slips repeat the same ones."""


_subsets: dict[tuple[str, tuple[int, ...]], bytes] = {}
_compressed: dict[bytes, bytes] = {}
_cache_lock = threading.Lock()


class CachedFace(TTFontFace):  # type: ignore[misc]
    """A TrueType face whose subsets are made and compressed once per process.

    reportlab rebuilds and recompresses a font's subset for every document; documents of
    the same kind use the same characters in the same order (the slips seed them), so the
    subset's bytes and their Flate stream are kept, keyed by the subset. The PDF bytes are
    exactly what reportlab would write (same content, same zlib call, same dictionary).
    (A compressed document, as every one is, takes its subsets' objects whole from
    `CachedFont.addObjects`; `addSubsetObjects` serves an uncompressed one.)
    """

    def makeSubset(self, subset: Sequence[int]) -> bytes:
        key = (str(self.filename), tuple(subset))
        with _cache_lock:
            # Building a subset moves the face's file cursor, shared by the threads that
            # render documents (receipts): one at a time.
            data = _subsets.get(key)
            if data is None:
                data = super().makeSubset(subset)
                if len(_subsets) >= _SUBSET_CACHE_SIZE:
                    _subsets.clear()
                    _compressed.clear()
                _subsets[key] = data
        return data

    def addSubsetObjects(self, doc: Any, fontname: str, subset: Sequence[int]) -> Any:
        reference = super().addSubsetObjects(doc, fontname, subset)
        # The subset's font file, and its ToUnicode map (TTFont.addObjects registered it
        # just before calling this, under the same subset name).
        for name in (f"fontFile:{self.filename}({fontname})", f"toUnicodeCMap:{fontname}"):
            stream = doc.idToObject.get(name)
            if stream is None or stream.filters != [pdfdoc.PDFZCompress]:
                continue
            raw = stream.content
            if isinstance(raw, str):
                raw = raw.encode("utf8")  # what PDFZCompress.encode does first
            compressed = _compressed.get(raw)
            if compressed is None:
                compressed = pdfdoc.PDFZCompress.encode(raw)
                with _cache_lock:
                    _compressed[raw] = compressed
            # Already filtered: PDFStream.format applies no filter when "Filter" is set.
            stream.content = compressed
            stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
        return reference


_REFERENCE = re.compile(rb"\x00ref(\d)\x00")
"""Where a prepared object's bytes take a reference to another object of its document."""


def _reference_mark(index: int) -> bytes:
    return b"\x00ref%d\x00" % index  # formatted as is: pdfdoc.format writes bytes unchanged


class _Prepared(pdfdoc.PDFObject):  # type: ignore[misc]
    """A PDF object whose bytes were made once: only its references (object numbers, which
    depend on the document) are written for each document."""

    __RefOnly__ = 1  # like reportlab's font object: referenced, never written inline

    def __init__(self, template: tuple[bytes | int, ...], references: Sequence[Any]) -> None:
        self.template = template
        self.references = references

    def format(self, document: Any) -> bytes:
        return b"".join(
            self.references[part].format(document) if isinstance(part, int) else part
            for part in self.template
        )


def _template(formatted: bytes) -> tuple[bytes | int, ...]:
    pieces = _REFERENCE.split(formatted)
    return tuple(int(piece) if index % 2 else piece for index, piece in enumerate(pieces))


class _SubsetObjects:
    """What a font subset writes in every document, made once: its font dictionary and
    descriptor (as bytes around their references), its ToUnicode map and font file (their
    Flate streams)."""

    def __init__(self, font: TTFont, number: int, subset: Sequence[int], internal_name: str):
        face = font.face
        self.base_name = (b"".join((SUBSETN(number), b"+", face.name, face.subfontNameX))).decode(
            "pdfdoc"
        )
        self.to_unicode = pdfdoc.PDFZCompress.encode(makeToUnicodeCMap(self.base_name, subset))
        font_file = face.makeSubset(subset)
        self.font_file_length = len(font_file)
        self.font_file = pdfdoc.PDFZCompress.encode(font_file)
        # The descriptor and the font dictionary as reportlab makes them (TTFontFace.
        # addSubsetObjects, TTFont.addObjects), a mark where each reference goes.
        flags = (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC
        descriptor = pdfdoc.PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": face.ascent,
                "CapHeight": face.capHeight,
                "Descent": face.descent,
                "Flags": flags,
                "FontBBox": pdfdoc.PDFArray(face.bbox),
                "FontName": pdfdoc.PDFName(self.base_name),
                "ItalicAngle": face.italicAngle,
                "StemV": face.stemV,
                "FontFile2": _reference_mark(0),
                "MissingWidth": face.defaultWidth,
            }
        )
        self.descriptor = _template(descriptor.format(None))
        pdf_font = pdfdoc.PDFTrueTypeFont()
        pdf_font.Name = internal_name
        pdf_font.BaseFont = self.base_name
        pdf_font.FirstChar = 0
        pdf_font.LastChar = len(subset) - 1
        pdf_font.Widths = pdfdoc.PDFArray(list(map(face.getCharWidth, subset)))
        pdf_font.ToUnicode = _reference_mark(0)
        pdf_font.FontDescriptor = _reference_mark(1)
        self.font = _template(pdf_font.format(None))
        self.comment = f"Font {font.fontName} subset {number}"


_subset_objects: dict[tuple[str, int, tuple[int, ...], str], _SubsetObjects] = {}


def _flate_stream(content: bytes, **entries: Any) -> Any:
    """A stream whose content is already compressed (reportlab applies no filter then)."""
    stream = pdfdoc.PDFStream(content=content)
    stream.dictionary.dict.update(entries)
    stream.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
    return stream


class CachedFont(TTFont):  # type: ignore[misc]
    """A TrueType font whose per-document work is done once per process where the result
    is the same every time: the PDF objects of each subset (widths, descriptor, ToUnicode
    map, font file: the forms seed their subsets, so they repeat), and the splitting of a
    text whose characters all have their codes already. The bytes are reportlab's."""

    def splitString(self, text: str | bytes, doc: Any, encoding: str = "utf-8") -> Any:
        state = self.state.get(doc)
        if state is not None and isinstance(text, str):
            # Every character already has its code in the first subset: one run (reportlab
            # maps a no-break space to the space; a new or uncovered character, or a code
            # of a later subset, goes its way: KeyError, or ValueError past 255).
            codes_of = state.assignments.__getitem__
            try:
                codes = bytes(map(codes_of, map(ord, text.replace("\xa0", " "))))
            except (KeyError, ValueError):
                pass
            else:
                return [(0, codes)] if codes else []
        return super().splitString(text, doc, encoding)

    def addObjects(self, doc: Any) -> None:
        if not doc.compression:
            super().addObjects(doc)
            return
        state = self.state.get(doc)
        if state is None:
            state = self.state[doc] = TTFont.State(self._asciiReadable)
        state.frozen = 1
        filename = str(self.face.filename)
        fonts = doc.idToObject["BasicFonts"].dict
        for number, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(number, doc)[1:]
            key = (filename, number, tuple(subset), internal_name)
            made = _subset_objects.get(key)
            if made is None:
                made = _SubsetObjects(self, number, subset, internal_name)
                with _cache_lock:
                    if len(_subset_objects) >= _SUBSET_CACHE_SIZE:
                        _subset_objects.clear()
                    _subset_objects[key] = made
            # Registered in reportlab's order: the object numbers are the same.
            to_unicode = doc.Reference(
                _flate_stream(made.to_unicode), "toUnicodeCMap:" + made.base_name
            )
            font_file = doc.Reference(
                _flate_stream(made.font_file, Length1=made.font_file_length),
                f"fontFile:{self.face.filename}({made.base_name})",
            )
            descriptor = doc.Reference(
                _Prepared(made.descriptor, (font_file,)), "fontDescriptor:" + made.base_name
            )
            pdf_font = _Prepared(made.font, (to_unicode, descriptor))
            pdf_font.__Comment__ = made.comment
            doc.Reference(pdf_font, internal_name)
            fonts[internal_name] = pdf_font
        del self.state[doc]


def ensure_fonts() -> None:
    """Register the DejaVu Sans family once per process (thread-safe).

    Italic maps to the upright faces: no oblique is shipped, and a `<i>` must never fall
    back to a PDF base font (Helvetica-Oblique), which would not be embedded.
    """
    global _fonts_ready, _covered
    if _fonts_ready:
        return
    with _fonts_lock:
        if _fonts_ready:
            return
        coverage: frozenset[str] | None = None
        for name, filename in FONT_FILES.items():
            font = CachedFont(name, str(FONT_FOLDER / filename))
            font.face.__class__ = CachedFace  # same object, subsets cached (see CachedFace)
            pdfmetrics.registerFont(font)
            glyphs = frozenset(chr(code) for code, glyph in font.face.charToGlyph.items() if glyph)
            coverage = glyphs if coverage is None else coverage & glyphs
        pdfmetrics.registerFontFamily(
            FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD
        )
        _covered = coverage or frozenset()
        _fonts_ready = True


def covered(text: str) -> str:
    """`text` (composed, NFC) with every character the fonts lack replaced by « � »."""
    ensure_fonts()
    text = unicodedata.normalize("NFC", text)
    if _covered.issuperset(text):
        return text
    return "".join(char if char in _covered or char in "\n\t" else REPLACEMENT for char in text)


_TEXT_CACHE_SIZE = 4096
"""Texts kept made safe (esc, plain) per process: labels, the issuer's lines, names and
amounts repeat from one document to the next."""


@lru_cache(maxsize=_TEXT_CACHE_SIZE)
def esc(value: str | None) -> str:
    """User text made safe for a Paragraph: prints literally, without control characters,
    each character the fonts lack shown as « � »."""
    return pdf_escape(covered(clean_text(value or "")))


@lru_cache(maxsize=_TEXT_CACHE_SIZE)
def plain(value: str | None) -> str:
    """User text for the canvas (no markup there): control characters removed, characters
    the fonts lack shown as « � »."""
    return covered(clean_text(value or ""))


@lru_cache(maxsize=4)
def _catalog(language: str) -> gettext.NullTranslations:
    """The UI's catalog, loaded for this language without touching the global one."""
    return translations_for(language)


class DocLanguage:
    """Translation and Babel formatting in one document's language."""

    def __init__(self, language: DocumentLanguage) -> None:
        self.language: str = language if language in _BABEL_LOCALES else "fr_CA"
        self.locale = _BABEL_LOCALES[self.language]
        self.gettext: Callable[[str], str] = _catalog(self.language).gettext
        self._zone = ZoneInfo(LOCAL_TIMEZONE)

    def money(self, amount: Decimal) -> str:
        """`1 275,00 $` / `$1,275.00`."""
        key = ("money", self.locale, str(amount))  # the digits and exponent: what is printed
        text = _formatted.get(key)
        if text is None:
            from babel.numbers import format_currency

            text = _no_narrow_space(format_currency(amount, "CAD", locale=self.locale))
            _remember(key, text)
        return text

    def date_text(self, value: date, fmt: str = "long") -> str:
        """`23 novembre 2026` / `November 23, 2026` (fmt='short': `2026-11-23`)."""
        key = ("date", self.locale, fmt, value)
        text = _formatted.get(key)
        if text is None:
            from babel.dates import format_date

            text = _no_narrow_space(format_date(value, fmt, locale=self.locale))
            _remember(key, text)
        return text

    def local(self, value: datetime) -> datetime:
        """A stored instant (naive UTC) in the school's local time."""
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(self._zone)

    def time_text(self, value: time) -> str:
        """`14 h 30` / `2:30 p.m.`, its spaces no-break: a time is never cut over two lines
        (the 72 mm column of a roll receipt would print « 23 h » and « 40 » apart)."""
        key = ("time", self.locale, value)
        text = _formatted.get(key)
        if text is None:
            from babel.dates import format_time

            text = _no_narrow_space(format_time(value, "short", locale=self.locale))
            text = text.replace(" ", "\u00a0")
            _remember(key, text)
        return text

    def datetime_text(self, value: datetime) -> str:
        """`23 novembre 2026 à 14 h 30` / `November 23, 2026 at 2:30 p.m.` (local time)."""
        local = self.local(value)
        return self.gettext("{date} à {time}").format(
            date=self.date_text(local.date()),
            time=self.time_text(local.time().replace(tzinfo=None)),
        )

    def short_datetime(self, value: datetime) -> str:
        """`2026-11-23 14 h 30` / `2026-11-23 2:30 p.m.` for table cells."""
        local = self.local(value)
        return f"{self.date_text(local.date(), 'short')} {self.time_text(local.time())}"

    def method(self, method: PaymentMethod) -> str:
        return self.gettext(METHOD_LABELS[method])

    def state(self, state: InvoiceState) -> str:
        return self.gettext(STATE_LABELS[state])


_formatted: dict[tuple[Any, ...], str] = {}
"""Amounts, dates and times already formatted, by locale: Babel takes tens of microseconds
for each, and a receipt prints the same few (the same prices, today's date) again."""
_FORMATTED_CACHE_SIZE = 4096


def _remember(key: tuple[Any, ...], text: str) -> None:
    if len(_formatted) >= _FORMATTED_CACHE_SIZE:
        _formatted.clear()  # another thread may add one meanwhile: only the size is loose
    _formatted[key] = text


def _no_narrow_space(text: str) -> str:
    # CLDR uses U+202F (narrow no-break space) in some patterns; the documents keep one kind
    # of no-break space (text extraction and the tests see the same one everywhere).
    return text.replace("\u202f", "\u00a0")


# --------------------------------------------------------------------------- styles


@lru_cache(maxsize=1)
def styles() -> dict[str, ParagraphStyle]:
    """The few paragraph styles every document uses."""
    ensure_fonts()
    base = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK)

    def derive(name: str, **changes: Any) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base, **changes)

    return {
        "body": base,
        "small": derive("small", fontSize=8, leading=10),
        "muted": derive("muted", fontSize=8, leading=10, textColor=MUTED),
        "muted_c": derive(
            "muted_c", fontSize=7.5, leading=10, textColor=MUTED, alignment=TA_CENTER
        ),
        "label": derive("label", fontSize=7.5, leading=9, textColor=MUTED),
        "value": derive("value", fontName=FONT_BOLD, fontSize=9.5, leading=12),
        "amount": derive("amount", fontName=FONT_BOLD, fontSize=15, leading=18, alignment=TA_RIGHT),
        "institution": derive(
            "institution", fontName=FONT_BOLD, fontSize=12.5, leading=15, textColor=ACCENT
        ),
        "title": derive(
            "title",
            fontName=FONT_BOLD,
            fontSize=14,
            leading=17,
            alignment=TA_RIGHT,
            textColor=ACCENT,
        ),
        "title_sub": derive("title_sub", fontSize=9, leading=12, alignment=TA_RIGHT),
        "h2": derive(
            "h2", fontName=FONT_BOLD, fontSize=10.5, leading=13, textColor=ACCENT, spaceBefore=6
        ),
        "cell": derive("cell", fontSize=8.5, leading=10.5),
        "cell_r": derive("cell_r", fontSize=8.5, leading=10.5, alignment=TA_RIGHT),
        "cell_b": derive("cell_b", fontName=FONT_BOLD, fontSize=8.5, leading=10.5),
        "cell_br": derive(
            "cell_br", fontName=FONT_BOLD, fontSize=8.5, leading=10.5, alignment=TA_RIGHT
        ),
        "total_r": derive(
            "total_r", fontName=FONT_BOLD, fontSize=7.5, leading=10.5, alignment=TA_RIGHT
        ),
        "head": derive("head", fontName=FONT_BOLD, fontSize=8, leading=10, textColor=ACCENT),
        "head_r": derive(
            "head_r",
            fontName=FONT_BOLD,
            fontSize=8,
            leading=10,
            textColor=ACCENT,
            alignment=TA_RIGHT,
        ),
        "banner": derive(
            "banner", fontName=FONT_BOLD, fontSize=18, leading=22, alignment=TA_CENTER
        ),
        "banner_detail": derive("banner_detail", fontSize=9, leading=12, alignment=TA_CENTER),
        "keep": derive("keep", fontName=FONT_BOLD, fontSize=10, leading=13, alignment=TA_CENTER),
    }


class Table(PlatypusTable):  # type: ignore[misc]
    """reportlab's table, its cells set in our font: a cell's default font is Helvetica,
    which the canvas would name on the page (unembedded) even under a Paragraph."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ensure_fonts()
        self.setStyle([("FONTNAME", (0, 0), (-1, -1), FONT)])


class LongTable(Table):
    """A table of hundreds of pages (the receivables ageing of every family): reportlab's
    long-table row layout, so splitting it over pages is not quadratic in its rows."""

    _longTableOptimize = 1


def p(markup: str, style: str = "body") -> Paragraph:
    """A paragraph of *already escaped* markup (labels are ours; user text went through esc)."""
    return Paragraph(markup, styles()[style])


# --------------------------------------------------------------------------- page template


_NAME_SEPARATORS = " —–-,:·"
FOOTER_SIZE = 7.5
FOOTER_LEADING = 9


def site_name(issuer: Issuer) -> str:
    """The establishment's name without the institution's, which the page prints once
    above it: « Conservatoire X — Montréal » under « Conservatoire X » is « Montréal »
    ("" when both are the same name)."""
    name = " ".join(issuer.establishment_name.split())
    institution = " ".join(issuer.institution_name.split())
    if institution and name.casefold().startswith(institution.casefold()):
        return name[len(institution) :].strip(_NAME_SEPARATORS)
    return name


def footer_lines(
    issuer: Issuer, lang: DocLanguage, first_width: float, width: float = CONTENT_WIDTH
) -> list[str]:
    """The page footer (establishment, address, phone), whole, on as many lines as it
    needs: the first one `first_width` wide (the page number sits beside it), the next
    ones the whole width. Never cut: the phone number is what a family looks for."""
    parts = [
        plain(site_name(issuer) or issuer.institution_name),
        plain(f"{issuer.address_line}, {issuer.city}"),
        plain(lang.gettext("Tél. : {phone}").format(phone=issuer.phone)),
    ]
    lines: list[str] = []
    current = ""
    for part in (" ".join(part.split()) for part in parts if part.strip()):
        line_width = first_width if not lines else width
        candidate = f"{current} · {part}" if current else part
        if stringWidth(candidate, FONT, FOOTER_SIZE) <= line_width:
            current = candidate
            continue
        if current:
            lines.append(current)
            line_width = width
        # A part too long for a line of its own is wrapped at its spaces.
        pieces = simpleSplit(part, FONT, FOOTER_SIZE, line_width)
        lines.extend(pieces[:-1])
        current = pieces[-1] if pieces else ""
    if current:
        lines.append(current)
    return lines


def clip(text: str, font: str, size: float, width: float) -> str:
    """Shorten one line of canvas text with an ellipsis so it fits `width` points."""
    text = " ".join(text.split())
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def pdf_date(value: datetime) -> str:
    """A PDF date (`D:YYYYMMDDhhmmss+00'00'`, in UTC) for the document's own date."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.strftime("D:%Y%m%d%H%M%S+00'00'")


def canvas_class(page_label: str, created: str, page_width: float = PAGE_WIDTH) -> type[Canvas]:
    """A canvas that numbers pages "Page 2 of 5" (drawn once the page count is known)."""

    class DocumentCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # Not Helvetica, reportlab's default: every page would name it, unembedded.
            kwargs["initialFontName"] = FONT  # the doc template passes None: Helvetica
            super().__init__(*args, **kwargs)
            self.setDateFormatter(lambda *_parts: created)
            self._page_states: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._page_states.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._page_states)
            for number, state in enumerate(self._page_states, start=1):
                self.__dict__.update(state)
                self.setFont(FONT, 7.5)
                self.setFillColor(MUTED)
                self.drawRightString(
                    page_width - MARGIN_X,
                    MARGIN_BOTTOM - 0.42 * inch,
                    page_label.format(page=number, total=total),
                )
                Canvas.showPage(self)
            Canvas.save(self)

    return DocumentCanvas


def build_pdf(
    story: Sequence[Flowable],
    lang: DocLanguage,
    *,
    title: str,
    subject: str,
    issuer: Issuer,
    created_at: datetime,
    running_header: str = "",
    watermark: str = "",
    landscape: bool = False,
) -> bytes:
    """Lay the story out on Letter pages with the footer, and return the PDF bytes.

    `title`, `subject` and `running_header` are plain text (they are drawn, not parsed);
    `running_header` repeats at the top of every page after the first; `watermark` (a label
    of ours, e.g. ANNULÉ) is printed faintly across every page; `landscape` turns the
    Letter page (content `LANDSCAPE_CONTENT_WIDTH` wide) for a wide table.
    """
    page_width, page_height = (PAGE_HEIGHT, PAGE_WIDTH) if landscape else (PAGE_WIDTH, PAGE_HEIGHT)
    content_width = page_width - 2 * MARGIN_X
    ensure_fonts()
    _ = lang.gettext
    buffer = io.BytesIO()
    page_label = _("Page {page} de {total}")
    room = content_width - stringWidth(page_label.format(page=999, total=999), FONT, 7.5) - 12
    footer = footer_lines(issuer, lang, room, content_width)
    header = plain(running_header)

    def decorate(canvas: Canvas, _doc: Any, *, first: bool) -> None:
        canvas.saveState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        y = MARGIN_BOTTOM - 0.28 * inch
        canvas.line(MARGIN_X, y, page_width - MARGIN_X, y)
        canvas.setFont(FONT, FOOTER_SIZE)
        canvas.setFillColor(MUTED)
        for index, line in enumerate(footer):
            canvas.drawString(MARGIN_X, MARGIN_BOTTOM - 0.42 * inch - index * FOOTER_LEADING, line)
        if not first and header:
            top = page_height - MARGIN_TOP + 0.18 * inch
            canvas.setFont(FONT_BOLD, 8)
            canvas.setFillColor(ACCENT)
            canvas.drawString(MARGIN_X, top, clip(header, FONT_BOLD, 8, content_width))
            canvas.line(MARGIN_X, top - 5, page_width - MARGIN_X, top - 5)
        if watermark:
            canvas.setFillColor(VOID_RED, alpha=0.12)
            canvas.setFont(FONT_BOLD, 96)
            canvas.translate(page_width / 2, page_height / 2 - 150)
            canvas.rotate(35)
            canvas.drawCentredString(0, 0, watermark)
        canvas.restoreState()

    frame = Frame(
        MARGIN_X,
        MARGIN_BOTTOM,
        content_width,
        page_height - MARGIN_TOP - MARGIN_BOTTOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="body",
    )
    template = BaseDocTemplate(
        buffer,
        pagesize=(page_width, page_height),
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=plain(title),
        author=plain(issuer.institution_name),
        subject=plain(subject),
        creator="registrar-tui",
        producer="registrar-tui (ReportLab)",
        invariant=1,
        lang="fr-CA" if lang.language == "fr_CA" else "en-CA",
        pageTemplates=[
            PageTemplate(
                id="first",
                frames=[frame],
                onPage=lambda c, d: decorate(c, d, first=True),
                autoNextPageTemplate="later",
            ),
            PageTemplate(
                id="later",
                frames=[frame],
                onPage=lambda c, d: decorate(c, d, first=False),
            ),
        ],
    )
    template.build(
        list(story),
        canvasmaker=canvas_class(page_label, pdf_date(created_at), page_width),
    )
    return buffer.getvalue()


# --------------------------------------------------------------------------- roll page

ROLL_PAGE_WIDTH = 80 * mm
"""An 80 mm receipt roll; its printers print 72 mm of it."""
ROLL_MARGIN_X = 4 * mm
ROLL_CONTENT_WIDTH = ROLL_PAGE_WIDTH - 2 * ROLL_MARGIN_X  # 72 mm
ROLL_MARGIN_Y = 5 * mm
_ROLL_SLACK = 2.0
"""Points added to the measured height: the frame must never push the last flowable onto
a second page over a rounding difference."""


def _roll_canvas_class(created: str) -> type[Canvas]:
    class RollCanvas(Canvas):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["initialFontName"] = FONT  # not Helvetica (see DocumentCanvas)
            super().__init__(*args, **kwargs)
            self.setDateFormatter(lambda *_parts: created)

    return RollCanvas


def roll_height(story: Sequence[Flowable], width: float = ROLL_CONTENT_WIDTH) -> float:
    """The height the story takes in a column `width` wide, spaces before and after
    included: what a roll page must hold, so that it is one page however long."""
    total = 0.0
    for flowable in story:
        _width, height = flowable.wrap(width, 1e6)
        total += height + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def build_roll_pdf(
    story: Sequence[Flowable],
    lang: DocLanguage,
    *,
    title: str,
    subject: str,
    issuer: Issuer,
    created_at: datetime,
) -> bytes:
    """Lay the story out on one page of an 80 mm roll, as long as the story (measured
    first), and return the PDF bytes: a receipt printer cuts after the content, never in
    the middle of it. No footer nor page number: the story carries the establishment.
    Same fonts and invariant mode as `build_pdf`."""
    ensure_fonts()
    flowables = list(story)
    height = roll_height(flowables) + 2 * ROLL_MARGIN_Y + _ROLL_SLACK
    buffer = io.BytesIO()
    frame = Frame(
        ROLL_MARGIN_X,
        ROLL_MARGIN_Y,
        ROLL_CONTENT_WIDTH,
        height - 2 * ROLL_MARGIN_Y,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
        id="roll",
    )
    template = BaseDocTemplate(
        buffer,
        pagesize=(ROLL_PAGE_WIDTH, height),
        leftMargin=ROLL_MARGIN_X,
        rightMargin=ROLL_MARGIN_X,
        topMargin=ROLL_MARGIN_Y,
        bottomMargin=ROLL_MARGIN_Y,
        title=plain(title),
        author=plain(issuer.institution_name),
        subject=plain(subject),
        creator="registrar-tui",
        producer="registrar-tui (ReportLab)",
        invariant=1,
        lang="fr-CA" if lang.language == "fr_CA" else "en-CA",
        pageTemplates=[PageTemplate(id="roll", frames=[frame])],
    )
    template.build(flowables, canvasmaker=_roll_canvas_class(pdf_date(created_at)))
    return buffer.getvalue()
