"""`registrar-tui serve-web`: textual-serve on the loopback, the page pointing at its own
WebSocket (or at --public-url's), each session the same program with the same language."""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from registrar_tui.cli.serve_web import DEFAULT_HOST, session_command


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _page(command: list[str], database: Path, port: int) -> str:
    environment = {**os.environ, "REGISTRAR_DB_URL": str(database)}
    server = subprocess.Popen(
        command, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                if answer.status_code == 200:
                    return answer.text
            except httpx.TransportError:
                pass
            assert server.poll() is None, server.stdout.read() if server.stdout else b""
            assert time.monotonic() < deadline, "serve-web did not answer within 30 s"
            time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=15)


def test_the_page_is_served_on_the_loopback(tmp_path: Path, sqlite_template: Path) -> None:
    database = tmp_path / "served.db"
    shutil.copyfile(sqlite_template, database)
    port = _free_port()
    launcher = Path(sys.executable).parent / "registrar-tui"
    page = _page([str(launcher), "serve-web", "--port", str(port)], database, port)
    assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page
    assert DEFAULT_HOST == "127.0.0.1"


def test_behind_a_proxy_the_page_uses_the_public_address(
    tmp_path: Path, sqlite_template: Path
) -> None:
    database = tmp_path / "served.db"
    shutil.copyfile(sqlite_template, database)
    port = _free_port()
    launcher = Path(sys.executable).parent / "registrar-tui"
    command = [
        str(launcher),
        "serve-web",
        "--port",
        str(port),
        "--public-url",
        "https://comptoir.example/",
    ]
    page = _page(command, database, port)
    assert 'data-session-websocket-url="wss://comptoir.example/ws"' in page


def test_a_database_out_of_date_is_said_before_serving(tmp_path: Path) -> None:
    launcher = Path(sys.executable).parent / "registrar-tui"
    done = subprocess.run(
        [str(launcher), "--db", str(tmp_path / "missing.db"), "serve-web"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stderr


def test_each_session_runs_this_program_in_the_chosen_language() -> None:
    words = shlex.split(session_command("en"))
    assert words[0] == sys.executable
    assert words[-2:] == ["--lang", "en"]
    assert "registrar_tui.launcher" in words[2]
