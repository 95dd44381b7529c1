"""The receipt handed over at the counter (reçu / relevé de transaction)."""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.units import inch

from registrar_tui.reports.canvas_form import CELL_PAD_X, CanvasForm, fit, wrap_words
from registrar_tui.reports.common import (
    ACCENT,
    BAND,
    CONTENT_WIDTH,
    FONT,
    FONT_BOLD,
    INK,
    MARGIN_BOTTOM,
    MARGIN_X,
    MUTED,
    RULE,
    VOID_RED,
    DocLanguage,
    plain,
    site_name,
)
from registrar_tui.reports.documents import (
    CopyKind,
    PaymentMethod,
    ReceiptDocument,
    ReceiptKind,
)

_CARD_METHODS = (PaymentMethod.DEBIT, PaymentMethod.CREDIT_CARD)
_CHEQUE_METHODS = (PaymentMethod.CHEQUE, PaymentMethod.CERTIFIED_CHEQUE)


def render_receipt(doc: ReceiptDocument) -> bytes:
    """The receipt as PDF bytes (Letter, one page unless many invoices were paid): drawn
    straight on the canvas (reports/canvas_form.py), a few milliseconds a receipt; many
    invoices run over pages under a running header, the table's header row repeated."""
    lang = DocLanguage(doc.language)
    _ = lang.gettext
    is_refund = doc.kind is ReceiptKind.REFUND
    title = receipt_title(doc, lang)
    number = plain(doc.receipt_number)
    family = plain(doc.family_name)
    buffer = io.BytesIO()
    page = _ReceiptPage(
        buffer,
        issuer=doc.issuer,
        lang=lang,
        page_label=_("Page {page} de {total}"),
        created_at=doc.printed_at or doc.issued_at,
        title=f"{title} {number}",
        subject=f"{family} ({plain(doc.family_number)})",
        header=f"{title} {number} — {family}",
        header_rule=RULE,
        watermark=_("ANNULÉ") if doc.copy_kind is CopyKind.VOIDED else "",
    )
    page.y -= _HEADER_TOP_PAD
    page.header_block(
        doc.issuer,
        title.upper(),
        [(_("N° de reçu :"), number), (_("Date :"), lang.datetime_text(doc.issued_at))],
        address_lines=3,
    )
    page.y -= 10
    stamp = copy_stamp(doc, lang)
    if stamp is not None:
        page.banner(*stamp)
        page.y -= 10
    page.facts(receipt_facts(doc, lang), (0.32, 0.37, 0.31))
    page.y -= 3
    page.paragraph(plain(numbering_note(doc, lang)), FONT, 8, 10, MUTED)
    page.y -= 4
    label = _("Montant remboursé") if is_refund else _("Montant payé")
    page.amount_band(label, lang.money(doc.amount))
    page.y -= 12
    if doc.allocations:
        page.heading(_("Factures réglées"))
        page.y -= 3
        page.allocations(doc, lang)
        page.y -= 8
    elif is_refund and doc.refund_reason:
        page.heading(_("Motif du remboursement"))
        page.paragraph(plain(doc.refund_reason), FONT, 9.5, 12.5, INK)
        page.y -= 8
    lines, highlight = summary_lines(doc, lang)
    if lines:
        page.summary(lines, highlight)
    page.y -= 18
    page.keep_this_copy(doc, lang)
    page.finish()
    return buffer.getvalue()


def receipt_title(doc: ReceiptDocument, lang: DocLanguage) -> str:
    """« Reçu de paiement », or « Reçu de remboursement » for a refund."""
    _ = lang.gettext
    return _("Reçu de remboursement") if doc.kind is ReceiptKind.REFUND else _("Reçu de paiement")


def copy_stamp(doc: ReceiptDocument, lang: DocLanguage) -> tuple[str, str, Color] | None:
    """The stamp of a copy that is not the original: (DUPLICATA or ANNULÉ, its detail
    line, its colour); None for the original. Plain text."""
    _ = lang.gettext
    if doc.copy_kind is CopyKind.DUPLICATE:
        detail = ""
        if doc.printed_at is not None:
            detail = _("Copie réimprimée le {when}").format(when=lang.datetime_text(doc.printed_at))
        return _("DUPLICATA"), detail, ACCENT
    if doc.copy_kind is CopyKind.VOIDED:
        parts = [_("Motif : {reason}").format(reason=doc.void_reason or "—")]
        if doc.voided_at is not None:
            parts.append(_("annulé le {when}").format(when=lang.datetime_text(doc.voided_at)))
        if doc.voided_by:
            parts.append(_("par {name}").format(name=doc.voided_by))
        return _("ANNULÉ"), " — ".join(parts), VOID_RED
    return None


def receipt_facts(
    doc: ReceiptDocument, lang: DocLanguage, *, number_and_date: bool = True
) -> list[tuple[str, str]]:
    """(label, value) pairs, plain text: who (client, its number, the students'), which
    receipt and transaction, where, when and by whom, then how it was paid. Without
    `number_and_date`, the receipt number and the date are left out (a layout that
    prints them in its heading)."""
    _ = lang.gettext
    is_refund = doc.kind is ReceiptKind.REFUND
    students = (
        _("N° d'élève") if len(doc.student_numbers) <= 1 else _("N° d'élèves"),
        ", ".join(doc.student_numbers) or "—",
    )
    facts = [
        (_("Client"), doc.family_name),
        (_("N° de client"), doc.family_number),
        students,
        (_("Payeur") if not is_refund else _("Bénéficiaire"), doc.payer_name or "—"),
        *([(_("N° de reçu"), doc.receipt_number)] if number_and_date else []),
        (_("Réf. de transaction"), doc.transaction_reference or "—"),
        (
            _("Payé à") if not is_refund else _("Remboursé à"),
            site_name(doc.issuer) or doc.issuer.establishment_name,
        ),
        *([(_("Date et heure"), lang.datetime_text(doc.issued_at))] if number_and_date else []),
        (_("Reçu par") if not is_refund else _("Remis par"), doc.clerk_name),
        (
            _("Mode de paiement") if not is_refund else _("Mode de remboursement"),
            _("Paiement en ligne")
            if doc.method is PaymentMethod.ONLINE
            else lang.method(doc.method),
        ),
    ]
    if doc.method is PaymentMethod.ONLINE:
        # No terminal slip: the processor's transaction number is the parent's reference.
        brand = f"{doc.card_brand} " if doc.card_brand else ""
        facts.append((_("Carte"), f"{brand}••••{doc.card_last4 or '????'}"))
        facts.append((_("N° d’autorisation"), doc.authorization_number or "—"))
        facts.append((_("N° de transaction du processeur"), doc.processor_transaction_id or "—"))
        if doc.paid_at is not None:
            facts.append((_("Payé en ligne le"), lang.datetime_text(doc.paid_at)))
    if doc.method in _CARD_METHODS:
        brand = f"{doc.card_brand} " if doc.card_brand else ""
        facts.append((_("Carte"), f"{brand}••••{doc.card_last4 or '????'}"))
        facts.append((_("N° d’autorisation"), doc.authorization_number or "—"))
    if doc.method in _CHEQUE_METHODS:
        facts.append((_("N° de chèque"), doc.cheque_number or "—"))
        facts.append((_("Banque"), doc.cheque_bank or "—"))
    if doc.method is PaymentMethod.CASH and not is_refund:
        if doc.amount_tendered is not None:
            facts.append((_("Montant remis"), lang.money(doc.amount_tendered)))
        if doc.change_due is not None:
            facts.append((_("Monnaie à rendre"), lang.money(doc.change_due)))
    return facts


def numbering_note(doc: ReceiptDocument, lang: DocLanguage) -> str:
    """Why the number may name another site than the family's: it is where it was paid."""
    _ = lang.gettext
    return _(
        "Les reçus sont numérotés selon l'établissement où le paiement est reçu : ce reçu "
        "est de la série {code} ({site})."
    ).format(
        code=doc.issuer.establishment_code,
        site=site_name(doc.issuer) or doc.issuer.establishment_name,
    )


def summary_lines(
    doc: ReceiptDocument, lang: DocLanguage
) -> tuple[list[tuple[str, str, bool]], int]:
    """Under the invoices: change due, the family's credit and balance, as (label, amount,
    strong) lines (plain text), and the index of the line to emphasise (-1: none)."""
    _ = lang.gettext
    lines: list[tuple[str, str, bool]] = []
    highlight = -1
    is_cash = doc.method is PaymentMethod.CASH and doc.kind is ReceiptKind.PAYMENT
    if is_cash and doc.change_due is not None:
        highlight = len(lines)
        lines.append((_("Monnaie à rendre"), lang.money(doc.change_due), True))
    if doc.credit_added > 0:
        lines.append((_("Porté au crédit du dossier"), lang.money(doc.credit_added), False))
    if doc.family_credit_after is not None:
        lines.append((_("Crédit au dossier après"), lang.money(doc.family_credit_after), False))
    if doc.family_balance is not None:
        label = _("Votre solde")
        if doc.balance_as_of is not None:
            label = _("Votre solde au {when}").format(when=lang.short_datetime(doc.balance_as_of))
        lines.append((label, lang.money(doc.family_balance), True))
    return lines, highlight


# --------------------------------------------------------------------------- the canvas
#
# Platypus (paragraph parsing, table layout) took nine tenths of a receipt's time: the
# receipt is drawn at computed places, the same places its tables gave it.

_HEADER_TOP_PAD = 3.0
"""The header table's top padding."""
_PAD_X = 6.0
"""A framed block's text from its sides."""
_FACT_VALUE_LINES = 4
_TABLE_WIDTHS = (0.17, 0.49, 0.17, 0.17)
_TABLE_RIGHT = (2, 3)
_CELL_SIZE = 8.5
_CELL_LEADING = 10.5
_SUMMARY_WIDTH = CONTENT_WIDTH * 0.64
_KEEP_WIDTH = CONTENT_WIDTH * 0.7
_KEEP_TOP_PAD = 0.08 * inch


class _ReceiptPage(CanvasForm):
    """The receipt's page: stamp, facts, amount, the invoices' table, summary."""

    def paragraph(self, text: str, font: str, size: float, leading: float, color: Any) -> None:
        """`text` (plain) wrapped to the content's width, onto the next page if need be."""
        for line in wrap_words(text, font, size, CONTENT_WIDTH, 40):
            self.need(leading)
            self.y -= leading
            self.text(MARGIN_X, self.y + leading - size, line, font, size, color)

    def heading(self, text: str) -> None:
        """A section's title, kept with what follows it (room for a first row)."""
        self.need(6 + 13 + 3 + 40)
        self.y -= 6
        self.paragraph(text, FONT_BOLD, 10.5, 13, ACCENT)

    def banner(self, text: str, detail: str, color: Any) -> None:
        """A framed, centred stamp (DUPLICATA, ANNULÉ) and its line of detail (plain)."""
        lines = wrap_words(plain(detail), FONT, 9, CONTENT_WIDTH - 2 * _PAD_X, 4) if detail else []
        height = 5 + 22 + 12 * len(lines) + 7
        self.need(height)
        top = self.y
        center = MARGIN_X + CONTENT_WIDTH / 2
        canvas = self.canvas
        canvas.setFont(FONT_BOLD, 18)
        canvas.setFillColor(color)
        canvas.drawCentredString(center, top - 5 - 18, text)
        canvas.setFont(FONT, 9)
        canvas.setFillColor(INK)
        for index, line in enumerate(lines):
            canvas.drawCentredString(center, top - 5 - 22 - 9 - index * 12, line)
        canvas.setStrokeColor(color)
        canvas.setLineWidth(1.6)
        canvas.rect(MARGIN_X, top - height, CONTENT_WIDTH, height, stroke=1, fill=0)
        self.y = top - height

    def facts(self, facts: list[tuple[str, str]], shares: tuple[float, ...]) -> None:
        """A boxed grid of facts: a small grey label above a bold value (plain), the values
        wrapped in their column."""
        widths = [CONTENT_WIDTH * share for share in shares]
        rows = [facts[start : start + len(shares)] for start in range(0, len(facts), len(shares))]
        top = self.y
        heights: list[int] = []
        for row in rows:
            cells = [
                (
                    wrap_words(label, FONT, 7.5, width - 2 * _PAD_X, 2),
                    wrap_words(plain(value), FONT_BOLD, 9.5, width - 2 * _PAD_X, _FACT_VALUE_LINES),
                )
                for (label, value), width in zip(row, widths, strict=False)
            ]
            # The grid is near the top of the first page: it never runs over a page.
            height = 4 + 6 + max(9 * len(labels) + 12 * len(values) for labels, values in cells)
            x = MARGIN_X
            for (labels, values), width in zip(cells, widths, strict=False):
                y = self.y - 4
                for line in labels:
                    self.text(x + _PAD_X, y - 7.5, line, FONT, 7.5, MUTED)
                    y -= 9
                for line in values:
                    self.text(x + _PAD_X, y - 9.5, line, FONT_BOLD, 9.5, INK)
                    y -= 12
                x += width
            self.y -= height
            heights.append(height)
        canvas = self.canvas
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        y = top
        for row_height in heights[:-1]:
            y -= row_height
            canvas.line(MARGIN_X, y, MARGIN_X + CONTENT_WIDTH, y)
        x = MARGIN_X
        for width in widths[:-1]:
            x += width
            canvas.line(x, top, x, self.y)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.9)
        canvas.rect(MARGIN_X, self.y, CONTENT_WIDTH, top - self.y, stroke=1, fill=0)

    def amount_band(self, label: str, amount: str) -> None:
        """The amount, large, right-aligned in a shaded band; its label on the left."""
        height = 5 + 18 + 7
        self.need(height)
        top = self.y
        canvas = self.canvas
        canvas.setFillColor(BAND)
        canvas.rect(MARGIN_X, top - height, CONTENT_WIDTH, height, stroke=0, fill=1)
        label_line = fit(label, FONT_BOLD, 9.5, CONTENT_WIDTH * 0.6 - _PAD_X - 8)
        self.text(MARGIN_X + _PAD_X, top - 5 - 3 - 9.5, label_line, FONT_BOLD, 9.5, INK)
        right = MARGIN_X + CONTENT_WIDTH - 8
        self.text(right, top - 5 - 15, amount, FONT_BOLD, 15, INK, right=True)
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.9)
        canvas.rect(MARGIN_X, top - height, CONTENT_WIDTH, height, stroke=1, fill=0)
        self.y = top - height

    def allocations(self, doc: ReceiptDocument, lang: DocLanguage) -> None:
        """The invoices paid: number, description (the student and term under it, grey),
        amount applied, balance after; the header row again atop each next page."""
        _ = lang.gettext
        widths = [CONTENT_WIDTH * share for share in _TABLE_WIDTHS]
        inner = [width - 2 * CELL_PAD_X for width in widths]
        header = [_("Facture"), _("Description"), _("Montant imputé"), _("Solde après")]
        head = [
            wrap_words(text, FONT_BOLD, 8, room, 2)
            for text, room in zip(header, inner, strict=True)
        ]
        self.table_head(head, widths, _TABLE_RIGHT, 8)
        last = len(doc.allocations) - 1
        for index, row in enumerate(doc.allocations):
            who = " · ".join(plain(part) for part in (row.student_name, row.term_code) if part)
            number = wrap_words(plain(row.invoice_number), FONT_BOLD, _CELL_SIZE, inner[0], 2)
            description = wrap_words(plain(row.description), FONT, _CELL_SIZE, inner[1], 4)
            detail = wrap_words(who, FONT, _CELL_SIZE, inner[1], 2) if who else []
            applied = [lang.money(row.amount_applied)]
            after = [lang.money(row.balance_after)]
            cells = [number, description + detail, applied, after]
            height = self.row_height(cells, _CELL_LEADING)
            if self.y - height < MARGIN_BOTTOM:
                self.new_page()
                self.table_head(head, widths, _TABLE_RIGHT, 8)
            top = self.y
            x = MARGIN_X
            for column, (lines, width) in enumerate(zip(cells, widths, strict=True)):
                font = FONT_BOLD if column == 0 else FONT
                for line_index, line in enumerate(lines):
                    y = top - 3 - _CELL_SIZE - line_index * _CELL_LEADING
                    color = MUTED if column == 1 and line_index >= len(description) else INK
                    if column in _TABLE_RIGHT:
                        self.text(x + width - CELL_PAD_X, y, line, font, _CELL_SIZE, color, True)
                    else:
                        self.text(x + CELL_PAD_X, y, line, font, _CELL_SIZE, color)
                x += width
            self.y = top - height
            if index < last:
                self.rule(self.y, RULE, 0.3)

    def summary(self, lines: list[tuple[str, str, bool]], highlight: int) -> None:
        """Right-aligned label and amount pairs under a rule, the strong ones bold, the
        highlighted one boxed on a band."""
        left = MARGIN_X + CONTENT_WIDTH - _SUMMARY_WIDTH
        label_width = _SUMMARY_WIDTH * 0.6
        right = left + _SUMMARY_WIDTH
        rows = [
            (wrap_words(plain(label), FONT_BOLD if strong else FONT, _CELL_SIZE,
                        label_width - _PAD_X - 4, 3), value, strong)
            for label, value, strong in lines
        ]  # fmt: skip
        height = sum(3 + 4 + _CELL_LEADING * len(label) for label, _value, _strong in rows)
        self.need(height)
        canvas = self.canvas
        top = self.y
        for index, (label, value, strong) in enumerate(rows):
            row_height = 3 + 4 + _CELL_LEADING * len(label)
            row_top = self.y
            if index == highlight:
                canvas.setFillColor(BAND)
                canvas.rect(
                    left, row_top - row_height, _SUMMARY_WIDTH, row_height, stroke=0, fill=1
                )
            font = FONT_BOLD if strong else FONT
            for line_index, line in enumerate(label):
                y = row_top - 3 - _CELL_SIZE - line_index * _CELL_LEADING
                self.text(left + label_width - 4, y, line, font, _CELL_SIZE, INK, right=True)
            y = row_top - 3 - _CELL_SIZE
            self.text(right - 4, y, value, font, _CELL_SIZE, INK, right=True)
            if index == highlight:
                canvas.setStrokeColor(ACCENT)
                canvas.setLineWidth(0.9)
                canvas.rect(
                    left, row_top - row_height, _SUMMARY_WIDTH, row_height, stroke=1, fill=0
                )
            self.y -= row_height
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.9)
        canvas.line(left, top, right, top)

    def keep_this_copy(self, doc: ReceiptDocument, lang: DocLanguage) -> None:
        """« Keep this copy », « Thank you » and the chain hash, centred under a rule."""
        _ = lang.gettext
        keep = wrap_words(_("Conservez cette copie pour vos dossiers."), FONT_BOLD, 10,
                          _KEEP_WIDTH - 2 * _PAD_X, 2)  # fmt: skip
        lines: list[tuple[str, str, float, float, Any, float]] = [
            *((line, FONT_BOLD, 10, 13, INK, 0.0) for line in keep),
            (_("Merci !"), FONT, 9, 12, INK, 0.0),
        ]
        if doc.chain_hash:
            fingerprint = _("Empreinte : {hash}").format(hash=plain(doc.chain_hash[:16]))
            lines.append((fingerprint, FONT, 7.5, 10, MUTED, 4.0))
        height = _KEEP_TOP_PAD + sum(line[3] + line[5] for line in lines) + 3
        self.need(height)
        top = self.y
        left = MARGIN_X + (CONTENT_WIDTH - _KEEP_WIDTH) / 2
        center = MARGIN_X + CONTENT_WIDTH / 2
        y = top - _KEEP_TOP_PAD
        canvas = self.canvas
        for text, font, size, leading, color, space in lines:
            y -= space
            canvas.setFont(font, size)
            canvas.setFillColor(color)
            canvas.drawCentredString(center, y - size, text)
            y -= leading
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(left, top, left + _KEEP_WIDTH, top)
        self.y = top - height
