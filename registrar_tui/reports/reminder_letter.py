"""An overdue reminder letter (lettre de relance): the level's text, the overdue invoices and
the total, addressed to the family's payer."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth

from registrar_tui.reports.canvas_form import CELL_PAD_X, CanvasForm, wrap_lines
from registrar_tui.reports.common import (
    ACCENT,
    CONTENT_WIDTH,
    FONT,
    FONT_BOLD,
    INK,
    MARGIN_BOTTOM,
    MARGIN_X,
    MUTED,
    RULE,
    DocLanguage,
    clip,
    plain,
)
from registrar_tui.reports.documents import DocumentLanguage, Issuer


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
    lang = DocLanguage(doc.language)
    _ = lang.gettext
    on_plan = _on_plan(doc)
    title = _("Avis de retard de paiement")
    level_label = _("Relance {level} de 3").format(level=doc.level)
    family = plain(doc.family_name)
    number = plain(doc.family_number)
    buffer = io.BytesIO()
    page = _LetterPage(
        buffer,
        issuer=doc.issuer,
        lang=lang,
        page_label=_("Page {page} de {total}"),
        created_at=doc.sent_at,
        title=f"{title} — {family}",
        subject=f"{family} ({number}) — {level_label}",
        header=f"{title} — {family} ({number})",
    )
    page.header_block(
        doc.issuer,
        title.upper(),
        [
            (_("Date :"), lang.date_text(lang.local(doc.sent_at).date())),
            (_("N° de client :"), number),
            (_("Niveau :"), level_label),
        ],
    )
    page.y -= 10
    page.parties(doc, on_plan)
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
    page.finish()
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
# Platypus took nine tenths of a letter's time: the letter is drawn at computed places
# (reports/canvas_form.py).

_BOX_LEFT = CONTENT_WIDTH * 0.49
_BOX_PAD_X = 7.0
_TABLE_WIDTHS = (0.16, 0.37, 0.13, 0.09, 0.09, 0.16)
_TABLE_RIGHT = (3, 4, 5)
_CELL_SIZE = 8.5
_CELL_LEADING = 10.5


@dataclass(frozen=True)
class _Row:
    cells: tuple[str, ...]
    detail: str
    """The term and the student, on a line of its own under the description."""
    total: bool = False


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
        line.append(clip(words.pop(0), font, size, first))
    rest = wrap_lines(" ".join(words), font, size, width, most - 1) if words else []
    return [" ".join(line), *rest]


_BoxLine = tuple[str, str, str, float, float, Any]
"""A line of a framed box: label (or ""), text, font, size, leading, colour."""


class _LetterPage(CanvasForm):
    """The letter's page: its paragraphs, the two framed boxes and the invoices' table."""

    def paragraph(self, text: str, font: str, size: float, leading: float, color: Any) -> None:
        """`text` wrapped to the page's width, line by line onto the next page if need be
        (an admin's level text may be long)."""
        for line in simpleSplit(" ".join(text.split()), font, size, CONTENT_WIDTH) or [""]:
            self.need(leading)
            self.y -= leading
            self.text(MARGIN_X, self.y + leading - size, line, font, size, color)

    def parties(self, doc: ReminderLetterDocument, on_plan: bool) -> None:
        """Two framed boxes: to whom (name, address, file) and the summary (count, amount)."""
        lang = self.lang
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
                    for line in wrap_lines(name, FONT_BOLD, 9.5, inner[0], 2)
                ),
                *(
                    ("", clip(plain(line), FONT, 9.5, inner[0]), FONT, 9.5, 12.5, INK)
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
        # The header's words are never cut: the row gets smaller if one is too wide
        # (« Reminder » in its narrow column).
        head_size = min(
            8.0,
            *(
                8.0 * (width - 2 * CELL_PAD_X) / stringWidth(word, FONT_BOLD, 8)
                for text, width in zip(header, widths, strict=True)
                for word in text.split()
            ),
        )
        head = [
            wrap_lines(text, FONT_BOLD, head_size, width - 2 * CELL_PAD_X, 2)
            for text, width in zip(header, widths, strict=True)
        ]
        self.table_head(head, widths, _TABLE_RIGHT, head_size)
        for index, row in enumerate(rows):
            font = FONT_BOLD if row.total else FONT
            cells = []
            for column, (text, width) in enumerate(zip(row.cells, widths, strict=True)):
                inner = width - 2 * CELL_PAD_X
                lines = wrap_lines(text, FONT_BOLD if column == 0 else font, _CELL_SIZE, inner, 3)
                if column == 1 and row.detail:
                    lines += wrap_lines(row.detail, font, _CELL_SIZE, inner, 2)
                cells.append(lines)
            if self.y - self.row_height(cells, _CELL_LEADING) < MARGIN_BOTTOM:
                self.new_page()
                self.table_head(head, widths, _TABLE_RIGHT, head_size)
            top = self.table_row(
                cells,
                widths,
                _TABLE_RIGHT,
                font,
                _CELL_SIZE,
                _CELL_LEADING,
                INK,
                band=row.total,
                first_font=FONT_BOLD,
            )
            if row.total:
                self.rule(top, ACCENT, 0.9)
            elif index < len(rows) - 2:
                self.rule(self.y, RULE, 0.3)
