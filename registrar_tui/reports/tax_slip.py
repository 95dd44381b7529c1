"""The tuition tax slips of one student (Relevé 8 and T2202) and the year's summary.

The dataclasses live here, beside their renderers: services import this module only when
a slip is asked for (reportlab is heavy at start-up). These are the school's copies for
the student, not Revenu Québec's or the CRA's printed forms: each box is labelled with
its number (docs/tax-slips.md says which numbers are official and which are ours).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Spacer

from registrar_tui.reports.blocks import cell, data_table, page_header
from registrar_tui.reports.canvas_form import CELL_PAD_X, HEADER_RIGHT, CanvasForm, wrap_lines
from registrar_tui.reports.common import (
    ACCENT,
    CONTENT_WIDTH,
    FONT,
    FONT_BOLD,
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
    build_pdf,
    esc,
    p,
    plain,
)
from registrar_tui.reports.documents import DocumentLanguage, Issuer

T2202_CODES = {"R": "O", "A": "A", "D": "C"}
"""Revenu Québec's status codes → the CRA's (original, amendment, cancel)."""


@dataclass(frozen=True)
class PeriodRow:
    """One T2202 session period (boxes 19 to 23)."""

    term_code: str
    starts: str
    ends: str
    months_part_time: int
    months_full_time: int
    eligible_tuition: Decimal


@dataclass(frozen=True)
class SlipBoxes:
    """One slip as issued: its kind (`rl8`, `t2202`), number, status and boxes."""

    kind: str
    number: int
    status: str
    """R, A or D (Revenu Québec's codes; the T2202 prints O, A or C)."""
    amends_number: int | None
    eligible_tuition: Decimal
    full_time_sessions: int
    months_part_time: int
    months_full_time: int
    periods: tuple[PeriodRow, ...]
    program_name: str


@dataclass(frozen=True)
class TaxSlipDocument:
    """What a student's slips state; user data is given raw (the renderer escapes it)."""

    issuer: Issuer
    year: int
    student_name: str
    student_number: str
    address_lines: tuple[str, ...]
    sin_masked: str
    """`*** *** 544` or "" (none on file: box 17 says so)."""
    slips: tuple[SlipBoxes, ...]
    built_at: datetime
    language: DocumentLanguage = "fr_CA"


@dataclass(frozen=True)
class SummaryRow:
    kind: str
    status: str
    count: int
    eligible_tuition: Decimal
    full_time_sessions: int
    months_part_time: int
    months_full_time: int


@dataclass(frozen=True)
class SlipSummaryDocument:
    """The year's slips by kind and status, with the totals per box."""

    issuer: Issuer
    year: int
    rows: tuple[SummaryRow, ...]
    missing_sin: int
    built_at: datetime
    language: DocumentLanguage = "fr_CA"


def _status_text(lang: DocLanguage, slip: SlipBoxes) -> str:
    _ = lang.gettext
    code = T2202_CODES[slip.status] if slip.kind == "t2202" else slip.status
    label = {
        "R": _("Original"),
        "A": _("Modifié — remplace le relevé n° {number}"),
        "D": _("Annulé — annule le relevé n° {number}"),
    }[slip.status].format(number=slip.amends_number or "")
    return f"{code} — {label}"


def _rl8_facts(doc: TaxSlipDocument, slip: SlipBoxes, lang: DocLanguage) -> list[tuple[str, str]]:
    _ = lang.gettext
    return [
        (_("Année"), str(doc.year)),
        (_("N° du relevé"), f"{slip.number:06d}"),
        (_("Code du relevé"), _status_text(lang, slip)),
        (_("Case A — Sessions à temps plein (postsecondaire)"), str(slip.full_time_sessions)),
        (_("Case B — Frais de scolarité ou d'examen"), lang.money(slip.eligible_tuition)),
        (_("N° d'assurance sociale"), doc.sin_masked or _("non fourni")),
    ]


def _t2202_facts(doc: TaxSlipDocument, slip: SlipBoxes, lang: DocLanguage) -> list[tuple[str, str]]:
    _ = lang.gettext
    return [
        (_("Année"), str(doc.year)),
        (_("N° du relevé"), f"{slip.number:06d}"),
        (_("Code du relevé"), _status_text(lang, slip)),
        (_("Case 13 — Programme"), slip.program_name or "—"),
        (_("Case 14 — N° d'élève"), doc.student_number),
        (_("Case 17 — N° d'assurance sociale"), doc.sin_masked or _("non fourni")),
    ]


def _t2202_table(
    slip: SlipBoxes, lang: DocLanguage
) -> tuple[list[str], list[list[tuple[str, bool]]]]:
    _ = lang.gettext
    header = [
        _("Session"),
        _("Case 19 — Début"),
        _("Case 20 — Fin"),
        _("Case 21 — Mois temps partiel"),
        _("Case 22 — Mois temps plein"),
        _("Case 23 — Frais admissibles"),
    ]
    rows = [
        [
            (plain(period.term_code) or "—", False),
            (plain(period.starts), False),
            (plain(period.ends), False),
            (str(period.months_part_time), False),
            (str(period.months_full_time), False),
            (lang.money(period.eligible_tuition), False),
        ]
        for period in slip.periods
    ]
    rows.append(
        [
            (_("Totaux (cases 24, 25, 26)"), True),
            ("", True),
            ("", True),
            (str(slip.months_part_time), True),
            (str(slip.months_full_time), True),
            (lang.money(slip.eligible_tuition), True),
        ]
    )
    return header, rows


def render_tax_slips(doc: TaxSlipDocument) -> bytes:
    """The student's slips of the year as PDF bytes (Letter): RL-8 first, then T2202.

    Drawn on the canvas at fixed places (`_SlipPage`, a `CanvasForm`), a few milliseconds
    a PDF: the bulk command renders a whole school's year of them.
    """
    lang = DocLanguage(doc.language)
    _ = lang.gettext
    title = _("Relevés fiscaux {year}").format(year=doc.year)
    student = plain(doc.student_name)
    buffer = io.BytesIO()
    page = _SlipPage(
        buffer,
        issuer=doc.issuer,
        lang=lang,
        page_label=_("Page {page} de {total}"),
        created_at=doc.built_at,
        title=plain(title),
        subject=plain(f"{doc.student_name} ({doc.student_number})"),
        header=plain(f"{title} — {doc.student_name}"),
    )
    page.header_block(
        doc.issuer,
        title.upper(),
        [(_("Élève :"), student), (_("N° d'élève :"), plain(doc.student_number))],
    )
    page.y -= 8
    for line in doc.address_lines:
        page.paragraph(plain(line), FONT, 9.5, 12.5, INK)
    page.y -= 8
    note = _(
        "Frais admissibles payés pendant l'année civile {year}, selon les codes de "
        "frais admissibles de l'établissement. Les cotisations volontaires n'en "
        "font jamais partie."
    ).format(year=doc.year)
    page.paragraph(note, FONT, 8, 10, MUTED)
    for slip in doc.slips:
        rl8 = slip.kind == "rl8"
        table = None if rl8 else _t2202_table(slip, lang)
        height = 12 + 19 + 110 + (34 if slip.status == "D" else 0)
        if table is not None:  # kept with its first rows; a longer table goes on
            height += 6 + 30 + 18 * min(len(table[1]), 4)
        page.y -= 12
        page.need(height)
        heading = (
            _("Relevé 8 — Montant pour frais de scolarité ou d'examen")
            if rl8
            else _("T2202 — Certificat pour frais de scolarité et d'inscription")
        )
        page.y -= 6
        page.paragraph(heading, FONT_BOLD, 10.5, 13, ACCENT)
        if slip.status == "D":
            page.banner(_("ANNULÉ"))
        page.facts(_rl8_facts(doc, slip, lang) if rl8 else _t2202_facts(doc, slip, lang))
        if table is not None:
            page.y -= 6
            page.table(table[0], table[1], totals=1)
    page.finish()
    return buffer.getvalue()


def render_slip_summary(doc: SlipSummaryDocument) -> bytes:
    """The year's summary as PDF bytes: slips by kind and status, totals per box."""
    lang = DocLanguage(doc.language)
    _ = lang.gettext
    title = _("Sommaire des relevés fiscaux {year}").format(year=doc.year)
    kinds = {"rl8": _("Relevé 8"), "t2202": "T2202"}
    statuses = {"R": _("Originaux"), "A": _("Modifiés"), "D": _("Annulés")}
    rows = [
        [
            cell(kinds[row.kind]),
            cell(statuses[row.status]),
            cell(str(row.count), align_right=True),
            cell(lang.money(row.eligible_tuition), align_right=True),
            cell(str(row.full_time_sessions), align_right=True),
            cell(str(row.months_part_time), align_right=True),
            cell(str(row.months_full_time), align_right=True),
        ]
        for row in doc.rows
    ]
    story: list[Flowable] = [
        page_header(doc.issuer, lang, title.upper(), [(_("Année :"), str(doc.year))]),
        Spacer(1, 12),
        data_table(
            [
                _("Relevé"),
                _("Code"),
                _("Nombre"),
                _("Frais admissibles (RL-8 B, T2202 26)"),
                _("Sessions (RL-8 A)"),
                _("Mois partiel (24)"),
                _("Mois plein (25)"),
            ],
            rows,
            (0.12, 0.12, 0.1, 0.24, 0.14, 0.14, 0.14),
            right=(2, 3, 4, 5, 6),
        ),
        Spacer(1, 10),
        p(esc(_("Élèves sans numéro d'assurance sociale : {count}").format(count=doc.missing_sin))),
        p(
            esc(
                _(
                    "Les totaux des relevés modifiés remplacent ceux des relevés qu'ils "
                    "modifient ; un relevé annulé reprend les montants du relevé annulé."
                )
            ),
            "muted",
        ),
    ]
    return build_pdf(
        story,
        lang,
        title=title,
        subject=title,
        issuer=doc.issuer,
        created_at=doc.built_at,
    )


# --------------------------------------------------------------------------- the student's PDF
#
# A student's slips are a fixed form: drawn straight on the canvas (no Platypus layout,
# which was nine tenths of a PDF's time; reports/canvas_form.py). Boxes keep their places;
# a long value wraps on two lines in its box, then ends with « … ». All user text goes
# through `plain()`.

_FACT_PAD_X = 6.0
_FACT_COLUMNS = 3
_TABLE_WIDTHS = (0.14, 0.14, 0.14, 0.18, 0.18, 0.22)
_TABLE_RIGHT = (3, 4, 5)


def _after_label(text: str, font: str, size: float, label_width: float, most: int) -> list[str]:
    """A value right-aligned after its label: the first line beside the label, the next
    ones the whole width of the header's right column (at most `most` lines)."""
    words = text.split()
    first: list[str] = []
    while words and stringWidth(" ".join([*first, words[0]]), font, size) <= (
        HEADER_RIGHT - label_width
    ):
        first.append(words.pop(0))
    if not first:
        return wrap_lines(text, font, size, HEADER_RIGHT - label_width, 1) + (
            wrap_lines(" ".join(words[1:]), font, size, HEADER_RIGHT, most - 1)
            if len(words) > 1
            else []
        )
    if not words:
        return [" ".join(first)]
    return [" ".join(first), *wrap_lines(" ".join(words), font, size, HEADER_RIGHT, most - 1)]


class _SlipPage(CanvasForm):
    """The student's slips: the boxed facts, the cancelled stamp and the T2202 periods."""

    def need(self, height: float) -> None:
        """A new page unless `height` points still fit above the bottom margin (or the
        page is still empty: a taller block starts here, never after a blank page)."""
        if self.y - height >= MARGIN_BOTTOM or self.y >= PAGE_HEIGHT - MARGIN_TOP:
            return
        self.new_page()

    def paragraph(self, text: str, font: str, size: float, leading: float, color: Any) -> None:
        lines = wrap_lines(text, font, size, CONTENT_WIDTH, 20)
        self.need(leading * len(lines))
        for line in lines:
            self.y -= leading
            self.text(MARGIN_X, self.y + leading - size, line, font, size, color)

    def header_fact(self, right_x: float, y: float, label: str, value: str) -> float:
        """The value wraps under its label (a long name is never cut silently)."""
        label_width = stringWidth(label + " ", FONT, 9)
        for line in _after_label(plain(value), FONT_BOLD, 9, label_width, 4):
            y -= 12
            self.text(right_x, y + 12 - 9 - 1, line, FONT_BOLD, 9, INK, right=True)
            if label:
                width = stringWidth(line, FONT_BOLD, 9)
                self.text(right_x - width - 2.5, y + 2, label, FONT, 9, INK, right=True)
                label = ""
        return y

    def facts(self, cells: list[tuple[str, str]]) -> float:
        """The boxed grid of facts (grey label above a bold value), three per row."""
        width = CONTENT_WIDTH / _FACT_COLUMNS
        inner = width - 2 * _FACT_PAD_X
        rows = [cells[i : i + _FACT_COLUMNS] for i in range(0, len(cells), _FACT_COLUMNS)]
        laid = [
            [
                (
                    wrap_lines(label, FONT, 7.5, inner, 2),
                    wrap_lines(plain(value), FONT_BOLD, 9.5, inner, 2),
                )
                for label, value in row
            ]
            for row in rows
        ]
        heights = [
            4 + 6 + max(9 * len(labels) + 12 * len(values) for labels, values in row)
            for row in laid
        ]
        canvas = self.canvas
        top = self.y
        y = top
        for row, height in zip(laid, heights, strict=True):
            for column, (labels, values) in enumerate(row):
                x = MARGIN_X + column * width + _FACT_PAD_X
                line_y = y - 4
                for line in labels:
                    line_y -= 9
                    self.text(x, line_y + 2, line, FONT, 7.5, MUTED)
                for line in values:
                    line_y -= 12
                    self.text(x, line_y + 2.5, line, FONT_BOLD, 9.5, INK)
            y -= height
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        for column in range(1, _FACT_COLUMNS):
            x = MARGIN_X + column * width
            canvas.line(x, top, x, y)
        row_y = top
        for height in heights[:-1]:
            row_y -= height
            canvas.line(MARGIN_X, row_y, PAGE_WIDTH - MARGIN_X, row_y)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.9)
        canvas.rect(MARGIN_X, y, CONTENT_WIDTH, top - y, stroke=1, fill=0)
        self.y = y
        return top - y

    def banner(self, text: str) -> None:
        """The framed red stamp of a cancelled slip."""
        height = 34.0
        self.canvas.setStrokeColor(VOID_RED)
        self.canvas.setLineWidth(1.6)
        self.canvas.rect(MARGIN_X, self.y - height, CONTENT_WIDTH, height, stroke=1, fill=0)
        self.canvas.setFont(FONT_BOLD, 18)
        self.canvas.setFillColor(VOID_RED)
        self.canvas.drawCentredString(PAGE_WIDTH / 2, self.y - 24, text)
        self.y -= height

    def table(self, header: list[str], rows: list[list[tuple[str, bool]]], totals: int) -> None:
        """The T2202 periods: a header band, one line per period, the totals (bold, band)."""
        widths = [CONTENT_WIDTH * share for share in _TABLE_WIDTHS]

        def row_lines(cells: list[str], font: str, size: float) -> list[list[str]]:
            return [
                wrap_lines(text, font, size, width - 2 * CELL_PAD_X, 3)
                for text, width in zip(cells, widths, strict=True)
            ]

        head = row_lines(header, FONT_BOLD, 8)

        def draw_head() -> None:
            self.need(self.row_height(head, 10))
            self.table_head(head, widths, _TABLE_RIGHT, 8)

        draw_head()
        body = len(rows) - totals
        for index, row in enumerate(rows):
            font = FONT_BOLD if row[0][1] else FONT
            cells = row_lines([text for text, _bold in row], font, 8.5)
            height = self.row_height(cells, 10.5)
            if self.y - height < MARGIN_BOTTOM:  # the header again atop the next page
                self.new_page()
                draw_head()
            self.need(height)
            top = self.table_row(
                cells, widths, _TABLE_RIGHT, font, 8.5, 10.5, INK, band=index >= body
            )
            if index == body:
                self.rule(top, ACCENT, 0.9)
            if index < body - 1:
                self.rule(self.y, RULE, 0.3)
