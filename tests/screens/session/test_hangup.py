"""The terminal hangs up (an SSH connection dropped, a terminal window closed) and the
program ends, even when no SIGHUP reaches it: it never stays behind on the server, reading
nothing from a dead terminal with a whole processor (Textual's input thread alone would)."""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time

import pytest

from registrar_tui.db import Database
from tests.screens.fixtures import CLERK_PASSWORD, CLERK_USERNAME, seed


@pytest.fixture
def seeded_db(database: Database) -> Database:
    seed(database)
    return database


def _read_until(terminal: int, wanted: bytes, seconds: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + seconds  # a loaded machine: not a speed measure
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([terminal], [], [], 1.0)
        if ready:
            seen += os.read(terminal, 65536)
    return seen


@pytest.mark.parametrize("signed_in", [False, True], ids=["at-the-login", "signed-in"])
def test_a_terminal_that_hangs_up_ends_the_program(seeded_db: Database, signed_in: bool) -> None:
    if seeded_db.backend != "sqlite":
        pytest.skip("the terminal's program, not the database, is under test")
    path = seeded_db.url.removeprefix("sqlite:///")
    script = os.path.join(os.path.dirname(sys.executable), "registrar-tui")
    environment = {**os.environ, "TERM": "xterm-256color", "REGISTRAR_LANG": "fr_CA"}
    pid, terminal = pty.fork()
    if pid == 0:  # the program, with SIGHUP ignored: as when the signal does not reach it
        signal.signal(signal.SIGHUP, signal.SIG_IGN)
        os.execve(script, [script, "--db", path], environment)
    try:
        fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        assert b"Se connecter" in _read_until(terminal, b"Se connecter", 90)
        if signed_in:
            os.write(terminal, f"{CLERK_USERNAME}\t{CLERK_PASSWORD}\r".encode())
            assert "Connecté".encode() in _read_until(terminal, "Connecté".encode(), 90)

        os.close(terminal)  # the terminal goes away
        terminal = -1
        status = None
        for _ in range(300):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.1)
        else:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rpartition(")")[2].split()
            cpu_s = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            pytest.fail(f"still running 30 s after its terminal hung up ({cpu_s:.1f} s of CPU)")
        assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0  # ended as Ctrl+Q ends it
    finally:
        if terminal >= 0:
            os.close(terminal)
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
