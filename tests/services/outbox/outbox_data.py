"""Test data for sending the outbox: queued messages and a local SMTP server (aiosmtpd).

`SmtpServer` runs aiosmtpd on 127.0.0.1 on a free port, in its own thread, keeping every
message it accepted; `refuse` makes it answer 554 to the DATA command instead, and
`credentials` makes it require a sign-in (without TLS: a test server only).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from registrar_tui.db import Database
from registrar_tui.models.base import Language
from registrar_tui.services.documents.build import GeneratedPdf
from registrar_tui.services.outbox.queue import queue_message
from registrar_tui.services.outbox.send import SmtpSettings

SENDER = "Conservatoire <comptoir@conservatoire.example>"
PDF = b"%PDF-1.4\n% a receipt\n%%EOF\n"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def settings(port: int, **changes: Any) -> SmtpSettings:
    values: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": port,
        "starttls": False,
        "username": None,
        "password": None,
        "sender": SENDER,
        "timeout": 5.0,
    }
    values.update(changes)
    return SmtpSettings(**values)


@dataclass
class _Handler:
    refuse: bool = False
    received: list[EmailMessage] = field(default_factory=list)
    recipients: list[list[str]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse:
            return "554 5.7.1 Refused by the test server"
        parsed = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append(parsed)
        self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted"


class SmtpServer:
    """A local SMTP server for one test; `stop()` it (the fixture does)."""

    def __init__(
        self, port: int, *, refuse: bool = False, credentials: tuple[str, str] | None = None
    ) -> None:
        self.port = port
        self.handler = _Handler(refuse=refuse)
        extra: dict[str, Any] = {}
        if credentials is not None:
            expected = (credentials[0].encode(), credentials[1].encode())

            def authenticate(
                server: Any, session: Any, envelope: Any, mechanism: str, data: Any
            ) -> AuthResult:
                ok = isinstance(data, LoginPassword) and (data.login, data.password) == expected
                # handled=False: aiosmtpd answers 535 itself (else it waits, silent).
                return AuthResult(success=ok, handled=False)

            extra = {
                "authenticator": authenticate,
                "auth_require_tls": False,
                "auth_required": True,
            }
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port, **extra)
        self.controller.start()

    @property
    def received(self) -> list[EmailMessage]:
        return self.handler.received

    def stop(self) -> None:
        self.controller.stop()


def queue(
    db: Database,
    subject: str,
    *,
    recipient: str = "helene.tremblay@example.ca",
    body: str = "Bonjour Hélène,\n\nVoici votre reçu.",
    attachment: bool = True,
    language: Language = Language.FRENCH,
) -> int:
    """A pending message (with a small PDF attached unless told otherwise); its id."""
    with db.write() as uow:
        message = queue_message(
            uow,
            kind="receipt",
            family_id=None,
            recipient=recipient,
            subject=subject,
            body=body,
            language=language,
            attachment=GeneratedPdf("receipt", "MTL-2026-000001.pdf", PDF) if attachment else None,
        )
        assert message.id is not None
        return message.id
