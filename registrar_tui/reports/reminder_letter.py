"""An overdue reminder letter (lettre de relance): the level's text, the overdue invoices and
the total, addressed to the family's payer."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from reportlab.lib.units import inch
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

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
    DocLanguage,
    _canvas_class,
    _clip,
    _pdf_date,
    ensure_fonts,
    footer_lines,
    plain,
    site_name,
)
from registrar_tui.reports.documents import DocumentLanguage, Issuer

_SEED = (
    " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
    "abcdefghijklmnopqrstuvwxyz{|}~\u00a0«°·»ÀÂÇÈÉÊËÎÏÔÙÛÜàâçèéêëîïôöùûüÿŒœ–—’…"
)
"""Characters given their codes first in every letter, in this order: the fonts' subsets
are then the same from one letter to the next (made and compressed once per process, see
reports/common.py `CachedFace`) unless a name brings other letters."""


@dataclass(frozen=True)
class ReminderLetterRow:
    """One overdue invoice of the letter, or one overdue instalment of the family's payment
    plan (`instalment_sequence` set), with the level this letter is for it."""

    invoice_number: str
    description: str
    due_on: date
    days_overdue: int
    level: int
    balance: Decimal
    student_name: str | None = None
    term_code: str | None = None
    instalment_sequence: int | None = None


@dataclass(frozen=True)
class ReminderLetterDocument:
    issuer: Issuer
    sent_at: datetime
    family_name: str
    family_number: str
    level: int
    text: str
    """The level's text in the letter's language, as the admin wrote it (escaped here)."""
    rows: tuple[ReminderLetterRow, ...]
    total_overdue: Decimal
    billing_name: str | None = None
    billing_address: tuple[str, ...] = ()
    language: DocumentLanguage = "fr_CA"


def render_reminder_letter(doc: ReminderLetterDocument) -> bytes:
    """The letter as PDF bytes (Letter): drawn straight on the canvas, a few milliseconds a
    letter (the batch sends thousands). A long text or a long list of invoices runs over
    pages under a running header, the table's header row repeated."""
    ensure_fonts()
    lang = DocLanguage(doc.language)
    _ = lang.gettext
    on_plan = _on_plan(doc)
    title = _("Avis de retard de paiement")
    level_label = _("Relance {level} de 3").format(level=doc.level)
    family = plain(doc.family_name)
    number = plain(doc.family_number)
    page_label = _("Page {page} de {total}")
    room = CONTENT_WIDTH - stringWidth(page_label.format(page=999, total=999), FONT, 7.5) - 12
    buffer = io.BytesIO()
    canvas = _canvas_class(page_label, _pdf_date(doc.sent_at))(
        buffer,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        invariant=1,
        lang="fr-CA" if lang.language == "fr_CA" else "en-CA",
    )
    for font_name in (FONT, FONT_BOLD):
        pdfmetrics.getFont(font_name).splitString(_SEED, canvas._doc)
    canvas.setAuthor(plain(doc.issuer.institution_name))
    canvas.setTitle(f"{title} — {family}")
    canvas.setSubject(f"{family} ({number}) — {level_label}")
    canvas.setCreator("registrar-tui")
    canvas.setProducer("registrar-tui (ReportLab)")
    page = _LetterPage(
        canvas,
        footer_lines(doc.issuer, lang, room, CONTENT_WIDTH),
        f"{title} — {family} ({number})",
    )
    page.header_block(
        doc.issuer,
        lang,
        title.upper(),
        [
            (_("Date :"), lang.date_text(lang.local(doc.sent_at).date())),
            (_("N° de client :"), number),
            (_("Niveau :"), level_label),
        ],
    )
    page.y -= 10
    page.parties(doc, lang, on_plan)
    page.y -= 14
    for paragraph in doc.text.split("\n"):
        if paragraph.strip():
            page.paragraph(plain(paragraph), FONT, 9.5, 12.5, INK)
    page.y -= 12
    page.need(13 + 3 + 40)  # the heading kept with the table's header and a first row
    page.y -= 6
    heading = _("Échéances en retard") if on_plan else _("Factures en retard")
    page.paragraph(heading, FONT_BOLD, 10.5, 13, ACCENT)
    page.y -= 3
    page.table(_table_header(lang, on_plan), _table_rows(doc, lang))
    page.y -= 14
    page.paragraph(
        _(
            "Pour toute question ou pour convenir d'une entente de paiement, "
            "communiquez avec le secrétariat."
        ),
        FONT,
        8,
        10,
        MUTED,
    )
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _on_plan(doc: ReminderLetterDocument) -> bool:
    """A letter about a payment plan's instalments (a family behind on its plan)."""
    return any(row.instalment_sequence is not None for row in doc.rows)


def _table_header(lang: DocLanguage, on_plan: bool) -> list[str]:
    _ = lang.gettext
    return [
        _("Échéance") if on_plan else _("Facture"),
        _("Description"),
        _("Date d'échéance") if on_plan else _("Échéance"),
        _("Jours"),
        _("Relance"),
        _("Solde"),
    ]


def _table_rows(doc: ReminderLetterDocument, lang: DocLanguage) -> list[_Row]:
    """Each row's cells (plain text; the description's detail on its own line), then the
    total."""
    _ = lang.gettext
    rows: list[_Row] = []
    for row in doc.rows:
        reference = plain(row.invoice_number)
        description = plain(row.description)
        if row.instalment_sequence is not None:
            reference = _("Échéance {sequence}").format(sequence=row.instalment_sequence)
            description = _("Échéancier de paiement")
        detail = " · ".join(plain(part) for part in (row.term_code, row.student_name) if part)
        rows.append(
            _Row(
                (
                    reference,
                    description,
                    lang.date_text(row.due_on, "short"),
                    str(row.days_overdue),
                    str(row.level),
                    lang.money(row.balance),
                ),
                detail,
            )
        )
    rows.append(_Row((_("Total"), "", "", "", "", lang.money(doc.total_overdue)), "", total=True))
    return rows


# --------------------------------------------------------------------------- the canvas
#
# Platypus took nine tenths of a letter's time: the letter is drawn at computed places.
# Text wraps at spaces (simpleSplit); a piece that has no more room ends with « … ». All
# user text went through `plain()` before it reaches here.

_HEADER_LEFT = CONTENT_WIDTH * 0.54
_HEADER_RIGHT = CONTENT_WIDTH * 0.46
_BOX_LEFT = CONTENT_WIDTH * 0.49
_BOX_PAD_X = 7.0
_TABLE_WIDTHS = (0.16, 0.37, 0.13, 0.09, 0.09, 0.16)
_TABLE_RIGHT = (3, 4, 5)
_CELL_PAD_X = 3.5
_CELL_SIZE = 8.5
_CELL_LEADING = 10.5


@dataclass(frozen=True)
class _Row:
    cells: tuple[str, ...]
    detail: str
    """The term and the student, on a line of its own under the description."""
    total: bool = False


def _lines(text: str, font: str, size: float, width: float, most: int) -> list[str]:
    """`text` (plain) wrapped to `width` on at most `most` lines, the last one clipped."""
    text = " ".join(text.split())
    if not text:
        return [""]
    lines = simpleSplit(text, font, size, width) or [""]
    if len(lines) > most:
        lines = [*lines[: most - 1], _clip(" ".join(lines[most - 1 :]), font, size, width)]
    return [_clip(line, font, size, width) for line in lines]


def _after_label(
    text: str, font: str, size: float, first: float, width: float, most: int
) -> list[str]:
    """`text` on at most `most` lines: the first one `first` wide (beside its label), the
    next ones `width` wide, the last one clipped."""
    words = " ".join(text.split()).split(" ")
    line: list[str] = []
    while words and stringWidth(" ".join([*line, words[0]]), font, size) <= first:
        line.append(words.pop(0))
    if not line:  # a first word wider than the room beside the label: cut, go on below
        line.append(_clip(words.pop(0), font, size, first))
    rest = _lines(" ".join(words), font, size, width, most - 1) if words else []
    return [" ".join(line), *rest]


_BoxLine = tuple[str, str, str, float, float, Any]
"""A line of a framed box: label (or ""), text, font, size, leading, colour."""


class _LetterPage:
    """The canvas and the running height: what is left of the page below `y`."""

    def __init__(self, canvas: Canvas, footer: list[str], header: str):
        self.canvas = canvas
        self.footer = footer
        self.header = header
        self.first = True
        self.y: float = PAGE_HEIGHT - MARGIN_TOP
        self._decorate()

    def _decorate(self) -> None:
        canvas = self.canvas
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        rule_y = MARGIN_BOTTOM - 0.28 * inch
        canvas.line(MARGIN_X, rule_y, PAGE_WIDTH - MARGIN_X, rule_y)
        canvas.setFont(FONT, FOOTER_SIZE)
        canvas.setFillColor(MUTED)
        for index, line in enumerate(self.footer):
            canvas.drawString(MARGIN_X, MARGIN_BOTTOM - 0.42 * inch - index * FOOTER_LEADING, line)
        if not self.first:
            top = PAGE_HEIGHT - MARGIN_TOP + 0.18 * inch
            canvas.setFont(FONT_BOLD, 8)
            canvas.setFillColor(ACCENT)
            canvas.drawString(MARGIN_X, top, _clip(self.header, FONT_BOLD, 8, CONTENT_WIDTH))
            canvas.setStrokeColor(ACCENT)
            canvas.line(MARGIN_X, top - 5, PAGE_WIDTH - MARGIN_X, top - 5)

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
            canvas.drawRightString(x, y, text)
        else:
            canvas.drawString(x, y, text)

    def paragraph(self, text: str, font: str, size: float, leading: float, color: Any) -> None:
        """`text` wrapped to the page's width, line by line onto the next page if need be
        (an admin's level text may be long)."""
        for line in simpleSplit(" ".join(text.split()), font, size, CONTENT_WIDTH) or [""]:
            self.need(leading)
            self.y -= leading
            self.text(MARGIN_X, self.y + leading - size, line, font, size, color)

    def header_block(
        self, issuer: Issuer, lang: DocLanguage, title: str, facts: list[tuple[str, str]]
    ) -> None:
        """The issuer on the left; the title and the facts (`label value`) on the right."""
        _ = lang.gettext
        left: list[tuple[str, str, float, float, Any]] = [
            (line, FONT_BOLD, 12.5, 15, ACCENT)
            for line in _lines(plain(issuer.institution_name), FONT_BOLD, 12.5, _HEADER_LEFT, 3)
        ]
        site = site_name(issuer)
        if site:
            left += [
                (line, FONT_BOLD, 9.5, 12.5, INK)
                for line in _lines(plain(site), FONT_BOLD, 9.5, _HEADER_LEFT, 2)
            ]
        address = [
            issuer.address_line,
            f"{issuer.city} ({issuer.province})  {issuer.postal_code}",
            _("Tél. : {phone}").format(phone=issuer.phone),
        ]
        if issuer.email:
            address.append(issuer.email)
        for part in address:
            left.append((_clip(plain(part), FONT, 9.5, _HEADER_LEFT), FONT, 9.5, 12.5, INK))
        y = self.y
        for line, font, size, leading, color in left:
            y -= leading
            self.text(MARGIN_X, y + leading - size - 1, line, font, size, color)
        right_x = PAGE_WIDTH - MARGIN_X
        ry = self.y
        for line in _lines(title, FONT_BOLD, 14, _HEADER_RIGHT, 2):
            ry -= 17
            self.text(right_x, ry + 17 - 14 - 1, line, FONT_BOLD, 14, ACCENT, right=True)
        for label, value in facts:
            label_width = stringWidth(label + " ", FONT, 9)
            ry -= 12
            line = _clip(value, FONT_BOLD, 9, _HEADER_RIGHT - label_width)
            self.text(right_x, ry + 2, line, FONT_BOLD, 9, INK, right=True)
            width = stringWidth(line, FONT_BOLD, 9)
            self.text(right_x - width - 2.5, ry + 2, label, FONT, 9, INK, right=True)
        self.y = min(y, ry) - 8
        self.canvas.setStrokeColor(ACCENT)
        self.canvas.setLineWidth(1.2)
        self.canvas.line(MARGIN_X, self.y, PAGE_WIDTH - MARGIN_X, self.y)

    def parties(self, doc: ReminderLetterDocument, lang: DocLanguage, on_plan: bool) -> None:
        """Two framed boxes: to whom (name, address, file) and the summary (count, amount)."""
        _ = lang.gettext
        widths = (_BOX_LEFT, CONTENT_WIDTH - _BOX_LEFT)
        name = plain(doc.billing_name or doc.family_name)
        file = f"{plain(doc.family_name)} · {plain(doc.family_number)}"
        overdue = _("Échéances en retard :") if on_plan else _("Factures en retard :")
        inner = [width - 2 * _BOX_PAD_X for width in widths]

        def labelled(label: str, value: str, room: float) -> list[_BoxLine]:
            # The value after its label, going on under it (never cut: the file number).
            label_width = stringWidth(label + " ", FONT, 9.5)
            lines = _after_label(value, FONT_BOLD, 9.5, room - label_width, room, 3)
            return [
                (label if index == 0 else "", line, FONT_BOLD, 9.5, 12.5, INK)
                for index, line in enumerate(lines)
            ]

        boxes: list[list[_BoxLine]] = [
            [
                ("", _("Destinataire"), FONT, 7.5, 9, MUTED),
                *(
                    ("", line, FONT_BOLD, 9.5, 12.5, INK)
                    for line in _lines(name, FONT_BOLD, 9.5, inner[0], 2)
                ),
                *(
                    ("", _clip(plain(line), FONT, 9.5, inner[0]), FONT, 9.5, 12.5, INK)
                    for line in doc.billing_address
                ),
                *labelled(_("Dossier :"), file, inner[0]),
            ],
            [
                ("", _("Sommaire"), FONT, 7.5, 9, MUTED),
                *labelled(overdue, str(len(doc.rows)), inner[1]),
                *labelled(_("Montant en retard :"), lang.money(doc.total_overdue), inner[1]),
            ],
        ]
        height = 5 + 7 + max(sum(line[4] for line in box) for box in boxes)
        self.need(height)
        top = self.y
        x = MARGIN_X
        for box, width in zip(boxes, widths, strict=True):
            y = top - 5
            for label, value, font, size, leading, color in box:
                y -= leading
                line_x = x + _BOX_PAD_X
                if label:
                    self.text(line_x, y + leading - size - 1, label, FONT, size, MUTED)
                    line_x += stringWidth(label + " ", FONT, size)
                self.text(line_x, y + leading - size - 1, value, font, size, color)
            self.canvas.setStrokeColor(RULE)
            self.canvas.setLineWidth(0.6)
            self.canvas.rect(x, top - height, width, height, stroke=1, fill=0)
            x += width
        self.y = top - height

    def table(self, header: list[str], rows: list[_Row]) -> None:
        """A header band, one block per row, the total (bold, band); the header again atop
        each next page."""
        widths = [CONTENT_WIDTH * share for share in _TABLE_WIDTHS]
        canvas = self.canvas

        def draw(
            cells: list[list[str]], font: str, size: float, leading: float, color: Any, band: bool
        ) -> None:
            height = 3 + 4 + leading * max(len(lines) for lines in cells)
            if band:
                canvas.setFillColor(BAND)
                canvas.rect(MARGIN_X, self.y - height, CONTENT_WIDTH, height, stroke=0, fill=1)
            x = MARGIN_X
            for index, (lines, width) in enumerate(zip(cells, widths, strict=True)):
                line_y = self.y - 3
                for line in lines:
                    line_y -= leading
                    cell_font = FONT_BOLD if index == 0 else font
                    if index in _TABLE_RIGHT:
                        right_x = x + width - _CELL_PAD_X
                        self.text(right_x, line_y + 2, line, cell_font, size, color, right=True)
                    else:
                        self.text(x + _CELL_PAD_X, line_y + 2, line, cell_font, size, color)
                x += width
            self.y -= height

        # The header's words are never cut: the row gets smaller if one is too wide
        # (« Reminder » in its narrow column).
        head_size = min(
            8.0,
            *(
                8.0 * (width - 2 * _CELL_PAD_X) / stringWidth(word, FONT_BOLD, 8)
                for text, width in zip(header, widths, strict=True)
                for word in text.split()
            ),
        )
        head = [
            _lines(text, FONT_BOLD, head_size, width - 2 * _CELL_PAD_X, 2)
            for text, width in zip(header, widths, strict=True)
        ]

        def draw_head() -> None:
            draw(head, FONT_BOLD, head_size, 10, ACCENT, band=True)
            canvas.setStrokeColor(ACCENT)
            canvas.setLineWidth(0.8)
            canvas.line(MARGIN_X, self.y, PAGE_WIDTH - MARGIN_X, self.y)

        draw_head()
        for index, row in enumerate(rows):
            font = FONT_BOLD if row.total else FONT
            cells = []
            for column, (text, width) in enumerate(zip(row.cells, widths, strict=True)):
                inner = width - 2 * _CELL_PAD_X
                lines = _lines(text, FONT_BOLD if column == 0 else font, _CELL_SIZE, inner, 3)
                if column == 1 and row.detail:
                    lines += _lines(row.detail, font, _CELL_SIZE, inner, 2)
                cells.append(lines)
            height = 3 + 4 + _CELL_LEADING * max(len(lines) for lines in cells)
            if self.y - height < MARGIN_BOTTOM:
                self.new_page()
                draw_head()
            top = self.y
            draw(cells, font, _CELL_SIZE, _CELL_LEADING, INK, band=row.total)
            if row.total:
                canvas.setStrokeColor(ACCENT)
                canvas.setLineWidth(0.9)
                canvas.line(MARGIN_X, top, PAGE_WIDTH - MARGIN_X, top)
            elif index < len(rows) - 2:
                canvas.setStrokeColor(RULE)
                canvas.setLineWidth(0.3)
                canvas.line(MARGIN_X, self.y, PAGE_WIDTH - MARGIN_X, self.y)
