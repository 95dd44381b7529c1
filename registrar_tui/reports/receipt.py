"""The receipt handed over at the counter (reçu / relevé de transaction)."""

from __future__ import annotations

from reportlab.lib.colors import Color
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Spacer

from registrar_tui.reports.blocks import (
    banner,
    cell,
    data_table,
    facts_box,
    page_header,
    totals_table,
)
from registrar_tui.reports.common import (
    ACCENT,
    BAND,
    CONTENT_WIDTH,
    MUTED,
    RULE,
    VOID_RED,
    DocLanguage,
    Table,
    build_pdf,
    esc,
    p,
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
    """The receipt as PDF bytes (Letter, one page unless many invoices were paid)."""
    lang = DocLanguage(doc.language)
    _ = lang.gettext
    is_refund = doc.kind is ReceiptKind.REFUND
    title = receipt_title(doc, lang)
    when = lang.datetime_text(doc.issued_at)

    story: list[Flowable] = [
        page_header(
            doc.issuer,
            lang,
            title.upper(),
            [(_("N° de reçu :"), doc.receipt_number), (_("Date :"), when)],
        ),
        Spacer(1, 10),
    ]
    stamp = copy_stamp(doc, lang)
    if stamp is not None:
        story += [banner(*stamp), Spacer(1, 10)]

    story.append(facts_box(receipt_facts(doc, lang), widths=(0.32, 0.37, 0.31)))
    story.append(Spacer(1, 3))
    story.append(p(esc(numbering_note(doc, lang)), "muted"))
    story.append(Spacer(1, 4))
    story.append(_amount_band(doc, lang))
    story.append(Spacer(1, 12))

    if doc.allocations:
        story.append(p(esc(_("Factures réglées")), "h2"))
        story.append(Spacer(1, 3))
        story.append(_allocations_table(doc, lang))
        story.append(Spacer(1, 8))
    elif is_refund and doc.refund_reason:
        story.append(p(esc(_("Motif du remboursement")), "h2"))
        story.append(p(esc(doc.refund_reason)))
        story.append(Spacer(1, 8))

    summary = _summary(doc, lang)
    if summary is not None:
        story.append(summary)
    story.append(Spacer(1, 18))
    story.append(_keep_this_copy(doc, lang))

    return build_pdf(
        story,
        lang,
        title=f"{title} {doc.receipt_number}",
        subject=f"{doc.family_name} ({doc.family_number})",
        issuer=doc.issuer,
        created_at=doc.printed_at or doc.issued_at,
        running_header=f"{title} {doc.receipt_number} — {doc.family_name}",
        watermark=_("ANNULÉ") if doc.copy_kind is CopyKind.VOIDED else "",
    )


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


def _amount_band(doc: ReceiptDocument, lang: DocLanguage) -> Table:
    """The amount, large, in a band right under the facts."""
    _ = lang.gettext
    label = _("Montant remboursé") if doc.kind is ReceiptKind.REFUND else _("Montant payé")
    table = Table(
        [[p(esc(label), "value"), p(esc(lang.money(doc.amount)), "amount")]],
        colWidths=[CONTENT_WIDTH * 0.6, CONTENT_WIDTH * 0.4],
    )
    table.setStyle(
        [
            ("BOX", (0, 0), (-1, -1), 0.9, ACCENT),
            ("BACKGROUND", (0, 0), (-1, -1), BAND),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 6),
            ("RIGHTPADDING", (0, 0), (-1, -1), 8),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
        ]
    )
    return table


def _allocations_table(doc: ReceiptDocument, lang: DocLanguage) -> Table:
    _ = lang.gettext
    rows = []
    for row in doc.allocations:
        detail = row.description
        who = " · ".join(part for part in (row.student_name, row.term_code) if part)
        description = cell(detail)
        if who:
            description = p(
                f"{esc(detail)}<br/><font color='{MUTED.hexval()}'>{esc(who)}</font>", "cell"
            )
        rows.append(
            [
                cell(row.invoice_number, bold=True),
                description,
                cell(lang.money(row.amount_applied), align_right=True),
                cell(lang.money(row.balance_after), align_right=True),
            ]
        )
    return data_table(
        [_("Facture"), _("Description"), _("Montant imputé"), _("Solde après")],
        rows,
        [0.17, 0.49, 0.17, 0.17],
        right=(2, 3),
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


def _summary(doc: ReceiptDocument, lang: DocLanguage) -> Table | None:
    """Right-aligned, under the invoices: change due (emphasised) and the family's credit."""
    lines, highlight = summary_lines(doc, lang)
    if not lines:
        return None
    return totals_table(lines, highlight=highlight, width=0.64)


def _keep_this_copy(doc: ReceiptDocument, lang: DocLanguage) -> Table:
    _ = lang.gettext
    content: list[Flowable] = [
        p(esc(_("Conservez cette copie pour vos dossiers.")), "keep"),
        p(esc(_("Merci !")), "banner_detail"),
    ]
    if doc.chain_hash:
        content.append(Spacer(1, 4))
        content.append(p(esc(_("Empreinte : {hash}").format(hash=doc.chain_hash[:16])), "muted_c"))
    table = Table([[content]], colWidths=[CONTENT_WIDTH * 0.7])
    table.setStyle(
        [
            ("LINEABOVE", (0, 0), (-1, 0), 0.5, RULE),
            ("TOPPADDING", (0, 0), (-1, -1), 0.08 * inch),
        ]
    )
    return table
