"""Building blocks shared by the documents: header, fact grids, ruled tables, stamps.

Every text argument is plain text (labels or user data): the blocks escape it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

from registrar_tui.reports.common import (
    ACCENT,
    BAND,
    CONTENT_WIDTH,
    MUTED,
    RULE,
    DocLanguage,
    LongTable,
    Table,
    esc,
    p,
    site_name,
    styles,
)
from registrar_tui.reports.documents import Issuer


def issuer_block(issuer: Issuer, lang: DocLanguage) -> list[Flowable]:
    """Institution name (once), establishment and its address, phone and e-mail."""
    _ = lang.gettext
    lines = [p(esc(issuer.institution_name), "institution")]
    site = site_name(issuer)
    if site:
        lines.append(p(f"<b>{esc(site)}</b>"))
    lines += [
        p(esc(issuer.address_line)),
        p(esc(f"{issuer.city} ({issuer.province})  {issuer.postal_code}")),
        p(esc(_("Tél. : {phone}").format(phone=issuer.phone))),
    ]
    if issuer.email:
        lines.append(p(esc(issuer.email)))
    return lines


def page_header(
    issuer: Issuer,
    lang: DocLanguage,
    title: str,
    facts: Sequence[tuple[str, str]],
    width: float = CONTENT_WIDTH,
) -> Table:
    """Issuer on the left; the document's title and key facts (plain text) on the right."""
    right: list[Flowable] = [p(esc(title), "title")]
    right.extend(p(f"{esc(label)} <b>{esc(value)}</b>", "title_sub") for label, value in facts)
    table = Table(
        [[issuer_block(issuer, lang), right]],
        colWidths=[width * 0.54, width * 0.46],
    )
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("LINEBELOW", (0, 0), (-1, 0), 1.2, ACCENT),
            ("BOTTOMPADDING", (0, 0), (-1, 0), 8),
        ]
    )
    return table


def facts_box(
    cells: Sequence[tuple[str, str]], widths: Sequence[float] = (1 / 3, 1 / 3, 1 / 3)
) -> Table:
    """A boxed grid of facts: small grey label above a bold value (both plain text).

    `widths` are fractions of the content width, one per column.
    """
    columns = len(widths)
    grid: list[list[list[Flowable]]] = []
    row: list[list[Flowable]] = []
    for label, value in cells:
        row.append([p(esc(label), "label"), p(esc(value), "value")])
        if len(row) == columns:
            grid.append(row)
            row = []
    if row:
        row.extend([[]] * (columns - len(row)))
        grid.append(row)
    table = Table(grid, colWidths=[CONTENT_WIDTH * w for w in widths])
    table.setStyle(
        [
            ("BOX", (0, 0), (-1, -1), 0.9, ACCENT),
            ("INNERGRID", (0, 0), (-1, -1), 0.4, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ]
    )
    return table


def data_table(
    header: Sequence[str],
    rows: Sequence[Sequence[Flowable]],
    widths: Sequence[float],
    *,
    right: Sequence[int] = (),
    footer_rows: int = 0,
    muted_rows: Sequence[int] = (),
    width: float = CONTENT_WIDTH,
    long: bool = False,
) -> Table:
    """A ruled table with a header band repeated on every page (header labels plain text).

    Cells are flowables (use `cell()`); the last `footer_rows` rows are totals; `long`
    for a table of many pages (`LongTable`).
    """
    head = [p(esc(text), "head_r" if i in right else "head") for i, text in enumerate(header)]
    table = (LongTable if long else Table)(
        [head, *rows],
        colWidths=[width * w for w in widths],
        repeatRows=1,
        hAlign="LEFT",
    )
    style: list[tuple[Any, ...]] = [
        ("BACKGROUND", (0, 0), (-1, 0), BAND),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 3.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3.5),
    ]
    body_end = len(rows) - footer_rows
    if body_end > 1:
        style.append(("LINEBELOW", (0, 1), (-1, body_end - 1), 0.3, RULE))
    if footer_rows:
        style.append(("LINEABOVE", (0, body_end + 1), (-1, body_end + 1), 0.9, ACCENT))
        style.append(("BACKGROUND", (0, body_end + 1), (-1, -1), BAND))
    for index in muted_rows:
        style.append(("TEXTCOLOR", (0, index + 1), (-1, index + 1), MUTED))
    table.setStyle(style)
    return table


def cell(
    text: str, *, bold: bool = False, align_right: bool = False, muted: bool = False
) -> Paragraph:
    """A table cell from plain text (escaped here)."""
    name = "cell" + ("_b" if bold else "") + ("r" if align_right and bold else "")
    if align_right and not bold:
        name = "cell_r"
    markup = esc(text)
    if muted:
        markup = f'<font color="{MUTED.hexval()}">{markup}</font>'
    return p(markup, name)


def banner(text: str, detail: str, color: colors.Color, width: float = CONTENT_WIDTH) -> Table:
    """A framed, centred stamp (DUPLICATA, ANNULÉ…) with one line of detail (plain text)."""
    title_style = ParagraphStyle("stamp", parent=styles()["banner"], textColor=color)
    content: list[Flowable] = [Paragraph(esc(text), title_style)]
    if detail:
        content.append(p(esc(detail), "banner_detail"))
    table = Table([[content]], colWidths=[width])
    table.setStyle(
        [
            ("BOX", (0, 0), (-1, -1), 1.6, color),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
        ]
    )
    return table


def totals_table(
    lines: Sequence[tuple[str, str, bool]],
    *,
    highlight: int = -1,
    width: float = 0.5,
    highlight_color: colors.Color | None = None,
) -> Table:
    """Right-aligned label/amount pairs (plain text); `strong` lines bold, one highlighted."""
    data = []
    for index, (label, value, strong) in enumerate(lines):
        label_markup, value_markup = esc(label), esc(value)
        if strong:
            label_markup, value_markup = f"<b>{label_markup}</b>", f"<b>{value_markup}</b>"
        if index == highlight and highlight_color is not None:
            tint = highlight_color.hexval()
            label_markup = f"<font color='{tint}'>{label_markup}</font>"
            value_markup = f"<font color='{tint}'>{value_markup}</font>"
        data.append([p(label_markup, "cell_r"), p(value_markup, "cell_r")])
    table = Table(
        data, colWidths=[CONTENT_WIDTH * width * 0.6, CONTENT_WIDTH * width * 0.4], hAlign="RIGHT"
    )
    style: list[tuple[Any, ...]] = [
        ("LINEABOVE", (0, 0), (-1, 0), 0.9, ACCENT),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if highlight >= 0:
        style += [
            ("BACKGROUND", (0, highlight), (-1, highlight), BAND),
            ("BOX", (0, highlight), (-1, highlight), 0.9, ACCENT),
        ]
    table.setStyle(style)
    return table


def two_boxes(left: Sequence[Flowable], right: Sequence[Flowable]) -> Table:
    """Two framed blocks side by side (billed to / student, clerk / period…)."""
    table = Table(
        [[list(left), list(right)]], colWidths=[CONTENT_WIDTH * 0.49, CONTENT_WIDTH * 0.51]
    )
    table.setStyle(
        [
            ("BOX", (0, 0), (0, 0), 0.6, RULE),
            ("BOX", (1, 0), (1, 0), 0.6, RULE),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ("LEFTPADDING", (0, 0), (-1, -1), 7),
        ]
    )
    return table


def labelled(label: str, value: str | None) -> Paragraph:
    """`Label : value` on one line (plain text, value in bold)."""
    return p(f"<font color='{MUTED.hexval()}'>{esc(label)}</font> <b>{esc(value or '—')}</b>")
