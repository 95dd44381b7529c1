"""The bank deposit slip (bordereau de dépôt): what a teller checks before crediting.

Establishment, account (or a blank line to fill by hand), date, deposit number; the cash
by denomination (count × value); the cheques one per line; the adjustments (payments
voided after an earlier deposit); the day closes' over/short (the cash counted in a drawer
against the cash expected, already in the cash); the totals; the depositor's and the
teller's signatures.

The document's dataclasses are here and import no reportlab (services build them at
start-up); `render_deposit_slip` imports it when it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from registrar_tui.reports.documents import DocumentLanguage, Issuer, PaymentMethod

if TYPE_CHECKING:
    from reportlab.platypus import Flowable

    from registrar_tui.reports.common import DocLanguage


@dataclass(frozen=True)
class DepositSlipCash:
    denomination: Decimal  # Decimal("20.00")
    quantity: int
    amount: Decimal  # denomination × quantity, computed by the service


@dataclass(frozen=True)
class DepositSlipCheque:
    cheque_number: str
    drawer: str  # the bank or the drawer as the payment records it ("" when unknown)
    receipt_number: str
    amount: Decimal
    certified: bool = False


@dataclass(frozen=True)
class DepositSlipAdjustment:
    """A payment voided after an earlier deposit was made, or a cash refund handed out of
    a drawer: taken off (negative)."""

    receipt_number: str
    family_name: str
    method: PaymentMethod
    original_deposit_number: str  # "" for a refund
    amount: Decimal  # negative
    is_refund: bool = False


@dataclass(frozen=True)
class DepositSlipOverShort:
    """A day close that counted more or less cash than expected: its difference is in the
    cash of the deposit (the cash the drawer actually held)."""

    closed_at: datetime  # naive UTC
    clerk_name: str
    expected_cash: Decimal
    counted_cash: Decimal
    amount: Decimal  # counted − expected: negative short, positive over


@dataclass(frozen=True)
class DepositSlipDocument:
    """Every amount is computed by the service: the renderer adds nothing up."""

    issuer: Issuer
    number: str  # "MTL-DEP-0007"
    account: str  # "" prints a blank line to fill by hand
    deposited_on: datetime  # naive UTC: when made, else when prepared
    prepared_by: str
    is_made: bool
    cash: tuple[DepositSlipCash, ...]
    cash_total: Decimal  # the count of the cash (cash payments less cash adjustments)
    cheques: tuple[DepositSlipCheque, ...]
    cheques_total: Decimal  # the cheques listed
    adjustments: tuple[DepositSlipAdjustment, ...]
    cash_adjustments_total: Decimal  # already deducted from the cash counted (≤ 0)
    cheque_adjustments_total: Decimal  # deducted from the cheques (≤ 0)
    total: Decimal  # cash_total + cheques_total + cheque_adjustments_total
    language: DocumentLanguage = "fr_CA"
    over_short: tuple[DepositSlipOverShort, ...] = ()
    over_short_total: Decimal = Decimal("0.00")  # already in the cash counted


BLANK_ACCOUNT = "_" * 34


def render_deposit_slip(doc: DepositSlipDocument) -> bytes:
    """The deposit slip as PDF bytes (Letter)."""
    from reportlab.platypus import KeepTogether, Spacer

    from registrar_tui.reports.blocks import banner, page_header, two_boxes
    from registrar_tui.reports.common import VOID_RED, DocLanguage, build_pdf, esc, p

    lang = DocLanguage(doc.language)
    _ = lang.gettext
    title = _("Bordereau de dépôt")
    facts = [
        (_("Dépôt n° :"), doc.number),
        (_("Date :"), lang.date_text(lang.local(doc.deposited_on).date())),
    ]
    story: list[Flowable] = [page_header(doc.issuer, lang, title.upper(), facts), Spacer(1, 10)]
    if not doc.is_made:
        story += [
            banner(
                _("PRÉPARÉ — PAS ENCORE DÉPOSÉ"),
                _("Ce bordereau n'est valable qu'une fois le dépôt fait."),
                VOID_RED,
            ),
            Spacer(1, 8),
        ]
    story += [
        two_boxes(
            [
                p(esc(_("Déposant")), "label"),
                p(f"<b>{esc(doc.issuer.institution_name)}</b>"),
                p(esc(doc.issuer.establishment_name)),
            ],
            [
                p(esc(_("Compte")), "label"),
                p(f"<b>{esc(doc.account or BLANK_ACCOUNT)}</b>"),
                p(esc(_("Préparé par {name}").format(name=doc.prepared_by)), "muted"),
            ],
        ),
        Spacer(1, 12),
        KeepTogether([p(esc(_("Comptant")), "h2"), Spacer(1, 3), _cash_table(doc, lang)]),
        Spacer(1, 12),
        p(esc(_("Chèques")), "h2"),
        Spacer(1, 3),
        _cheque_table(doc, lang),
    ]
    if doc.adjustments:
        story += [
            Spacer(1, 12),
            p(esc(_("Ajustements (annulations après dépôt, remboursements)")), "h2"),
            Spacer(1, 3),
            _adjustment_table(doc, lang),
        ]
        if doc.cash_adjustments_total:
            story += [
                Spacer(1, 3),
                p(
                    esc(
                        _("Ajustements en comptant ({amount}) déjà déduits du comptant.").format(
                            amount=lang.money(doc.cash_adjustments_total)
                        )
                    ),
                    "muted",
                ),
            ]
    if doc.over_short:
        story += [
            Spacer(1, 12),
            p(esc(_("Écarts de caisse (fermetures de caisse)")), "h2"),
            Spacer(1, 3),
            _over_short_table(doc, lang),
            Spacer(1, 3),
            p(
                esc(
                    _(
                        "Écart net ({amount}) déjà compris dans le comptant : le comptant "
                        "est celui compté dans les caisses."
                    ).format(amount=lang.money(doc.over_short_total))
                ),
                "muted",
            ),
        ]
    story += [Spacer(1, 12), _totals(doc, lang), Spacer(1, 40), _signatures(lang)]
    return build_pdf(
        story,
        lang,
        title=f"{title} {doc.number}",
        subject=doc.issuer.establishment_name,
        issuer=doc.issuer,
        created_at=doc.deposited_on,
        running_header=f"{title} {doc.number} — {doc.issuer.establishment_name}",
    )


def _cash_table(doc: DepositSlipDocument, lang: DocLanguage) -> Flowable:
    from registrar_tui.reports.blocks import cell, data_table

    _ = lang.gettext
    rows = [
        [
            cell(lang.money(line.denomination)),
            cell(f"× {line.quantity}", align_right=True),
            cell(lang.money(line.amount), align_right=True),
        ]
        for line in doc.cash
    ]
    if not rows:
        rows.append([cell(_("Aucun comptant")), cell(""), cell("")])
    rows.append(
        [
            cell(_("Total du comptant"), bold=True),
            cell(""),
            cell(lang.money(doc.cash_total), bold=True, align_right=True),
        ]
    )
    return data_table(
        [_("Coupure"), _("Nombre"), _("Montant")],
        rows,
        [0.4, 0.3, 0.3],
        right=(1, 2),
        footer_rows=1,
    )


def _cheque_table(doc: DepositSlipDocument, lang: DocLanguage) -> Flowable:
    from registrar_tui.reports.blocks import cell, data_table

    _ = lang.gettext
    rows = []
    for index, cheque in enumerate(doc.cheques, start=1):
        number = cheque.cheque_number
        if cheque.certified:
            number += " " + _("(certifié)")
        rows.append(
            [
                cell(str(index), align_right=True),
                cell(number),
                cell(cheque.drawer or "—"),
                cell(cheque.receipt_number),
                cell(lang.money(cheque.amount), align_right=True),
            ]
        )
    if not rows:
        rows.append([cell(""), cell(_("Aucun chèque")), cell(""), cell(""), cell("")])
    rows.append(
        [
            cell(""),
            cell(_("Total des chèques"), bold=True),
            cell(""),
            cell(""),
            cell(lang.money(doc.cheques_total), bold=True, align_right=True),
        ]
    )
    return data_table(
        [_("N°"), _("N° du chèque"), _("Banque / tireur"), _("Reçu"), _("Montant")],
        rows,
        [0.06, 0.22, 0.33, 0.22, 0.17],
        right=(0, 4),
        footer_rows=1,
        long=True,
    )


def _adjustment_table(doc: DepositSlipDocument, lang: DocLanguage) -> Flowable:
    from registrar_tui.reports.blocks import cell, data_table

    _ = lang.gettext
    rows = [
        [
            cell(item.receipt_number),
            cell(item.family_name),
            # A refund is always cash handed back: its kind says more than its method.
            cell(_("Remboursement") if item.is_refund else lang.method(item.method)),
            cell(item.original_deposit_number or "—"),
            cell(lang.money(item.amount), align_right=True),
        ]
        for item in doc.adjustments
    ]
    return data_table(
        [_("Reçu"), _("Famille"), _("Mode"), _("Déposé avec"), _("Montant")],
        rows,
        [0.19, 0.27, 0.24, 0.16, 0.14],
        right=(4,),
    )


def _over_short_table(doc: DepositSlipDocument, lang: DocLanguage) -> Flowable:
    from registrar_tui.reports.blocks import cell, data_table

    _ = lang.gettext
    rows = [
        [
            cell(lang.datetime_text(item.closed_at)),
            cell(item.clerk_name),
            cell(lang.money(item.expected_cash), align_right=True),
            cell(lang.money(item.counted_cash), align_right=True),
            cell(
                (_("Manque {amount}") if item.amount < 0 else _("Surplus {amount}")).format(
                    amount=lang.money(item.amount)
                ),
                align_right=True,
            ),
        ]
        for item in doc.over_short
    ]
    return data_table(
        [_("Fermée le"), _("Caissier"), _("Attendu"), _("Compté"), _("Écart")],
        rows,
        [0.27, 0.23, 0.15, 0.15, 0.20],
        right=(2, 3, 4),
    )


def _totals(doc: DepositSlipDocument, lang: DocLanguage) -> Flowable:
    from registrar_tui.reports.blocks import totals_table

    _ = lang.gettext
    lines: list[tuple[str, str, bool]] = [
        (_("Comptant"), lang.money(doc.cash_total), False),
        (_("Chèques"), lang.money(doc.cheques_total), False),
    ]
    if doc.cheque_adjustments_total:
        lines.append(
            (_("Ajustements sur chèques"), lang.money(doc.cheque_adjustments_total), False)
        )
    lines.append((_("Total du dépôt"), lang.money(doc.total), True))
    return totals_table(lines, highlight=len(lines) - 1, width=0.6)


def _signatures(lang: DocLanguage) -> Flowable:
    from registrar_tui.reports.common import CONTENT_WIDTH, INK, Table, esc, p

    _ = lang.gettext
    table = Table(
        [
            ["", "", ""],
            [
                p(esc(_("Signature du déposant")), "muted"),
                "",
                p(esc(_("Reçu par (caissier de la banque)")), "muted"),
            ],
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
