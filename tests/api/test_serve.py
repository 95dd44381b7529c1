"""`registrar-tui serve-api` under a real uvicorn: started, healthy, one signed request."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from registrar_tui.api.signing import signed_headers
from registrar_tui.db import Database
from registrar_tui.services.staff.api_clients import add_api_client
from tests import builders as b


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/v1/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stdout.read() if server.stdout else b""
            assert time.monotonic() < deadline, "serve-api did not answer within 30 s"
            time.sleep(0.2)
        target = "/v1/families/P-1/statement"
        answer = httpx.get(base + target, headers=signed_headers(key, "GET", target), timeout=10)
        assert answer.status_code == 200, answer.text
        assert answer.json()["family_number"] == "F0000001"
    finally:
        server.terminate()
        server.wait(timeout=15)
