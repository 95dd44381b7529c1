"""A fixed form drawn straight on the canvas: the reminder letter, the student's tax slips
and the Letter receipt (no Platypus layout, which was nine tenths of a document's time).

`CanvasForm` opens the canvas (numbered pages, the document's own date, the fonts'
codes seeded), draws each page's footer and, from the second page on, a running header;
it keeps the running height `y` and draws the issuer's header block. The renderers add
their own parts (boxes, tables) in a subclass. Text wraps at spaces (`wrap_lines`; the
receipt's `wrap_words` as a Paragraph wraps, no-break spaces kept); a piece that has no
more room ends with « … ». All user text goes through `plain()` before
it reaches here.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from reportlab.lib.rl_accel import escapePDF, fp_str
from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth

from registrar_tui.reports.common import (
    ACCENT,
    BAND,
    CONTENT_WIDTH,
    FONT,
    FONT_BOLD,
    FOOTER_LEADING,
    FOOTER_SIZE,
    INK,
    MARGIN_BOTTOM,
    MARGIN_TOP,
    MARGIN_X,
    MUTED,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    RULE,
    VOID_RED,
    DocLanguage,
    canvas_class,
    clip,
    ensure_fonts,
    footer_lines,
    pdf_date,
    plain,
    site_name,
)
from registrar_tui.reports.documents import Issuer

SEED = (
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
    "abcdefghijklmnopqrstuvwxyz{|}~\u00a0«°·»ÀÂÇÈÉÊËÎÏÔÙÛÜàâçèéêëîïôöùûüÿŒœ–—’…"
)
"""Characters given their codes first in every form, in this order: the fonts' subsets
are then the same from one document to the next (made and compressed once per process,
see reports/common.py `CachedFace`) unless a name brings other letters."""

HEADER_LEFT = CONTENT_WIDTH * 0.54
"""The issuer's column of the header block."""
HEADER_RIGHT = CONTENT_WIDTH * 0.46
"""The title's and facts' column of the header block."""
CELL_PAD_X = 3.5
"""A table cell's text from the cell's sides."""


_BREAKABLE = re.compile(r"[ \t\r\n]+")
"""Where a paragraph may break a line: spaces, never a no-break space (« 14 h 30 »)."""


@lru_cache(maxsize=8192)
def text_width(text: str, font: str, size: float) -> float:
    """`stringWidth`, kept: the forms measure the same labels and words in every document."""
    width: float = stringWidth(text, font, size)
    return width


def line_operators(canvas: Any, x: float, y: float, text: str, font_name: str, size: float) -> str:
    """The operators `canvas.drawString(x, y, text)` writes for one line in a TrueType font
    set by `setFont(font_name, size)` (leading 1.2 × size; no shaping, no bidi): the same
    string, without a text object per line."""
    font = pdfmetrics.getFont(font_name)
    doc = canvas._doc
    operators: list[str] = []
    current = -1
    for subset, chunk in font.splitString(text, doc):
        if subset != current:
            operators.append(
                f"{font.getSubsetInternalName(subset, doc)} {fp_str(size)} Tf"
                f" {fp_str(size * 1.2)} TL"
            )
            current = subset
        operators.append(f"({escapePDF(chunk)}) Tj")
    return f"BT 1 0 0 1 {fp_str(x, y)} Tm {' '.join(operators)} T* ET"


def fit(text: str, font: str, size: float, width: float) -> str:
    """One line of canvas text, shortened with « … » if it is wider than `width`; unlike
    `clip`, its no-break spaces stay."""
    if text_width(text, font, size) <= width:
        return text
    while text and text_width(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def wrap_words(text: str, font: str, size: float, width: float, most: int) -> list[str]:
    """`text` (plain) wrapped as a Paragraph wraps it: at spaces only (a no-break space
    holds), a line's spaces shrinking by 5 % if that makes the next word fit, a word wider
    than `width` cut to fill the line it starts on; at most `most` lines, the last one
    shortened with « … » when more did not fit."""
    space = text_width(" ", font, size)
    lines: list[str] = []
    line: list[str] = []
    used = -space  # the first word has no space before it
    for word in _BREAKABLE.split(text):
        if not word:
            continue
        word_width = text_width(word, font, size)
        if used + space + word_width <= width + 0.05 * space * len(line):
            line.append(word)
            used += space + word_width
            continue
        if word_width > width:  # a long word (a number, a hyphenated name) cut
            room = width - used - space
            piece = ""
            for char in word:
                char_width = text_width(char, font, size)
                if char_width > room and (piece or line):
                    if piece:
                        line.append(piece)
                    lines.append(" ".join(line))
                    line, piece, room = [], "", width
                piece += char
                room -= char_width
            line.append(piece)
            used = width - room
            continue
        lines.append(" ".join(line))
        line, used = [word], word_width
    lines.append(" ".join(line))
    if len(lines) > most:
        lines = [*lines[: most - 1], fit(" ".join(lines[most - 1 :]), font, size, width)]
    return lines


def wrap_lines(text: str, font: str, size: float, width: float, most: int) -> list[str]:
    """`text` (plain) wrapped to `width` on at most `most` lines, the last one clipped."""
    text = " ".join(text.split())
    if not text:
        return [""]
    lines = simpleSplit(text, font, size, width) or [""]
    if len(lines) > most:
        lines = [*lines[: most - 1], clip(" ".join(lines[most - 1 :]), font, size, width)]
    return [clip(line, font, size, width) for line in lines]


class CanvasForm:
    """The canvas and the running height: what is left of the page below `y`.

    `page_label` is « Page {page} de {total} » in the document's language; `header` the
    running header atop the next pages (plain), over a rule of `header_rule`'s colour;
    `author`, `title` and `subject` the PDF's metadata (plain); `watermark` (a label of
    ours, e.g. ANNULÉ) is printed faintly across every page, under the content."""

    def __init__(
        self,
        buffer: io.BytesIO,
        *,
        issuer: Issuer,
        lang: DocLanguage,
        page_label: str,
        created_at: datetime,
        title: str,
        subject: str,
        header: str,
        header_rule: Any = ACCENT,
        watermark: str = "",
    ):
        ensure_fonts()
        canvas = canvas_class(page_label, pdf_date(created_at))(
            buffer,
            pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
            invariant=1,
            lang="fr-CA" if lang.language == "fr_CA" else "en-CA",
        )
        for font_name in (FONT, FONT_BOLD):
            pdfmetrics.getFont(font_name).splitString(SEED, canvas._doc)
        canvas.setAuthor(plain(issuer.institution_name))
        canvas.setTitle(title)
        canvas.setSubject(subject)
        canvas.setCreator("registrar-tui")
        canvas.setProducer("registrar-tui (ReportLab)")
        room = CONTENT_WIDTH - stringWidth(page_label.format(page=999, total=999), FONT, 7.5) - 12
        self.canvas = canvas
        self.lang = lang
        self.footer = footer_lines(issuer, lang, room, CONTENT_WIDTH)
        self.header = header
        self.header_rule = header_rule
        self.watermark = watermark
        self.first = True
        self.y: float = PAGE_HEIGHT - MARGIN_TOP
        self._decorate()

    def finish(self) -> None:
        """The last page shown, the pages numbered, the PDF written to the buffer."""
        self.canvas.showPage()
        self.canvas.save()

    def _decorate(self) -> None:
        canvas = self.canvas
        self.rule(MARGIN_BOTTOM - 0.28 * inch, RULE, 0.5)
        canvas.setFont(FONT, FOOTER_SIZE)
        canvas.setFillColor(MUTED)
        for index, line in enumerate(self.footer):
            canvas.drawString(MARGIN_X, MARGIN_BOTTOM - 0.42 * inch - index * FOOTER_LEADING, line)
        if not self.first and self.header:
            top = PAGE_HEIGHT - MARGIN_TOP + 0.18 * inch
            canvas.setFont(FONT_BOLD, 8)
            canvas.setFillColor(ACCENT)
            canvas.drawString(MARGIN_X, top, clip(self.header, FONT_BOLD, 8, CONTENT_WIDTH))
            canvas.setStrokeColor(self.header_rule)
            canvas.line(MARGIN_X, top - 5, PAGE_WIDTH - MARGIN_X, top - 5)
        if self.watermark:
            canvas.saveState()
            canvas.setFillColor(VOID_RED, alpha=0.12)
            canvas.setFont(FONT_BOLD, 96)
            canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2 - 150)
            canvas.rotate(35)
            canvas.drawCentredString(0, 0, self.watermark)
            canvas.restoreState()

    def need(self, height: float) -> None:
        """A new page unless `height` points still fit above the bottom margin."""
        if self.y - height < MARGIN_BOTTOM:
            self.new_page()

    def new_page(self) -> None:
        self.canvas.showPage()
        self.first = False
        self.y = PAGE_HEIGHT - MARGIN_TOP
        self._decorate()

    def text(
        self, x: float, y: float, text: str, font: str, size: float, color: Any, right: bool = False
    ) -> None:
        canvas = self.canvas
        canvas.setFont(font, size)
        canvas.setFillColor(color)
        if right:
            x -= text_width(text, font, size)  # as drawRightString
        canvas._code.append(line_operators(canvas, x, y, text, font, size))

    def header_block(
        self,
        issuer: Issuer,
        title: str,
        facts: list[tuple[str, str]],
        *,
        address_lines: int = 1,
    ) -> None:
        """The issuer on the left; the title and the facts (`label value`, see
        `header_fact`) on the right; a rule under both. Each part of the address on one
        line, clipped, or wrapped on up to `address_lines`."""
        _ = self.lang.gettext
        left: list[tuple[str, str, float, float, Any]] = [
            (line, FONT_BOLD, 12.5, 15, ACCENT)
            for line in wrap_lines(plain(issuer.institution_name), FONT_BOLD, 12.5, HEADER_LEFT, 3)
        ]
        site = site_name(issuer)
        if site:
            left += [
                (line, FONT_BOLD, 9.5, 12.5, INK)
                for line in wrap_lines(plain(site), FONT_BOLD, 9.5, HEADER_LEFT, 2)
            ]
        address = [
            issuer.address_line,
            f"{issuer.city} ({issuer.province})  {issuer.postal_code}",
            _("Tél. : {phone}").format(phone=issuer.phone),
        ]
        if issuer.email:
            address.append(issuer.email)
        for part in address:
            lines = (
                [clip(plain(part), FONT, 9.5, HEADER_LEFT)]
                if address_lines == 1
                else wrap_words(plain(part), FONT, 9.5, HEADER_LEFT, address_lines)
            )
            left += [(line, FONT, 9.5, 12.5, INK) for line in lines]
        y = self.y
        for line, font, size, leading, color in left:
            y -= leading
            self.text(MARGIN_X, y + leading - size - 1, line, font, size, color)
        right_x = PAGE_WIDTH - MARGIN_X
        ry = self.y
        for line in wrap_lines(title, FONT_BOLD, 14, HEADER_RIGHT, 2):
            ry -= 17
            self.text(right_x, ry + 17 - 14 - 1, line, FONT_BOLD, 14, ACCENT, right=True)
        for label, value in facts:
            ry = self.header_fact(right_x, ry, label, value)
        self.y = min(y, ry) - 8
        self.rule(self.y, ACCENT, 1.2)

    def header_fact(self, right_x: float, y: float, label: str, value: str) -> float:
        """One fact of the header block ending at `right_x` under `y`: the value (plain,
        on one line, clipped) right-aligned after its label; the height below it."""
        label_width = text_width(label + " ", FONT, 9)
        y -= 12
        line = clip(value, FONT_BOLD, 9, HEADER_RIGHT - label_width)
        self.text(right_x, y + 2, line, FONT_BOLD, 9, INK, right=True)
        width = text_width(line, FONT_BOLD, 9)
        self.text(right_x - width - 2.5, y + 2, label, FONT, 9, INK, right=True)
        return y

    def rule(self, y: float, color: Any, width: float) -> None:
        """A rule across the content's width at `y`."""
        self.canvas.setStrokeColor(color)
        self.canvas.setLineWidth(width)
        self.canvas.line(MARGIN_X, y, PAGE_WIDTH - MARGIN_X, y)

    @staticmethod
    def row_height(cells: list[list[str]], leading: float) -> float:
        """The height of a table row whose cells have these lines."""
        return 3 + 4 + leading * max(len(lines) for lines in cells)

    def table_row(
        self,
        cells: list[list[str]],
        widths: list[float],
        right: tuple[int, ...],
        font: str,
        size: float,
        leading: float,
        color: Any,
        *,
        band: bool = False,
        first_font: str | None = None,
    ) -> float:
        """One table row under `y`: each cell's lines (right-aligned in the columns
        `right`), on a shaded band if `band`, the first column in `first_font` if given.
        The row's top (`y` is then its bottom)."""
        height = self.row_height(cells, leading)
        if band:
            self.canvas.setFillColor(BAND)
            self.canvas.rect(MARGIN_X, self.y - height, CONTENT_WIDTH, height, stroke=0, fill=1)
        x = MARGIN_X
        for index, (lines, width) in enumerate(zip(cells, widths, strict=True)):
            cell_font = first_font if index == 0 and first_font else font
            line_y = self.y - 3
            for line in lines:
                line_y -= leading
                if index in right:
                    right_x = x + width - CELL_PAD_X
                    self.text(right_x, line_y + 2, line, cell_font, size, color, right=True)
                else:
                    self.text(x + CELL_PAD_X, line_y + 2, line, cell_font, size, color)
            x += width
        top = self.y
        self.y -= height
        return top

    def table_head(
        self, cells: list[list[str]], widths: list[float], right: tuple[int, ...], size: float
    ) -> None:
        """A table's header row: bold on a band, a rule under it."""
        self.table_row(cells, widths, right, FONT_BOLD, size, 10, ACCENT, band=True)
        self.rule(self.y, ACCENT, 0.8)
