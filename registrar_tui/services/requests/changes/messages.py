"""The family's message when the registrar decides one of its change requests.

Written to the outbox in the transaction of the decision, in the family's language
(`translations_for`), addressed to the payer.
"""

from __future__ import annotations

from babel.dates import format_date
from sqlmodel import col, select

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, elide, translations_for
from registrar_tui.models import ChangeRequest, Family, Guardian, OutboxMessage
from registrar_tui.models.base import Language
from registrar_tui.services.core.clock import local_date
from registrar_tui.services.outbox.queue import queue_message
from registrar_tui.services.requests.changes.fields import ADDRESS_FIELDS, FIELD_LABELS
from registrar_tui.services.staff.settings import institution_name

APPROVED_KIND = "change_request.approved"
REJECTED_KIND = "change_request.rejected"

_APPROVED_SUBJECT = N_("Votre demande de modification a été acceptée")
_APPROVED_BODY = N_(
    "Bonjour {name},\n\n"
    "Nous avons traité votre demande de modification du dossier de {subject}, "
    "reçue le {date}.\n\n{changes}\n\n{institution}"
)
_APPLIED_LINE = N_("Modifié : {field} → {value}")
_KEPT_LINE = N_("Non modifié (le dossier avait changé entre-temps) : {field}")
_REJECTED_SUBJECT = N_("Votre demande de modification n'a pas été acceptée")
_REJECTED_BODY = N_(
    "Bonjour {name},\n\n"
    "Votre demande de modification du dossier de {subject}, reçue le {date}, "
    "n'a pas été acceptée pour la raison suivante :\n\n{reason}\n\n{institution}"
)


def _unit(kept: list[str]) -> list[str]:
    """The kept fields, an address's parts named once (as « Adresse »)."""
    names = [name for name in kept if name not in ADDRESS_FIELDS]
    return (["address_line"] if len(names) < len(kept) else []) + names


def queue_decision_message(
    uow: UnitOfWork,
    request: ChangeRequest,
    subject_name: str,
    applied: list[tuple[str, str]] | None,
    kept: list[str],
) -> OutboxMessage | None:
    """Queue the message of a decision to the family's payer, in the family's language.

    `applied` is (field, value written) per applied field, or None for a rejection (the
    request's reason is quoted); `kept` the fields left as they were (an address's parts
    are named once, as the address). Returns the message queued, or None when the payer
    has no e-mail (nothing queued).
    """
    family = uow.session.get(Family, request.family_id)
    assert family is not None
    payer = uow.session.exec(
        select(Guardian).where(col(Guardian.family_id) == family.id, col(Guardian.is_payer))
    ).first()
    if payer is None or not payer.email:
        return None
    language = Language(family.language)
    lang = str(language)
    gettext = translations_for(lang).gettext

    def label(name: str) -> str:
        return gettext(FIELD_LABELS[name]) if name in FIELD_LABELS else name

    common = {
        "name": f"{payer.first_name} {payer.last_name}".strip(),
        "subject": subject_name,
        # A letter's date, in words: « le 20 novembre 2026 », "November 20, 2026".
        "date": format_date(
            local_date(request.submitted_at),
            "long",
            locale="fr_CA" if language == Language.FRENCH else "en_CA",
        ),
        "institution": institution_name(uow),
    }
    if applied is None:
        subject = gettext(_REJECTED_SUBJECT)
        body = elide(gettext(_REJECTED_BODY), lang, reason=request.decision_reason, **common)
        kind = REJECTED_KIND
    else:
        lines = [
            gettext(_APPLIED_LINE).format(field=label(name), value=value) for name, value in applied
        ] + [gettext(_KEPT_LINE).format(field=label(name)) for name in _unit(kept)]
        subject = gettext(_APPROVED_SUBJECT)
        body = elide(gettext(_APPROVED_BODY), lang, changes="\n".join(lines), **common)
        kind = APPROVED_KIND
    return queue_message(
        uow,
        kind=kind,
        family_id=family.id,
        recipient=payer.email,
        subject=subject,
        body=body,
        language=language,
    )
