"""`registrar-tui serve-api` under a real uvicorn: started, healthy, one signed request."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from registrar_tui.api.signing import signed_headers
from registrar_tui.db import Database
from registrar_tui.services.staff.api_clients import add_api_client
from tests import builders as b


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthy(server: subprocess.Popen[bytes], port: int) -> str:
    """The served base URL, once /v1/health answers (30 s at most)."""
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                return base
        except httpx.TransportError:
            pass
        assert server.poll() is None, server.stdout.read() if server.stdout else b""
        assert time.monotonic() < deadline, "serve-api did not answer within 30 s"
        time.sleep(0.2)


def test_serve_api_answers_a_signed_request(tmp_path: Path, sqlite_template: Path) -> None:
    import shutil

    from registrar_tui.models.base import Role

    path = tmp_path / "served.db"
    shutil.copyfile(sqlite_template, path)
    database = Database.open(str(path))  # the real clock: the server checks timestamps by it
    try:
        with database.write() as uow:
            school = b.establishment(uow)
            admin = b.staff(uow, None, username="admin", full_name="Ada", role=Role.ADMIN)
            b.family(uow, school, number="F0000001", name="Tremblay", portal_id="P-1")
            key = add_api_client(uow, admin, "portail").key
    finally:
        database.dispose()
    port = _free_port()
    launcher = Path(sys.executable).parent / "registrar-tui"
    command = [str(launcher), "serve-api", "--port", str(port)]
    environment = {**os.environ, "REGISTRAR_DB_URL": str(path)}
    server = subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        base = _healthy(server, port)
        target = "/v1/families/P-1/statement"
        answer = httpx.get(base + target, headers=signed_headers(key, "GET", target), timeout=10)
        assert answer.status_code == 200, answer.text
        assert answer.json()["family_number"] == "F0000001"
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_serve_api_hands_online_receipts_over_in_its_follower(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """Under serve-api the workers answer and a follower process of lower priority hands
    the receipt over: its PDF saved in the documents folder, the handover completed."""
    import json
    import shutil
    from datetime import UTC, datetime
    from decimal import Decimal

    from sqlmodel import select

    from registrar_tui.models import ReceiptHandover
    from registrar_tui.models.base import Role

    path = tmp_path / "served.db"
    shutil.copyfile(sqlite_template, path)
    database = Database.open(str(path))
    try:
        with database.write() as uow:
            school = b.establishment(uow)
            admin = b.staff(uow, None, username="admin", full_name="Ada", role=Role.ADMIN)
            family = b.family(uow, school, number="F0000001", name="Tremblay", portal_id="P-1")
            b.invoice(
                uow, family, school, number="FAC00000001", description="Automne 2026",
                lines=[b.piano(Decimal("200.00"))],
            )  # fmt: skip
            key = add_api_client(uow, admin, "portail").key
    finally:
        database.dispose()
    documents = tmp_path / "documents"
    port = _free_port()
    launcher = Path(sys.executable).parent / "registrar-tui"
    environment = {
        **os.environ,
        "REGISTRAR_DB_URL": str(path),
        "REGISTRAR_DOCUMENTS_DIR": str(documents),
    }
    server = subprocess.Popen(
        [str(launcher), "serve-api", "--port", str(port), "--workers", "2"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = _healthy(server, port)
        report = {
            "family_portal_id": "P-1",
            "processor_transaction_id": "ch_followed",
            "authorization_number": "A123456",
            "card_brand": "Visa",
            "card_last4": "4242",
            "amount": "75.00",
            "paid_at": datetime.now(tz=UTC).isoformat(),
        }
        body = json.dumps(report).encode()
        target = "/v1/online-payments"
        headers = {**signed_headers(key, "POST", target, body), "Content-Type": "application/json"}
        answer = httpx.post(base + target, content=body, headers=headers, timeout=10)
        assert answer.status_code == 201, answer.text
        number = answer.json()["receipt_number"]
        database = Database.open(str(path))
        try:
            deadline = time.monotonic() + 30
            while True:
                with database.read() as uow:
                    handover = uow.session.exec(select(ReceiptHandover)).one()
                if handover.completed_at is not None:
                    break
                assert time.monotonic() < deadline, "the receipt was not handed over in 30 s"
                time.sleep(0.2)
        finally:
            database.dispose()
        assert handover.pdf_path is not None and number in handover.pdf_path
        assert Path(handover.pdf_path).read_bytes().startswith(b"%PDF")
        assert Path(handover.pdf_path).is_relative_to(documents)
    finally:
        server.terminate()
        server.wait(timeout=30)
    # Stopped cleanly: no follower left behind.
    assert server.returncode is not None


def _children(pid: int) -> dict[int, int]:
    """The processes whose parent is `pid`, with their niceness."""
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found[int(entry.name)] = int(fields[16])
    return found


def _gone(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in {"Z", "X"}


def test_the_receipts_follower_ends_with_a_server_killed_outright(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """A serve-api killed with SIGKILL (or crashed) never tells its follower to stop: the
    follower sees it is gone and ends, rather than hand receipts over on its own forever."""
    if not Path("/proc/self/stat").exists():
        pytest.skip("reads processes from /proc (Linux)")

    path = tmp_path / "served.db"
    shutil.copyfile(sqlite_template, path)
    port = _free_port()
    launcher = Path(sys.executable).parent / "registrar-tui"
    environment = {**os.environ, "REGISTRAR_DB_URL": str(path)}
    server = subprocess.Popen(
        [str(launcher), "serve-api", "--port", str(port), "--workers", "1"],
        env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        _healthy(server, port)
        deadline = time.monotonic() + 30
        while not (followers := [p for p, nice in _children(server.pid).items() if nice > 0]):
            # The follower lowers its own priority once started (a loaded machine: later
            # than the workers answer).
            assert time.monotonic() < deadline, "no follower at a lower priority"
            time.sleep(0.1)
        [follower] = followers
        server.kill()
        server.wait(timeout=10)
        deadline = time.monotonic() + 10
        while not _gone(follower):
            assert time.monotonic() < deadline, "the follower outlived its server"
            time.sleep(0.1)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(timeout=10)


def test_a_follower_started_after_its_server_died_ends_too(
    tmp_path: Path, sqlite_template: Path
) -> None:
    """The server's pid comes from the server: a follower whose server died before it even
    started (its parent then is whoever adopted it) ends at once instead of running on."""
    import multiprocessing

    from registrar_tui.api.receipts import follow_receipts

    path = tmp_path / "served.db"
    shutil.copyfile(sqlite_template, path)
    context = multiprocessing.get_context("spawn")
    stop = context.Event()  # never set: only the server's absence can end it
    gone = 2**22 + 1  # above Linux's default pid_max: no such process
    follower = context.Process(target=follow_receipts, args=(str(path), stop, gone))
    follower.start()
    follower.join(30)
    try:
        assert follower.exitcode == 0, "the follower ran on without its server"
    finally:
        if follower.is_alive():
            follower.kill()
            follower.join(10)
