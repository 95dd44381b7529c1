"""The outbox: confirmation e-mails written in the transaction of what they confirm.

A row is a message waiting to be sent (recipient, subject, body in the family's language,
optional PDF attachment). Sending over SMTP is a separate job (`registrar-tui outbox send`),
so a counter never waits for a mail server.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import insert

from registrar_tui.db import UnitOfWork
from registrar_tui.i18n import N_, french_spacing, translations_for
from registrar_tui.models import Family, Guardian, OutboxMessage, Payment, Receipt
from registrar_tui.models.base import Language, OutboxStatus, require_id
from registrar_tui.services.core.errors import NotFound
from registrar_tui.services.documents.build import GeneratedPdf
from registrar_tui.services.staff.settings import institution_name

RECEIPT_KIND = "receipt"

_RECEIPT_SUBJECT = N_("Votre reçu {number}")
_RECEIPT_BODY = N_(
    "Bonjour {name},\n\n"
    "Nous avons bien reçu votre paiement. Vous trouverez ci-joint votre reçu {number}.\n"
    "Conservez-le pour vos dossiers.\n\n"
    "{institution}"
)


def queue_message(
    uow: UnitOfWork,
    *,
    kind: str,
    family_id: int | None,
    recipient: str,
    subject: str,
    body: str,
    language: Language,
    attachment: GeneratedPdf | None = None,
) -> OutboxMessage:
    """Append a pending message to the outbox, in the caller's transaction."""
    message = outbox_message(
        uow,
        kind=kind,
        family_id=family_id,
        recipient=recipient,
        subject=subject,
        body=body,
        language=language,
        attachment=attachment,
    )
    uow.session.add(message)
    uow.session.flush()
    return message


def outbox_message(
    uow: UnitOfWork,
    *,
    kind: str,
    family_id: int | None,
    recipient: str,
    subject: str,
    body: str,
    language: Language,
    attachment: GeneratedPdf | None = None,
) -> OutboxMessage:
    """A pending message as `queue_message` appends it (not added to the session)."""
    return OutboxMessage(
        created_at=uow.now(),
        family_id=family_id,
        kind=kind,
        recipient=recipient,
        # French typography in the family's language: no line starts with « : » or « ? ».
        subject=french_spacing(subject, str(language))[:300],
        body=french_spacing(body, str(language)),
        language=language,
        attachment_name=attachment.filename if attachment is not None else None,
        attachment=attachment.pdf if attachment is not None else None,
        status=OutboxStatus.PENDING,
    )


def queue_receipt_email(uow: UnitOfWork, payment_id: int, document: GeneratedPdf) -> str | None:
    """Queue the receipt PDF by e-mail to the family's payer, in the family's language.

    Returns the recipient's address, or None when the payer has no e-mail (nothing queued).
    Refuses an unknown payment with NotFound.
    """
    from sqlmodel import col, select

    payment = uow.session.get(Payment, payment_id)
    if payment is None:
        raise NotFound(N_("Paiement introuvable."))
    family = uow.session.get(Family, payment.family_id)
    assert family is not None
    payer = uow.session.exec(
        select(Guardian).where(col(Guardian.family_id) == family.id, col(Guardian.is_payer))
    ).first()
    if payer is None or not payer.email:
        return None
    number = uow.session.exec(
        select(Receipt.number).where(col(Receipt.payment_id) == payment_id)
    ).one()
    return queue_receipt_email_to(
        uow,
        ReceiptRecipient(
            family_id=require_id(family),
            language=Language(family.language),
            payer_name=f"{payer.first_name} {payer.last_name}",
            email=payer.email,
            receipt_number=number,
            institution=institution_name(uow),
        ),
        document,
    )


@dataclass(frozen=True)
class ReceiptRecipient:
    """Who a receipt is e-mailed to and what the message says, read by the caller."""

    family_id: int
    language: Language
    payer_name: str
    """First and last name, as read (stripped when written)."""
    email: str | None
    receipt_number: str
    institution: str
    """The institution's name ("" when not set)."""


def queue_receipt_email_to(
    uow: UnitOfWork, recipient: ReceiptRecipient, document: GeneratedPdf
) -> str | None:
    """`queue_receipt_email` with what it reads read already by the caller (one statement:
    the message). Returns the address, or None when the payer has no e-mail."""
    message = receipt_email(uow, recipient, document)
    if message is None:
        return None
    append_message(uow, message)
    return message.recipient


def append_message(uow: UnitOfWork, message: OutboxMessage) -> None:
    """Append a message built by the caller (`receipt_email`), in the caller's transaction:
    a plain insert (the message is not used afterwards), no ORM unit of work."""
    uow.execute(insert(OutboxMessage), [message.model_dump(exclude={"id"})])


def receipt_email(
    uow: UnitOfWork, recipient: ReceiptRecipient, document: GeneratedPdf
) -> OutboxMessage | None:
    """The message `queue_receipt_email_to` appends (not added to the session), for a
    caller that writes it in a statement of its own; None when the payer has no e-mail."""
    if not recipient.email:
        return None
    gettext = translations_for(str(recipient.language)).gettext
    number = recipient.receipt_number
    return outbox_message(
        uow,
        kind=RECEIPT_KIND,
        family_id=recipient.family_id,
        recipient=recipient.email,
        subject=gettext(_RECEIPT_SUBJECT).format(number=number),
        body=gettext(_RECEIPT_BODY).format(
            name=recipient.payer_name.strip(), number=number, institution=recipient.institution
        ),
        language=recipient.language,
        attachment=document,
    )
