"""The ForceCommand wrapper (deploy/ssh/registrar-tui-ssh) on its own, under a pseudo-terminal.

What it passes to the program (the env file's REGISTRAR_* values, the terminal, the
language, who is signed in: nothing else), and what it refuses before running anything:
no terminal, an env file others may change, a line that is not REGISTRAR_NAME=value, no
database URL, no program. tests/deploy/test_ssh.py runs it behind a real sshd.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

WRAPPER = Path(__file__).resolve().parents[2] / "deploy" / "ssh" / "registrar-tui-ssh"
SESSION = {
    "TERM": "xterm-256color",
    "LANG": "fr_CA.UTF-8",
    "HOME": "/home/clerk",
    "USER": "clerk",
    "LOGNAME": "clerk",
    # From the session, never to reach the program:
    "PATH": "/tmp/evil:/usr/bin:/bin",
    "PYTHONSTARTUP": "/tmp/evil.py",
    "PYTHONPATH": "/tmp/evil",
    "LD_PRELOAD": "/tmp/evil.so",
    "SSH_ORIGINAL_COMMAND": "sh -i",
    "REGISTRAR_DB_URL": "sqlite:////tmp/the-clients-own.db",
}


@pytest.fixture
def program(tmp_path: Path) -> Path:
    """A stand-in for registrar-tui: writes its environment to a file."""
    path = tmp_path / "program"
    path.write_text(f'#!/bin/sh\numask > "{tmp_path / "umask"}"\nenv > "{tmp_path / "ran"}"\n')
    path.chmod(0o755)
    return path


def _env_file(tmp_path: Path, text: str, mode: int = 0o640) -> Path:
    path = tmp_path / "ssh.env"
    path.write_text(text)
    path.chmod(mode)
    return path


def _run(env_file: Path, program: Path, terminal: bool = True) -> tuple[int, str]:
    """Run the wrapper with a pseudo-terminal (or pipes) as its standard streams."""
    if not terminal:
        done = subprocess.run(
            [str(WRAPPER), str(env_file), str(program)],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30, env=SESSION,
        )  # fmt: skip
        return done.returncode, done.stdout + done.stderr
    primary, secondary = os.openpty()
    try:
        process = subprocess.Popen(
            [str(WRAPPER), str(env_file), str(program)],
            stdin=secondary, stdout=secondary, stderr=secondary, env=SESSION,
        )  # fmt: skip
        os.close(secondary)
        output = b""
        while True:
            try:
                chunk = os.read(primary, 4096)
            except OSError:  # EIO: the terminal's last user is gone
                break
            if not chunk:
                break
            output += chunk
        return process.wait(timeout=30), output.decode()
    finally:
        os.close(primary)


def test_the_program_gets_the_env_file_and_the_terminal_only(tmp_path: Path, program: Path) -> None:
    env_file = _env_file(
        tmp_path,
        "# the registrar's database\n"
        "\n"
        "REGISTRAR_DB_URL='postgresql+psycopg://registrar:s3cret@db.example/registrar'\n"
        'REGISTRAR_DOCUMENTS_DIR="/srv/registrar/documents"\n'
        "REGISTRAR_LANG=fr_CA",  # no newline at the end: read all the same
    )
    code, output = _run(env_file, program)
    assert code == 0, output
    environment = dict(line.split("=", 1) for line in (tmp_path / "ran").read_text().splitlines())
    environment.pop("PWD", None)  # the shell's own
    assert (tmp_path / "umask").read_text().strip() == "0007"  # files for the group only
    assert environment == {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "REGISTRAR_DB_URL": "postgresql+psycopg://registrar:s3cret@db.example/registrar",
        "REGISTRAR_DOCUMENTS_DIR": "/srv/registrar/documents",
        "REGISTRAR_LANG": "fr_CA",
        "TERM": "xterm-256color",
        "LANG": "fr_CA.UTF-8",
        "HOME": "/home/clerk",
        "USER": "clerk",
        "LOGNAME": "clerk",
    }


def test_without_a_terminal_it_refuses(tmp_path: Path, program: Path) -> None:
    code, output = _run(_env_file(tmp_path, "REGISTRAR_DB_URL=x\n"), program, terminal=False)
    assert code == 1
    assert "dans un terminal (ssh -t)" in output
    assert not (tmp_path / "ran").exists()


@pytest.mark.parametrize(
    ("text", "mode", "message"),
    [
        ("REGISTRAR_DB_URL=x\n", 0o660, "modifiable par d'autres"),
        ("REGISTRAR_DB_URL=x\n", 0o646, "modifiable par d'autres"),
        ("REGISTRAR_DB_URL=x\nPATH=/tmp/evil\n", 0o640, "ligne 2 : REGISTRAR_NOM=valeur"),
        ("LD_PRELOAD=/tmp/evil.so\n", 0o640, "ligne 1 : REGISTRAR_NOM=valeur"),
        ("export REGISTRAR_DB_URL=x\n", 0o640, "ligne 1 : REGISTRAR_NOM=valeur"),
        ("REGISTRAR_DB_URL\n", 0o640, "ligne 1 : REGISTRAR_NOM=valeur"),
        ("REGISTRAR_=x\n", 0o640, "ligne 1 : REGISTRAR_NOM=valeur"),
        ("REGISTRAR_LANG=fr_CA\n", 0o640, "ne donne pas REGISTRAR_DB_URL"),
        ("REGISTRAR_DB_URL=\n", 0o640, "ne donne pas REGISTRAR_DB_URL"),
    ],
)
def test_a_doubtful_env_file_is_refused(
    tmp_path: Path, program: Path, text: str, mode: int, message: str
) -> None:
    code, output = _run(_env_file(tmp_path, text, mode), program)
    assert code == 1
    assert message in output
    assert "s3cret" not in output
    assert not (tmp_path / "ran").exists()


def test_a_missing_env_file_or_program_is_refused(tmp_path: Path, program: Path) -> None:
    code, output = _run(tmp_path / "absent.env", program)
    assert (code, "illisible" in output) == (1, True)
    code, output = _run(_env_file(tmp_path, "REGISTRAR_DB_URL=x\n"), tmp_path / "absent")
    assert (code, "introuvable" in output) == (1, True)
