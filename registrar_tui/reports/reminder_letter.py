"""An overdue reminder letter (lettre de relance): the level's text, the overdue invoices and
the total, addressed to the family's payer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from reportlab.platypus import Flowable, Spacer

from registrar_tui.reports.blocks import cell, data_table, labelled, page_header, two_boxes
from registrar_tui.reports.common import DocLanguage, build_pdf, esc, p
from registrar_tui.reports.documents import DocumentLanguage, Issuer


@dataclass(frozen=True)
class ReminderLetterRow:
    """One overdue invoice of the letter, or one overdue instalment of the family's payment
    plan (`instalment_sequence` set), with the level this letter is for it."""

    invoice_number: str
    description: str
    due_on: date
    days_overdue: int
    level: int
    balance: Decimal
    student_name: str | None = None
    term_code: str | None = None
    instalment_sequence: int | None = None


@dataclass(frozen=True)
class ReminderLetterDocument:
    issuer: Issuer
    sent_at: datetime
    family_name: str
    family_number: str
    level: int
    text: str
    """The level's text in the letter's language, as the admin wrote it (escaped here)."""
    rows: tuple[ReminderLetterRow, ...]
    total_overdue: Decimal
    billing_name: str | None = None
    billing_address: tuple[str, ...] = ()
    language: DocumentLanguage = "fr_CA"


def render_reminder_letter(doc: ReminderLetterDocument) -> bytes:
    """The letter as PDF bytes (a long list of invoices runs over pages, header repeated)."""
    lang = DocLanguage(doc.language)
    _ = lang.gettext
    title = _("Avis de retard de paiement")
    level_label = _("Relance {level} de 3").format(level=doc.level)
    story: list[Flowable] = [
        page_header(
            doc.issuer,
            lang,
            title.upper(),
            [
                (_("Date :"), lang.date_text(lang.local(doc.sent_at).date())),
                (_("N° de client :"), doc.family_number),
                (_("Niveau :"), level_label),
            ],
        ),
        Spacer(1, 10),
        _parties(doc, lang),
        Spacer(1, 14),
    ]
    story += [p(esc(paragraph)) for paragraph in doc.text.split("\n") if paragraph.strip()]
    story += [
        Spacer(1, 12),
        p(esc(_("Échéances en retard") if _on_plan(doc) else _("Factures en retard")), "h2"),
        Spacer(1, 3),
        _rows_table(doc, lang),
        Spacer(1, 14),
        p(
            esc(
                _(
                    "Pour toute question ou pour convenir d'une entente de paiement, "
                    "communiquez avec le secrétariat."
                )
            ),
            "muted",
        ),
    ]
    return build_pdf(
        story,
        lang,
        title=f"{title} — {doc.family_name}",
        subject=f"{doc.family_name} ({doc.family_number}) — {level_label}",
        issuer=doc.issuer,
        created_at=doc.sent_at,
        running_header=f"{title} — {doc.family_name} ({doc.family_number})",
    )


def _parties(doc: ReminderLetterDocument, lang: DocLanguage) -> Flowable:
    _ = lang.gettext
    left: list[Flowable] = [p(esc(_("Destinataire")), "label")]
    left.append(p(f"<b>{esc(doc.billing_name or doc.family_name)}</b>"))
    left += [p(esc(line)) for line in doc.billing_address]
    left.append(labelled(_("Dossier :"), f"{doc.family_name} · {doc.family_number}"))
    right: list[Flowable] = [p(esc(_("Sommaire")), "label")]
    overdue_label = _("Échéances en retard :") if _on_plan(doc) else _("Factures en retard :")
    right.append(labelled(overdue_label, str(len(doc.rows))))
    right.append(labelled(_("Montant en retard :"), lang.money(doc.total_overdue)))
    return two_boxes(left, right)


def _on_plan(doc: ReminderLetterDocument) -> bool:
    """A letter about a payment plan's instalments (a family behind on its plan)."""
    return any(row.instalment_sequence is not None for row in doc.rows)


def _rows_table(doc: ReminderLetterDocument, lang: DocLanguage) -> Flowable:
    _ = lang.gettext
    rows: list[list[Flowable]] = []
    for row in doc.rows:
        reference = row.invoice_number
        description = esc(row.description)
        if row.instalment_sequence is not None:
            reference = _("Échéance {sequence}").format(sequence=row.instalment_sequence)
            description = esc(_("Échéancier de paiement"))
        detail = " · ".join(part for part in (row.term_code, row.student_name) if part)
        if detail:
            description += f"<br/>{esc(detail)}"
        rows.append(
            [
                cell(reference, bold=True),
                p(description, "cell"),
                cell(lang.date_text(row.due_on, "short")),
                cell(str(row.days_overdue), align_right=True),
                cell(str(row.level), align_right=True),
                cell(lang.money(row.balance), align_right=True),
            ]
        )
    rows.append(
        [
            cell(_("Total"), bold=True),
            cell(""),
            cell(""),
            cell(""),
            cell(""),
            p(esc(lang.money(doc.total_overdue)), "total_r"),
        ]
    )
    return data_table(
        [
            _("Échéance") if _on_plan(doc) else _("Facture"),
            _("Description"),
            _("Date d'échéance") if _on_plan(doc) else _("Échéance"),
            _("Jours"),
            _("Relance"),
            _("Solde"),
        ],
        rows,
        [0.16, 0.37, 0.13, 0.09, 0.09, 0.16],
        right=(3, 4, 5),
        footer_rows=1,
    )
