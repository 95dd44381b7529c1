"""A family's statement of account (état de compte): every invoice, totals, credit."""

from __future__ import annotations

from reportlab.platypus import Flowable, Spacer

from registrar_tui.reports.blocks import (
    cell,
    data_table,
    labelled,
    page_header,
    totals_table,
    two_boxes,
)
from registrar_tui.reports.common import (
    MUTED,
    VOID_RED,
    DocLanguage,
    build_pdf,
    esc,
    p,
)
from registrar_tui.reports.documents import (
    InvoiceState,
    StatementDocument,
    StatementInstalmentRow,
    StatementRow,
)


def render_statement(doc: StatementDocument) -> bytes:
    """The statement as PDF bytes; long statements run over pages with the header repeated."""
    lang = DocLanguage(doc.language)
    _ = lang.gettext
    title = _("État de compte")
    story: list[Flowable] = [
        page_header(
            doc.issuer,
            lang,
            title.upper(),
            [
                (_("En date du :"), lang.datetime_text(doc.as_of)),
                (_("N° de client :"), doc.family_number),
            ],
        ),
        Spacer(1, 10),
        _parties(doc, lang),
        Spacer(1, 12),
        p(esc(_("Factures")), "h2"),
        Spacer(1, 3),
        _rows_table(doc, lang),
        Spacer(1, 8),
        totals_table(
            [
                (_("Solde des factures"), lang.money(doc.total_balance), False),
                (_("Crédit au dossier"), lang.money(doc.credit), False),
                (_("Montant dû"), lang.money(doc.amount_due), True),
            ],
            highlight=2,
        ),
        Spacer(1, 14),
    ]
    if doc.instalments:
        story += _plan(doc, lang)
    notes = []
    if doc.overdue > 0:
        notes.append(
            _("Montant en retard : {amount}. Merci de régulariser votre compte.").format(
                amount=lang.money(doc.overdue)
            )
        )
    if doc.credit > 0:
        notes.append(
            _(
                "Le crédit au dossier sera appliqué à vos prochaines factures "
                "ou remboursé sur demande."
            )
        )
    story += [p(esc(note), "muted") for note in notes]
    return build_pdf(
        story,
        lang,
        title=f"{title} — {doc.family_name}",
        subject=f"{doc.family_name} ({doc.family_number})",
        issuer=doc.issuer,
        created_at=doc.as_of,
        running_header=f"{title} — {doc.family_name} ({doc.family_number}) — "
        + lang.date_text(lang.local(doc.as_of).date()),
    )


def _plan(doc: StatementDocument, lang: DocLanguage) -> list[Flowable]:
    """The payment plan agreed with the family: each instalment, what is paid, what is left."""
    _ = lang.gettext
    title = _("Échéancier")
    if doc.plan_made_on is not None:
        title = _("Échéancier convenu le {day}").format(day=lang.date_text(doc.plan_made_on))
    rows = [_instalment_cells(row, lang) for row in doc.instalments]
    return [
        p(esc(title), "h2"),
        Spacer(1, 3),
        data_table(
            [_("Versement"), _("Échéance"), _("Montant"), _("Payé"), _("Reste"), _("Statut")],
            rows,
            [0.12, 0.2, 0.17, 0.17, 0.17, 0.17],
            right=(2, 3, 4),
        ),
        Spacer(1, 12),
    ]


def _instalment_cells(row: StatementInstalmentRow, lang: DocLanguage) -> list[Flowable]:
    _ = lang.gettext
    if row.outstanding <= 0:
        state = esc(_("Payé"))
    elif row.is_overdue:
        state = f"<font color='{VOID_RED.hexval()}'><b>{esc(_('En retard'))}</b></font>"
    elif row.paid > 0:
        state = esc(_("Partiel"))
    else:
        state = esc(_("À venir"))
    return [
        cell(str(row.sequence)),
        cell(lang.date_text(row.due_on, "short")),
        cell(lang.money(row.amount), align_right=True),
        cell(lang.money(row.paid), align_right=True),
        cell(lang.money(row.outstanding), align_right=True, bold=row.outstanding > 0),
        p(state, "cell"),
    ]


def _parties(doc: StatementDocument, lang: DocLanguage) -> Flowable:
    _ = lang.gettext
    left: list[Flowable] = [p(esc(_("Client")), "label")]
    left.append(p(f"<b>{esc(doc.billing_name or doc.family_name)}</b>"))
    left += [p(esc(line)) for line in doc.billing_address]
    left.append(labelled(_("Dossier :"), f"{doc.family_name} · {doc.family_number}"))
    right: list[Flowable] = [p(esc(_("Sommaire")), "label")]
    right.append(labelled(_("Total facturé :"), lang.money(doc.total_invoiced)))
    right.append(labelled(_("Total payé :"), lang.money(doc.total_paid)))
    right.append(labelled(_("Crédit au dossier :"), lang.money(doc.credit)))
    right.append(labelled(_("Montant dû :"), lang.money(doc.amount_due)))
    return two_boxes(left, right)


def _row_cells(row: StatementRow, lang: DocLanguage) -> list[Flowable]:
    cancelled = row.state is InvoiceState.CANCELLED
    description = esc(row.description)
    detail = " · ".join(part for part in (row.term_code, row.student_name) if part)
    if detail:
        description += f"<br/><font color='{MUTED.hexval()}'>{esc(detail)}</font>"
    state = esc(lang.state(row.state))
    if row.state is InvoiceState.OVERDUE:
        state = f"<font color='{VOID_RED.hexval()}'><b>{state}</b></font>"
    return [
        cell(row.invoice_number, bold=not cancelled),
        p(description, "cell"),
        cell(lang.date_text(row.due_on, "short"), muted=cancelled),
        cell(lang.money(row.total), align_right=True, muted=cancelled),
        cell(lang.money(row.paid), align_right=True, muted=cancelled),
        cell(lang.money(row.balance), align_right=True, muted=cancelled),
        p(state, "cell"),
    ]


def _rows_table(doc: StatementDocument, lang: DocLanguage) -> Flowable:
    _ = lang.gettext
    rows = [_row_cells(row, lang) for row in doc.rows]
    rows.append(
        [
            cell(_("Total"), bold=True),
            cell(""),
            cell(""),
            p(esc(lang.money(doc.total_invoiced)), "total_r"),
            p(esc(lang.money(doc.total_paid)), "total_r"),
            p(esc(lang.money(doc.total_balance)), "total_r"),
            cell(""),
        ]
    )
    return data_table(
        [
            _("Facture"),
            _("Description"),
            _("Échéance"),
            _("Total"),
            _("Payé"),
            _("Solde"),
            _("Statut"),
        ],
        rows,
        [0.15, 0.255, 0.115, 0.125, 0.125, 0.125, 0.105],
        right=(3, 4, 5),
        footer_rows=1,
    )
