"""Sending the outbox to a local SMTP server (aiosmtpd) started by each test: messages
arrive whole, failures are recorded and kept, and a later run sends them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlmodel import col, func, select

from registrar_tui.db import Database
from registrar_tui.models import AuditEvent, OutboxMessage
from registrar_tui.models.base import OutboxStatus
from registrar_tui.services.core.errors import InvalidInput
from registrar_tui.services.outbox.send import (
    MAX_ATTEMPTS,
    SmtpNotConfigured,
    claim,
    outbox_messages,
    send_outbox,
    smtp_settings,
)
from tests.conftest import FIXED_NOW
from tests.services.outbox.outbox_data import PDF, SENDER, SmtpServer, free_port, queue, settings


@pytest.fixture
def servers() -> Iterator[list[SmtpServer]]:
    """Servers started by the test, stopped after it."""
    started: list[SmtpServer] = []
    yield started
    for server in started:
        server.stop()


def start(servers: list[SmtpServer], port: int, **options: object) -> SmtpServer:
    server = SmtpServer(port, **options)  # type: ignore[arg-type]
    servers.append(server)
    return server


def state(db: Database, message_id: int) -> tuple[OutboxStatus, int, str, datetime | None]:
    with db.read() as uow:
        message = uow.session.get(OutboxMessage, message_id)
        assert message is not None
        sent_at = message.sent_at
        if sent_at is not None and sent_at.tzinfo is None:
            sent_at = sent_at.replace(tzinfo=UTC)
        return OutboxStatus(message.status), message.attempts, message.last_error, sent_at


def test_settings_come_from_the_environment() -> None:
    with pytest.raises(SmtpNotConfigured) as refused:
        smtp_settings({})
    assert "REGISTRAR_SMTP_HOST" in refused.value.translated()
    with pytest.raises(SmtpNotConfigured):
        smtp_settings({"REGISTRAR_SMTP_HOST": "smtp.example"})  # no sender
    base = {"REGISTRAR_SMTP_HOST": "smtp.example", "REGISTRAR_SMTP_FROM": SENDER}
    default = smtp_settings(base)
    assert (default.port, default.starttls, default.username) == (587, True, None)
    full = smtp_settings(
        base
        | {
            "REGISTRAR_SMTP_PORT": "2525",
            "REGISTRAR_SMTP_STARTTLS": "false",
            "REGISTRAR_SMTP_USER": "comptoir",
            "REGISTRAR_SMTP_PASSWORD": "s3cret",
        }
    )
    assert (full.port, full.starttls, full.username, full.password) == (
        2525,
        False,
        "comptoir",
        "s3cret",
    )
    for bad in ({"REGISTRAR_SMTP_PORT": "smtp"}, {"REGISTRAR_SMTP_STARTTLS": "maybe"}):
        with pytest.raises(InvalidInput):
            smtp_settings(base | bad)


def test_pending_messages_arrive_with_subject_body_and_pdf(
    database: Database, servers: list[SmtpServer]
) -> None:
    port = free_port()
    server = start(servers, port)
    receipt = queue(database, "Votre reçu MTL-2026-000001")
    note = queue(database, "Demande approuvée", recipient="marc@example.ca", attachment=False)

    report = send_outbox(database, settings(port))

    assert (report.sent, report.failed, report.stopped_early) == (2, 0, False)
    first, second = server.received
    assert first["Subject"] == "Votre reçu MTL-2026-000001"
    assert first["To"] == "helene.tremblay@example.ca" and first["From"] == SENDER
    body = first.get_body(("plain",))
    assert body is not None
    assert (
        body.get_content().replace("\r\n", "\n").strip() == "Bonjour Hélène,\n\nVoici votre reçu."
    )
    [attachment] = list(first.iter_attachments())
    assert attachment.get_filename() == "MTL-2026-000001.pdf"
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_content() == PDF
    assert second["To"] == "marc@example.ca" and not list(second.iter_attachments())
    assert server.handler.recipients == [["helene.tremblay@example.ca"], ["marc@example.ca"]]
    for message_id in (receipt, note):
        assert state(database, message_id) == (OutboxStatus.SENT, 1, "", FIXED_NOW)
    # Nothing is sent twice.
    assert send_outbox(database, settings(port)).sent == 0
    assert len(server.received) == 2
    with database.read() as uow:
        audited = uow.session.exec(
            select(func.count()).where(col(AuditEvent.action) == "outbox.sent")
        ).one()
    assert audited == 2


def test_a_refusing_server_leaves_the_message_failed_then_a_rerun_sends_it(
    database: Database, servers: list[SmtpServer]
) -> None:
    port = free_port()
    refusing = start(servers, port, refuse=True)
    message_id = queue(database, "Votre reçu MTL-2026-000001")

    report = send_outbox(database, settings(port))

    assert (report.sent, report.failed) == (0, 1)
    status, attempts, error, sent_at = state(database, message_id)
    assert (status, attempts, sent_at) == (OutboxStatus.FAILED, 1, None)
    assert "554" in error and "Refused by the test server" in error
    assert report.errors == ((message_id, error),)
    refusing.stop()
    servers.remove(refusing)

    server = start(servers, port)
    assert send_outbox(database, settings(port)).sent == 1
    assert state(database, message_id) == (OutboxStatus.SENT, 2, "", FIXED_NOW)
    assert server.received[0].get_body(("plain",)) is not None


def test_an_unreachable_server_stops_the_run_and_keeps_every_message(
    database: Database, servers: list[SmtpServer]
) -> None:
    port = free_port()  # nobody listens there yet
    first = queue(database, "Premier")
    second = queue(database, "Second")

    report = send_outbox(database, settings(port))

    assert (report.sent, report.failed, report.stopped_early) == (0, 1, True)
    status, attempts, error, _ = state(database, first)
    assert (status, attempts) == (OutboxStatus.FAILED, 1)
    assert "ConnectionRefusedError" in error
    assert state(database, second) == (OutboxStatus.PENDING, 0, "", None)

    server = start(servers, port)
    assert send_outbox(database, settings(port)).sent == 2
    assert [message["Subject"] for message in server.received] == ["Premier", "Second"]


def test_starttls_required_but_not_offered_is_recorded(
    database: Database, servers: list[SmtpServer]
) -> None:
    port = free_port()
    server = start(servers, port)
    message_id = queue(database, "Votre reçu")

    report = send_outbox(database, settings(port, starttls=True))

    assert report.stopped_early and not server.received
    status, _, error, _ = state(database, message_id)
    assert status == OutboxStatus.FAILED and "STARTTLS" in error


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_credentials_sign_in_and_wrong_ones_are_recorded(
    database: Database, servers: list[SmtpServer]
) -> None:
    port = free_port()
    server = start(servers, port, credentials=("comptoir", "s3cret"))
    message_id = queue(database, "Votre reçu")

    wrong = send_outbox(database, settings(port, username="comptoir", password="nope"))
    assert wrong.failed == 1 and "535" in state(database, message_id)[2]

    right = send_outbox(database, settings(port, username="comptoir", password="s3cret"))
    assert right.sent == 1 and len(server.received) == 1


def test_a_message_failed_too_often_is_left_for_a_person(
    database: Database, servers: list[SmtpServer]
) -> None:
    port = free_port()
    server = start(servers, port)
    message_id = queue(database, "Votre reçu")
    with database.write() as uow:
        message = uow.session.get(OutboxMessage, message_id)
        assert message is not None
        message.status, message.attempts = OutboxStatus.FAILED, MAX_ATTEMPTS
        message.last_error = "554 refused"
        uow.session.add(message)

    assert send_outbox(database, settings(port)).sent == 0
    assert not server.received
    assert send_outbox(database, settings(port), max_attempts=MAX_ATTEMPTS + 1).sent == 1
    with database.read() as uow:
        listed = outbox_messages(uow, OutboxStatus.SENT)
        assert outbox_messages(uow, OutboxStatus.FAILED) == ()
    assert [(row.message_id, row.attempts) for row in listed] == [(message_id, MAX_ATTEMPTS + 1)]


def test_a_claimed_attempt_is_counted_once(database: Database) -> None:
    message_id = queue(database, "Votre reçu")
    with database.write() as uow:
        assert claim(uow, message_id)
    with database.write() as uow:
        assert claim(uow, message_id)  # a retry counts another attempt
    assert state(database, message_id)[1] == 2
    with database.write() as uow:
        message = uow.session.get(OutboxMessage, message_id)
        assert message is not None
        message.status = OutboxStatus.SENT
        uow.session.add(message)
    with database.write() as uow:
        assert not claim(uow, message_id)  # sent meanwhile by another run
    with database.write() as uow:
        assert not claim(uow, 9999)
