"""Sending the outbox over SMTP (`registrar-tui outbox send`), never losing a message.

The SMTP server is configured from the environment (REGISTRAR_SMTP_HOST, _PORT,
_STARTTLS, _USER, _PASSWORD, _FROM). Sending is a job apart from the counter's work, so
it runs over a `Database`, not one unit of work: no transaction stays open while a mail
server answers (a SQLite writer would block every counter meanwhile). Each message is
claimed (its attempt counted) in one short transaction, sent, then marked sent or failed
with the server's error in another. A message is never deleted: a failure keeps it for
the next run until it has failed `max_attempts` times.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from sqlalchemy import update
from sqlmodel import col, or_, select

from registrar_tui.db import Database, UnitOfWork
from registrar_tui.i18n import N_
from registrar_tui.models import OutboxMessage
from registrar_tui.models.base import OutboxStatus, require_id
from registrar_tui.services.audit.record import record_event
from registrar_tui.services.core.errors import DomainError, InvalidInput

ENV_PREFIX = "REGISTRAR_SMTP_"
DEFAULT_PORT = 587
MAX_ATTEMPTS = 5
"""A message that failed this many times is left for a person to look at (`outbox list`)."""
TIMEOUT_SECONDS = 30.0
LIST_LIMIT = 50
_TRUE = {"1", "true", "yes", "oui", "on"}
_FALSE = {"0", "false", "no", "non", "off", ""}


class SmtpNotConfigured(DomainError):
    message = N_(
        "L'envoi des courriels n'est pas configuré : définissez REGISTRAR_SMTP_HOST "
        "et REGISTRAR_SMTP_FROM (et au besoin _PORT, _STARTTLS, _USER, _PASSWORD)."
    )


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool
    username: str | None
    password: str | None
    sender: str
    timeout: float = TIMEOUT_SECONDS


def smtp_settings(environ: Mapping[str, str] | None = None) -> SmtpSettings:
    """The SMTP server from the environment. Refuses: SmtpNotConfigured (no host or
    sender), InvalidInput (a port or STARTTLS value that is not one)."""
    env = os.environ if environ is None else environ
    host = env.get(f"{ENV_PREFIX}HOST", "").strip()
    sender = env.get(f"{ENV_PREFIX}FROM", "").strip()
    if not host or not sender:
        raise SmtpNotConfigured()
    port_text = env.get(f"{ENV_PREFIX}PORT", "").strip() or str(DEFAULT_PORT)
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise InvalidInput(
            N_("Port SMTP invalide : {value}."), field="REGISTRAR_SMTP_PORT", value=port_text
        )
    starttls_text = env.get(f"{ENV_PREFIX}STARTTLS", "true").strip().lower()
    if starttls_text not in _TRUE | _FALSE:
        raise InvalidInput(
            N_("REGISTRAR_SMTP_STARTTLS vaut true ou false, pas {value}."),
            field="REGISTRAR_SMTP_STARTTLS",
            value=starttls_text,
        )
    return SmtpSettings(
        host=host,
        port=int(port_text),
        starttls=starttls_text in _TRUE,
        username=env.get(f"{ENV_PREFIX}USER") or None,
        password=env.get(f"{ENV_PREFIX}PASSWORD") or None,
        sender=sender,
    )


@dataclass(frozen=True)
class OutboxRow:
    """A message of the outbox as `outbox list` shows it."""

    message_id: int
    created_at: datetime
    kind: str
    recipient: str
    subject: str
    status: OutboxStatus
    attempts: int
    last_error: str
    sent_at: datetime | None
    attachment_name: str | None


def _row(message: OutboxMessage) -> OutboxRow:
    return OutboxRow(
        message_id=require_id(message),
        created_at=message.created_at,
        kind=message.kind,
        recipient=message.recipient,
        subject=message.subject,
        status=OutboxStatus(message.status),
        attempts=message.attempts,
        last_error=message.last_error,
        sent_at=message.sent_at,
        attachment_name=message.attachment_name,
    )


def outbox_messages(
    uow: UnitOfWork, status: OutboxStatus | None = None, *, limit: int = LIST_LIMIT
) -> tuple[OutboxRow, ...]:
    """The newest messages (of one status when given), newest first. Refuses nothing."""
    query = select(OutboxMessage)
    if status is not None:
        query = query.where(col(OutboxMessage.status) == status)
    query = query.order_by(col(OutboxMessage.id).desc()).limit(limit)
    return tuple(_row(message) for message in uow.session.exec(query))


def sendable_ids(uow: UnitOfWork, max_attempts: int = MAX_ATTEMPTS) -> tuple[int, ...]:
    """Pending messages and failed ones tried fewer than `max_attempts` times, oldest first."""
    return tuple(
        int(message_id or 0)
        for message_id in uow.session.exec(
            select(col(OutboxMessage.id))
            .where(
                or_(
                    col(OutboxMessage.status) == OutboxStatus.PENDING,
                    (col(OutboxMessage.status) == OutboxStatus.FAILED)
                    & (col(OutboxMessage.attempts) < max_attempts),
                )
            )
            .order_by(col(OutboxMessage.id))
        ).all()
    )


def claim(uow: UnitOfWork, message_id: int, max_attempts: int = MAX_ATTEMPTS) -> bool:
    """Count an attempt on a message still to send; False when another sender has it or it
    was sent meanwhile (the attempt count is the claim: two senders never both win)."""
    message = uow.session.get(OutboxMessage, message_id)
    if message is None or message.status == OutboxStatus.SENT:
        return False
    if message.attempts >= max_attempts:
        return False
    claimed = uow.session.execute(
        update(OutboxMessage)
        .where(
            col(OutboxMessage.id) == message_id,
            col(OutboxMessage.attempts) == message.attempts,
            col(OutboxMessage.status) != OutboxStatus.SENT,
        )
        .values(attempts=message.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(claimed, "rowcount", 0))


def build_email(message: OutboxMessage, sender: str) -> EmailMessage:
    """The e-mail of an outbox row: sender, recipient, subject, body, the PDF attached."""
    email = EmailMessage()
    email["From"] = sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at)
    domain = sender.rsplit("@", 1)[-1].strip(">") or None
    email["Message-ID"] = make_msgid(f"outbox-{message.id}", domain=domain)
    email["Content-Language"] = "en" if message.language == "en" else "fr-CA"
    email.set_content(message.body)
    if message.attachment is not None:
        email.add_attachment(
            message.attachment,
            maintype="application",
            subtype="pdf",
            filename=message.attachment_name or f"document-{message.id}.pdf",
        )
    return email


def record_outcome(uow: UnitOfWork, message_id: int, error: str | None) -> None:
    """Mark a claimed message sent (error None) or failed with the error, audited."""
    message = uow.session.get(OutboxMessage, message_id)
    assert message is not None
    before = {"status": str(message.status), "attempts": message.attempts}
    if error is None:
        message.status = OutboxStatus.SENT
        message.sent_at = uow.now()
        message.last_error = ""
    else:
        message.status = OutboxStatus.FAILED
        message.last_error = error[:1000]
    uow.session.add(message)
    uow.session.flush()
    action = "outbox.sent" if error is None else "outbox.failed"
    after = {"status": str(message.status), "attempts": message.attempts}
    if error is not None:
        after["error"] = message.last_error
    record_event(uow, None, action, "outbox_message", message_id, before, after)


@dataclass(frozen=True)
class SendReport:
    sent: int
    failed: int
    errors: tuple[tuple[int, str], ...]
    """(message id, error) of each failure, in the order tried."""
    stopped_early: bool
    """The server could not be reached (or hung up): the rest waits for the next run."""


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        detail = error.smtp_error
        text = detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)
        return f"{error.smtp_code} {text}".strip()
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{who}: {code} {reply.decode(errors='replace')}"
            for who, (code, reply) in error.recipients.items()
        )
    return f"{type(error).__name__}: {error}".strip()


def connect(settings: SmtpSettings) -> smtplib.SMTP:
    """An SMTP session, upgraded with STARTTLS and signed in as configured."""
    smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            smtp.login(settings.username, settings.password or "")
    except BaseException:
        smtp.close()
        raise
    return smtp


def send_outbox(
    database: Database,
    settings: SmtpSettings,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    connector: Callable[[SmtpSettings], smtplib.SMTP] = connect,
) -> SendReport:
    """Send the pending messages (and failed ones with attempts left), oldest first.

    Each message: claimed in one transaction, sent, then marked sent or failed (with the
    error) in another. When the server cannot be reached or hangs up, the message tried
    is marked failed and the run stops; the rest stays as it was for the next run.
    """
    with database.read() as uow:
        ids = sendable_ids(uow, max_attempts)
    sent = 0
    errors: list[tuple[int, str]] = []
    smtp: smtplib.SMTP | None = None
    stopped = False
    try:
        for message_id in ids:
            with database.write() as uow:
                if not claim(uow, message_id, max_attempts):
                    continue
                message = uow.session.get(OutboxMessage, message_id)
                assert message is not None
                email = build_email(message, settings.sender)
            error: str | None = None
            try:
                if smtp is None:
                    # Refused, unreachable, no STARTTLS, wrong credentials: no message can go.
                    stopped = True
                    smtp = connector(settings)
                    stopped = False
                smtp.send_message(email)
            except (smtplib.SMTPServerDisconnected, OSError) as failure:
                error, stopped = _describe(failure), True
            except smtplib.SMTPException as failure:
                error = _describe(failure)
            with database.write() as uow:
                record_outcome(uow, message_id, error)
            if error is None:
                sent += 1
            else:
                errors.append((message_id, error))
            if stopped:
                break
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
    return SendReport(sent=sent, failed=len(errors), errors=tuple(errors), stopped_early=stopped)
