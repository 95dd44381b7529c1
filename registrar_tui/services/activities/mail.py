"""The confirmation e-mail of an activity registration, in the family's language.

Written to the outbox in the registration's transaction, with the invoice PDF attached;
amounts and dates are formatted for the family's language, not the clerk's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, elide, translations_for
from registrar_tui.models import Activity, Family, Guardian, Student
from registrar_tui.models.base import Language
from registrar_tui.services.ledger.invoicing import IssuedInvoice
from registrar_tui.services.outbox.queue import queue_message
from registrar_tui.services.staff.settings import institution_name

ACTIVITY_KIND = "activity_registration"

_SUBJECT = N_("Inscription : {activity}")
_BODY = N_(
    "Bonjour {name},\n\n"
    "L'inscription de {student} à « {activity} » ({held_on}) est confirmée.\n\n"
    "{lines}\n\n"
    "Total : {total}. La facture {number} est jointe ; elle est payable au plus tard "
    "le {due_on}.\n\n"
    "{institution}"
)
_LINE = N_("- {item} × {quantity}")


def _babel_locale(language: str) -> str:
    return "en_CA" if language == Language.ENGLISH else "fr_CA"


@dataclass(frozen=True)
class DateParam:
    """A date placed in an error message, formatted in the language it is shown in."""

    value: date

    def __format__(self, spec: str) -> str:
        from registrar_tui.i18n import format_date

        return format_date(self.value)

    def __str__(self) -> str:
        return format(self, "")


def queue_confirmation(
    uow: UnitOfWork,
    activity: Activity,
    student: Student,
    invoice: IssuedInvoice,
    items: Sequence[tuple[str, int]],
) -> str | None:
    """Queue the registration's confirmation to the family's payer, the invoice attached.

    Returns the address, or None when the payer has no e-mail (nothing queued).
    """
    from babel.dates import format_date
    from babel.numbers import format_currency

    from registrar_tui.services.documents.build import invoice_pdf

    family = uow.session.get(Family, student.family_id)
    assert family is not None
    payer = uow.session.exec(
        select(Guardian).where(col(Guardian.family_id) == family.id, col(Guardian.is_payer))
    ).first()
    if payer is None or not payer.email:
        return None
    language = Language(family.language)
    locale = _babel_locale(language)
    gettext = translations_for(str(language)).gettext

    def money(amount: Decimal) -> str:
        return format_currency(amount, "CAD", locale=locale)

    lines = "\n".join(
        gettext(_LINE).format(item=label, quantity=quantity) for label, quantity in items
    )
    body = elide(
        gettext(_BODY),
        str(language),
        name=f"{payer.first_name} {payer.last_name}".strip(),
        student=f"{student.first_name} {student.last_name}".strip(),
        activity=activity.title,
        held_on=format_date(activity.held_on, "long", locale=locale),
        lines=lines,
        total=money(invoice.total),
        number=invoice.number,
        due_on=format_date(invoice.due_on, "long", locale=locale),
        institution=institution_name(uow),
    )
    queue_message(
        uow,
        kind=ACTIVITY_KIND,
        family_id=family.id,
        recipient=payer.email,
        subject=gettext(_SUBJECT).format(activity=activity.title),
        body=body,
        language=language,
        attachment=invoice_pdf(uow, invoice.invoice_id, language=str(language)),
    )
    return payer.email
