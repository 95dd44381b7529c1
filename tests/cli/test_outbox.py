"""`registrar-tui outbox send|list` as a script or a person runs them, against aiosmtpd."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from registrar_tui.cli.main import create_cli
from registrar_tui.db import Database
from tests.conftest import fixed_clock
from tests.services.outbox.outbox_data import SENDER, SmtpServer, free_port, queue


@pytest.fixture
def db_path(sqlite_template: Path, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "registrar.db"
    shutil.copyfile(sqlite_template, path)
    yield path


@pytest.fixture
def smtp_env(monkeypatch: pytest.MonkeyPatch) -> int:
    """The SMTP settings of a local server (not started); its port."""
    port = free_port()
    for name, value in {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "STARTTLS": "false",
        "FROM": SENDER,
    }.items():
        monkeypatch.setenv(f"REGISTRAR_SMTP_{name}", value)
    return port


def run(*args: str) -> Result:
    return CliRunner().invoke(create_cli(), list(args))


def queued(path: Path, subject: str) -> int:
    db = Database.open(str(path), clock=fixed_clock)
    try:
        return queue(db, subject)
    finally:
        db.dispose()


def test_send_without_configuration_says_what_to_set(
    db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("REGISTRAR_SMTP_HOST", raising=False)
    queued(db_path, "Votre reçu")

    result = run("outbox", "send", "--db", str(db_path))

    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "n'est pas configuré" in result.output and "REGISTRAR_SMTP_HOST" in result.output
    listed = run("outbox", "list", "--status", "pending", "--db", str(db_path))
    assert listed.exit_code == 0 and "\tpending\t0\t" in listed.output


def test_a_failed_send_is_listed_then_sent_once_the_server_is_back(
    db_path: Path, smtp_env: int
) -> None:
    message_id = queued(db_path, "Votre reçu MTL-2026-000001")

    down = run("outbox", "send", "--db", str(db_path))

    assert down.exit_code == 1, down.output
    assert "Courriels envoyés : 0 ; en échec : 1." in down.output
    assert f"Courriel {message_id} non envoyé : ConnectionRefusedError" in down.output
    failed = run("outbox", "list", "--status", "failed", "--db", str(db_path))
    [line] = failed.output.strip().splitlines()
    fields = line.split("\t")
    assert fields[:3] == [str(message_id), "failed", "1"]
    assert fields[4:7] == [
        "helene.tremblay@example.ca",
        "Votre reçu MTL-2026-000001",
        "MTL-2026-000001.pdf",
    ]
    assert "ConnectionRefusedError" in fields[7]

    server = SmtpServer(smtp_env)
    try:
        up = run("outbox", "send", "--db", str(db_path))
    finally:
        server.stop()
    assert up.exit_code == 0, up.output
    assert "Courriels envoyés : 1 ; en échec : 0." in up.output
    assert [message["Subject"] for message in server.received] == ["Votre reçu MTL-2026-000001"]
    sent = run("outbox", "list", "--status", "sent", "--db", str(db_path))
    assert sent.output.startswith(f"{message_id}\tsent\t2\t")


def test_list_refuses_an_unknown_status(db_path: Path) -> None:
    result = run("outbox", "list", "--status", "lost", "--db", str(db_path))
    assert result.exit_code == 2 and "lost" in result.output
    empty = run("outbox", "list", "--db", str(db_path))
    assert empty.exit_code == 0 and "Aucun courriel." in empty.output
