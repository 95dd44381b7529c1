"""The day-close report (fermeture de caisse): expected by method, counted cash, discrepancy."""

from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, Spacer

from registrar_tui.reports.blocks import (
    cell,
    data_table,
    labelled,
    page_header,
    totals_table,
    two_boxes,
)
from registrar_tui.reports.common import (
    CONTENT_WIDTH,
    INK,
    VOID_RED,
    DocLanguage,
    Table,
    build_pdf,
    esc,
    p,
)
from registrar_tui.reports.documents import DayCloseDocument


def render_day_close(doc: DayCloseDocument) -> bytes:
    """The day-close report as PDF bytes (Letter)."""
    lang = DocLanguage(doc.language)
    _ = lang.gettext
    title = _("Fermeture de caisse en ligne") if doc.online else _("Fermeture de caisse")
    facts = [(_("Fermée le :"), lang.datetime_text(doc.closed_at))]
    if doc.reference:
        facts.insert(0, (_("Référence :"), doc.reference))
    story: list[Flowable] = [
        page_header(doc.issuer, lang, title.upper(), facts),
        Spacer(1, 10),
        _who_and_when(doc, lang),
        Spacer(1, 12),
        p(esc(_("Totaux attendus par mode de paiement")), "h2"),
        Spacer(1, 3),
        _methods_table(doc, lang),
        Spacer(1, 12),
    ]
    if doc.online:
        story.append(
            p(esc(_("Paiements en ligne du portail : aucun comptant à compter dans cette caisse.")))
        )
    else:
        story.append(
            KeepTogether([p(esc(_("Caisse (comptant)")), "h2"), Spacer(1, 3), _cash(doc, lang)])
        )
    if doc.note:
        story += [Spacer(1, 8), labelled(_("Note :"), doc.note)]
    if doc.transactions:
        story += [
            Spacer(1, 12),
            p(esc(_("Détail des transactions")), "h2"),
            Spacer(1, 3),
            _transactions_table(doc, lang),
        ]
    story += [Spacer(1, 36), _signatures(lang)]
    return build_pdf(
        story,
        lang,
        title=f"{title} — {doc.clerk_name}",
        subject=f"{doc.issuer.establishment_name} — {lang.datetime_text(doc.closed_at)}",
        issuer=doc.issuer,
        created_at=doc.closed_at,
        running_header=f"{title} — {doc.clerk_name} — {lang.datetime_text(doc.closed_at)}",
    )


def _who_and_when(doc: DayCloseDocument, lang: DocLanguage) -> Flowable:
    _ = lang.gettext
    left: list[Flowable] = [
        p(esc(_("Caisse en ligne") if doc.online else _("Commis")), "label"),
        p(f"<b>{esc(doc.clerk_name)}</b>"),
        labelled(_("Établissement :"), doc.issuer.establishment_name),
    ]
    if doc.closed_by:
        left.append(labelled(_("Fermée par :"), doc.closed_by))
    start = lang.datetime_text(doc.period_start) if doc.period_start else _("première fermeture")
    right: list[Flowable] = [
        p(esc(_("Période")), "label"),
        labelled(_("Du :"), start),
        labelled(_("Au :"), lang.datetime_text(doc.closed_at)),
    ]
    return two_boxes(left, right)


def _methods_table(doc: DayCloseDocument, lang: DocLanguage) -> Flowable:
    _ = lang.gettext
    rows = [
        [
            cell(lang.method(total.method)),
            cell(str(total.payment_count), align_right=True),
            cell(lang.money(total.expected), align_right=True),
        ]
        for total in doc.totals
    ]
    rows.append(
        [
            cell(_("Total attendu"), bold=True),
            cell(""),
            cell(lang.money(doc.expected_total), bold=True, align_right=True),
        ]
    )
    return data_table(
        [_("Mode de paiement"), _("Nombre"), _("Attendu")],
        rows,
        [0.55, 0.2, 0.25],
        right=(1, 2),
        footer_rows=1,
    )


def _cash(doc: DayCloseDocument, lang: DocLanguage) -> Table:
    _ = lang.gettext
    if doc.discrepancy < 0:
        label = _("Écart (manque)")
    elif doc.discrepancy > 0:
        label = _("Écart (surplus)")
    else:
        label = _("Écart")
    lines: list[tuple[str, str, bool]] = []
    if doc.cash_refunds:
        lines.append((_("Remboursements en comptant"), lang.money(-doc.cash_refunds), False))
    lines += [
        (_("Comptant attendu"), lang.money(doc.expected_cash), False),
        (_("Comptant compté"), lang.money(doc.counted_cash), False),
        (label, lang.money(doc.discrepancy), True),
    ]
    shortage = VOID_RED if doc.discrepancy < 0 else None
    return totals_table(lines, highlight=len(lines) - 1, width=0.6, highlight_color=shortage)


def _transactions_table(doc: DayCloseDocument, lang: DocLanguage) -> Flowable:
    _ = lang.gettext
    rows = []
    for item in doc.transactions:
        method = lang.method(item.method)
        if item.is_void:
            method += " — " + _("annulation")
        rows.append(
            [
                cell(lang.time_text(lang.local(item.occurred_at).time())),
                cell(item.receipt_number),
                cell(f"{item.family_name} · {item.family_number}"),
                cell(method, muted=item.is_void),
                cell(lang.money(item.amount), align_right=True, muted=item.is_void),
            ]
        )
    return data_table(
        [_("Heure"), _("N° de reçu"), _("Client"), _("Mode"), _("Montant")],
        rows,
        [0.10, 0.19, 0.33, 0.24, 0.14],
        right=(4,),
    )


def _signatures(lang: DocLanguage) -> Table:
    _ = lang.gettext
    table = Table(
        [
            ["", "", ""],
            [p(esc(_("Signature du commis")), "muted"), "", p(esc(_("Vérifié par")), "muted")],
        ],
        colWidths=[CONTENT_WIDTH * 0.42, CONTENT_WIDTH * 0.16, CONTENT_WIDTH * 0.42],
        rowHeights=[18, None],
    )
    table.setStyle(
        [
            ("LINEBELOW", (0, 0), (0, 0), 0.6, INK),
            ("LINEBELOW", (2, 0), (2, 0), 0.6, INK),
        ]
    )
    return table
