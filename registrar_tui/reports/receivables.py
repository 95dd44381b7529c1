"""The receivables ageing (âge des comptes clients) at a day: one row per family, totals."""

from __future__ import annotations

from decimal import Decimal

from reportlab.platypus import Flowable, Spacer

from registrar_tui.reports.blocks import cell, data_table, page_header
from registrar_tui.reports.common import (
    FONT_BOLD,
    INK,
    LANDSCAPE_CONTENT_WIDTH,
    DocLanguage,
    build_pdf,
    esc,
    p,
    plain,
)
from registrar_tui.reports.documents import ReceivablesDocument, ReceivablesRow

WIDTHS = (0.08, 0.2, 0.045, 0.105, 0.075, 0.075, 0.075, 0.075, 0.085, 0.08, 0.105)
MONEY_COLUMNS = tuple(range(3, 11))


def render_receivables(doc: ReceivablesDocument) -> bytes:
    """The ageing as PDF bytes: Letter landscape, the header band repeated on every page,
    page numbers, the totals as the last row."""
    lang = DocLanguage(doc.language)
    _ = lang.gettext
    title = _("Âge des comptes clients")
    scope = doc.establishment_code or _("tous les établissements")
    facts = [
        (_("En date du :"), lang.date_text(doc.at)),
        (_("Établissement :"), scope),
        (_("Produit le :"), lang.datetime_text(doc.produced_at)),
    ]
    width = LANDSCAPE_CONTENT_WIDTH
    story: list[Flowable] = [
        page_header(doc.issuer, lang, title.upper(), facts, width=width),
        Spacer(1, 8),
        p(
            esc(
                _(
                    "Soldes à la fin du {day}, par jours de retard sur l'échéance de chaque "
                    "facture ; « Non échu » : échéance après ce jour. Crédit : argent payé "
                    "qu'aucune facture ne retenait. Montants en dollars canadiens."
                ).format(day=lang.date_text(doc.at))
            ),
            "muted",
        ),
        Spacer(1, 6),
    ]
    rows = [_row(row, lang, bold=False) for row in doc.rows]
    rows.append(_row(doc.totals, lang, bold=True, label=_("Total")))
    table = data_table(
        [
            _("Famille"),
            _("Nom"),
            _("Étab."),
            _("Non échu"),
            _("0-30 j"),
            _("31-60 j"),
            _("61-90 j"),
            _("90+ j"),
            _("Total"),
            _("Crédit"),
            _("Solde net"),
        ],
        rows,
        WIDTHS,
        right=MONEY_COLUMNS,
        footer_rows=1,
        width=width,
        long=True,
    )
    # Numbers and codes are plain cells drawn straight (a Paragraph per cell would take
    # minutes for ten thousand families); names stay Paragraphs: they wrap, escaped.
    table.setStyle(
        [
            ("FONTSIZE", (0, 1), (-1, -1), 8.5),
            ("LEADING", (0, 1), (-1, -1), 10.5),
            ("TEXTCOLOR", (0, 1), (-1, -1), INK),
            ("ALIGN", (MONEY_COLUMNS[0], 1), (-1, -1), "RIGHT"),
            ("FONTNAME", (0, -1), (-1, -1), FONT_BOLD),
        ]
    )
    story.append(table)
    if not doc.rows:
        story += [Spacer(1, 8), p(esc(_("Aucun solde ni crédit à cette date.")), "muted")]
    return build_pdf(
        story,
        lang,
        title=f"{title} — {lang.date_text(doc.at)}",
        subject=f"{title} — {scope}",
        issuer=doc.issuer,
        created_at=doc.produced_at,
        running_header=f"{title} — {lang.date_text(doc.at)} — {scope}",
        landscape=True,
    )


def _amount(lang: DocLanguage, value: Decimal) -> str:
    """`1 234,50` / `1,234.50`: a wide table's amounts without the currency (said above)."""
    from babel.numbers import format_decimal

    text = format_decimal(value, format="#,##0.00", locale=lang.locale)
    return text.replace("\u202f", "\u00a0")


def _row(
    row: ReceivablesRow, lang: DocLanguage, *, bold: bool, label: str | None = None
) -> list[Flowable | str]:
    amounts = (
        row.not_yet_due,
        row.days_0_30,
        row.days_31_60,
        row.days_61_90,
        row.over_90,
        row.total,
        row.credit,
        row.net,
    )
    return [
        plain(label if label is not None else row.family_number),
        cell(row.family_name, bold=bold),
        plain(row.establishment_code),
        *(_amount(lang, amount) for amount in amounts),
    ]
