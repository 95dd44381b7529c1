"""The family's message about a re-enrolment decision, queued in the family's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, elide, translations_for
from registrar_tui.models import Family, Guardian, Student
from registrar_tui.models.base import Language, require_id
from registrar_tui.services.ledger.invoicing import IssuedInvoice
from registrar_tui.services.outbox.queue import queue_message
from registrar_tui.services.records.courses import DisciplineName
from registrar_tui.services.staff.settings import institution_name

REENROLMENT_KIND = "reenrolment"

_APPROVED_SUBJECT = N_("Réinscription de {student} — session {term} acceptée")
_APPROVED_BODY = N_(
    "Bonjour {name},\n\n"
    "La demande de réinscription de {student} pour la session {term} est acceptée.\n"
    "{invoice}\n\n"
    "{institution}"
)
_INVOICE_LINE = N_("La facture {number} ({total}) est disponible dans votre dossier.")
_WAITING_LINE = N_("{discipline} : groupe {section} complet, liste d'attente (rang {rank}).")
_REJECTED_SUBJECT = N_("Réinscription de {student} — session {term} refusée")
_REJECTED_BODY = N_(
    "Bonjour {name},\n\n"
    "La demande de réinscription de {student} pour la session {term} n'a pas été acceptée.\n"
    "Motif : {reason}\n\n"
    "{institution}"
)


@dataclass(frozen=True)
class WaitingNotice:
    """A discipline put on a full group's waiting list by a validation."""

    discipline: DisciplineName
    section: str
    rank: int
    entry_id: int


def money_in(amount: Decimal, language: Language) -> str:
    """An amount as the family reads it (`1 275,00 $` / `$1,275.00`)."""
    from babel.numbers import format_currency

    locale = "en_CA" if language is Language.ENGLISH else "fr_CA"
    return format_currency(amount, "CAD", locale=locale)


def payer_of(uow: UnitOfWork, family_id: int) -> Guardian | None:
    return uow.session.exec(
        select(Guardian).where(col(Guardian.family_id) == family_id, col(Guardian.is_payer))
    ).first()


def notify_family(
    uow: UnitOfWork,
    *,
    family: Family,
    student: Student,
    term_code: str,
    approved: bool,
    invoice: IssuedInvoice | None,
    reason: str,
    invoice_total: Decimal | None = None,
    waiting: Sequence[WaitingNotice] = (),
) -> str | None:
    """Queue the decision's message to the payer; None (nothing queued) without an e-mail.

    `invoice_total`: what the invoice asks for once declined contributions are out (the
    invoice's total when None); `waiting`: the disciplines left on a waiting list."""
    payer = payer_of(uow, require_id(family))
    if payer is None or not payer.email:
        return None
    language = Language(family.language)
    lang = str(language)
    gettext = translations_for(lang).gettext
    who = f"{student.first_name} {student.last_name}".strip()
    name = f"{payer.first_name} {payer.last_name}".strip()
    if approved:
        invoice_text = (
            gettext(_INVOICE_LINE).format(
                number=invoice.number,
                total=money_in(invoice.total if invoice_total is None else invoice_total, language),
            )
            if invoice is not None
            else ""
        )
        for notice in waiting:
            line = gettext(_WAITING_LINE).format(
                discipline=notice.discipline.name_en
                if language is Language.ENGLISH
                else notice.discipline.name_fr,
                section=notice.section,
                rank=notice.rank,
            )
            invoice_text = f"{invoice_text}\n{line}" if invoice_text else line
        subject = elide(gettext(_APPROVED_SUBJECT), lang, student=who, term=term_code)
        body = elide(
            gettext(_APPROVED_BODY),
            lang,
            name=name,
            student=who,
            term=term_code,
            invoice=invoice_text,
            institution=institution_name(uow),
        )
    else:
        subject = elide(gettext(_REJECTED_SUBJECT), lang, student=who, term=term_code)
        body = elide(
            gettext(_REJECTED_BODY),
            lang,
            name=name,
            student=who,
            term=term_code,
            reason=reason,
            institution=institution_name(uow),
        )
    queue_message(
        uow,
        kind=REENROLMENT_KIND,
        family_id=family.id,
        recipient=payer.email,
        subject=subject,
        body=body,
        language=language,
    )
    return payer.email
