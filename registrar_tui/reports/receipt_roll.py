"""The receipt on an 80 mm roll (a counter's receipt printer): the Letter receipt's content
(`reports/receipt.py`) in one 72 mm column, on one page as long as the receipt.

Laid out for a thermal printer: black on white, no tinted bands (they print as a grey
grid of dots), every column sized for 72 mm so no amount is cut at the paper's edge, the
establishment at the top (a roll has no page footer). Same fonts, escaping and invariant
bytes as every document (`reports/common.py`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, HRFlowable, Paragraph, Spacer

from registrar_tui.reports.blocks import banner
from registrar_tui.reports.common import (
    FONT,
    FONT_BOLD,
    INK,
    ROLL_CONTENT_WIDTH,
    DocLanguage,
    Table,
    build_roll_pdf,
    esc,
    site_name,
    styles,
)
from registrar_tui.reports.documents import ReceiptDocument, ReceiptKind
from registrar_tui.reports.receipt import (
    copy_stamp,
    numbering_note,
    receipt_facts,
    receipt_title,
    summary_lines,
)

WIDTH = ROLL_CONTENT_WIDTH


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    """The roll's paragraph styles: smaller than a page's, all in ink."""
    base = ParagraphStyle(
        "roll", parent=styles()["body"], fontName=FONT, fontSize=8, leading=10, textColor=INK
    )

    def derive(name: str, **changes: Any) -> ParagraphStyle:
        return ParagraphStyle(f"roll_{name}", parent=base, **changes)

    return {
        "body": base,
        "center": derive("center", alignment=TA_CENTER),
        "institution": derive(
            "institution", fontName=FONT_BOLD, fontSize=10, leading=12.5, alignment=TA_CENTER
        ),
        "site": derive("site", fontName=FONT_BOLD, alignment=TA_CENTER),
        "title": derive("title", fontName=FONT_BOLD, fontSize=11, leading=14, alignment=TA_CENTER),
        "number": derive(
            "number", fontName=FONT_BOLD, fontSize=9.5, leading=12, alignment=TA_CENTER
        ),
        "label": derive("label", fontSize=7.5, leading=9.5),
        "value": derive("value", fontName=FONT_BOLD, fontSize=8, leading=10),
        "small": derive("small", fontSize=7, leading=8.5),
        "h2": derive("h2", fontName=FONT_BOLD, fontSize=9, leading=11.5),
        "head": derive("head", fontName=FONT_BOLD, fontSize=7.5, leading=9.5),
        "head_r": derive(
            "head_r", fontName=FONT_BOLD, fontSize=7.5, leading=9.5, alignment=TA_RIGHT
        ),
        "cell": derive("cell", fontSize=7.5, leading=9.5),
        "cell_r": derive("cell_r", fontSize=7.5, leading=9.5, alignment=TA_RIGHT),
        "amount_label": derive("amount_label", fontName=FONT_BOLD, fontSize=9, leading=11.5),
        "amount": derive("amount", fontName=FONT_BOLD, fontSize=13, leading=16, alignment=TA_RIGHT),
        "keep": derive("keep", fontName=FONT_BOLD, fontSize=9, leading=11.5, alignment=TA_CENTER),
        "small_c": derive("small_c", fontSize=7, leading=9, alignment=TA_CENTER),
    }


class _Paragraph(Paragraph):  # type: ignore[misc]
    """A paragraph laid out once per width: the roll measures its story first, its tables
    measure their cells, then the frame and the cells lay them out again, each time at the
    same width (reportlab's `wrap` uses only the width, and gives the same lines)."""

    _wrapped: tuple[float, tuple[float, float]] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._wrapped is None or self._wrapped[0] != availWidth:
            self._wrapped = (availWidth, super().wrap(availWidth, availHeight))
        return self._wrapped[1]


_PARSED_CACHE_SIZE = 2048
_parsed: dict[tuple[str, str], tuple[str, ParagraphStyle, list[Any], Any]] = {}
"""Markup already parsed, by markup and style: the labels and the establishment's lines
are the same on every receipt, and parsing is a fifth of the roll's time."""


def _p(markup: str, style: str = "body") -> Paragraph:
    """A paragraph of *already escaped* markup in one of the roll's styles."""
    parsed = _parsed.get((markup, style))
    if parsed is None:
        paragraph = _Paragraph(markup, _styles()[style])
        if len(_parsed) >= _PARSED_CACHE_SIZE:
            _parsed.clear()
        # Copies made before any layout, and copied again for each paragraph: the layout
        # marks a paragraph's fragments, never shared between paragraphs nor threads.
        fragments = [fragment.clone() for fragment in paragraph.frags]
        _parsed[(markup, style)] = (
            paragraph.text,
            paragraph.style,
            fragments,
            paragraph.bulletText,
        )
        return paragraph
    text, paragraph_style, fragments, bullet = parsed
    return _Paragraph(
        text, paragraph_style, bullet, frags=[fragment.clone() for fragment in fragments]
    )


def _rule(thickness: float = 0.6, dashed: bool = False) -> HRFlowable:
    return HRFlowable(
        width="100%",
        thickness=thickness,
        color=INK,
        spaceBefore=4,
        spaceAfter=4,
        dash=(2, 2) if dashed else None,
    )


def _plain_table(rows: list[list[Any]], fractions: tuple[float, ...]) -> Table:
    """Rows of flowables in columns of `fractions` of the 72 mm, without padding at the
    paper's edges (a thermal head prints to the last dot of its width, not beyond)."""
    table = Table(rows, colWidths=[WIDTH * fraction for fraction in fractions], hAlign="LEFT")
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("LEFTPADDING", (1, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ]
    )
    return table


def render_roll_receipt(doc: ReceiptDocument) -> bytes:
    """The receipt as PDF bytes on an 80 mm roll: one page, as long as its content."""
    lang = DocLanguage(doc.language)
    _ = lang.gettext
    title = receipt_title(doc, lang)
    story: list[Flowable] = [*_heading(doc, lang, title), _rule(1.2)]

    stamp = copy_stamp(doc, lang)
    if stamp is not None:
        text, detail, color = stamp
        story += [banner(text, detail, color, width=WIDTH), Spacer(1, 4)]

    story.append(
        _plain_table(
            [
                [_p(esc(label), "label"), _p(esc(value), "value")]
                for label, value in receipt_facts(doc, lang, number_and_date=False)
            ],
            (0.40, 0.60),
        )
    )
    story += [Spacer(1, 3), _p(esc(numbering_note(doc, lang)), "small"), _rule()]
    story.append(_amount(doc, lang))
    story.append(_rule())

    if doc.allocations:
        story += [_p(esc(_("Factures réglées")), "h2"), Spacer(1, 2), _allocations(doc, lang)]
        story.append(_rule())
    elif doc.kind is ReceiptKind.REFUND and doc.refund_reason:
        story += [_p(esc(_("Motif du remboursement")), "h2"), _p(esc(doc.refund_reason))]
        story.append(_rule())

    lines, highlight = summary_lines(doc, lang)
    if lines:
        story += [_summary(lines, highlight), _rule()]

    story += [
        Spacer(1, 2),
        _p(esc(_("Conservez cette copie pour vos dossiers.")), "keep"),
        _p(esc(_("Merci !")), "center"),
    ]
    if doc.chain_hash:
        story += [
            Spacer(1, 3),
            _p(esc(_("Empreinte : {hash}").format(hash=doc.chain_hash[:16])), "small_c"),
        ]
    return build_roll_pdf(
        story,
        lang,
        title=f"{title} {doc.receipt_number}",
        subject=f"{doc.family_name} ({doc.family_number})",
        issuer=doc.issuer,
        created_at=doc.printed_at or doc.issued_at,
    )


def _heading(doc: ReceiptDocument, lang: DocLanguage, title: str) -> list[Flowable]:
    """Institution, establishment, address and phone, centred; then the title, the receipt
    number and the date."""
    _ = lang.gettext
    issuer = doc.issuer
    heading: list[Flowable] = [_p(esc(issuer.institution_name), "institution")]
    site = site_name(issuer)
    if site:
        heading.append(_p(esc(site), "site"))
    heading += [
        _p(esc(issuer.address_line), "center"),
        _p(esc(f"{issuer.city} ({issuer.province})  {issuer.postal_code}"), "center"),
        _p(esc(_("Tél. : {phone}").format(phone=issuer.phone)), "center"),
    ]
    if issuer.email:
        heading.append(_p(esc(issuer.email), "center"))
    heading += [
        _rule(1.2),
        _p(esc(title.upper()), "title"),
        _p(f"{esc(_('N° de reçu :'))} {esc(doc.receipt_number)}", "number"),
        _p(f"{esc(_('Date :'))} {esc(lang.datetime_text(doc.issued_at))}", "center"),
    ]
    return heading


def _amount(doc: ReceiptDocument, lang: DocLanguage) -> Table:
    _ = lang.gettext
    label = _("Montant remboursé") if doc.kind is ReceiptKind.REFUND else _("Montant payé")
    table = _plain_table(
        [[_p(esc(label), "amount_label"), _p(esc(lang.money(doc.amount)), "amount")]],
        (0.45, 0.55),
    )
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    return table


def _allocations(doc: ReceiptDocument, lang: DocLanguage) -> Table:
    """One row per invoice: its number, description and student on the left; the amount
    applied and the balance after on the right (four columns do not fit 72 mm)."""
    _ = lang.gettext
    rows: list[list[Any]] = [
        [
            _p(esc(_("Facture")), "head"),
            _p(f"{esc(_('Montant imputé'))}<br/>{esc(_('Solde après'))}", "head_r"),
        ]
    ]
    for row in doc.allocations:
        left = f"<b>{esc(row.invoice_number)}</b><br/>{esc(row.description)}"
        who = " · ".join(part for part in (row.student_name, row.term_code) if part)
        if who:
            left += f"<br/>{esc(who)}"
        applied, after = esc(lang.money(row.amount_applied)), esc(lang.money(row.balance_after))
        right = f"<b>{applied}</b><br/>{after}"
        rows.append([_p(left, "cell"), _p(right, "cell_r")])
    table = _plain_table(rows, (0.62, 0.38))
    table.setStyle(
        [
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, INK),
            ("LINEBELOW", (0, 1), (-1, -2), 0.3, INK, None, (1, 2)),
            ("TOPPADDING", (0, 1), (-1, -1), 2.5),
            ("BOTTOMPADDING", (0, 1), (-1, -1), 3),
        ]
    )
    return table


def _summary(lines: list[tuple[str, str, bool]], highlight: int) -> Table:
    """Change due, credit and balance: label left, amount right; the emphasised line boxed."""
    rows = []
    for label, value, strong in lines:
        label_markup, value_markup = esc(label), esc(value)
        if strong:
            label_markup, value_markup = f"<b>{label_markup}</b>", f"<b>{value_markup}</b>"
        rows.append([_p(label_markup, "cell"), _p(value_markup, "cell_r")])
    table = _plain_table(rows, (0.62, 0.38))
    if highlight >= 0:
        table.setStyle(
            [
                ("BOX", (0, highlight), (-1, highlight), 1.2, INK),
                ("LEFTPADDING", (0, highlight), (0, highlight), 3),
                ("RIGHTPADDING", (-1, highlight), (-1, highlight), 3),
                ("TOPPADDING", (0, highlight), (-1, highlight), 3),
                ("BOTTOMPADDING", (0, highlight), (-1, highlight), 4),
            ]
        )
    return table
