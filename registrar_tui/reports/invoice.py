"""An invoice: its lines (voluntary contributions marked, declined ones shown as declined)."""

from __future__ import annotations

from datetime import datetime, time

from reportlab.platypus import Flowable, Paragraph, Spacer

from registrar_tui.reports.blocks import (
    banner,
    cell,
    data_table,
    labelled,
    page_header,
    totals_table,
    two_boxes,
)
from registrar_tui.reports.common import (
    ACCENT,
    MUTED,
    VOID_RED,
    DocLanguage,
    build_pdf,
    esc,
    p,
)
from registrar_tui.reports.documents import InvoiceDocument, InvoiceLineRow, InvoiceState


def render_invoice(doc: InvoiceDocument) -> bytes:
    """The invoice as PDF bytes (Letter)."""
    lang = DocLanguage(doc.language)
    _ = lang.gettext
    title = _("Facture")
    story: list[Flowable] = [
        page_header(
            doc.issuer,
            lang,
            title.upper(),
            [
                (_("N° de facture :"), doc.invoice_number),
                (_("Date d’émission :"), lang.date_text(doc.issued_on)),
                (_("Échéance :"), lang.date_text(doc.due_on)),
            ],
        ),
        Spacer(1, 10),
    ]
    if doc.state is InvoiceState.CANCELLED:
        detail = _("Annulée par la note de crédit {number}").format(
            number=doc.credit_note_number or "—"
        )
        if doc.credit_note_reason:
            detail += " — " + _("Motif : {reason}").format(reason=doc.credit_note_reason)
        story += [banner(_("ANNULÉE"), detail, VOID_RED), Spacer(1, 10)]
    elif doc.state is InvoiceState.PAID:
        story += [banner(_("PAYÉE"), "", ACCENT), Spacer(1, 10)]

    story.append(_parties(doc, lang))
    story.append(Spacer(1, 12))
    story.append(p(esc(doc.description), "h2"))
    story.append(Spacer(1, 3))
    story.append(_lines_table(doc, lang))
    story.append(Spacer(1, 6))
    totals = [(_("Total de la facture"), lang.money(doc.total), True)]
    if doc.waived:
        totals.append((_("Frais renoncés (notes de crédit)"), lang.money(-doc.waived), False))
    totals += [
        (_("Paiements reçus"), lang.money(doc.paid), False),
        (_("Solde à payer"), lang.money(doc.balance), True),
    ]
    story.append(totals_table(totals, highlight=len(totals) - 1))
    if doc.payments:
        story += [Spacer(1, 10), p(esc(_("Paiements")), "h2"), Spacer(1, 3)]
        story.append(_payments_table(doc, lang))
    story += [Spacer(1, 16), *_notes(doc, lang)]
    return build_pdf(
        story,
        lang,
        title=f"{title} {doc.invoice_number}",
        subject=f"{doc.family_name} ({doc.family_number})",
        issuer=doc.issuer,
        created_at=_midnight(doc),
        running_header=f"{title} {doc.invoice_number} — {doc.family_name}",
    )


def _midnight(doc: InvoiceDocument) -> datetime:
    # The PDF creation date: the day of issue (noon UTC, the same calendar day in Québec).
    return datetime.combine(doc.issued_on, time(12, 0))


def _parties(doc: InvoiceDocument, lang: DocLanguage) -> Flowable:
    _ = lang.gettext
    billed: list[Flowable] = [p(esc(_("Facturé à")), "label")]
    billed.append(p(f"<b>{esc(doc.billing_name or doc.family_name)}</b>"))
    billed += [p(esc(line)) for line in doc.billing_address]
    billed.append(labelled(_("Dossier :"), f"{doc.family_name} · {doc.family_number}"))
    student: list[Flowable] = [p(esc(_("Élève et session")), "label")]
    student.append(labelled(_("Élève :"), doc.student_name))
    student.append(labelled(_("N° d’élève :"), doc.student_number))
    student.append(labelled(_("Session :"), doc.term_code))
    student.append(labelled(_("Statut :"), lang.state(doc.state)))
    return two_boxes(billed, student)


def _line_cells(line: InvoiceLineRow, lang: DocLanguage) -> list[Paragraph]:
    _ = lang.gettext
    muted = MUTED.hexval()
    description = esc(line.description)
    amount = esc(lang.money(line.amount))
    if line.is_voluntary:
        tag = _("cotisation volontaire")
        description += f" <font size='7.5' color='{ACCENT.hexval()}'>[{esc(tag)}]</font>"
    if line.is_declined:
        note = _("Refusée par le payeur — non facturée")
        declined = _("Refusée")
        description = (
            f"<font color='{muted}'>{description}</font><br/>"
            f"<font size='7.5' color='{VOID_RED.hexval()}'><b>{esc(note)}</b></font>"
        )
        amount = f"<font color='{muted}'><strike>{amount}</strike></font>"
        return [
            p(f"<font color='{muted}'>{esc(line.fee_code)}</font>", "cell"),
            p(description, "cell"),
            p(f"<font color='{muted}'>{esc(declined)}</font>", "cell_r"),
            p(amount, "cell_r"),
        ]
    if line.waived_by is not None:
        note = _("Frais renoncés — note de crédit {number}").format(number=line.waived_by)
        if line.waiver_reason:
            note += " — " + _("Motif : {reason}").format(reason=line.waiver_reason)
        description += f"<br/><font size='7.5' color='{ACCENT.hexval()}'><b>{esc(note)}</b></font>"
        return [
            cell(line.fee_code),
            p(description, "cell"),
            p(esc(_("Renoncés")), "cell_r"),
            p(amount, "cell_r"),
        ]
    kept = _("Incluse") if line.is_voluntary else ""
    return [
        cell(line.fee_code),
        p(description, "cell"),
        cell(kept, align_right=True),
        p(amount, "cell_r"),
    ]


def _lines_table(doc: InvoiceDocument, lang: DocLanguage) -> Flowable:
    _ = lang.gettext
    rows = [_line_cells(line, lang) for line in doc.lines]
    return data_table(
        [_("Code"), _("Description"), "", _("Montant")],
        rows,
        [0.15, 0.55, 0.12, 0.18],
        right=(2, 3),
    )


def _payments_table(doc: InvoiceDocument, lang: DocLanguage) -> Flowable:
    _ = lang.gettext
    rows = []
    for payment in doc.payments:
        method = lang.method(payment.method)
        if payment.is_voided:
            method += " — " + _("annulé")
        rows.append(
            [
                cell(lang.short_datetime(payment.received_at)),
                cell(payment.receipt_number),
                cell(method, muted=payment.is_voided),
                cell(lang.money(payment.amount), align_right=True, muted=payment.is_voided),
            ]
        )
    return data_table(
        [_("Date"), _("N° de reçu"), _("Mode de paiement"), _("Montant")],
        rows,
        [0.25, 0.25, 0.32, 0.18],
        right=(3,),
    )


def _notes(doc: InvoiceDocument, lang: DocLanguage) -> list[Flowable]:
    _ = lang.gettext
    notes = []
    if any(line.is_voluntary for line in doc.lines):
        notes.append(
            _(
                "Les cotisations volontaires sont facultatives : le payeur peut les refuser "
                "tant que la facture n’est pas payée."
            )
        )
    if doc.balance > 0 and doc.state is not InvoiceState.CANCELLED:
        notes.append(
            _("Veuillez payer le solde au plus tard le {date}.").format(
                date=lang.date_text(doc.due_on)
            )
        )
        notes.append(
            _("Indiquez le numéro de facture {number} avec votre paiement.").format(
                number=doc.invoice_number
            )
        )
    return [p(esc(note), "muted") for note in notes]
